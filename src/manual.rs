//! Shell completions and the man page, generated from the command line's own definitions
//! (`crate::cli`), so that they always agree with `--help`.

use clap::CommandFactory;
pub use clap_complete::Shell;

use crate::cli::Cli;

/// `drconsole completions SHELL`: the completion script for SHELL, every command and flag.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "drconsole", &mut out);
    out
}

/// `drconsole man [COMMAND]`: the roff source of drconsole(1), or of one command's page
/// (`drconsole-run(1)`, with the global flags too). An unknown command is an `Err` naming the
/// ones there are.
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>, String> {
    let mut cli = Cli::command();
    // Building names each command `drconsole-NAME` and gives it the global flags.
    cli.build();
    let page = match command {
        // The exit codes get a section of their own below, not clap's "EXTRA".
        None => cli.clone().after_long_help(None::<&'static str>),
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = cli
                    .get_subcommands()
                    .map(|c| c.get_name())
                    .filter(|n| *n != "help")
                    .collect();
                return Err(format!(
                    "no command named {name:?}: expected one of {}",
                    names.join(", ")
                ));
            }
        },
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| format!("rendering the man page: {e}"))?;
    if command.is_none() {
        out.extend_from_slice(exit_status_and_environment().as_bytes());
    }
    Ok(out)
}

/// The EXIT STATUS section (from the table `--help` prints) and the ENVIRONMENT section, in
/// roff.
fn exit_status_and_environment() -> String {
    let mut roff = String::from(".SH \"EXIT STATUS\"\n");
    for line in crate::cli::EXIT_CODES.lines().skip(1) {
        let line = line.trim();
        let (code, meaning) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        roff.push_str(&format!(
            ".TP\n\\fB{code}\\fR\n{}\n",
            escape(meaning.trim())
        ));
    }
    roff.push_str(".SH ENVIRONMENT\n");
    for (name, meaning) in [
        (
            "DRCONSOLE_CONFIG",
            "the estate file, when --config is not given",
        ),
        (
            "XDG_CONFIG_HOME",
            "where drconsole/config.toml and drconsole/estates/*.toml are looked for \
             (default ~/.config)",
        ),
        (
            "XDG_STATE_HOME",
            "the state directory, drconsole/ under it: audit log, run journals, drill reports, \
             run locks (default ~/.local/state)",
        ),
        (
            "NO_COLOR",
            "when set and not empty, no colour: states stay spelled out in text",
        ),
        (
            "AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...",
            "the standard AWS credential chain; an endpoint_url in the estate file overrides \
             AWS_ENDPOINT_URL",
        ),
    ] {
        roff.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            escape(name),
            escape(meaning)
        ));
    }
    roff
}

/// Text safe in a roff text line: a backslash as `\e`, `-` as a minus sign (so that flags
/// copy and paste), and a leading `.` or `'` kept from being read as a request.
fn escape(text: &str) -> String {
    let body = text.replace('\\', "\\e").replace('-', "\\-");
    if body.starts_with('.') || body.starts_with('\'') {
        format!("\\&{body}")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_page_and_an_unknown_one_is_refused() {
        let main = String::from_utf8(man_page(None).expect("main page")).expect("utf-8");
        assert!(
            main.starts_with(".ie") || main.contains(".TH drconsole"),
            "{main}"
        );
        for name in ["check", "status", "run", "iam-policy", "completions", "man"] {
            let page = String::from_utf8(man_page(Some(name)).expect(name)).expect("utf-8");
            assert!(
                page.contains(&format!(".TH drconsole-{name}")),
                "{name}: {}",
                &page[..page.len().min(400)]
            );
            // roff writes a hyphen as `\-`.
            let listed = format!("drconsole\\-{}", name.replace('-', "\\-"));
            assert!(
                main.contains(&listed),
                "{listed} not listed in drconsole(1)"
            );
        }
        let run = String::from_utf8(man_page(Some("run")).expect("run")).expect("utf-8");
        for flag in [
            "allow\\-irreversible",
            "allow\\-data\\-loss",
            "config",
            "state\\-dir",
        ] {
            assert!(run.contains(flag), "{flag} not in drconsole-run(1)");
        }
        let err = man_page(Some("frobnicate")).expect_err("unknown command");
        assert!(
            err.contains("frobnicate") && err.contains("status"),
            "{err}"
        );
    }

    #[test]
    fn completions_name_every_command_and_flag() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let text = String::from_utf8(completions(shell)).expect("utf-8");
            // fish names a long flag without its dashes (`-l allow-irreversible`).
            for word in ["iam-policy", "allow-irreversible", "config", "completions"] {
                assert!(text.contains(word), "{shell}: {word} missing");
            }
        }
    }
}
