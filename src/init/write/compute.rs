//! The tables of what runs the applications: `[ecs]` and its services, `[[asgs]]`,
//! `[[target_groups]]`; a count not read is written as 0 with a `CHECK`.

use std::fmt::Write as _;

use super::super::draft::*;
use super::{notes, q};

/// The `[ecs]` table and its services.
pub(super) fn ecs(o: &mut String, e: &EcsDraft) {
    o.push_str("\n[ecs]\n");
    notes(o, &e.notes);
    let _ = writeln!(o, "primary_cluster = {}", q(&e.primary_cluster));
    let _ = writeln!(o, "standby_cluster = {}", q(&e.standby_cluster));
    for s in &e.services {
        o.push_str("\n[[ecs.services]]\n");
        notes(o, &s.notes);
        let _ = writeln!(o, "name = {}", q(&s.name));
        count(o, "production", s.production);
        count(o, "standby", s.standby);
    }
}

/// One `[[asgs]]` table per group.
pub(super) fn asgs(o: &mut String, asgs: &[AsgDraft]) {
    for g in asgs {
        o.push_str("\n[[asgs]]\n");
        notes(o, &g.notes);
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
}

/// One `[[target_groups]]` table per target group.
pub(super) fn target_groups(o: &mut String, tgs: &[TgDraft]) {
    for t in tgs {
        o.push_str("\n[[target_groups]]\n");
        notes(o, &t.notes);
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
