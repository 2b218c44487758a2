//! From a confirmed draft to the file's text: the estate's name, and the refusals (a required
//! value missing without `--draft`, a text that would not pass `check`).

use super::draft::{Draft, Note};
use super::{Options, write};
use crate::exit::Failure;

/// The estate's name: the one asked for, else the primary database's (without `-db`), else
/// the ECS cluster's, else the first group's.
fn name(d: &mut Draft, asked: Option<&str>) {
    if let Some(n) = asked {
        d.name = n.to_string();
        return;
    }
    let from = d
        .database
        .as_ref()
        .map(|db| (db.primary.clone(), "the primary database"))
        .or(d
            .ecs
            .as_ref()
            .map(|e| (e.primary_cluster.clone(), "the ECS cluster")))
        .or(d
            .asgs
            .first()
            .map(|g| (g.primary_name.clone(), "the first Auto Scaling group")));
    let (raw, what) = from.unwrap_or(("estate".into(), "nothing"));
    let mut n = raw.as_str();
    for suffix in [
        "-db",
        "-database",
        "-mysql",
        "-postgres",
        "-rds",
        "-aurora",
        "-primary",
    ] {
        n = n.strip_suffix(suffix).unwrap_or(n);
    }
    d.name = n.to_string();
    d.name_notes.push(Note::Check(format!(
        "the name is {what}'s ({raw}); --name sets another"
    )));
}

/// Turns a confirmed draft into the file's text, checked as `drconsole check` would.
pub fn finish(mut d: Draft, opts: &Options) -> Result<(String, Draft), Failure> {
    name(&mut d, opts.name.as_deref());
    if !d.missing.is_empty() && !opts.draft {
        let mut msg = format!(
            "init: {} required value(s) not found; nothing written (--draft writes the file \
             with the gaps marked):",
            d.missing.len()
        );
        for m in &d.missing {
            msg.push_str(&format!("\n  missing: {} (looked: {})", m.what, m.looked));
        }
        return Err(Failure::config(msg));
    }
    let mut style = write::Style {
        primary_profile: opts.primary_profile.clone(),
        standby_profile: opts.standby_profile.clone(),
        endpoint_url: opts.endpoint_url.clone(),
        secret_key_supported: true,
    };
    let mut text = write::render(&d, &style);
    let mut checked = crate::runbook::parse_estate(&text, "init");
    if let Err(e) = &checked
        && e.to_string().contains("endpoint_secret_key")
    {
        style.secret_key_supported = false;
        text = write::render(&d, &style);
        checked = crate::runbook::parse_estate(&text, "init");
    }
    if let Err(e) = checked
        && d.missing.is_empty()
    {
        return Err(Failure::config(format!(
            "init: the estate assembled would not pass check; nothing written:\n{e}"
        )));
    }
    Ok((text, d))
}
