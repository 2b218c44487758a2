//! Tests of the metric families: a scope's reachability and throttling.

use std::time::Instant;

use super::family::{Family, scope_reach};
use crate::poll::Feed;

fn reach(feed: &Feed<u8>) -> Option<(f64, f64)> {
    let mut reachable = Family::gauge("r", "");
    let mut throttled = Family::gauge("t", "");
    scope_reach(feed, &Vec::new(), &mut reachable, &mut throttled);
    match (reachable.samples.first(), throttled.samples.first()) {
        (Some((_, r)), Some((_, t))) => Some((*r, *t)),
        (None, None) => None,
        other => panic!("one family without the other: {other:?}"),
    }
}

#[test]
fn a_throttled_scope_is_reachable_and_throttled_a_failed_one_neither() {
    let at = Instant::now();
    let mut feed = Feed::default();
    assert_eq!(reach(&feed), None, "nothing before the first read");
    feed.succeeded(1, at);
    assert_eq!(reach(&feed), Some((1.0, 0.0)));
    feed.throttled("ThrottlingException: Rate exceeded".into(), at);
    assert_eq!(reach(&feed), Some((1.0, 1.0)), "busy, not unreachable");
    feed.failed("no answer within 5s".into(), at);
    assert_eq!(reach(&feed), Some((0.0, 0.0)));
    feed.succeeded_throttled(2, at);
    assert_eq!(
        reach(&feed),
        Some((1.0, 1.0)),
        "answered with a part refused"
    );
    let mut never = Feed::<u8>::default();
    never.throttled("ThrottlingException".into(), at);
    assert_eq!(reach(&never), Some((1.0, 1.0)));
}
