//! The estate file `init` writes: the format users already know, each value preceded by where
//! it came from and each guess or gap by a `# CHECK:` comment.

use std::fmt::Write as _;

use super::draft::*;
use crate::model::Side;

/// How the file is written.
#[derive(Debug, Clone, Default)]
pub struct Style {
    pub primary_profile: Option<String>,
    pub standby_profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// The estate checker knows `endpoint_secret_key` (else a JSON secret is left commented
    /// out: writing the whole secret would drop its other keys).
    pub secret_key_supported: bool,
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn notes(out: &mut String, notes: &[Note]) {
    for n in notes {
        let _ = writeln!(out, "{}", n.line());
    }
}

fn side_name(s: Side) -> &'static str {
    match s {
        Side::Primary => "primary",
        Side::Standby => "standby",
    }
}

/// The file's text.
pub fn render(d: &Draft, style: &Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Written by `drconsole init` from {}.",
        d.sources.join(", ")
    );
    o.push_str(
        "# Each value says where it came from; each `# CHECK:` is a guess or a gap to look at.\n",
    );
    if !d.missing.is_empty() {
        let _ = writeln!(
            o,
            "# DRAFT: {} required value(s) not found; `drconsole check` fails until they are filled in.",
            d.missing.len()
        );
        for m in &d.missing {
            let _ = writeln!(o, "# CHECK: MISSING {} (looked: {})", m.what, m.looked);
        }
    }
    notes(&mut o, &d.notes);
    o.push('\n');
    notes(&mut o, &d.name_notes);
    let _ = writeln!(o, "name = {}", q(&d.name));
    for (side, profile) in [
        (Side::Primary, &style.primary_profile),
        (Side::Standby, &style.standby_profile),
    ] {
        let _ = writeln!(o, "\n[{}]", side_name(side));
        let _ = writeln!(o, "region = {}", q(d.region(side)));
        if let Some(p) = profile {
            let _ = writeln!(o, "profile = {}", q(p));
        }
        if let Some(u) = &style.endpoint_url {
            let _ = writeln!(o, "endpoint_url = {}", q(u));
        }
    }
    if let Some(db) = &d.database {
        o.push_str("\n[database]\n");
        notes(&mut o, &db.notes);
        let _ = writeln!(
            o,
            "kind = {}",
            q(db.kind.map(DbKind::as_str).unwrap_or("rds-replica"))
        );
        let _ = writeln!(o, "primary = {}", q(&db.primary));
        if db.standby.is_empty() {
            o.push_str("standby = \"\"  # CHECK: MISSING, see the top of the file\n");
        } else {
            let _ = writeln!(o, "standby = {}", q(&db.standby));
        }
        if let Some(g) = &db.global_cluster {
            let _ = writeln!(o, "global_cluster = {}", q(g));
        }
        if let Some(v) = &db.backup_vault {
            let _ = writeln!(o, "backup_vault = {}", q(v));
        }
        if let Some(v) = &db.subnet_group {
            let _ = writeln!(o, "subnet_group = {}", q(v));
        }
        if !db.security_groups.is_empty() {
            let list: Vec<String> = db.security_groups.iter().map(|s| q(s)).collect();
            let _ = writeln!(o, "security_groups = [{}]", list.join(", "));
        }
        if let Some(v) = &db.instance_class {
            let _ = writeln!(o, "instance_class = {}", q(v));
        }
        match &db.endpoint {
            Some(EndpointStore::Parameter(p)) => {
                let _ = writeln!(o, "endpoint_parameter = {}", q(p));
            }
            Some(EndpointStore::Secret(s)) => {
                let _ = writeln!(o, "endpoint_secret = {}", q(s));
            }
            Some(EndpointStore::SecretKey(s, k)) if style.secret_key_supported => {
                let _ = writeln!(o, "endpoint_secret = {}", q(s));
                let _ = writeln!(o, "endpoint_secret_key = {}", q(k));
            }
            Some(EndpointStore::SecretKey(s, k)) => {
                o.push_str(
                    "# CHECK: the secret is JSON and this drconsole writes a secret whole (its \
                     other keys would be lost); left out until `endpoint_secret_key` is \
                     supported\n",
                );
                let _ = writeln!(o, "# endpoint_secret = {}", q(s));
                let _ = writeln!(o, "# endpoint_secret_key = {}", q(k));
            }
            None => {
                if !db.store_candidates.is_empty() {
                    o.push_str(
                        "# CHECK: no parameter or secret in the standby region holds the \
                         primary's address; the endpoint is not written on failover\n",
                    );
                }
            }
        }
    }
    if let Some(e) = &d.ecs {
        o.push_str("\n[ecs]\n");
        notes(&mut o, &e.notes);
        let _ = writeln!(o, "primary_cluster = {}", q(&e.primary_cluster));
        let _ = writeln!(o, "standby_cluster = {}", q(&e.standby_cluster));
        for s in &e.services {
            o.push_str("\n[[ecs.services]]\n");
            notes(&mut o, &s.notes);
            let _ = writeln!(o, "name = {}", q(&s.name));
            count(&mut o, "production", s.production);
            count(&mut o, "standby", s.standby);
        }
    }
    for g in &d.asgs {
        o.push_str("\n[[asgs]]\n");
        notes(&mut o, &g.notes);
        if g.primary_name == g.standby_name {
            let _ = writeln!(o, "name = {}", q(&g.primary_name));
        } else {
            let _ = writeln!(o, "primary_name = {}", q(&g.primary_name));
            let _ = writeln!(o, "standby_name = {}", q(&g.standby_name));
        }
        for (key, cap) in [("production", g.production), ("standby", g.standby)] {
            match cap {
                Some(c) => {
                    let _ = writeln!(
                        o,
                        "{key} = {{ min = {}, max = {}, desired = {} }}",
                        c.min, c.max, c.desired
                    );
                }
                None => {
                    let _ = writeln!(
                        o,
                        "{key} = {{ min = 0, max = 0, desired = 0 }}  # CHECK: MISSING, not read"
                    );
                }
            }
        }
    }
    for t in &d.target_groups {
        o.push_str("\n[[target_groups]]\n");
        notes(&mut o, &t.notes);
        let _ = writeln!(o, "name = {}", q(&t.name));
        match &t.asg {
            Some(a) => {
                let _ = writeln!(o, "asg = {}", q(a));
            }
            None => o.push_str(
                "# CHECK: no Auto Scaling group attached: failover registers no instances here\n",
            ),
        }
        let _ = writeln!(o, "primary_arn = {}", q(&t.primary_arn));
        let _ = writeln!(o, "standby_arn = {}", q(&t.standby_arn));
    }
    if let Some(x) = &d.dns {
        o.push_str("\n[dns]\n");
        notes(&mut o, &x.notes);
        if matches!(x.targets, DnsTargets::FailoverRouting { .. }) {
            o.push_str("mode = \"failover-routing\"\n");
        }
        let _ = writeln!(o, "zone_id = {}", q(&x.zone_id));
        let _ = writeln!(o, "record = {}", q(&x.record));
        let _ = writeln!(o, "type = {}", q(&x.kind));
        if let Some(t) = x.ttl {
            let _ = writeln!(o, "ttl = {t}");
        }
        match &x.targets {
            DnsTargets::Values { primary, standby } => {
                let _ = writeln!(o, "primary_value = {}", q(primary));
                let _ = writeln!(o, "standby_value = {}", q(standby));
            }
            DnsTargets::Aliases {
                primary,
                standby,
                evaluate_target_health,
            } => {
                for (k, a) in [("primary_alias", primary), ("standby_alias", standby)] {
                    let _ = writeln!(
                        o,
                        "{k} = {{ dns_name = {}, zone_id = {} }}",
                        q(&a.dns_name),
                        q(&a.zone_id)
                    );
                }
                let _ = writeln!(o, "evaluate_target_health = {evaluate_target_health}");
            }
            DnsTargets::FailoverRouting {
                primary_set,
                standby_set,
                primary_health_check,
            } => {
                let _ = writeln!(o, "primary_set_identifier = {}", q(primary_set));
                let _ = writeln!(o, "standby_set_identifier = {}", q(standby_set));
                if let Some(h) = primary_health_check {
                    let _ = writeln!(o, "primary_health_check = {}", q(h));
                }
            }
        }
    }
    for h in &d.health_checks {
        o.push_str("\n[[health_checks]]\n");
        notes(&mut o, &h.notes);
        let _ = writeln!(o, "id = {}", q(&h.id));
        let _ = writeln!(o, "label = {}", q(&h.label));
        let _ = writeln!(o, "region = {}", q(side_name(h.side)));
    }
    for a in &d.alarms {
        o.push_str("\n[[alarms]]\n");
        notes(&mut o, &a.notes);
        let _ = writeln!(o, "name = {}", q(&a.name));
        let _ = writeln!(o, "region = {}", q(side_name(a.side)));
    }
    o
}

fn count(o: &mut String, key: &str, v: Option<u32>) {
    match v {
        Some(n) => {
            let _ = writeln!(o, "{key} = {n}");
        }
        None => {
            let _ = writeln!(o, "{key} = 0  # CHECK: MISSING, not read");
        }
    }
}
