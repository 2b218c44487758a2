//! The sections that name the estate's resources in each region: the regions themselves, the
//! database, ECS, Auto Scaling groups and target groups.

use serde::Deserialize;

use super::Region;
use crate::model::Side;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionConfig {
    pub region: Region,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// The AWS account the region's credentials must act in: runbooks refuse any other.
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum DatabaseKind {
    #[serde(rename = "rds-replica")]
    RdsReplica,
    #[serde(rename = "aurora-global")]
    AuroraGlobal,
    /// A warm standby with no replica: the standby database is restored from the newest
    /// AWS Backup recovery point of the primary on failover.
    #[serde(rename = "backup-restore")]
    BackupRestore,
}

/// As the estate file writes it: `rds-replica`, `aurora-global`.
impl std::fmt::Display for DatabaseKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DatabaseKind::RdsReplica => "rds-replica",
            DatabaseKind::AuroraGlobal => "aurora-global",
            DatabaseKind::BackupRestore => "backup-restore",
        })
    }
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
    /// The key of a JSON `endpoint_secret` that holds the host (default `host`); every other
    /// key is kept. Written explicitly, it also says the secret must be a JSON object.
    pub endpoint_secret_key: Option<String>,
    /// Instance class for the replica recreated on failback (defaults to the source's).
    pub replica_class: Option<String>,
    /// backup-restore: the AWS Backup vault in the standby region holding the copies.
    pub backup_vault: Option<String>,
    /// backup-restore: the DB subnet group of the restored instance.
    pub subnet_group: Option<String>,
    /// backup-restore: the VPC security groups of the restored instance.
    pub security_groups: Option<Vec<String>>,
    /// backup-restore: the class of the restored instance (defaults to the backup's).
    pub instance_class: Option<String>,
}

/// One line for `check`'s summary: the kind as written, both databases, and where the new
/// endpoint is written on failover.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {}", self.kind, self.primary, self.standby)?;
        if let Some(g) = &self.global_cluster {
            write!(f, " (global cluster {g})")?;
        }
        match (&self.endpoint_parameter, &self.endpoint_secret) {
            (None, None) => f.write_str(" · endpoint not written")?,
            (p, s) => {
                if let Some(p) = p {
                    write!(f, " · endpoint parameter {p}")?;
                }
                if let Some(s) = s {
                    write!(f, " · endpoint secret {s}")?;
                    if let Some(k) = &self.endpoint_secret_key {
                        write!(f, " (key {k})")?;
                    }
                }
            }
        }
        if let Some(c) = &self.replica_class {
            write!(f, " · replica class {c}")?;
        }
        if let Some(v) = &self.backup_vault {
            write!(f, " · restored from vault {v}")?;
        }
        if let Some(c) = &self.instance_class {
            write!(f, " · instance class {c}")?;
        }
        Ok(())
    }
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
