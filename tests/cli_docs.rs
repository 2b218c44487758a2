//! `drconsole completions` and `drconsole man` as a user meets them: the bash script is
//! sourced by a real bash and completes commands and flags; the man page is rendered by
//! `man -l` (man-db, which runs groff) without a warning. Neither tool is optional: a machine
//! without bash or man fails here with the package to install, it does not skip.

use std::path::Path;
use std::process::{Command, Output};

fn drconsole(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(args)
        // A broken estate file in the environment must not matter: nothing here reads one.
        .env("DRCONSOLE_CONFIG", "/nonexistent/estate.toml")
        .env("NO_COLOR", "1")
        .output()
        .expect("drconsole runs")
}

fn generated(args: &[&str]) -> String {
    let out = drconsole(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(!text.trim().is_empty(), "{args:?} printed nothing");
    text
}

fn tool(program: &str, package: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{program}` is not installed: it is needed to test what users run \
         (apt-get install {package})"
    );
    Command::new(program)
}

/// What bash completes for `line` (the words typed so far, the last one being completed).
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "set -u; source '{script}' || exit 9
         COMP_WORDS=({words})
         COMP_CWORD={cword}
         COMP_LINE='{line}'
         COMP_POINT=${{#COMP_LINE}}
         _drconsole drconsole '{current}' '{previous}'
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script = script.display(),
        words = quoted.join(" "),
        cword = words.len() - 1,
        line = words.join(" "),
        current = words[words.len() - 1],
        previous = words[words.len() - 2],
    );
    let out = tool("bash", "bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "bash: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn the_bash_completion_script_sources_cleanly_and_completes_commands_and_flags() {
    let script = generated(&["completions", "bash"]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("drconsole.bash");
    std::fs::write(&path, &script).expect("script written");

    let syntax = tool("bash", "bash")
        .args(["-n", &path.display().to_string()])
        .output()
        .expect("bash -n runs");
    assert!(
        syntax.status.success() && syntax.stderr.is_empty(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );

    let registered = tool("bash", "bash")
        .args([
            "--norc",
            "--noprofile",
            "-c",
            &format!("source '{}' && complete -p drconsole", path.display()),
        ])
        .output()
        .expect("bash runs");
    let line = String::from_utf8_lossy(&registered.stdout);
    assert!(
        registered.status.success() && registered.stderr.is_empty(),
        "source: {}",
        String::from_utf8_lossy(&registered.stderr)
    );
    assert!(
        line.contains("_drconsole") && line.trim_end().ends_with("drconsole"),
        "{line}"
    );

    let commands = bash_completes(&path, &["drconsole", "s"]);
    assert!(commands.contains(&"status".to_string()), "{commands:?}");
    assert!(!commands.contains(&"check".to_string()), "{commands:?}");
    let flags = bash_completes(&path, &["drconsole", "run", "--allow"]);
    for flag in ["--allow-irreversible", "--allow-data-loss"] {
        assert!(flags.contains(&flag.to_string()), "{flag} not in {flags:?}");
    }
    let shells = bash_completes(&path, &["drconsole", "completions", "f"]);
    assert_eq!(shells, ["fish"]);
}

#[test]
fn zsh_and_fish_scripts_name_the_program_and_its_commands() {
    let zsh = generated(&["completions", "zsh"]);
    assert!(
        zsh.starts_with("#compdef drconsole"),
        "{}",
        &zsh[..80.min(zsh.len())]
    );
    let fish = generated(&["completions", "fish"]);
    for word in ["complete -c drconsole", "iam-policy", "allow-irreversible"] {
        assert!(fish.contains(word), "{word} not in the fish script");
    }
    let out = drconsole(&["completions", "tcsh"]);
    assert_eq!(
        out.status.code(),
        Some(64),
        "an unknown shell is a usage error"
    );
}

/// `man -l FILE` as a user runs it, its pager replaced by cat; groff's warnings on.
fn man_renders(page: &str, name: &str) -> String {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(format!("{name}.1"));
    std::fs::write(&path, page).expect("page written");
    let out = tool("man", "man-db")
        .args(["--warnings", "-l", &path.display().to_string()])
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("man runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "man -l {name}: {:?}\n{stderr}",
        out.status
    );
    assert!(stderr.trim().is_empty(), "man -l {name} warned:\n{stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn man_renders_the_page_of_drconsole_and_of_each_command() {
    let text = man_renders(&generated(&["man"]), "drconsole");
    for words in [
        "NAME",
        "drconsole - Terminal operations console",
        "SYNOPSIS",
        "OPTIONS",
        "--read-only",
        "iam-policy",
        "EXIT STATUS",
        "the estate file is missing, unreadable or invalid",
        "ENVIRONMENT",
        "DRCONSOLE_CONFIG",
        "XDG_STATE_HOME",
    ] {
        assert!(
            text.contains(words),
            "{words:?} not in the rendered page:\n{text}"
        );
    }
    assert!(
        !text.contains("EXTRA"),
        "the exit codes have their own section:\n{text}"
    );
    // Each code is an item of EXIT STATUS: its number alone at the start of a line.
    let status = &text[text.find("EXIT STATUS").expect("EXIT STATUS")..];
    for code in ["0", "1", "2", "3", "4", "5", "64", "69", "70", "74", "78"] {
        assert!(
            status
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} ")) || l.trim() == code),
            "exit code {code} not an item of EXIT STATUS:\n{status}"
        );
    }
    let run = man_renders(&generated(&["man", "run"]), "drconsole-run");
    for words in [
        "drconsole-run",
        "--allow-irreversible",
        "--take-over",
        "--config",
    ] {
        assert!(
            run.contains(words),
            "{words:?} not in drconsole-run(1):\n{run}"
        );
    }
    let out = drconsole(&["man", "frobnicate"]);
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("frobnicate") && err.contains("iam-policy"),
        "{err}"
    );
}
