//! Reading both kinds of state file, and what is refused with one line.

use super::raw::provider_key;
use super::show::strip_indexes;
use super::*;

#[test]
fn a_raw_v4_state_with_modules_counts_and_aliases() {
    let text = r#"{"version":4,"terraform_version":"1.9.5","serial":3,"lineage":"x",
      "resources":[
        {"module":"module.dr","mode":"managed","type":"aws_db_instance","name":"replica",
         "provider":"provider[\"registry.terraform.io/hashicorp/aws\"].west",
         "instances":[{"attributes":{"identifier":"db-replica",
           "arn":"arn:aws:rds:us-west-2:123456789012:db:db-replica"}}]},
        {"module":"module.dr","mode":"managed","type":"aws_ecs_cluster","name":"c",
         "provider":"provider[\"registry.terraform.io/hashicorp/aws\"].west",
         "instances":[{"attributes":{"name":"c"}}]},
        {"mode":"data","type":"aws_region","name":"r","provider":"provider[\"x/aws\"]",
         "instances":[{"attributes":{"name":"us-east-1"}}]},
        {"mode":"managed","type":"aws_autoscaling_group","name":"g",
         "provider":"provider[\"registry.terraform.io/hashicorp/aws\"]",
         "instances":[{"index_key":0,"attributes":{"name":"g0","availability_zones":["us-east-1a"]}},
                      {"index_key":"b","attributes":{"name":"gb","arn":"arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x"}}]}
      ]}"#;
    let rs = parse(text, "s.tfstate").expect("parsed");
    let addrs: Vec<_> = rs.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "module.dr.aws_db_instance.replica",
            "module.dr.aws_ecs_cluster.c",
            "aws_autoscaling_group.g[0]",
            "aws_autoscaling_group.g[\"b\"]"
        ]
    );
    assert_eq!(rs[0].provider, "aws.west");
    assert_eq!(rs[0].region.as_deref(), Some("us-west-2"));
    // No ARN of its own: the region the alias's other resources are in.
    assert_eq!(rs[1].region.as_deref(), Some("us-west-2"));
    assert_eq!(rs[2].region.as_deref(), Some("us-east-1"));
    assert_eq!(rs[2].provider, "aws");
}

#[test]
fn show_json_takes_regions_from_provider_configuration() {
    let text = r#"{"format_version":"1.0","terraform_version":"1.9.5",
      "values":{"root_module":{"resources":[
         {"address":"aws_ecs_cluster.dr","mode":"managed","type":"aws_ecs_cluster","name":"dr",
          "provider_name":"registry.terraform.io/hashicorp/aws","values":{"name":"dr"}}],
        "child_modules":[{"address":"module.db","resources":[
         {"address":"module.db.aws_db_instance.main","mode":"managed","type":"aws_db_instance",
          "name":"main","provider_name":"registry.terraform.io/hashicorp/aws",
          "values":{"identifier":"main","arn":"arn:aws:rds:us-east-1:1:db:main"}}]}]}},
      "configuration":{"provider_config":{
          "aws":{"name":"aws","expressions":{"region":{"constant_value":"us-east-1"}}},
          "aws.dr":{"name":"aws","alias":"dr","expressions":{"region":{"constant_value":"us-west-2"}}}},
        "root_module":{"resources":[{"address":"aws_ecs_cluster.dr","provider_config_key":"aws.dr"}]}}}"#;
    let rs = parse(text, "show.json").expect("parsed");
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[0].provider, "aws.dr");
    assert_eq!(rs[0].region.as_deref(), Some("us-west-2"));
    assert_eq!(rs[1].address, "module.db.aws_db_instance.main");
    assert_eq!(rs[1].region.as_deref(), Some("us-east-1"));
}

#[test]
fn what_is_not_state_is_one_line_naming_the_file() {
    for (text, words) in [
        ("not json", &["x.json is not Terraform state"][..]),
        ("[1,2]", &["is not Terraform state"]),
        (r#"{"name":"orders"}"#, &["is not Terraform state"]),
        (
            r#"{"version":3,"lineage":"x","modules":[]}"#,
            &["version 3 is not read", "version 4"],
        ),
        (
            r#"{"format_version":"2.0","values":{}}"#,
            &["format version 2.0 is not read"],
        ),
        (
            r#"{"format_version":"1.2","planned_values":{}}"#,
            &["is a Terraform plan"],
        ),
    ] {
        let e = parse(text, "x.json").expect_err(text);
        assert!(!e.0.contains('\n'), "{e}");
        for w in words {
            assert!(e.0.contains(w), "{w} not in {e}");
        }
    }
}

#[test]
fn an_empty_state_has_no_resources() {
    let rs = parse(
        r#"{"version":4,"terraform_version":"1.9.5","serial":1,"lineage":"x","resources":[]}"#,
        "e",
    )
    .expect("parsed");
    assert!(rs.is_empty());
    let rs = parse(r#"{"format_version":"1.0","terraform_version":"1.9"}"#, "e").expect("parsed");
    assert!(rs.is_empty());
}

#[test]
fn indexes_are_stripped_for_configuration_lookups() {
    assert_eq!(
        strip_indexes("module.a[\"x]\"].aws_thing.b[0]"),
        "module.a.aws_thing.b"
    );
    assert_eq!(
        provider_key("provider[\"registry.terraform.io/hashicorp/aws\"]"),
        "aws"
    );
}
