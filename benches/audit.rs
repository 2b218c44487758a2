//! The audit log's cost: one chained line (SHA-256 of the previous line, sequence number,
//! exclusive lock, write, flush) against a plain unchained append, the same line when the log
//! is opened for it (the tail read again: a finding, `drconsole approve`), and `audit verify`
//! over a log of 100,000 lines. Lines are shaped like a run's (a confirmation with its user,
//! host, flags and plan hash).
//!
//! `cargo bench --bench audit`. The engine writes its lines on a blocking task (the recorder),
//! never on the UI thread: these figures are what that task spends, not what a keypress waits.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use drconsole::runbook::audit::{AuditLog, line};
use serde_json::json;

/// Lines per write measurement, in batches whose mean is one sample.
const LINES: usize = 20_000;
const BATCH: usize = 500;
/// The log `audit verify` checks.
const VERIFY_LINES: usize = 100_000;
const VERIFY_ROUNDS: usize = 5;

fn sample_line(i: usize) -> String {
    line(
        "20260301T130200Z-failover-1f43",
        Some("scale-up"),
        "confirmed",
        json!({"user": "alice", "host": "laptop", "how": "typed", "typed": "us-west-2 DISCARD",
               "flags": [], "plan_sha256": "955481040b05a19cc04d572c0a0e269935a83f37e591be5c4c1277f1cbeb1873",
               "principal": "arn:aws:sts::123456789012:assumed-role/dr-operator/alice",
               "n": i}),
    )
}

/// Per-line times of `LINES` lines, one sample per batch.
fn per_line(mut write: impl FnMut(usize)) -> Vec<Duration> {
    let mut samples = Vec::new();
    for b in 0..LINES / BATCH {
        let start = Instant::now();
        for i in 0..BATCH {
            write(b * BATCH + i);
        }
        samples.push(start.elapsed() / BATCH as u32);
    }
    samples
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    format!(
        "median {:.1} µs, p95 {:.1} µs, max {:.1} µs per line",
        us(v[v.len() / 2]),
        us(v[(v.len() * 95 / 100).min(v.len() - 1)]),
        us(v[v.len() - 1])
    )
}

fn size(path: &Path) -> String {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = sample_line(0).len();
    println!("audit line: {bytes} bytes as given (before its seq and prev)");

    let plain = dir.path().join("plain.jsonl");
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&plain)
        .expect("plain");
    let samples = per_line(|i| {
        file.write_all(sample_line(i).as_bytes()).expect("write");
        file.flush().expect("flush");
    });
    println!("unchained append + flush:      {}", stats(samples));

    let chained = dir.path().join("chained.jsonl");
    let log = AuditLog::open_rotating_at(&chained, u64::MAX).expect("audit log");
    let samples = per_line(|i| {
        log.append(&sample_line(i)).expect("append");
    });
    println!("chained append (log open):     {}", stats(samples));
    drop(log);

    let reopened = dir.path().join("reopened.jsonl");
    let samples = per_line(|i| {
        let log = AuditLog::open_rotating_at(&reopened, u64::MAX).expect("audit log");
        log.append(&sample_line(i)).expect("append");
    });
    println!("open + chained append:         {}", stats(samples));

    // `audit verify` over 100,000 lines, as the command runs it (file read, every hash).
    let big = dir.path().join("audit.jsonl");
    let log = AuditLog::open_rotating_at(&big, u64::MAX).expect("audit log");
    for i in 0..VERIFY_LINES {
        log.append(&sample_line(i)).expect("append");
    }
    drop(log);
    let mut rounds = Vec::new();
    for _ in 0..VERIFY_ROUNDS {
        let start = Instant::now();
        let (out, code) = drconsole::runbook::audit::verify::command(Some(&big), &big, dir.path());
        rounds.push(start.elapsed());
        assert_eq!(code, 0, "the chain verifies: {out}");
    }
    rounds.sort();
    let median = rounds[rounds.len() / 2];
    println!(
        "audit verify, {VERIFY_LINES} lines ({}): median {:.0} ms, max {:.0} ms of {VERIFY_ROUNDS} runs ({:.0} lines/s)",
        size(&big),
        median.as_secs_f64() * 1e3,
        rounds[rounds.len() - 1].as_secs_f64() * 1e3,
        VERIFY_LINES as f64 / median.as_secs_f64()
    );
}
