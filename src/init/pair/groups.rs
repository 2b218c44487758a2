//! Auto Scaling groups and target groups, paired across the regions by name or by name
//! without its region words; a target group with the group whose instances it serves.

use std::collections::BTreeSet;

use super::super::draft::*;
use super::super::terraform::TfResource;
use super::names::stem;
use super::{Resources, side};
use crate::model::Side;

pub(super) fn asgs(res: &Resources, d: &mut Draft) {
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

pub(super) fn target_groups(res: &Resources, d: &mut Draft) {
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
