//! The run view's clock.

use super::*;
use crate::runbook::{Level, LogLine};
use std::time::Duration;

#[test]
fn the_clock_runs_at_the_estate_pace_and_stops_at_the_end() {
    let t0 = Instant::now();
    let mut run = RunView::new(10.0);
    assert_eq!(run.elapsed(t0), None, "no event yet");
    run.apply_at(
        RunEvent::Log(LogLine {
            utc: chrono::Utc::now(),
            at: 30.0,
            level: Level::Info,
            step: None,
            text: "x".into(),
        }),
        t0,
    );
    assert_eq!(run.elapsed(t0 + Duration::from_secs(6)), Some(90.0));
    run.crashed = Some("stopped".into());
    assert_eq!(run.elapsed(t0 + Duration::from_secs(60)), Some(30.0));
}
