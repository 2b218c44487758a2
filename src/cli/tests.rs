//! The command line's parsing: flag bounds, usage errors, help text and repeated flags.

use super::*;
use crate::exit::Failure;

fn parse(args: &[&str]) -> Result<Cli, String> {
    Cli::try_parse_from(std::iter::once("drconsole").chain(args.iter().copied()))
        .map_err(|e| e.to_string())
}

#[test]
fn sim_speed_is_finite_and_within_bounds() {
    for ok in ["0.1", "1", "10", "1000", "1e3", "2.5"] {
        let cli = parse(&["--sim-speed", ok]).unwrap_or_else(|e| panic!("{ok}: {e}"));
        assert_eq!(cli.sim_speed, ok.parse::<f64>().unwrap());
    }
    for bad in [
        "0", "-1", "0.09", "NaN", "nan", "inf", "-inf", "1e7", "1000.5", "fast", "",
    ] {
        let err = match parse(&[&format!("--sim-speed={bad}")]) {
            Ok(cli) => panic!("{bad:?} accepted as {}", cli.sim_speed),
            Err(e) => e,
        };
        assert!(err.contains("--sim-speed"), "{bad}: {err}");
        assert!(err.contains("0.1") && err.contains("1000"), "{bad}: {err}");
    }
    assert_eq!(parse(&[]).expect("defaults").sim_speed, 1.0);
}

fn usage_error(args: &[&str]) -> Failure {
    match Cli::invocation(std::iter::once("drconsole").chain(args.iter().copied())) {
        Err(f) => f,
        Ok(i) => panic!("{args:?} accepted: {i:?}"),
    }
}

#[test]
fn a_usage_error_is_one_plain_line_with_code_64() {
    for (args, words) in [
        (&["--bogus"][..], &["'--bogus'", "usage: drconsole"][..]),
        (
            &["status", "--jsn"],
            &["'--jsn'", "'--json'", "drconsole status"],
        ),
        (&["--sim-speed", "0"], &["--sim-speed", "0.1 to 1000"]),
        (&["frobnicate"], &["'frobnicate'"]),
        (&["run"], &["<NAME>"]),
    ] {
        let f = usage_error(args);
        assert_eq!(f.code, crate::exit::USAGE, "{args:?}");
        assert!(!f.message.contains('\n'), "{args:?}: {:?}", f.message);
        assert!(!f.message.contains('\u{1b}'), "{args:?}: {:?}", f.message);
        assert!(
            !f.message.starts_with("error:"),
            "{args:?}: {:?}",
            f.message
        );
        for w in words {
            assert!(
                f.message.contains(w),
                "{args:?}: {w} not in {:?}",
                f.message
            );
        }
    }
}

#[test]
fn help_lists_every_exit_code() {
    use crate::exit::*;
    for code in [
        OK,
        RUN_STOPPED,
        RUN_PLAN_ONLY,
        RUN_REFUSED,
        LOCK_HELD,
        ACCOUNT_MISMATCH,
        USAGE,
        AWS_UNAVAILABLE,
        INTERNAL,
        IO,
        CONFIG,
    ] {
        let row = format!("\n  {code:<3} ");
        assert!(EXIT_CODES.contains(&row), "{code} not in --help");
    }
    assert_eq!(
        EXIT_CODES.lines().count(),
        12,
        "a code in --help that exit.rs lacks"
    );
}

#[test]
fn help_and_version_are_printed_not_failures() {
    for args in [&["--help"][..], &["-V"], &["status", "--help"], &["help"]] {
        let all = std::iter::once("drconsole").chain(args.iter().copied());
        match Cli::invocation(all) {
            Ok(Invocation::Print(_)) => {}
            other => panic!("{args:?}: {other:?}"),
        }
    }
}

#[test]
fn config_repeats_and_concurrency_is_bounded() {
    let cli = parse(&["status", "--config", "a.toml", "--config", "dir/"]).expect("parsed");
    assert_eq!(
        cli.config,
        [PathBuf::from("a.toml"), PathBuf::from("dir/")],
        "every --config, in order"
    );
    assert!(parse(&[]).expect("defaults").config.is_empty());
    let run = |args: &[&str]| match parse(args).map(|c| c.command) {
        Ok(Some(Command::Run { concurrency, .. })) => Ok(concurrency),
        other => Err(format!("{other:?}")),
    };
    assert_eq!(run(&["run", "failover"]), Ok(4));
    assert_eq!(run(&["run", "failover", "--concurrency", "8"]), Ok(8));
    assert!(run(&["run", "failover", "--concurrency", "0"]).is_err());
}

#[test]
fn seed_takes_any_unsigned_64_bit_number() {
    for ok in ["0", "7", "18446744073709551615"] {
        let cli = parse(&["--seed", ok]).unwrap_or_else(|e| panic!("{ok}: {e}"));
        assert_eq!(cli.seed, ok.parse::<u64>().unwrap());
    }
    for bad in ["-1", "18446744073709551616", "1.5", "seven"] {
        assert!(parse(&[&format!("--seed={bad}")]).is_err(), "{bad}");
    }
}
