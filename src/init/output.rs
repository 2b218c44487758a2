//! The text written where asked (a file, never over an existing one without `--force`, or
//! standard output), and the lines that say what was found and what to run next.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::Options;
use super::draft::{self, Draft};
use crate::exit::Failure;

/// Writes the text where asked: never over an existing file without `--force`.
pub fn write_out(text: &str, d: &Draft, opts: &Options) -> Result<Option<PathBuf>, Failure> {
    let path = opts
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.toml", d.name)));
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Failure::io(format!("writing to standard output: {e}")))?;
        return Ok(None);
    }
    let shown = path.display().to_string();
    if opts.force {
        // Replaced whole or not at all: a crash never leaves half a file.
        let tmp = path.with_extension("toml.init-tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Failure::io(format!("writing {shown}: {e}"))
            })?;
    } else {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => Failure::io(format!(
                    "{shown} exists: nothing written (pass --force to replace it)"
                )),
                _ => Failure::io(format!("writing {shown}: {e}")),
            })?;
        if let Err(e) = f.write_all(text.as_bytes()).and_then(|()| f.sync_all()) {
            let _ = std::fs::remove_file(&path);
            return Err(Failure::io(format!("writing {shown}: {e}")));
        }
    }
    Ok(Some(path))
}

pub(super) fn summary(d: &Draft, path: Option<&Path>, text: &str) -> String {
    let checks = text.lines().filter(|l| l.starts_with("# CHECK:")).count();
    let db = d
        .database
        .as_ref()
        .map(|db| {
            format!(
                "{} {} -> {}",
                db.kind.map(draft::DbKind::as_str).unwrap_or("?"),
                db.primary,
                db.standby
            )
        })
        .unwrap_or_else(|| "none".into());
    let mut s = format!(
        "init: estate {} ({} -> {}): database {db}; {} ECS services, {} ASGs, {} target \
         groups, DNS {}, {} health checks, {} alarms\n",
        d.name,
        d.primary_region,
        d.standby_region,
        d.ecs.as_ref().map_or(0, |e| e.services.len()),
        d.asgs.len(),
        d.target_groups.len(),
        d.dns
            .as_ref()
            .map_or("none".to_string(), |x| x.record.clone()),
        d.health_checks.len(),
        d.alarms.len(),
    );
    match path {
        Some(p) => {
            s.push_str(&format!(
                "init: wrote {} with {checks} CHECK comment(s){}\n",
                p.display(),
                if d.missing.is_empty() {
                    String::new()
                } else {
                    format!(" and {} gap(s) (draft)", d.missing.len())
                }
            ));
            s.push_str(&format!(
                "next: drconsole check --config {0}; drconsole iam-policy --config {0}\n",
                p.display()
            ));
        }
        None => s.push_str(&format!("init: {checks} CHECK comment(s)\n")),
    }
    s
}
