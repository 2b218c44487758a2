//! Reading an estate file: parse its bytes or text, then check it, locating every error in it.

use std::path::Path;
use std::time::Duration;

use super::{ConfigError, DatabaseKind, Estate, error, validate};

impl Estate {
    /// Parses an estate file's text; `origin` names it in errors. Runbook steps are checked
    /// for their shape only: what each kind accepts is checked by [`Estate::parse_checked`].
    pub fn parse(text: &str, origin: &str) -> Result<Estate, ConfigError> {
        Estate::parse_checked(text, origin, &|_| Ok(()))
    }

    /// Parses, validates, then runs `extra`: checks made by a layer above this one (the
    /// runbook engine checks every step against its kind). Its errors name a key, which is
    /// located in the file like every other error.
    pub fn parse_checked(
        text: &str,
        origin: &str,
        extra: ExtraCheck<'_>,
    ) -> Result<Estate, ConfigError> {
        // Control characters first, on the untyped tree so that no key or section is missed,
        // and before any typed error could echo one (an unknown key is quoted in its error).
        // A file that is not even TOML is left to the typed parse, which locates its error.
        if let Ok(table) = toml::from_str::<toml::Table>(text)
            && let Err((key, message)) = validate::control_characters(&table)
        {
            return Err(invalid(origin, text, &key, message));
        }
        let mut estate: Estate =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(origin, text, &e))?;
        estate.validate(origin, text)?;
        if let Some(n) = estate.notify.as_mut()
            && let Err((key, message)) = n.resolve()
        {
            return Err(invalid(origin, text, &key, message));
        }
        if let Err((key, message)) = extra(&estate) {
            return Err(invalid(origin, text, &key, message));
        }
        Ok(estate)
    }

    /// Parses an estate file's bytes: as `parse`, after checking they are UTF-8.
    pub fn parse_bytes(bytes: &[u8], origin: &str) -> Result<Estate, ConfigError> {
        Estate::parse_bytes_checked(bytes, origin, &|_| Ok(()))
    }

    /// Parses an estate file's bytes: as `parse_checked`, after checking they are UTF-8.
    pub fn parse_bytes_checked(
        bytes: &[u8],
        origin: &str,
        extra: ExtraCheck<'_>,
    ) -> Result<Estate, ConfigError> {
        let text =
            std::str::from_utf8(bytes).map_err(|e| ConfigError::from_utf8(origin, bytes, &e))?;
        Estate::parse_checked(text, origin, extra)
    }

    pub fn load(path: &Path) -> Result<Estate, ConfigError> {
        Estate::load_checked(path, &|_| Ok(()))
    }

    pub fn load_checked(path: &Path, extra: ExtraCheck<'_>) -> Result<Estate, ConfigError> {
        let bytes = std::fs::read(path).map_err(|e| ConfigError::io(path, &e))?;
        let mut estate = Estate::parse_bytes_checked(&bytes, &path.display().to_string(), extra)?;
        estate.base_dir = Some(base_dir(path));
        Ok(estate)
    }

    /// Checks that need the whole file: cross references and value ranges.
    fn validate(&self, origin: &str, text: &str) -> Result<(), ConfigError> {
        let fail = |key: &str, message: String| Err(invalid(origin, text, key, message));
        if let Err((key, message)) = validate::estate(self) {
            return fail(&key, message);
        }
        if let Err((key, message)) = super::replicated::check(self) {
            return fail(&key, message);
        }
        if self.failback_settle.0 > Duration::from_secs(3600) {
            return fail(
                "failback_settle",
                format!("expected at most 1h, found {}", self.failback_settle),
            );
        }
        if self.lag_warning.0 > self.rpo_budget.0 {
            return fail(
                "lag_warning",
                format!(
                    "expected lag_warning ({}) to be no more than rpo_budget ({})",
                    self.lag_warning, self.rpo_budget
                ),
            );
        }
        if let Some(db) = &self.database
            && db.kind == DatabaseKind::AuroraGlobal
            && db.global_cluster.is_none()
        {
            return fail(
                "database.global_cluster",
                "expected a global_cluster name when kind = \"aurora-global\"".into(),
            );
        }
        for (i, asg) in self.asgs.iter().enumerate() {
            if asg.name.is_none() && (asg.primary_name.is_none() || asg.standby_name.is_none()) {
                return fail(
                    &format!("asgs[{i}].name"),
                    "expected `name`, or both `primary_name` and `standby_name`".into(),
                );
            }
            for (which, c) in [("production", asg.production), ("standby", asg.standby)] {
                if !(c.min <= c.desired && c.desired <= c.max) {
                    return fail(
                        &format!("asgs[{i}].{which}"),
                        format!(
                            "expected min <= desired <= max, found min {} desired {} max {}",
                            c.min, c.desired, c.max
                        ),
                    );
                }
            }
        }
        for (i, tg) in self.target_groups.iter().enumerate() {
            if let Some(asg) = &tg.asg
                && !self.asgs.iter().any(|a| a.label() == asg)
            {
                return fail(
                    &format!("target_groups[{i}].asg"),
                    format!("expected the name of an ASG in [[asgs]], found {asg:?}"),
                );
            }
        }
        for (name, rb) in &self.runbooks {
            rb.check_shape()
                .or_else(|m| fail(&format!("runbooks.{name}"), m))?;
        }
        Ok(())
    }
}

/// The directory holding the estate file, made absolute (a run's working directory may change
/// after the file was read).
fn base_dir(path: &Path) -> std::path::PathBuf {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// A check of a parsed estate made by a layer above this one: on failure, the key to report
/// (e.g. `runbooks.failover`) and the message.
pub type ExtraCheck<'a> = &'a dyn Fn(&Estate) -> Result<(), (String, String)>;

/// A failed check at `key`, located in the file's text.
fn invalid(origin: &str, text: &str, key: &str, message: String) -> ConfigError {
    let (line, column) = error::locate_key(text, key);
    ConfigError::Invalid {
        path: origin.to_string(),
        line,
        column,
        key: key.to_string(),
        message,
    }
}
