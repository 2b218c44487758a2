//! From the resources of the state files to a draft estate: which database replicates to which,
//! which cluster, group, target group, record and check belongs to which region, paired by
//! what Terraform recorded (`replicate_source_db`, `global_cluster_identifier`, names,
//! attachments, what a record points at). AWS confirms it afterwards (`confirm`).

use std::collections::BTreeSet;

use super::draft::*;
use super::terraform::{Origin, TfResource};
use crate::model::Side;

/// The resources of every state given, and how a note names one of them.
pub struct Resources {
    pub all: Vec<TfResource>,
    pub several_files: bool,
}

impl Resources {
    fn of<'a>(&'a self, kinds: &'a [&'a str]) -> impl Iterator<Item = &'a TfResource> + 'a {
        self.all
            .iter()
            .filter(move |r| kinds.contains(&r.kind.as_str()))
    }
    pub fn note(&self, r: &TfResource) -> Note {
        if r.origin == Origin::Aws {
            Note::From(format!("{}: {}", r.file, r.address))
        } else if self.several_files {
            Note::Terraform(format!("{} in {}", r.address, r.file))
        } else {
            Note::Terraform(r.address.clone())
        }
    }
    /// What one attribute of a Terraform resource said; nothing for one read from AWS (what
    /// AWS says is noted when it is confirmed).
    fn attr_note(&self, r: &TfResource, attr: String) -> Option<Note> {
        (r.origin == Origin::Terraform).then(|| Note::Terraform(format!("{}.{attr}", r.address)))
    }
    fn files(&self) -> String {
        let files: BTreeSet<&str> = self.all.iter().map(|r| r.file.as_str()).collect();
        if files.is_empty() {
            "the state files given".into()
        } else {
            files.into_iter().collect::<Vec<_>>().join(", ")
        }
    }
}

/// The last part of an ARN (`arn:aws:rds:us-east-1:1:db:orders` → `orders`).
pub fn arn_name(arn: &str) -> &str {
    if arn.starts_with("arn:") {
        arn.rsplit([':', '/']).next().unwrap_or(arn)
    } else {
        arn
    }
}

/// Whether two names differ only by region words (`app-use1` and `app-usw2`, `web-primary`
/// and `web-dr`): how resources named per region are paired.
fn stem(name: &str, region: &str) -> String {
    let short = short_region(region);
    let mut parts: Vec<&str> = name
        .split(['-', '_'])
        .filter(|p| {
            let p = p.to_ascii_lowercase();
            !(p == region
                || p == short
                || ["primary", "standby", "dr", "secondary", "prod", "main"].contains(&p.as_str()))
        })
        .collect();
    if parts.is_empty() {
        parts.push(name);
    }
    parts.join("-")
}

/// `us-east-1` → `use1`.
fn short_region(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    match parts.as_slice() {
        [geo, dir, n] => {
            let mut d = String::new();
            let rest = if let Some(r) = dir.strip_prefix("north") {
                d.push('n');
                r
            } else if let Some(r) = dir.strip_prefix("south") {
                d.push('s');
                r
            } else {
                dir
            };
            d.extend(rest.chars().next());
            format!("{geo}{d}{n}")
        }
        _ => region.to_string(),
    }
}

/// Pairs what the state files hold into a draft estate for `primary` → `standby`.
pub fn pair(res: &Resources, primary: &str, standby: &str) -> Draft {
    let mut d = Draft {
        primary_region: primary.to_string(),
        standby_region: standby.to_string(),
        ..Draft::default()
    };
    let regions: BTreeSet<&str> = res.all.iter().filter_map(|r| r.region.as_deref()).collect();
    let other: Vec<&str> = regions
        .iter()
        .copied()
        .filter(|r| *r != primary && *r != standby)
        .collect();
    if !other.is_empty() {
        d.notes.push(Note::Check(format!(
            "the state also holds resources in {}: not part of this estate",
            other.join(", ")
        )));
    }
    database(res, &mut d);
    ecs(res, &mut d);
    asgs(res, &mut d);
    target_groups(res, &mut d);
    dns(res, &mut d);
    health_checks(res, &mut d);
    alarms(res, &mut d);
    extras(res, &mut d);
    d
}

fn side(d: &Draft, r: &TfResource) -> Option<Side> {
    d.side_of(r.region.as_deref())
}

fn database(res: &Resources, d: &mut Draft) {
    let instances: Vec<&TfResource> = res.of(&["aws_db_instance"]).collect();
    let looked = format!(
        "aws_db_instance with replicate_source_db in {}, aws_rds_global_cluster, \
         aws_backup_vault in {} ({})",
        d.standby_region,
        d.standby_region,
        res.files()
    );
    // A replica in the standby region whose source is in the primary region.
    let replicas: Vec<&TfResource> = instances
        .iter()
        .copied()
        .filter(|r| r.str("replicate_source_db").is_some() && side(d, r) == Some(Side::Standby))
        .collect();
    if let Some(rep) = replicas.first() {
        let source = rep.str("replicate_source_db").unwrap_or_default();
        let source_id = arn_name(source).to_string();
        let mut db = DbDraft {
            kind: Some(DbKind::RdsReplica),
            primary: source_id.clone(),
            standby: rep.str("identifier").unwrap_or_default().to_string(),
            ..DbDraft::default()
        };
        if let Some(p) = instances.iter().find(|r| {
            r.str("identifier") == Some(source_id.as_str()) && side(d, r) == Some(Side::Primary)
        }) {
            db.notes.push(res.note(p));
            db.primary_address = p.str("address").map(str::to_string);
        }
        db.notes.push(res.note(rep));
        db.notes
            .extend(res.attr_note(rep, format!("replicate_source_db = {source}")));
        if replicas.len() > 1 {
            let others: Vec<&str> = replicas[1..]
                .iter()
                .filter_map(|r| r.str("identifier"))
                .collect();
            db.notes.push(Note::Check(format!(
                "other replicas in {} not in this estate (one database per estate): {}",
                d.standby_region,
                others.join(", ")
            )));
        }
        d.database = Some(db);
    } else if let Some(g) = res.of(&["aws_rds_global_cluster"]).next() {
        let gid = g
            .str("global_cluster_identifier")
            .or(g.str("id"))
            .unwrap_or_default()
            .to_string();
        let clusters: Vec<&TfResource> = res
            .of(&["aws_rds_cluster"])
            .filter(|c| c.str("global_cluster_identifier") == Some(gid.as_str()))
            .collect();
        let found: Vec<(Side, Option<&TfResource>)> = [Side::Primary, Side::Standby]
            .into_iter()
            .map(|s| (s, clusters.iter().copied().find(|c| side(d, c) == Some(s))))
            .collect();
        let mut db = DbDraft {
            kind: Some(DbKind::AuroraGlobal),
            global_cluster: Some(gid.clone()),
            notes: vec![res.note(g)],
            ..DbDraft::default()
        };
        for (s, c) in found {
            match c {
                Some(c) => {
                    let id = c.str("cluster_identifier").unwrap_or_default().to_string();
                    if s == Side::Primary {
                        db.primary = id;
                        db.primary_address = c.str("endpoint").map(str::to_string);
                    } else {
                        db.standby = id;
                    }
                    db.notes.push(res.note(c));
                }
                None => d.missing.push(Missing {
                    what: format!(
                        "the {s} cluster of global database {gid} (in {})",
                        d.region(s)
                    ),
                    looked: format!(
                        "aws_rds_cluster with global_cluster_identifier = {gid} ({})",
                        res.files()
                    ),
                }),
            }
        }
        d.database = Some(db);
    } else if let Some(p) = instances
        .iter()
        .copied()
        .find(|r| side(d, r) == Some(Side::Primary))
    {
        let primary = p.str("identifier").unwrap_or_default().to_string();
        let mut db = DbDraft {
            primary: primary.clone(),
            primary_address: p.str("address").map(str::to_string),
            notes: vec![res.note(p)],
            ..DbDraft::default()
        };
        let vault = res
            .of(&["aws_backup_vault"])
            .find(|v| side(d, v) == Some(Side::Standby));
        if let Some(v) = vault {
            db.kind = Some(DbKind::BackupRestore);
            db.backup_vault = v.str("name").map(str::to_string);
            db.standby = format!("{primary}-dr");
            db.notes.push(res.note(v));
            db.notes.push(Note::Check(format!(
                "standby is the name the restore gives the new instance; \"{primary}-dr\" is a \
                 guess"
            )));
            db.instance_class = p.str("instance_class").map(str::to_string);
            if db.instance_class.is_some() {
                db.notes.push(Note::Check(
                    "instance_class is the primary's; a smaller class restores cheaper and \
                     serves less"
                        .into(),
                ));
            }
            let groups: Vec<&TfResource> = res
                .of(&["aws_db_subnet_group"])
                .filter(|g| side(d, g) == Some(Side::Standby))
                .collect();
            if let [g] = groups.as_slice() {
                db.subnet_group = g.str("name").map(str::to_string);
                db.notes.push(res.note(g));
            }
            let sgs: Vec<&TfResource> = res
                .of(&["aws_security_group"])
                .filter(|g| {
                    side(d, g) == Some(Side::Standby)
                        && g.str("name")
                            .is_some_and(|n| n.contains("db") || n.contains("rds"))
                })
                .collect();
            for g in sgs {
                if let Some(id) = g.str("id") {
                    db.security_groups.push(id.to_string());
                    db.notes.push(res.note(g));
                }
            }
        } else {
            d.missing.push(Missing {
                what: format!(
                    "the standby database: a replica of {primary} in {} (or a global cluster, \
                     or a backup vault to restore from)",
                    d.standby_region
                ),
                looked: looked.clone(),
            });
        }
        d.database = Some(db);
    } else {
        d.notes.push(Note::Check(format!(
            "no database found ({looked}); the runbooks move no database"
        )));
    }
    if let Some(db) = d.database.as_mut() {
        for r in res.all.iter().filter(|r| {
            side_of(&d.primary_region, &d.standby_region, r) == Some(Side::Standby)
                && matches!(
                    r.kind.as_str(),
                    "aws_ssm_parameter" | "aws_secretsmanager_secret"
                )
        }) {
            if let Some(name) = r.str("name") {
                let kind = if r.kind == "aws_ssm_parameter" {
                    "parameter"
                } else {
                    "secret"
                };
                db.store_candidates
                    .push((kind.into(), name.into(), res.note(r)));
            }
        }
    }
}

fn side_of(primary: &str, standby: &str, r: &TfResource) -> Option<Side> {
    match r.region.as_deref() {
        Some(x) if x == primary => Some(Side::Primary),
        Some(x) if x == standby => Some(Side::Standby),
        _ => None,
    }
}

fn ecs(res: &Resources, d: &mut Draft) {
    let clusters: Vec<&TfResource> = res.of(&["aws_ecs_cluster"]).collect();
    let services: Vec<&TfResource> = res.of(&["aws_ecs_service"]).collect();
    if clusters.is_empty() && services.is_empty() {
        return;
    }
    let cluster_of = |s: &TfResource| s.str("cluster").map(|c| arn_name(c).to_string());
    // Each region's cluster: the one holding services, else the only one.
    let pick = |sd: Side| -> Option<&TfResource> {
        let here: Vec<&TfResource> = clusters
            .iter()
            .copied()
            .filter(|c| side(d, c) == Some(sd))
            .collect();
        here.iter()
            .copied()
            .find(|c| {
                services
                    .iter()
                    .any(|s| cluster_of(s).as_deref() == c.str("name"))
            })
            .or(here.first().copied())
    };
    let (Some(pc), Some(sc)) = (pick(Side::Primary), pick(Side::Standby)) else {
        for (sd, c) in [
            (Side::Primary, pick(Side::Primary)),
            (Side::Standby, pick(Side::Standby)),
        ] {
            if c.is_none() {
                d.missing.push(Missing {
                    what: format!("the {sd} ECS cluster (in {})", d.region(sd)),
                    looked: format!("aws_ecs_cluster in {} ({})", d.region(sd), res.files()),
                });
            }
        }
        return;
    };
    let pname = pc.str("name").unwrap_or_default().to_string();
    let sname = sc.str("name").unwrap_or_default().to_string();
    let mut e = EcsDraft {
        primary_cluster: pname.clone(),
        standby_cluster: sname.clone(),
        notes: vec![res.note(pc), res.note(sc)],
        ..EcsDraft::default()
    };
    let in_cluster = |s: &TfResource, name: &str, sd: Side| {
        cluster_of(s).as_deref() == Some(name) && side(d, s).is_none_or(|x| x == sd)
    };
    let mut names: Vec<String> = Vec::new();
    for s in &services {
        let Some(n) = s.str("name") else { continue };
        if (in_cluster(s, &pname, Side::Primary) || in_cluster(s, &sname, Side::Standby))
            && !names.iter().any(|x| x == n)
        {
            names.push(n.to_string());
        }
    }
    for n in names {
        let mut notes = Vec::new();
        for s in services
            .iter()
            .filter(|s| s.str("name") == Some(n.as_str()))
        {
            notes.push(res.note(s));
        }
        e.services.push(ServiceDraft {
            name: n,
            production: None,
            standby: None,
            notes,
        });
    }
    d.ecs = Some(e);
}

fn asgs(res: &Resources, d: &mut Draft) {
    let groups: Vec<&TfResource> = res.of(&["aws_autoscaling_group"]).collect();
    let of = |s: Side| -> Vec<&TfResource> {
        groups
            .iter()
            .copied()
            .filter(|g| side(d, g) == Some(s))
            .collect()
    };
    let (ps, ss) = (of(Side::Primary), of(Side::Standby));
    let mut used = BTreeSet::new();
    for p in &ps {
        let Some(pn) = p.str("name") else { continue };
        let pstem = stem(pn, &d.primary_region);
        let twin = ss.iter().find(|s| s.str("name") == Some(pn)).or_else(|| {
            ss.iter().find(|s| {
                s.str("name")
                    .is_some_and(|sn| stem(sn, &d.standby_region) == pstem)
            })
        });
        match twin {
            Some(s) => {
                let sn = s.str("name").unwrap_or_default();
                used.insert(sn.to_string());
                d.asgs.push(AsgDraft {
                    primary_name: pn.to_string(),
                    standby_name: sn.to_string(),
                    production: None,
                    standby: None,
                    notes: vec![res.note(p), res.note(s)],
                });
            }
            None => d.notes.push(Note::Check(format!(
                "Auto Scaling group {pn} ({}) has no twin in {}: not in this estate",
                p.address, d.standby_region
            ))),
        }
    }
    for s in ss {
        if let Some(sn) = s.str("name")
            && !used.contains(sn)
        {
            d.notes.push(Note::Check(format!(
                "Auto Scaling group {sn} ({}) has no twin in {}: not in this estate",
                s.address, d.primary_region
            )));
        }
    }
}

fn target_groups(res: &Resources, d: &mut Draft) {
    let tgs: Vec<&TfResource> = res
        .of(&["aws_lb_target_group", "aws_alb_target_group"])
        .collect();
    let of = |s: Side| -> Vec<&TfResource> {
        tgs.iter()
            .copied()
            .filter(|g| side(d, g) == Some(s))
            .collect()
    };
    let (ps, ss) = (of(Side::Primary), of(Side::Standby));
    for p in ps {
        let (Some(pn), Some(parn)) = (p.str("name"), p.str("arn")) else {
            continue;
        };
        let pstem = stem(pn, &d.primary_region);
        let twin = ss.iter().find(|s| s.str("name") == Some(pn)).or_else(|| {
            ss.iter().find(|s| {
                s.str("name")
                    .is_some_and(|sn| stem(sn, &d.standby_region) == pstem)
            })
        });
        let Some(s) = twin else {
            d.notes.push(Note::Check(format!(
                "target group {pn} ({}) has no twin in {}: not in this estate",
                p.address, d.standby_region
            )));
            continue;
        };
        let mut notes = vec![res.note(p), res.note(s)];
        // Whose instances are registered: an attachment, or the group's own list.
        let asg = res
            .of(&["aws_autoscaling_attachment"])
            .find(|a| {
                a.str("lb_target_group_arn")
                    .or(a.str("alb_target_group_arn"))
                    == Some(parn)
            })
            .map(|a| {
                notes.push(res.note(a));
                a.str("autoscaling_group_name")
                    .unwrap_or_default()
                    .to_string()
            })
            .or_else(|| {
                res.of(&["aws_autoscaling_group"])
                    .find(|g| g.strings("target_group_arns").iter().any(|x| x == parn))
                    .and_then(|g| {
                        notes.extend(res.attr_note(g, "target_group_arns".into()));
                        g.str("name").map(str::to_string)
                    })
            });
        // The estate names a group by its primary name.
        let asg = asg.filter(|a| d.asgs.iter().any(|g| &g.primary_name == a));
        d.target_groups.push(TgDraft {
            name: pn.to_string(),
            asg,
            primary_arn: parn.to_string(),
            standby_arn: s.str("arn").unwrap_or_default().to_string(),
            notes,
        });
    }
}

/// A load balancer of a region: its DNS name and hosted zone.
struct Lb<'a> {
    r: &'a TfResource,
    dns_name: String,
    zone_id: String,
}

fn lbs<'a>(res: &'a Resources, d: &Draft, s: Side) -> Vec<Lb<'a>> {
    res.of(&["aws_lb", "aws_alb", "aws_elb"])
        .filter(|r| side(d, r) == Some(s))
        .filter_map(|r| {
            Some(Lb {
                r,
                dns_name: r.str("dns_name")?.to_string(),
                zone_id: r.str("zone_id").unwrap_or_default().to_string(),
            })
        })
        .collect()
}

fn same_host(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim_end_matches('.')
            .trim_start_matches("dualstack.")
            .to_ascii_lowercase()
    };
    norm(a) == norm(b)
}

fn dns(res: &Resources, d: &mut Draft) {
    let records: Vec<&TfResource> = res.of(&["aws_route53_record"]).collect();
    if records.is_empty() {
        d.notes.push(Note::Check(format!(
            "no Route 53 record found (aws_route53_record in {}): the runbooks move no traffic",
            res.files()
        )));
        return;
    }
    let primary_lbs = lbs(res, d, Side::Primary);
    let standby_lbs = lbs(res, d, Side::Standby);
    let name_of = |r: &TfResource| {
        r.str("fqdn")
            .or(r.str("name"))
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string()
    };
    let target_of = |r: &TfResource| -> Option<String> {
        r.block("alias")
            .and_then(|a| a.get("name"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .or_else(|| r.strings("records").first().cloned())
    };
    let failover_of = |r: &TfResource| {
        r.block("failover_routing_policy")
            .and_then(|p| p.get("type"))
            .and_then(|v| v.as_str())
            .map(str::to_ascii_uppercase)
    };
    // A failover pair first; else the record pointing at a primary load balancer; else the
    // only record.
    let pair = records.iter().find_map(|p| {
        (failover_of(p).as_deref() == Some("PRIMARY")).then_some(())?;
        let s = records.iter().find(|s| {
            failover_of(s).as_deref() == Some("SECONDARY")
                && name_of(s) == name_of(p)
                && s.str("zone_id") == p.str("zone_id")
        })?;
        Some((*p, *s))
    });
    if let Some((p, s)) = pair {
        d.dns = Some(DnsDraft {
            zone_id: p.str("zone_id").unwrap_or_default().to_string(),
            record: name_of(p),
            kind: p.str("type").unwrap_or("CNAME").to_string(),
            ttl: p.u64("ttl").filter(|_| p.block("alias").is_none()),
            targets: DnsTargets::FailoverRouting {
                primary_set: p.str("set_identifier").unwrap_or_default().to_string(),
                standby_set: s.str("set_identifier").unwrap_or_default().to_string(),
                primary_health_check: p.str("health_check_id").map(str::to_string),
            },
            notes: vec![res.note(p), res.note(s)],
        });
        return;
    }
    let points_at_primary = |r: &&&TfResource| {
        target_of(r).is_some_and(|t| primary_lbs.iter().any(|l| same_host(&l.dns_name, &t)))
    };
    let chosen = records
        .iter()
        .find(points_at_primary)
        .or(if records.len() == 1 {
            records.first()
        } else {
            None
        });
    let Some(rec) = chosen else {
        d.notes.push(Note::Check(format!(
            "{} Route 53 records and none points at a load balancer in {}: no [dns] written",
            records.len(),
            d.primary_region
        )));
        return;
    };
    let mut notes = vec![res.note(rec)];
    let target = target_of(rec).unwrap_or_default();
    let primary_lb = primary_lbs.iter().find(|l| same_host(&l.dns_name, &target));
    // The standby's load balancer: the one named like the primary's, else the only one.
    let standby_lb = primary_lb
        .and_then(|p| {
            let pstem = stem(p.r.str("name").unwrap_or_default(), &d.primary_region);
            standby_lbs
                .iter()
                .find(|s| stem(s.r.str("name").unwrap_or_default(), &d.standby_region) == pstem)
        })
        .or(if standby_lbs.len() == 1 {
            standby_lbs.first()
        } else {
            None
        });
    let Some(slb) = standby_lb else {
        d.missing.push(Missing {
            what: format!(
                "where {} points in {}: the standby's load balancer",
                name_of(rec),
                d.standby_region
            ),
            looked: format!(
                "aws_lb / aws_alb / aws_elb in {} ({})",
                d.standby_region,
                res.files()
            ),
        });
        return;
    };
    if let Some(p) = primary_lb {
        notes.push(res.note(p.r));
    }
    notes.push(res.note(slb.r));
    let targets = match rec.block("alias") {
        Some(a) => DnsTargets::Aliases {
            primary: Alias {
                dns_name: target.trim_end_matches('.').to_string(),
                zone_id: a
                    .get("zone_id")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
            },
            standby: Alias {
                dns_name: slb.dns_name.clone(),
                zone_id: slb.zone_id.clone(),
            },
            evaluate_target_health: a
                .get("evaluate_target_health")
                .and_then(|v| v.as_bool())
                .unwrap_or(true),
        },
        None => DnsTargets::Values {
            primary: target.trim_end_matches('.').to_string(),
            standby: slb.dns_name.clone(),
        },
    };
    if records.len() > 1 {
        notes.push(Note::Check(format!(
            "{} other Route 53 records in the state are not moved on failover",
            records.len() - 1
        )));
    }
    d.dns = Some(DnsDraft {
        zone_id: rec.str("zone_id").unwrap_or_default().to_string(),
        record: name_of(rec),
        kind: rec.str("type").unwrap_or("CNAME").to_string(),
        ttl: rec.u64("ttl").filter(|_| rec.block("alias").is_none()),
        targets,
        notes,
    });
}

fn health_checks(res: &Resources, d: &mut Draft) {
    let primary_lbs: Vec<String> = lbs(res, d, Side::Primary)
        .into_iter()
        .map(|l| l.dns_name)
        .collect();
    let standby_lbs: Vec<String> = lbs(res, d, Side::Standby)
        .into_iter()
        .map(|l| l.dns_name)
        .collect();
    let primary_check = match d.dns.as_ref().map(|x| &x.targets) {
        Some(DnsTargets::FailoverRouting {
            primary_health_check: Some(id),
            ..
        }) => Some(id.clone()),
        _ => None,
    };
    for h in res.of(&["aws_route53_health_check"]) {
        let Some(id) = h.str("id") else { continue };
        let fqdn = h.str("fqdn").unwrap_or_default();
        let mut notes = vec![res.note(h)];
        let side = if primary_check.as_deref() == Some(id)
            || primary_lbs.iter().any(|l| same_host(l, fqdn))
        {
            Side::Primary
        } else if standby_lbs.iter().any(|l| same_host(l, fqdn))
            || fqdn.contains(&d.standby_region)
            || fqdn.contains(&short_region(&d.standby_region))
        {
            Side::Standby
        } else if fqdn.contains(&d.primary_region)
            || fqdn.contains(&short_region(&d.primary_region))
        {
            Side::Primary
        } else {
            notes.push(Note::Check(format!(
                "which region this check watches is a guess ({} is neither region's load \
                 balancer)",
                if fqdn.is_empty() { "its target" } else { fqdn }
            )));
            Side::Primary
        };
        let label = h
            .tag("Name")
            .or(h.str("reference_name"))
            .map(str::to_string)
            .unwrap_or_else(|| {
                if fqdn.is_empty() {
                    h.address.clone()
                } else {
                    fqdn.to_string()
                }
            });
        d.health_checks.push(HealthCheckDraft {
            id: id.to_string(),
            label,
            side,
            notes,
        });
    }
}

fn alarms(res: &Resources, d: &mut Draft) {
    for a in res.of(&["aws_cloudwatch_metric_alarm"]) {
        let Some(name) = a.str("alarm_name") else {
            continue;
        };
        match side(d, a) {
            Some(s) => d.alarms.push(AlarmDraft {
                name: name.to_string(),
                side: s,
                notes: vec![res.note(a)],
            }),
            None => d.notes.push(Note::Check(format!(
                "alarm {name} ({}): region unknown or outside the estate, not listed",
                a.address
            ))),
        }
    }
}

/// What the default runbooks do not use, said so the user can add it.
fn extras(res: &Resources, d: &mut Draft) {
    for f in res.of(&["aws_lambda_function"]) {
        let name = f.str("function_name").unwrap_or_default();
        d.notes.push(Note::Check(format!(
            "Lambda function {name} ({}, {}) is not called by the default runbooks; if failover \
             needs it, add an `invoke_lambda` step to [runbooks.failover]",
            f.address,
            f.region.as_deref().unwrap_or("region unknown")
        )));
    }
    for kind in [
        "aws_s3_bucket_replication_configuration",
        "aws_ecr_repository",
        "aws_sns_topic",
    ] {
        let kinds = [kind];
        let found: Vec<&str> = res.of(&kinds).map(|r| r.address.as_str()).collect();
        if !found.is_empty() {
            d.notes.push(Note::Check(format!(
                "found {} ({}): add s3_buckets / ecr_repositories / [notify] by hand if \
                 readiness should watch them",
                kind,
                found.join(", ")
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_pair_across_region_words() {
        assert_eq!(short_region("us-east-1"), "use1");
        assert_eq!(short_region("eu-central-1"), "euc1");
        assert_eq!(short_region("ap-southeast-2"), "apse2");
        assert_eq!(stem("app-use1", "us-east-1"), stem("app-usw2", "us-west-2"));
        assert_eq!(
            stem("web-primary", "us-east-1"),
            stem("web-dr", "us-west-2")
        );
        assert_ne!(stem("web", "us-east-1"), stem("worker", "us-west-2"));
        assert_eq!(arn_name("arn:aws:rds:us-east-1:1:db:orders"), "orders");
        assert_eq!(arn_name("arn:aws:ecs:us-east-1:1:cluster/orders"), "orders");
    }
}
