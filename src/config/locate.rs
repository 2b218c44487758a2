//! Where the estate file is found when none is given.

use std::path::{Path, PathBuf};

/// Where the estate file comes from: `--config`, `$DRCONSOLE_CONFIG`, then the XDG config dir.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("DRCONSOLE_CONFIG").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    let candidate = base.join("drconsole").join("config.toml");
    candidate.exists().then_some(candidate)
}

/// Every estate file to open: each `--config` (a directory stands for every `*.toml` in it,
/// in name order), else `$DRCONSOLE_CONFIG` (a file or a directory), else
/// `$XDG_CONFIG_HOME/drconsole/config.toml`, else every `estates/*.toml` there. Empty when
/// none is found (the simulator runs). A directory with no `*.toml` in it is an error.
pub fn locate_all(explicit: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    if !explicit.is_empty() {
        let mut out = Vec::new();
        for p in explicit {
            out.extend(expand(p)?);
        }
        return Ok(dedup(out));
    }
    if let Some(p) = std::env::var_os("DRCONSOLE_CONFIG").filter(|v| !v.is_empty()) {
        return expand(Path::new(&p));
    }
    let Some(base) = config_home() else {
        return Ok(Vec::new());
    };
    let single = base.join("drconsole").join("config.toml");
    if single.exists() {
        return Ok(vec![single]);
    }
    let dir = base.join("drconsole").join("estates");
    if dir.is_dir() {
        return expand(&dir);
    }
    Ok(Vec::new())
}

fn config_home() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
}

/// A file stands for itself; a directory for its `*.toml` files, sorted by name.
fn expand(path: &Path) -> Result<Vec<PathBuf>, String> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| format!("{}: cannot list the directory: {e}", path.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.is_dir())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "{}: is a directory with no estate file (*.toml) in it",
            path.display()
        ));
    }
    Ok(files)
}

/// The same file named twice (a file and its directory) is opened once.
fn dedup(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = std::collections::BTreeSet::new();
    paths
        .into_iter()
        .filter(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_stands_for_its_toml_files_in_name_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["b.toml", "a.toml", "notes.md"] {
            std::fs::write(dir.path().join(name), "").expect("write");
        }
        std::fs::create_dir(dir.path().join("sub.toml")).expect("mkdir");
        let found = locate_all(&[dir.path().to_path_buf()]).expect("found");
        assert_eq!(
            found,
            vec![dir.path().join("a.toml"), dir.path().join("b.toml")]
        );
        // A file named beside its directory is opened once; files keep their order.
        let again =
            locate_all(&[dir.path().join("b.toml"), dir.path().to_path_buf()]).expect("found");
        assert_eq!(
            again,
            vec![dir.path().join("b.toml"), dir.path().join("a.toml")]
        );
    }

    #[test]
    fn an_empty_directory_is_an_error_and_a_missing_file_is_left_to_the_loader() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = locate_all(&[dir.path().to_path_buf()]).expect_err("empty");
        assert!(err.contains("no estate file"), "{err}");
        let missing = dir.path().join("nope.toml");
        assert_eq!(
            locate_all(std::slice::from_ref(&missing)).expect("kept"),
            vec![missing]
        );
    }
}
