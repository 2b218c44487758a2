//! `drconsole init`: from the team's infrastructure code to a checked estate file. The state
//! files are read and paired (`terraform`, `pair`), AWS confirms the pairs and gives the
//! capacities (`confirm`, read-only calls through [`confirm::Reader`]), and the estate is
//! written with where each value came from (`write`). Nothing is written when a required value
//! is missing (unless `--draft`), when the result would not pass `check`, or over an existing
//! file (unless `--force`).

pub mod confirm;
pub mod draft;
pub mod find;
mod found;
pub mod gather;
pub mod pair;
pub mod terraform;
pub mod write;

#[cfg(test)]
mod tests;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::exit::Failure;
use draft::{Draft, Note};

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub primary: String,
    pub standby: String,
    pub terraform_states: Vec<PathBuf>,
    /// `--tag KEY=VALUE`, as given.
    pub tags: Vec<String>,
    /// `--stack NAME`: the same name in both regions.
    pub stack: Option<String>,
    pub primary_stack: Option<String>,
    pub standby_stack: Option<String>,
    /// `-` writes to standard output; default `<name>.toml`.
    pub output: Option<PathBuf>,
    pub draft: bool,
    pub force: bool,
    pub name: Option<String>,
    pub primary_profile: Option<String>,
    pub standby_profile: Option<String>,
    pub endpoint_url: Option<String>,
}

/// What `init` did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `None`: written to standard output.
    pub path: Option<PathBuf>,
    pub text: String,
    /// Lines for standard error: what was found, what to check, what to run next.
    pub summary: String,
}

/// Checks the options before anything is read.
pub fn validate(opts: &Options) -> Result<(), Failure> {
    for (flag, r) in [("--primary", &opts.primary), ("--standby", &opts.standby)] {
        crate::config::Region::parse(r).map_err(|e| Failure::usage(format!("{flag} {r}: {e}")))?;
    }
    if opts.primary == opts.standby {
        return Err(Failure::usage(format!(
            "--primary and --standby are both {}: the estate needs two regions",
            opts.primary
        )));
    }
    let sources = aws_sources(opts)?;
    if opts.terraform_states.is_empty() && sources.is_empty() {
        return Err(Failure::usage(
            "init needs a source: --terraform-state FILE, --tag KEY=VALUE or --stack NAME",
        ));
    }
    if let Some(p) = opts.output.as_deref().filter(|p| *p != Path::new("-"))
        && p.exists()
        && !opts.force
    {
        return Err(Failure::io(format!(
            "{} exists: nothing written (pass --force to replace it)",
            p.display()
        )));
    }
    Ok(())
}

/// What the flags ask to find in AWS: the tags (all must match), the stacks.
pub fn aws_sources(opts: &Options) -> Result<Vec<gather::Source>, Failure> {
    let mut out = Vec::new();
    if !opts.tags.is_empty() {
        let mut tags: Vec<(String, String)> = Vec::new();
        for t in &opts.tags {
            let Some((k, v)) = t.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
                return Err(Failure::usage(format!(
                    "--tag {t}: expected KEY=VALUE (e.g. --tag app=orders)"
                )));
            };
            match tags.iter().find(|(x, _)| x == k) {
                Some((_, old)) if old != v => {
                    return Err(Failure::usage(format!(
                        "--tag {k} given twice ({old}, {v}): every tag must match, and a \
                         resource has one value per key"
                    )));
                }
                Some(_) => {}
                None => tags.push((k.to_string(), v.to_string())),
            }
        }
        out.push(gather::Source::Tags(tags));
    }
    let stacks = match (&opts.stack, &opts.primary_stack, &opts.standby_stack) {
        (None, None, None) => None,
        (Some(s), None, None) => Some((s.clone(), s.clone())),
        (None, Some(p), Some(s)) => Some((p.clone(), s.clone())),
        (Some(_), _, _) => {
            return Err(Failure::usage(
                "--stack names the stack of both regions: give it, or --primary-stack and \
                 --standby-stack, not both",
            ));
        }
        _ => {
            return Err(Failure::usage(
                "--primary-stack and --standby-stack go together (--stack NAME: the same name \
                 in both regions)",
            ));
        }
    };
    if let Some((primary, standby)) = stacks {
        out.push(gather::Source::Stacks { primary, standby });
    }
    Ok(out)
}

/// Reads every state file: no AWS call yet.
pub fn terraform_resources(opts: &Options) -> Result<Vec<terraform::TfResource>, Failure> {
    let mut all = Vec::new();
    for path in &opts.terraform_states {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::io(format!("reading Terraform state {shown}: {e}")))?;
        let resources = terraform::parse(&text, &shown).map_err(|e| Failure::config(e.0))?;
        all.extend(resources);
    }
    if !opts.terraform_states.is_empty()
        && !all.iter().any(
            |r| matches!(r.region.as_deref(), Some(x) if x == opts.primary || x == opts.standby),
        )
    {
        return Err(Failure::config(format!(
            "nothing in {} is in {} or {}: are these the estate's regions?",
            terraform_sources(opts).join(", "),
            opts.primary,
            opts.standby
        )));
    }
    Ok(all)
}

fn terraform_sources(opts: &Options) -> Vec<String> {
    opts.terraform_states
        .iter()
        .map(|p| format!("terraform state {}", p.display()))
        .collect()
}

/// Pairs what every source found into a draft: no AWS call.
pub fn assemble(all: Vec<terraform::TfResource>, opts: &Options) -> Result<Draft, Failure> {
    let res = pair::Resources {
        all,
        several_files: opts.terraform_states.len() > 1,
    };
    let mut d = pair::pair(&res, &opts.primary, &opts.standby);
    d.sources = terraform_sources(opts);
    for s in aws_sources(opts)? {
        d.sources.push(format!(
            "{} in {} and {}",
            s.label(),
            opts.primary,
            opts.standby
        ));
    }
    Ok(d)
}

/// Reads every state file and pairs what they hold: no AWS call yet.
pub fn read_terraform(opts: &Options) -> Result<Draft, Failure> {
    let all = terraform_resources(opts)?;
    assemble(all, opts)
}

/// The estate's name: the one asked for, else the primary database's (without `-db`), else
/// the ECS cluster's, else the first group's.
fn name(d: &mut Draft, asked: Option<&str>) {
    if let Some(n) = asked {
        d.name = n.to_string();
        return;
    }
    let from = d
        .database
        .as_ref()
        .map(|db| (db.primary.clone(), "the primary database"))
        .or(d
            .ecs
            .as_ref()
            .map(|e| (e.primary_cluster.clone(), "the ECS cluster")))
        .or(d
            .asgs
            .first()
            .map(|g| (g.primary_name.clone(), "the first Auto Scaling group")));
    let (raw, what) = from.unwrap_or(("estate".into(), "nothing"));
    let mut n = raw.as_str();
    for suffix in [
        "-db",
        "-database",
        "-mysql",
        "-postgres",
        "-rds",
        "-aurora",
        "-primary",
    ] {
        n = n.strip_suffix(suffix).unwrap_or(n);
    }
    d.name = n.to_string();
    d.name_notes.push(Note::Check(format!(
        "the name is {what}'s ({raw}); --name sets another"
    )));
}

/// Turns a confirmed draft into the file's text, checked as `drconsole check` would.
pub fn finish(mut d: Draft, opts: &Options) -> Result<(String, Draft), Failure> {
    name(&mut d, opts.name.as_deref());
    if !d.missing.is_empty() && !opts.draft {
        let mut msg = format!(
            "init: {} required value(s) not found; nothing written (--draft writes the file \
             with the gaps marked):",
            d.missing.len()
        );
        for m in &d.missing {
            msg.push_str(&format!("\n  missing: {} (looked: {})", m.what, m.looked));
        }
        return Err(Failure::config(msg));
    }
    let mut style = write::Style {
        primary_profile: opts.primary_profile.clone(),
        standby_profile: opts.standby_profile.clone(),
        endpoint_url: opts.endpoint_url.clone(),
        secret_key_supported: true,
    };
    let mut text = write::render(&d, &style);
    let mut checked = crate::runbook::parse_estate(&text, "init");
    if let Err(e) = &checked
        && e.to_string().contains("endpoint_secret_key")
    {
        style.secret_key_supported = false;
        text = write::render(&d, &style);
        checked = crate::runbook::parse_estate(&text, "init");
    }
    if let Err(e) = checked
        && d.missing.is_empty()
    {
        return Err(Failure::config(format!(
            "init: the estate assembled would not pass check; nothing written:\n{e}"
        )));
    }
    Ok((text, d))
}

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

/// The whole command: read, confirm with `aws`, write.
pub async fn run(opts: &Options, aws: &dyn find::Finder) -> Result<Outcome, Failure> {
    validate(opts)?;
    let mut all = terraform_resources(opts)?;
    for source in aws_sources(opts)? {
        let found = gather::gather(&source, &opts.primary, &opts.standby, aws)
            .await
            .map_err(|e| match e {
                gather::GatherError::Nothing(line) => Failure::config(line),
                gather::GatherError::Aws(e) => {
                    Failure::aws(format!("init: reading AWS: {e}; nothing written"))
                }
            })?;
        all.extend(found);
    }
    let mut d = assemble(all, opts)?;
    confirm::confirm(&mut d, aws)
        .await
        .map_err(|e| Failure::aws(format!("init: reading AWS: {e}; nothing written")))?;
    let (text, d) = finish(d, opts)?;
    let path = write_out(&text, &d, opts)?;
    Ok(Outcome {
        summary: summary(&d, path.as_deref(), &text),
        path,
        text,
    })
}

fn summary(d: &Draft, path: Option<&Path>, text: &str) -> String {
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
