//! The estate as `init` assembles it before writing: each value with the notes that say where
//! it came from (`from terraform: …`, `read from AWS: …`) and what to check (`CHECK: …`), and
//! the required values it could not find, with where it looked.

use crate::config::Capacity;
use crate::model::Side;

/// What a value's comment says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// `from terraform: module.dr.aws_db_instance.replica`
    Terraform(String),
    /// `from tag app=orders: arn:…`, `from stack orders in us-east-1: Replica (AWS::RDS::DBInstance)`
    From(String),
    /// `read from AWS: desired 4 in us-east-1`
    Aws(String),
    /// `CHECK: …`: a guess, or something the user should decide.
    Check(String),
}

impl Note {
    pub fn line(&self) -> String {
        match self {
            Note::Terraform(a) => format!("# from terraform: {a}"),
            Note::From(a) => format!("# from {a}"),
            Note::Aws(a) => format!("# read from AWS: {a}"),
            Note::Check(a) => format!("# CHECK: {a}"),
        }
    }
}

/// A required value that was not found: what it is, and where init looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub what: String,
    pub looked: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    RdsReplica,
    AuroraGlobal,
    BackupRestore,
}

impl DbKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DbKind::RdsReplica => "rds-replica",
            DbKind::AuroraGlobal => "aurora-global",
            DbKind::BackupRestore => "backup-restore",
        }
    }
}

/// Where the applications read the writer's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointStore {
    Parameter(String),
    /// A secret whose whole value is the address.
    Secret(String),
    /// A JSON secret: the key that holds the address.
    SecretKey(String, String),
}

#[derive(Debug, Clone, Default)]
pub struct DbDraft {
    pub kind: Option<DbKind>,
    pub primary: String,
    /// Empty when not found (then listed as missing).
    pub standby: String,
    pub global_cluster: Option<String>,
    pub backup_vault: Option<String>,
    pub subnet_group: Option<String>,
    pub security_groups: Vec<String>,
    pub instance_class: Option<String>,
    pub endpoint: Option<EndpointStore>,
    /// Candidate endpoint stores in the standby region: (kind "parameter"/"secret", name, where
    /// it was found).
    pub store_candidates: Vec<(String, String, Note)>,
    /// The primary's address as Terraform recorded it (AWS's wins once read).
    pub primary_address: Option<String>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDraft {
    pub name: String,
    pub production: Option<u32>,
    pub standby: Option<u32>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, Default)]
pub struct EcsDraft {
    pub primary_cluster: String,
    pub standby_cluster: String,
    pub services: Vec<ServiceDraft>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone)]
pub struct AsgDraft {
    pub primary_name: String,
    pub standby_name: String,
    pub production: Option<Capacity>,
    pub standby: Option<Capacity>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone)]
pub struct TgDraft {
    pub name: String,
    pub asg: Option<String>,
    pub primary_arn: String,
    pub standby_arn: String,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub dns_name: String,
    pub zone_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsTargets {
    Values {
        primary: String,
        standby: String,
    },
    Aliases {
        primary: Alias,
        standby: Alias,
        evaluate_target_health: bool,
    },
    FailoverRouting {
        primary_set: String,
        standby_set: String,
        primary_health_check: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct DnsDraft {
    pub zone_id: String,
    pub record: String,
    pub kind: String,
    pub ttl: Option<u64>,
    pub targets: DnsTargets,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone)]
pub struct HealthCheckDraft {
    pub id: String,
    pub label: String,
    pub side: Side,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone)]
pub struct AlarmDraft {
    pub name: String,
    pub side: Side,
    pub notes: Vec<Note>,
}

/// Everything init found, before and after AWS confirmed it.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub name: String,
    pub name_notes: Vec<Note>,
    pub primary_region: String,
    pub standby_region: String,
    pub database: Option<DbDraft>,
    pub ecs: Option<EcsDraft>,
    pub asgs: Vec<AsgDraft>,
    pub target_groups: Vec<TgDraft>,
    pub dns: Option<DnsDraft>,
    pub health_checks: Vec<HealthCheckDraft>,
    pub alarms: Vec<AlarmDraft>,
    /// Notes about the whole estate (what was found and not used, what was not found).
    pub notes: Vec<Note>,
    pub missing: Vec<Missing>,
    /// The sources read, for the file's header: `terraform state dr.tfstate`.
    pub sources: Vec<String>,
}

impl Draft {
    pub fn region(&self, side: Side) -> &str {
        match side {
            Side::Primary => &self.primary_region,
            Side::Standby => &self.standby_region,
        }
    }
    pub fn side_of(&self, region: Option<&str>) -> Option<Side> {
        match region {
            Some(r) if r == self.primary_region => Some(Side::Primary),
            Some(r) if r == self.standby_region => Some(Side::Standby),
            _ => None,
        }
    }
}
