//! What tagged ARNs name, and how sources are labelled in notes.

use super::*;

#[test]
fn arns_name_what_they_are() {
    let k = kind_of_arn;
    assert_eq!(
        k("arn:aws:rds:us-east-1:1:db:orders-db"),
        Some((Kind::DbInstance, "orders-db".into()))
    );
    assert_eq!(
        k("arn:aws:rds:us-east-1:1:cluster:orders"),
        Some((Kind::DbCluster, "orders".into()))
    );
    assert_eq!(
        k("arn:aws:ssm:us-west-2:1:parameter/orders/db/endpoint"),
        Some((Kind::Parameter, "/orders/db/endpoint".into()))
    );
    assert_eq!(
        k("arn:aws:ssm:us-west-2:1:parameter/orders-endpoint"),
        Some((Kind::Parameter, "orders-endpoint".into()))
    );
    assert_eq!(
        k("arn:aws:secretsmanager:us-west-2:1:secret:orders/db-AbC123"),
        Some((Kind::Secret, "orders/db".into()))
    );
    assert_eq!(
        k("arn:aws:cloudwatch:us-east-1:1:alarm:orders-5xx"),
        Some((Kind::Alarm, "orders-5xx".into()))
    );
    assert_eq!(
        k("arn:aws:lambda:us-west-2:1:function:failover:live"),
        Some((Kind::Lambda, "failover".into()))
    );
    let tg = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/6d0ecf831eec9f09";
    assert_eq!(k(tg), Some((Kind::TargetGroup, tg.into())));
    assert_eq!(k("arn:aws:ecs:us-east-1:1:task/c/abc"), None);
    assert_eq!(k("arn:aws:rds:us-east-1:1:snapshot:s"), None);
    assert_eq!(k("not-an-arn"), None);
}

#[test]
fn labels_say_every_tag() {
    let one = Source::Tags(vec![("app".into(), "orders".into())]);
    assert_eq!(one.label(), "tag app=orders");
    let two = Source::Tags(vec![
        ("app".into(), "orders".into()),
        ("env".into(), "prod".into()),
    ]);
    assert_eq!(two.label(), "tags app=orders, env=prod");
    let s = Source::Stacks {
        primary: "a".into(),
        standby: "a".into(),
    };
    assert_eq!(s.label(), "stack a");
}
