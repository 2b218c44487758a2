//! The audit log's hash chain: a real run (the built-in simulator, `drconsole run`) leaves a
//! chain that `drconsole audit verify` accepts; each way of tampering with it is found at the
//! line it happened; a writer killed mid-run leaves a chain that verifies up to its last
//! whole line; logs written before chaining are reported as unchained.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use drconsole::runbook::Journal;
use drconsole::runbook::audit::verify::{Verdict, verify_bytes};
use drconsole::runbook::audit::{AuditLog, GENESIS, line, sha256_hex};
use serde_json::json;

fn drconsole(state: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.arg("--state-dir")
        .arg(state)
        .arg("--audit-log")
        .arg(state.join("audit.jsonl"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("xdg-state"))
        .env_remove("DRCONSOLE_CONFIG")
        .env("USER", "drill-lead")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn failover(state: &Path, home: &Path, speed: &str) -> Child {
    let mut cmd = drconsole(state, home);
    cmd.args(["run", "failover", "--yes", "--allow-irreversible"])
        .args(["--allow-data-loss", "--new", "--sim-speed", speed]);
    cmd.spawn().expect("start drconsole")
}

fn finish(child: Child) -> (Option<i32>, String) {
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn verify_cli(state: &Path, home: &Path, file: Option<&Path>) -> (Option<i32>, String) {
    let mut cmd = drconsole(state, home);
    cmd.args(["audit", "verify"]);
    if let Some(f) = file {
        cmd.arg(f);
    }
    finish(cmd.spawn().expect("start drconsole"))
}

/// Two completed failover runs on the simulator, one after the other, in one log.
fn two_runs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    for _ in 0..2 {
        let (code, out) = finish(failover(&state, dir.path(), "1000"));
        assert_eq!(code, Some(0), "{out}");
    }
    let log = state.join("audit.jsonl");
    (dir, state, log)
}

fn lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    let mut v: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    assert_eq!(v.pop(), Some(Vec::new()), "the log ends with a newline");
    v
}

fn write_lines(path: &Path, lines: &[Vec<u8>]) {
    let mut bytes = Vec::new();
    for l in lines {
        bytes.extend_from_slice(l);
        bytes.push(b'\n');
    }
    std::fs::write(path, bytes).unwrap();
}

fn json_of(l: &[u8]) -> serde_json::Value {
    serde_json::from_slice(l).unwrap()
}

#[test]
fn a_real_run_chains_every_line_and_the_next_run_continues_the_chain() {
    let (dir, state, log) = two_runs();
    let all = lines(&log);
    assert!(
        all.len() > 20,
        "a failover writes many lines: {}",
        all.len()
    );
    // Every line: seq counts from 1, prev is the hash of the line before (newline excluded).
    let mut prev = GENESIS.to_string();
    for (i, l) in all.iter().enumerate() {
        let v = json_of(l);
        assert_eq!(v["seq"], json!(i as u64 + 1), "line {}", i + 1);
        assert_eq!(v["prev"], json!(prev), "line {}", i + 1);
        prev = sha256_hex(l);
    }
    // The second run's first line chains to the first run's last.
    let starts: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, l)| json_of(l)["event"] == "run_started")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts.len(), 2);
    // The second run's first line (its lock claimed) chains to the first run's last line.
    let run_of = |i: usize| json_of(&all[i])["run_id"].clone();
    let first_run = run_of(starts[0]);
    let second_run = run_of(starts[1]);
    let first_of_second = (0..all.len()).find(|&i| run_of(i) == second_run).unwrap();
    let last_of_first = (0..all.len()).rfind(|&i| run_of(i) == first_run).unwrap();
    assert_eq!(last_of_first + 1, first_of_second);
    assert_eq!(
        json_of(&all[first_of_second])["prev"],
        json!(sha256_hex(&all[last_of_first]))
    );
    // Each journal records the head after its run's last line, and the report states it.
    let runs = Journal::live_runs(&state, "shop").unwrap_or_default();
    let runs: Vec<Journal> = if runs.is_empty() {
        std::fs::read_dir(Journal::dir(&state))
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .map(|e| Journal::load(&e.path()).unwrap())
            .collect()
    } else {
        runs.into_iter().map(|(_, j)| j).collect()
    };
    assert_eq!(runs.len(), 2);
    for j in &runs {
        let anchor = j.audit_head.as_ref().expect("the journal records the head");
        let at = all
            .iter()
            .position(|l| sha256_hex(l) == anchor.head.sha256)
            .expect("the recorded head is a line of the log");
        let v = json_of(&all[at]);
        assert_eq!(v["seq"], json!(anchor.head.seq));
        assert_eq!(v["run_id"], json!(j.run_id));
        // The head is at or after the run's `run_finished` line.
        let finished = all
            .iter()
            .position(|l| {
                let v = json_of(l);
                v["event"] == "run_finished" && v["run_id"] == json!(j.run_id)
            })
            .unwrap();
        assert!(
            at >= finished,
            "head at line {} before run_finished at {}",
            at + 1,
            finished + 1
        );
    }
    let (code, out) = verify_cli(&state, dir.path(), None);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("INTACT"), "{out}");
    assert!(
        out.contains(&format!("lines 1–{} chained", all.len())),
        "{out}"
    );
}

/// Tampers with a copy of a real log and returns `audit verify`'s exit code and output.
fn tampered(f: impl FnOnce(&mut Vec<Vec<u8>>)) -> (Option<i32>, String, usize) {
    let (dir, state, log) = two_runs();
    let mut all = lines(&log);
    let n = all.len();
    f(&mut all);
    write_lines(&log, &all);
    let (code, out) = verify_cli(&state, dir.path(), None);
    (code, out, n)
}

fn at_line(out: &str, n: usize) -> bool {
    out.lines()
        .next()
        .is_some_and(|l| l.contains(&format!("audit.jsonl:{n}:")))
}

#[test]
fn an_edited_byte_is_found_at_its_line() {
    let (code, out, _) = tampered(|all| {
        let l = &mut all[9];
        let at = l.windows(5).position(|w| w == b"\"ts\":").unwrap() + 20;
        // A digit of the time stamp, one more.
        l[at] = if l[at] == b'9' { b'0' } else { l[at] + 1 };
    });
    assert_eq!(code, Some(1), "{out}");
    assert!(at_line(&out, 10), "{out}");
    assert!(out.contains("changed"), "{out}");
}

#[test]
fn an_edit_that_breaks_the_json_is_found_at_its_line() {
    let (code, out, _) = tampered(|all| all[14].truncate(30));
    assert_eq!(code, Some(1), "{out}");
    assert!(at_line(&out, 15), "{out}");
}

#[test]
fn a_deleted_line_is_found_where_it_was() {
    let (code, out, _) = tampered(|all| {
        all.remove(6);
    });
    assert_eq!(code, Some(1), "{out}");
    assert!(at_line(&out, 7), "{out}");
    assert!(out.contains("removed"), "{out}");
}

#[test]
fn two_swapped_lines_are_found_at_the_first() {
    let (code, out, _) = tampered(|all| all.swap(11, 12));
    assert_eq!(code, Some(1), "{out}");
    assert!(at_line(&out, 12), "{out}");
    assert!(out.contains("reordered"), "{out}");
}

#[test]
fn an_inserted_line_is_found_at_its_line() {
    let (code, out, _) = tampered(|all| {
        // A copy of line 5 (a well-formed, chained line) inserted after it.
        let copy = all[4].clone();
        all.insert(5, copy);
    });
    assert_eq!(code, Some(1), "{out}");
    assert!(at_line(&out, 6), "{out}");
}

#[test]
fn lines_cut_from_the_end_break_against_the_head_the_journal_recorded() {
    let (code, out, n) = tampered(|all| all.truncate(all.len() - 3));
    assert_eq!(code, Some(1), "{out}");
    assert!(at_line(&out, n - 2), "{out}");
    assert!(out.contains("removed from the end"), "{out}");
}

#[test]
fn the_head_line_edited_breaks_against_the_head_the_journal_recorded() {
    let (dir, state, log) = two_runs();
    let mut all = lines(&log);
    // The second run's journal anchors its last line; lines after it (its lock released)
    // are removed too, so that the anchored line is the last of the log.
    let anchors = drconsole::runbook::audit::verify::anchors_in(&state, &log);
    let newest = anchors.last().expect("a recorded head");
    let at = all
        .iter()
        .position(|l| sha256_hex(l) == newest.head.sha256)
        .unwrap();
    all.truncate(at + 1);
    let text = String::from_utf8(all[at].clone()).unwrap();
    let edited = text.replacen("\"ts\":\"20", "\"ts\":\"19", 1);
    assert_ne!(edited, text, "the edit changed the line");
    all[at] = edited.into_bytes();
    write_lines(&log, &all);
    let (code, out) = verify_cli(&state, dir.path(), None);
    assert_eq!(code, Some(1), "{out}");
    assert!(at_line(&out, at + 1), "{out}");
}

#[test]
fn a_log_cut_mid_line_verifies_up_to_its_last_whole_line_and_the_next_write_repairs_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).unwrap();
    for i in 0..5 {
        log.write("r1", None, "log", json!({"text": format!("line {i}")}))
            .unwrap();
    }
    drop(log);
    let full = std::fs::read(&path).unwrap();
    // A crash in the middle of the fifth line.
    let cut = full.len() - 20;
    std::fs::write(&path, &full[..cut]).unwrap();
    let rep = verify_bytes(&path, &full[..cut], None);
    assert_eq!(rep.verdict(), Verdict::Incomplete);
    assert_eq!(rep.incomplete.map(|(l, _)| l), Some(5));
    assert_eq!(rep.head.as_ref().map(|h| h.seq), Some(4));
    // The next writer terminates the fragment and chains to the last whole line.
    let log = AuditLog::open(&path).unwrap();
    let head = log
        .append(&line("r2", None, "run_started", json!({})))
        .unwrap();
    assert_eq!(head.seq, 5);
    let bytes = std::fs::read(&path).unwrap();
    let rep = verify_bytes(&path, &bytes, None);
    assert_eq!(rep.verdict(), Verdict::Intact, "{rep:?}");
    assert_eq!(rep.fragments, vec![5]);
    let all = lines(&path);
    assert_eq!(json_of(&all[5])["prev"], json!(sha256_hex(&all[3])));
    assert_eq!(
        json_of(&all[5])["after_partial"],
        json!(sha256_hex(&all[4]))
    );
    // Removing the fragment is tampering, found at the line that recorded it.
    let mut without = all.clone();
    without.remove(4);
    write_lines(&path, &without);
    let rep = verify_bytes(&path, &std::fs::read(&path).unwrap(), None);
    assert_eq!(rep.verdict(), Verdict::Broken);
    assert_eq!(rep.broken.map(|b| b.line), Some(5));
}

#[test]
fn a_run_killed_mid_write_leaves_a_chain_that_verifies_up_to_its_last_whole_line() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let log = state.join("audit.jsonl");
    // Kill runs at different moments; each restart continues the same chain.
    for k in 0..4u64 {
        let mut child = failover(&state, dir.path(), "50");
        let began = Instant::now();
        let before = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        while std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0) < before + 2000 + k * 1500 {
            assert!(
                began.elapsed() < Duration::from_secs(60),
                "the run wrote nothing"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = child.kill();
        let _ = child.wait();
        let bytes = std::fs::read(&log).unwrap();
        let rep = verify_bytes(&log, &bytes, None);
        assert!(
            matches!(rep.verdict(), Verdict::Intact | Verdict::Incomplete),
            "{rep:?}"
        );
        let (code, out) = verify_cli(&state, dir.path(), None);
        assert!(matches!(code, Some(0) | Some(2)), "{out}");
    }
}

#[test]
fn an_unchained_log_is_reported_as_unchained_and_the_chain_continues_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let old = "{\"event\":\"run_started\",\"run_id\":\"old\",\"ts\":\"2025-01-01T00:00:00.000Z\"}\n\
               {\"event\":\"run_finished\",\"run_id\":\"old\",\"ts\":\"2025-01-01T00:10:00.000Z\"}\n";
    std::fs::write(&path, old).unwrap();
    let (code, out) = verify_cli(dir.path(), dir.path(), Some(&path));
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("UNCHAINED"), "{out}");
    assert!(!out.contains("BROKEN"), "{out}");
    let log = AuditLog::open(&path).unwrap();
    log.write("new", None, "run_started", json!({})).unwrap();
    let all = lines(&path);
    assert_eq!(json_of(&all[2])["seq"], json!(1));
    assert_eq!(json_of(&all[2])["prev"], json!(sha256_hex(&all[1])));
    let (code, out) = verify_cli(dir.path(), dir.path(), Some(&path));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("lines 1–2 are unchained"), "{out}");
    // An old line edited is beyond what the chain covers, except the one it chains to.
    let mut edited = all.clone();
    edited[1] = edited[1].replace_range_bytes(b"00:10", b"00:11");
    write_lines(&path, &edited);
    let (code, out) = verify_cli(dir.path(), dir.path(), Some(&path));
    assert_eq!(code, Some(1), "{out}");
    assert!(at_line(&out, 2), "{out}");
}

trait ReplaceBytes {
    fn replace_range_bytes(&self, from: &[u8], to: &[u8]) -> Vec<u8>;
}

impl ReplaceBytes for Vec<u8> {
    fn replace_range_bytes(&self, from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = self.windows(from.len()).position(|w| w == from).unwrap();
        let mut v = self[..at].to_vec();
        v.extend_from_slice(to);
        v.extend_from_slice(&self[at + from.len()..]);
        v
    }
}

#[test]
fn two_writers_on_one_file_and_rotation_keep_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    // Two writers on one file, interleaved, and a rotation every ~2 KiB.
    let a = AuditLog::open_rotating_at(&path, 2048).unwrap();
    let b = AuditLog::open_rotating_at(&path, 2048).unwrap();
    for i in 0..60 {
        let w = if i % 3 == 0 { &b } else { &a };
        w.write("r", None, "log", json!({"text": format!("line {i}")}))
            .unwrap();
    }
    let set = drconsole::runbook::audit::verify::log_set(&path);
    assert!(set.len() >= 3, "rotated: {set:?}");
    let mut out = String::new();
    let v = drconsole::runbook::audit::verify::verify_files(&set, &[], &mut out).unwrap();
    assert_eq!(v, Verdict::Intact, "{out}");
    // seq runs on across the files: 60 lines plus one `audit_rotated` line per rotation.
    let last = lines(&path);
    let head = json_of(last.last().unwrap());
    assert_eq!(head["seq"], json!(60 + set.len() as u64 - 1), "{out}");
    // A rotated file removed from the set breaks the link.
    std::fs::remove_file(&set[1]).unwrap();
    let set = drconsole::runbook::audit::verify::log_set(&path);
    let mut out = String::new();
    let v = drconsole::runbook::audit::verify::verify_files(&set, &[], &mut out).unwrap();
    assert_eq!(v, Verdict::Broken, "{out}");
    assert!(
        out.contains(":1: does not continue the previous file"),
        "{out}"
    );
}

#[test]
fn the_recovery_users_feel_is_measured_after_the_rto_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let (code, out) = finish(failover(&state, dir.path(), "1000"));
    assert_eq!(code, Some(0), "{out}");
    let j = std::fs::read_dir(Journal::dir(&state))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| Journal::load(&e.path()).unwrap())
        .next()
        .unwrap();
    let m = &j.metrics;
    let rto = m.rto().expect("the failover reached its RTO");
    let felt = m.rto_alarms().expect("the standby's alarms read OK");
    assert!(felt >= rto, "{felt} < {rto}");
    assert_eq!(m.alarms_ok_side, m.dns_side);
    assert!(m.alarms_ok_at.unwrap() >= m.dns_moved_at.unwrap());
    assert!(
        out.contains("recovery as users feel it (alarms OK): "),
        "{out}"
    );
    let md = std::fs::read_to_string(j.report.as_ref().unwrap()).unwrap();
    assert!(md.contains("- recovery as users feel it: "), "{md}");
    assert!(
        md.contains("(alarms recovered in standby: none in ALARM"),
        "{md}"
    );
}
