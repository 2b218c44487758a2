//! Readiness of what is replicated besides the database: each S3 bucket's replication to the
//! standby bucket, and each ECR tag's image in the standby. The buckets are judged from the
//! primary's reading (where their sources are), the images from both regions' readings.
//!
//! A region that cannot be read makes these items UNKNOWN, never FAIL: an outage of the
//! primary says nothing about what the standby already holds. Their FAIL degrades the
//! verdict; their UNKNOWN does not (the checks of the standby itself decide that).

use super::{Check, Item, item};
use crate::config::Estate;
use crate::model::{ErrorKind, RegionReading, ReplicatedReading, Section, Side};

type Readings<'a> = [Option<&'a RegionReading>; 2];

fn replicated<'a>(readings: &Readings<'a>, side: Side) -> Result<&'a ReplicatedReading, String> {
    let i = if side == Side::Primary { 0 } else { 1 };
    match readings[i].map(|r| r.replicated.as_ref()) {
        None => Err(format!("{side} not read")),
        Some(None) => Err(format!("{side} not read yet")),
        Some(Some(Section::Err(e))) => Err(format!("{side}: {}", e.message)),
        Some(Some(Ok(r))) => Ok(r),
    }
}

/// The items for the estate's `[[s3_buckets]]` and `[[ecr_repositories]]`, in file order.
pub fn items(estate: &Estate, readings: Readings<'_>) -> Vec<Item> {
    let mut items = Vec::new();
    let primary = replicated(&readings, Side::Primary);
    for b in &estate.s3_buckets {
        let label = format!("S3 {} replication", b.primary);
        items.push(match &primary {
            Err(why) => item(&label, Check::Unknown, why),
            Ok(r) => match r.buckets.iter().find(|x| x.bucket == b.primary) {
                None => item(&label, Check::Unknown, "not read yet"),
                Some(x) => bucket(&label, &b.standby, x),
            },
        });
    }
    let standby = replicated(&readings, Side::Standby);
    for repo in &estate.ecr_repositories {
        let label = format!("ECR {} in standby", repo.name);
        let (p, s) = match (&primary, &standby) {
            (Err(why), _) | (_, Err(why)) => {
                items.push(item(&label, Check::Unknown, why));
                continue;
            }
            (Ok(p), Ok(s)) => (p, s),
        };
        let mut worst = Check::Pass;
        let mut notes = Vec::new();
        for tag in &repo.tags {
            let find = |r: &ReplicatedReading| {
                r.images
                    .iter()
                    .find(|i| i.repository == repo.name && &i.tag == tag)
                    .cloned()
            };
            let (check, note) = match (find(p), find(s)) {
                (None, _) | (_, None) => (Check::Unknown, format!("{tag} not read yet")),
                (Some(pi), Some(si)) => match (&pi.digest, &si.digest) {
                    (Some(pd), Some(sd)) if pd == sd => {
                        (Check::Pass, format!("{tag} {}", short(pd)))
                    }
                    (Some(pd), Some(sd)) => (
                        Check::Fail,
                        format!("{tag} differs: primary {} standby {}", short(pd), short(sd)),
                    ),
                    (Some(_), None) => match &si.error {
                        Some(e) if e.kind != ErrorKind::NotFound => {
                            (Check::Unknown, format!("{tag}: standby {}", e.message))
                        }
                        _ => (Check::Fail, format!("{tag} missing in standby")),
                    },
                    (None, _) => match &pi.error {
                        Some(e) if e.kind == ErrorKind::NotFound => {
                            (Check::Warn, format!("{tag} not in primary"))
                        }
                        Some(e) => (Check::Unknown, format!("{tag}: primary {}", e.message)),
                        None => (Check::Unknown, format!("{tag} not read")),
                    },
                },
            };
            worst = worse(worst, check);
            notes.push(note);
        }
        items.push(item(&label, worst, &notes.join(", ")));
    }
    items
}

fn bucket(label: &str, standby: &str, b: &crate::model::BucketReading) -> Item {
    if let Some(e) = &b.error {
        let check = match e.kind {
            ErrorKind::NotFound => Check::Fail,
            _ => Check::Unknown,
        };
        return item(label, check, &e.message);
    }
    if b.rules.is_empty() {
        return item(label, Check::Fail, "no replication configuration");
    }
    let enabled = b
        .rules
        .iter()
        .any(|r| r.status == "Enabled" && r.destination == standby);
    if !enabled {
        let found: Vec<String> = b
            .rules
            .iter()
            .map(|r| format!("{} → {}", r.status, r.destination))
            .collect();
        return item(
            label,
            Check::Fail,
            &format!("no enabled rule to {standby} ({})", found.join(", ")),
        );
    }
    match &b.newest {
        None => item(
            label,
            Check::Pass,
            &format!("rule to {standby} enabled; bucket empty"),
        ),
        Some(o) => {
            let status = o.status.as_deref().unwrap_or("no replication status");
            let check = match o.status.as_deref() {
                Some("COMPLETED") => Check::Pass,
                Some("FAILED") => Check::Fail,
                _ => Check::Warn,
            };
            item(label, check, &format!("{status} · newest {}", o.key))
        }
    }
}

/// `sha256:0123456789ab…`: enough to tell two digests apart on screen.
fn short(digest: &str) -> String {
    let cut: String = digest.chars().take(19).collect();
    if cut.len() < digest.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

fn worse(a: Check, b: Check) -> Check {
    let rank = |c: Check| match c {
        Check::Pass => 0,
        Check::Warn => 1,
        Check::Unknown => 2,
        Check::Fail => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

#[cfg(test)]
mod tests;
