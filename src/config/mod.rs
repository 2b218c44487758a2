//! The estate file: one TOML file describing one application's DR estate.
//! Names follow the published interface contract; unknown keys are errors.

mod duration;
mod error;
mod region;
pub mod runbook;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub use duration::HumanDuration;
pub use error::ConfigError;
pub use region::Region;

use crate::model::Side;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Estate {
    pub name: String,
    #[serde(default = "defaults::poll_interval")]
    pub poll_interval: HumanDuration,
    #[serde(default = "defaults::lag_warning")]
    pub lag_warning: HumanDuration,
    #[serde(default = "defaults::rpo_budget")]
    pub rpo_budget: HumanDuration,
    /// Longest a single AWS call may take before its region is reported unreachable.
    #[serde(default = "defaults::call_timeout")]
    pub call_timeout: HumanDuration,
    /// How long a planned failback waits with writes stopped and the reverse replica at lag 0
    /// before it promotes that replica.
    #[serde(default = "defaults::failback_settle")]
    pub failback_settle: HumanDuration,
    pub primary: RegionConfig,
    pub standby: RegionConfig,
    pub database: Option<Database>,
    pub ecs: Option<Ecs>,
    #[serde(default)]
    pub asgs: Vec<Asg>,
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    pub dns: Option<Dns>,
    #[serde(default)]
    pub health_checks: Vec<HealthCheck>,
    #[serde(default)]
    pub alarms: Vec<Alarm>,
    /// Runbooks written in the file; defaults are generated for those not written.
    #[serde(default)]
    pub runbooks: BTreeMap<String, runbook::RunbookSpec>,
}

mod defaults {
    use super::HumanDuration;
    use std::time::Duration;
    pub fn poll_interval() -> HumanDuration {
        HumanDuration(Duration::from_secs(5))
    }
    pub fn lag_warning() -> HumanDuration {
        HumanDuration(Duration::from_secs(30))
    }
    pub fn rpo_budget() -> HumanDuration {
        HumanDuration(Duration::from_secs(300))
    }
    pub fn call_timeout() -> HumanDuration {
        HumanDuration(Duration::from_secs(5))
    }
    pub fn failback_settle() -> HumanDuration {
        HumanDuration(Duration::from_secs(30))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionConfig {
    pub region: Region,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum DatabaseKind {
    #[serde(rename = "rds-replica")]
    RdsReplica,
    #[serde(rename = "aurora-global")]
    AuroraGlobal,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub kind: DatabaseKind,
    pub primary: String,
    pub standby: String,
    pub global_cluster: Option<String>,
    pub endpoint_parameter: Option<String>,
    pub endpoint_secret: Option<String>,
    /// Instance class for the replica recreated on failback (defaults to the source's).
    pub replica_class: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ecs {
    pub primary_cluster: String,
    pub standby_cluster: String,
    #[serde(default)]
    pub services: Vec<EcsService>,
}

impl Ecs {
    pub fn cluster(&self, side: Side) -> &str {
        match side {
            Side::Primary => &self.primary_cluster,
            Side::Standby => &self.standby_cluster,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EcsService {
    pub name: String,
    pub production: u32,
    pub standby: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    pub min: u32,
    pub max: u32,
    pub desired: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asg {
    pub name: Option<String>,
    pub primary_name: Option<String>,
    pub standby_name: Option<String>,
    pub production: Capacity,
    pub standby: Capacity,
}

impl Asg {
    /// The group's name in one region (`primary_name` / `standby_name` override `name`).
    pub fn name_in(&self, side: Side) -> &str {
        let specific = match side {
            Side::Primary => self.primary_name.as_deref(),
            Side::Standby => self.standby_name.as_deref(),
        };
        specific.or(self.name.as_deref()).unwrap_or("")
    }
    /// The label the dashboard uses for the pair.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.primary_name.as_deref())
            .unwrap_or("")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    pub name: String,
    pub asg: Option<String>,
    pub primary_arn: String,
    pub standby_arn: String,
    /// Port instances are registered on (defaults to the group's own port).
    pub port: Option<u16>,
}

impl TargetGroup {
    pub fn arn(&self, side: Side) -> &str {
        match side {
            Side::Primary => &self.primary_arn,
            Side::Standby => &self.standby_arn,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    pub zone_id: String,
    pub record: String,
    #[serde(rename = "type", default = "default_record_type")]
    pub record_type: String,
    #[serde(default = "default_ttl")]
    pub ttl: i64,
    pub primary_value: String,
    pub standby_value: String,
}

fn default_record_type() -> String {
    "CNAME".into()
}
fn default_ttl() -> i64 {
    60
}

impl Dns {
    pub fn value(&self, side: Side) -> &str {
        match side {
            Side::Primary => &self.primary_value,
            Side::Standby => &self.standby_value,
        }
    }
    /// Which region a record value points at, if it is one of the two known values.
    pub fn side_of(&self, value: &str) -> Option<Side> {
        let norm = |v: &str| v.trim_end_matches('.').to_ascii_lowercase();
        let v = norm(value);
        if v == norm(&self.primary_value) {
            Some(Side::Primary)
        } else if v == norm(&self.standby_value) {
            Some(Side::Standby)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    pub id: String,
    pub label: String,
    pub region: Side,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    pub name: String,
    pub region: Side,
}

impl Estate {
    pub fn region(&self, side: Side) -> &RegionConfig {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }
    pub fn poll_interval(&self) -> Duration {
        self.poll_interval.0
    }
    pub fn services(&self) -> &[EcsService] {
        self.ecs
            .as_ref()
            .map(|e| e.services.as_slice())
            .unwrap_or(&[])
    }

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
        let estate: Estate =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(origin, text, &e))?;
        estate.validate(origin, text)?;
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
        Estate::parse_bytes_checked(&bytes, &path.display().to_string(), extra)
    }

    /// Checks that need the whole file: cross references and value ranges.
    fn validate(&self, origin: &str, text: &str) -> Result<(), ConfigError> {
        let fail = |key: &str, message: String| Err(invalid(origin, text, key, message));
        if let Err((key, message)) = validate::estate(self) {
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

#[cfg(test)]
mod tests;
