//! How the process ends: every exit code of every command, and the report of a failure that
//! stopped a command before it reached an outcome.
//!
//! Codes 0–5 are outcomes: what a command found or did, which a script branches on. Codes 64
//! and up say the command never got that far, and follow BSD's `sysexits.h` so that they can
//! never be mistaken for an outcome. The same cause has the same code in every command: a bad
//! estate file is 78 whether `check`, `status`, `run`, `iam-policy` or the console met it.
//!
//! | code | meaning | commands |
//! |---|---|---|
//! | 0 | done: run completed (or nothing to do), standby ready, file valid | every command |
//! | 1 | `run`: a step failed or the run stopped (resumable); `status`: degraded or split brain | `run`, `status` |
//! | 2 | `run`: plan printed, nothing called (no `--yes`); `status`: unreadable | `run`, `status` |
//! | 3 | refused: an irreversible or write-discarding step without its flag | `run` |
//! | 4 | another operator holds the run lock (reserved) | `run` |
//! | 5 | the credentials belong to another account than the estate pins (reserved) | those that read AWS |
//! | 64 | usage: unknown flag or command, bad flag value, unknown runbook, `--read-only` run, console without a terminal | every command |
//! | 69 | AWS could not be set up before the first call | `run`, `status`, console |
//! | 70 | internal error (a bug, a panic included) | every command |
//! | 74 | a file other than the estate file cannot be read or written | every command |
//! | 78 | the estate file is missing, unreadable, a directory, not UTF-8 or invalid (the console: also the theme) | every command |

use std::ffi::OsStr;
use std::fmt;
use std::io::Write;

/// Every command: it did what was asked (`run`: completed; `status`: ready; `check`: valid).
pub const OK: i32 = 0;

/// `run`: the run completed, or there was nothing to do (the runbook's last run completed).
pub const RUN_DONE: i32 = OK;
/// `run`: a step failed, or the run stopped before its end; the same command resumes it.
pub const RUN_STOPPED: i32 = 1;
/// `run` without `--yes`: the plan was printed and nothing was called.
pub const RUN_PLAN_ONLY: i32 = 2;
/// `run`: refused a step that is irreversible (without `--allow-irreversible`) or discards
/// acknowledged writes (without `--allow-data-loss`) before any call of its group.
pub const RUN_REFUSED: i32 = 3;

/// `status`: the side standing by is ready and the posture is not a split brain.
pub const STATUS_READY: i32 = OK;
/// `status`: the side standing by is degraded, or the regions disagree (split brain).
pub const STATUS_DEGRADED: i32 = 1;
/// `status`: neither the side standing by nor Route 53 could be read.
pub const STATUS_UNREADABLE: i32 = 2;

/// `check`: the estate file is valid (an invalid one is [`CONFIG`], as in every command).
pub const CHECK_VALID: i32 = OK;

/// `run`: another operator holds the estate's run lock; nothing was called.
/// Reserved: the run lock sets it.
pub const LOCK_HELD: i32 = 4;
/// Any command reading AWS: the credentials belong to another account than the estate file
/// pins; nothing was read or called. Reserved: the account check sets it.
pub const ACCOUNT_MISMATCH: i32 = 5;

/// The command line is wrong: an unknown flag or command, a flag value out of range, a
/// runbook name the estate does not have, a runbook under `--read-only`, or the console
/// started without a terminal. (`EX_USAGE`)
pub const USAGE: i32 = 64;
/// AWS could not be set up before the first call (e.g. the SDK's configuration could not be
/// loaded). A region that does not answer is not this: `status` reports it as an outcome.
/// (`EX_UNAVAILABLE`)
pub const AWS_UNAVAILABLE: i32 = 69;
/// A bug: an error drconsole did not expect, or a panic. The report says where. (`EX_SOFTWARE`)
pub const INTERNAL: i32 = 70;
/// A file other than the estate file cannot be read or written: the state directory, a run
/// journal, standard output, the terminal. (`EX_IOERR`)
pub const IO: i32 = 74;
/// The estate file is missing, unreadable, a directory, not UTF-8, or invalid (the message is
/// the checker's `file:line:column` excerpt); for the console, also a theme that cannot be
/// loaded. The same code in every command, `check` included. (`EX_CONFIG`)
pub const CONFIG: i32 = 78;

/// A command that stopped before its outcome: the code to exit with and what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: i32,
    pub message: String,
    /// Printed as it is, without the `drconsole: ` prefix: the estate checker's
    /// `file:line:column` excerpt already names where the problem is.
    pub bare: bool,
}

impl Failure {
    pub fn new(code: i32, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            bare: false,
        }
    }
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(USAGE, message)
    }
    /// The estate checker's error, printed as the checker wrote it.
    pub fn estate(error: impl fmt::Display) -> Failure {
        Failure {
            bare: true,
            ..Failure::new(CONFIG, error.to_string())
        }
    }
    pub fn config(message: impl Into<String>) -> Failure {
        Failure::new(CONFIG, message)
    }
    pub fn io(message: impl Into<String>) -> Failure {
        Failure::new(IO, message)
    }
    pub fn aws(message: impl Into<String>) -> Failure {
        Failure::new(AWS_UNAVAILABLE, message)
    }
    /// A bug: the report keeps everything a developer needs (color-eyre's `{:?}`, with its
    /// location, and a backtrace when `RUST_BACKTRACE` asks for one).
    pub fn internal(report: impl fmt::Debug) -> Failure {
        Failure::new(INTERNAL, format!("internal error: {report:?}"))
    }

    /// Writes the report to `out` (standard error): one line, or the checker's excerpt, and
    /// a bold red `drconsole:` only when `colour` says so.
    pub fn write_to(&self, out: &mut impl Write, colour: bool) -> std::io::Result<()> {
        let text = self.message.trim_end();
        if self.bare {
            return writeln!(out, "{text}");
        }
        if colour {
            writeln!(out, "\x1b[1;31mdrconsole:\x1b[0m {text}")
        } else {
            writeln!(out, "drconsole: {text}")
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Whether error output may be coloured: only on a terminal, and never when `NO_COLOR` is set
/// to anything but the empty string.
pub fn colour_allowed(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Runs `body` and returns its exit code; a panic that reaches here exits [`INTERNAL`] (the
/// panic hook has already restored the terminal and printed the report).
pub fn guarded(body: impl FnOnce() -> i32) -> i32 {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(INTERNAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: &Failure, colour: bool) -> String {
        let mut out = Vec::new();
        f.write_to(&mut out, colour).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn outcomes_and_failures_never_share_a_code() {
        let outcomes = [
            RUN_STOPPED,
            RUN_PLAN_ONLY,
            RUN_REFUSED,
            LOCK_HELD,
            ACCOUNT_MISMATCH,
            STATUS_DEGRADED,
            STATUS_UNREADABLE,
        ];
        let failures = [USAGE, AWS_UNAVAILABLE, INTERNAL, IO, CONFIG];
        for f in failures {
            assert!(!outcomes.contains(&f) && f != OK, "{f}");
            assert_eq!(failures.iter().filter(|&&g| g == f).count(), 1, "{f}");
        }
        // Within `run`, every outcome is its own.
        let run = [RUN_DONE, RUN_STOPPED, RUN_PLAN_ONLY, RUN_REFUSED, LOCK_HELD];
        for c in run {
            assert_eq!(run.iter().filter(|&&d| d == c).count(), 1, "{c}");
        }
    }

    #[test]
    fn a_failure_is_one_line_and_coloured_only_when_allowed() {
        let f = Failure::usage("unexpected argument '--bogus' found\n");
        assert_eq!(
            written(&f, false),
            "drconsole: unexpected argument '--bogus' found\n"
        );
        let coloured = written(&f, true);
        assert!(coloured.contains('\u{1b}'), "{coloured:?}");
        assert!(coloured.ends_with("unexpected argument '--bogus' found\n"));
    }

    #[test]
    fn the_estate_checker_excerpt_is_printed_as_it_is() {
        let excerpt = "a.toml:2:9: unclosed table\n     2 | [primary\n       |         ^\n";
        let f = Failure::estate(excerpt);
        assert_eq!(f.code, CONFIG);
        assert_eq!(written(&f, true), excerpt);
    }

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(colour_allowed(true, None));
        assert!(colour_allowed(true, Some(OsStr::new(""))));
        assert!(!colour_allowed(true, Some(OsStr::new("1"))));
        assert!(!colour_allowed(false, None));
    }

    #[test]
    fn a_panic_exits_internal() {
        assert_eq!(guarded(|| 3), 3);
        assert_eq!(guarded(|| panic!("a bug")), INTERNAL);
    }
}
