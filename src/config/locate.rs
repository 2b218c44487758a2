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
