//! Tests of the fleet: region and Route 53 groups, and readings kept to the parts asked for.

use super::*;
use crate::config::Estate;
use crate::model::Side;

fn estate(name: &str, p: &str, s: &str, profile: Option<&str>) -> Estate {
    let profile = profile
        .map(|p| format!("profile = \"{p}\"\n"))
        .unwrap_or_default();
    let text = format!(
        "name = \"{name}\"\n[primary]\nregion = \"{p}\"\n{profile}[standby]\nregion = \"{s}\"\n{profile}"
    );
    Estate::parse(&text, "t.toml").expect("estate")
}

#[test]
fn sides_with_the_same_region_profile_and_endpoint_share_a_group() {
    let estates = [
        estate("a", "us-east-1", "us-west-2", None),
        estate("b", "us-west-2", "us-east-1", None),
        estate("c", "us-east-1", "us-west-2", Some("other")),
    ];
    let groups = region_groups(&estates);
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "us-east-1",
            "us-west-2",
            "us-east-1 profile other",
            "us-west-2 profile other"
        ]
    );
    let m = |estate, side| Member { estate, side };
    assert_eq!(
        groups[0].members,
        [m(0, Side::Primary), m(1, Side::Standby)]
    );
    assert_eq!(
        groups[1].members,
        [m(0, Side::Standby), m(1, Side::Primary)]
    );
    assert_eq!(groups[2].members, [m(2, Side::Primary)]);
    // Route 53 by the standby's profile and endpoint only: a and b share it.
    let global = global_groups(&estates);
    let sets: Vec<(&str, &[usize])> = global
        .iter()
        .map(|g| (g.label.as_str(), g.estates.as_slice()))
        .collect();
    assert_eq!(
        sets,
        [
            ("route53", &[0usize, 1][..]),
            ("route53 profile other", &[2][..])
        ]
    );
}

#[test]
fn keep_only_leaves_the_parts_asked_for_and_marks_the_others_not_read() {
    let mut r = RegionReading::unread(true);
    r.database = Some(Err(SectionError::new(crate::model::ErrorKind::Other, "x")));
    r.services = Ok(Vec::new());
    r.asgs = Ok(Vec::new());
    r.target_groups = Ok(Vec::new());
    r.alarms = Ok(Vec::new());
    let o = keep_only(r.clone(), overview_parts());
    assert_eq!(o.asgs, Ok(Vec::new()));
    assert_eq!(o.alarms, Ok(Vec::new()));
    assert_eq!(o.database, r.database);
    assert_eq!(o.services, Err(SectionError::not_read()));
    assert_eq!(o.target_groups, Err(SectionError::not_read()));
    let all = keep_only(r.clone(), Parts::REGION);
    assert_eq!(all, r);
}
