//! The real binary's command line: flags out of range and unknown flags are usage errors
//! (exit 64), a broken estate file is exit 78 in every command, and neither prints colour, a
//! `Location:` or a backtrace, whatever `RUST_BACKTRACE` says. The codes are written out here
//! as numbers: they are the documented contract that scripts test.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const USAGE: i32 = 64;
const CONFIG: i32 = 78;

/// The binary with no estate file to find by itself, error output not a terminal,
/// `NO_COLOR` unset and backtraces asked for: the worst case for a developer dump.
fn drconsole(home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("DRCONSOLE_CONFIG")
        .env_remove("NO_COLOR")
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs it to its end, within a bounded time (some bad flags once hung or spun a core).
fn finish(mut cmd: Command, what: &str) -> (i32, String, String) {
    let mut child = cmd.spawn().expect("run drconsole");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("{what}: still running after 30s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("output");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// No colour, no location, no backtrace: what a user error must never print.
fn assert_no_dump(what: &str, stderr: &str) {
    assert!(!stderr.contains('\u{1b}'), "{what}: ESC in {stderr:?}");
    assert!(!stderr.contains("Location"), "{what}: {stderr}");
    assert!(
        !stderr.to_lowercase().contains("backtrace"),
        "{what}: {stderr}"
    );
    assert!(!stderr.contains("main.rs"), "{what}: {stderr}");
}

#[test]
fn a_sim_speed_out_of_range_is_a_usage_error() {
    let home = tempfile::tempdir().expect("tempdir");
    for bad in ["0", "-1", "NaN", "inf", "1e7"] {
        let flag = format!("--sim-speed={bad}");
        let (code, _, stderr) = finish(
            drconsole(home.path(), &[&flag, "status", "--simulate"]),
            &flag,
        );
        assert_eq!(code, USAGE, "{bad}: {stderr}");
        assert!(stderr.contains("--sim-speed"), "{bad}: {stderr}");
        assert!(
            stderr.contains("a number from 0.1 to 1000"),
            "{bad}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{bad}: {stderr}");
        assert_no_dump(&flag, &stderr);
    }
}

#[test]
fn bad_flags_are_one_line_and_exit_64_in_every_command() {
    let home = tempfile::tempdir().expect("tempdir");
    for args in [
        &["--bogus"][..],
        &["status", "--jsn"],
        &["check", "--yes"],
        &["run"],
        &["run", "failover", "--allow-everything"],
        &["iam-policy", "--seed=seven"],
        &["frobnicate"],
    ] {
        let (code, stdout, stderr) = finish(drconsole(home.path(), args), &format!("{args:?}"));
        assert_eq!(code, USAGE, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("drconsole: "), "{args:?}: {stderr}");
        assert!(
            stderr.contains("usage") || stderr.contains("--help"),
            "{stderr}"
        );
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert_no_dump(&format!("{args:?}"), &stderr);
    }
}

#[test]
fn help_and_version_exit_0_on_standard_output() {
    let home = tempfile::tempdir().expect("tempdir");
    for args in [&["--help"][..], &["status", "--help"], &["--version"]] {
        let (code, stdout, stderr) = finish(drconsole(home.path(), args), &format!("{args:?}"));
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        assert!(
            stdout.contains("Usage: drconsole") || stdout.starts_with("drconsole "),
            "{args:?}: {stdout}"
        );
    }
}

/// Each way an estate file can be broken, in each command: exit 78 and the checker's excerpt
/// (`FILE:line:column: message`, the line, a caret), nothing more.
#[test]
fn a_broken_estate_file_is_78_in_every_command_with_the_excerpt_alone() {
    let home = tempfile::tempdir().expect("tempdir");
    let syntax = home.path().join("syntax.toml");
    std::fs::write(&syntax, "name = \"orders\"\n[primary\n").expect("write");
    let not_utf8 = home.path().join("latin1.toml");
    std::fs::write(&not_utf8, b"name = \"caf\xe9\"\n").expect("write");
    let missing = home.path().join("missing.toml");
    let directory = home.path().join("a-directory");
    std::fs::create_dir(&directory).expect("mkdir");

    let state = home.path().join("state-dir");
    let state = state.to_str().expect("utf-8 path");
    let commands: [&[&str]; 5] = [
        &["check"],
        &["status"],
        &["status", "--json"],
        &["run", "failover", "--yes", "--state-dir", state],
        &[], // the console
    ];
    for (file, position) in [
        (&syntax, Some("2:9")),
        (&not_utf8, Some("1:")),
        (&missing, None),
        (&directory, None),
    ] {
        let shown = file.display().to_string();
        for command in commands {
            let mut args = command.to_vec();
            args.extend(["--config", &shown]);
            let what = format!("{args:?}");
            let (code, stdout, stderr) = finish(drconsole(home.path(), &args), &what);
            assert_eq!(code, CONFIG, "{what}: {stderr}");
            assert!(stdout.is_empty(), "{what}: {stdout}");
            assert_no_dump(&what, &stderr);
            match position {
                Some(at) => {
                    assert!(
                        stderr.starts_with(&format!("{shown}:{at}")),
                        "{what}: {stderr}"
                    );
                    // The message, the line, the caret.
                    assert_eq!(stderr.lines().count(), 3, "{what}: {stderr}");
                    assert!(
                        stderr
                            .lines()
                            .nth(2)
                            .is_some_and(|l| l.trim_end().ends_with('^'))
                    );
                }
                None => {
                    assert!(
                        stderr.starts_with(&format!("{shown}: ")),
                        "{what}: {stderr}"
                    );
                    assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
                }
            }
        }
    }
    assert!(
        !Path::new(state).exists(),
        "a run on a broken estate file wrote its state directory"
    );
}

#[test]
fn check_without_any_estate_file_is_78() {
    let home = tempfile::tempdir().expect("tempdir");
    let (code, _, stderr) = finish(drconsole(home.path(), &["check"]), "check");
    assert_eq!(code, CONFIG, "{stderr}");
    assert_eq!(
        stderr,
        "drconsole: no estate file: pass --config PATH, or set DRCONSOLE_CONFIG\n"
    );
}

#[test]
fn run_prints_the_plan_and_exits_2_without_yes() {
    let home = tempfile::tempdir().expect("tempdir");
    let state = home.path().join("state-dir");
    let state = state.to_str().expect("utf-8 path");
    let (code, stdout, stderr) = finish(
        drconsole(home.path(), &["run", "failover", "--state-dir", state]),
        "run failover",
    );
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("not confirmed: showing the plan only"),
        "{stdout}"
    );
}

#[test]
fn runbook_names_and_read_only_runs_are_usage_errors() {
    let home = tempfile::tempdir().expect("tempdir");
    let state = home.path().join("state-dir");
    let state = state.to_str().expect("utf-8 path");
    for (args, says) in [
        (
            &["run", "failovr", "--yes", "--state-dir", state][..],
            "no runbook named \"failovr\"",
        ),
        (
            &[
                "--read-only",
                "run",
                "failover",
                "--yes",
                "--state-dir",
                state,
            ],
            "--read-only",
        ),
    ] {
        let (code, _, stderr) = finish(drconsole(home.path(), args), &format!("{args:?}"));
        assert_eq!(code, USAGE, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert_no_dump(&format!("{args:?}"), &stderr);
    }
}

#[test]
fn the_console_without_a_terminal_is_a_usage_error_not_a_panic() {
    let home = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = finish(drconsole(home.path(), &[]), "console");
    assert_eq!(code, USAGE, "{stderr}");
    assert!(stdout.is_empty(), "{stdout:?}");
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_no_dump("console", &stderr);
}

#[test]
fn a_theme_that_cannot_load_is_78_before_the_terminal_is_touched() {
    let home = tempfile::tempdir().expect("tempdir");
    let bad_colour = home.path().join("bad-colour.toml");
    std::fs::write(&bad_colour, "[styles.healthy]\nfg = \"not-a-colour\"\n").expect("write");
    let bad_colour = bad_colour.display().to_string();
    let not_toml = home.path().join("not-toml.toml");
    std::fs::write(&not_toml, "[styles\n").expect("write");
    let not_toml = not_toml.display().to_string();
    for (spec, lines) in [
        ("no-such-theme", 1),
        (bad_colour.as_str(), 1),
        // The TOML parser's own excerpt: message, the line, a caret.
        (not_toml.as_str(), 5),
    ] {
        let (code, _, stderr) = finish(drconsole(home.path(), &["--theme", spec]), spec);
        assert_eq!(code, CONFIG, "{spec}: {stderr}");
        assert!(
            stderr.starts_with("drconsole: theme")
                || stderr.starts_with(&format!("drconsole: {spec}")),
            "{spec}: {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), lines, "{spec}: {stderr}");
        assert_no_dump(spec, &stderr);
    }
}

#[test]
fn output_closed_early_is_not_an_error() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = drconsole(home.path(), &["status", "--simulate", "--json"]);
    let mut child = cmd.spawn().expect("run drconsole");
    // The reader goes away before a byte is read, as `| head -c0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}
