//! Short, fixed-width renderings of ages and durations (for the panels and `status`).

use std::time::Duration;

/// `4s`, `2m05s`, `1h02m`.
pub fn secs(s: u64) -> String {
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

pub fn dur(d: Duration) -> String {
    secs(d.as_secs())
}

/// An age as shown next to a value: `3s ago`.
pub fn age(d: Option<Duration>) -> String {
    match d {
        Some(d) => format!("{} ago", dur(d)),
        None => "never".into(),
    }
}
