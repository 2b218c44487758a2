//! Parsing the command line: a command to run, text for `--help` or `--version`, or a usage
//! error in one line.

use std::ffi::OsString;

use clap::Parser;
use clap::error::ErrorKind;

use super::Cli;
use crate::exit::Failure;

/// What the command line asks for.
#[derive(Debug)]
pub enum Invocation {
    /// A command to run.
    Run(Box<Cli>),
    /// `--help` or `--version`: clap's text to print on standard output, then exit 0.
    Print(clap::Error),
}

impl Cli {
    /// Parses `args` (the program name first). A usage error is a [`Failure`] with
    /// [`crate::exit::USAGE`] and one line: clap's message, its tips, and the usage.
    pub fn invocation<I, T>(args: I) -> Result<Invocation, Failure>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        match Cli::try_parse_from(args) {
            Ok(cli) => Ok(Invocation::Run(Box::new(cli))),
            Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
                Ok(Invocation::Print(e))
            }
            Err(e) => Err(Failure::usage(usage_line(&e))),
        }
    }
}

/// clap's error as one line without styling: `unexpected argument '--jsn' found (tip: a
/// similar argument exists: '--json'); usage: drconsole status [OPTIONS]`.
fn usage_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid command line");
    let mut out = first.strip_prefix("error: ").unwrap_or(first).to_string();
    for line in lines {
        if line.starts_with("tip: ") {
            out.push_str(&format!(" ({line})"));
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            out.push_str(&format!("; usage: {usage}"));
        }
    }
    out.push_str("; --help lists every flag");
    out
}
