//! Step kinds, one file each, behind one trait. A kind's file states, at its top, the five
//! facts of a runbook action: its inputs, what it calls, what it waits for, its default
//! timeout and how it fails. The engine knows [`StepKind`] only.
//!
//! Adding a kind: write its file (a spec struct that derives `Deserialize`/`Serialize`, with
//! `impl Kind` for its name and `impl StepKind` for its behaviour), and add one line to
//! [`Registry::builtin`].

mod check;
mod command;
mod condition;
mod force_deployment;
mod global_cluster;
mod http_check;
mod invert_health_check;
mod invoke_lambda;
mod manual;
mod move_dns;
mod once;
mod promote_replica;
mod read;
mod register_targets;
mod reprotect;
mod restore_from_backup;
mod scale_services;
mod set_asg_capacity;
mod set_aside_restore;
mod wait;
mod write_endpoint;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use check::Check;
pub use command::{Command, run_command};
pub use force_deployment::ForceDeployment;
pub use global_cluster::{GlobalFailover, GlobalSwitchover};
pub use http_check::HttpCheck;
pub use invert_health_check::InvertHealthCheck;
pub use invoke_lambda::InvokeLambda;
pub use manual::Manual;
pub use move_dns::MoveDns;
pub use promote_replica::PromoteReplica;
pub use register_targets::RegisterTargets;
pub use reprotect::{Reprotect, stale_id};
pub use restore_from_backup::RestoreFromBackup;
pub use scale_services::ScaleServices;
pub use set_asg_capacity::SetAsgCapacity;
pub use set_aside_restore::SetAsideRestore;
pub use wait::Wait;
pub use write_endpoint::WriteEndpoint;

use super::error::StepError;
use super::plan::{StepMemo, StepPlan, Verdict};
use super::reader::Reader;
use crate::config::Estate;
use crate::config::runbook::StepSpec;
use crate::model::Side;

/// What a step can see while it plans or verifies: reads through the backend (with the call
/// timeout) and what it remembered in the journal.
pub struct StepCx<'a> {
    pub reader: &'a Reader,
    pub memo: &'a StepMemo,
    /// The run and the step: stable across retries and resumes of this run (what an
    /// idempotency token is made of).
    pub run_id: &'a str,
    pub step_id: &'a str,
    /// When the run started, as its journal holds it: what a name the run makes up (a
    /// renamed instance's) is stamped with, so every plan of the run makes the same one.
    pub run_started: chrono::DateTime<chrono::Utc>,
}

impl StepCx<'_> {
    pub fn estate(&self) -> &Estate {
        &self.reader.estate
    }
}

/// A moment the drill report measures RTO by, reached when a step reaches its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    /// DNS now sends traffic to this side.
    DnsMoved(Side),
    /// This side's health checks are seen healthy.
    Healthy(Side),
}

/// The behaviour of one step kind.
#[async_trait]
pub trait StepKind: fmt::Debug + Send + Sync {
    /// The title shown when the step does not write its own.
    fn title(&self) -> String;
    /// Checks the names the step refers to against the estate.
    fn validate(&self, estate: &Estate) -> Result<(), String>;
    /// How long verification may take unless the step says `timeout`: AWS's usual time, with margin.
    fn default_timeout(&self) -> Duration;
    /// Whether the step waits for a person (then it cannot run inside a parallel group).
    fn needs_operator(&self) -> bool {
        false
    }
    /// Whether its call cannot be undone (the operator then types the region to confirm it):
    /// said before a run starts, in the runbook list.
    fn irreversible(&self) -> bool {
        false
    }
    /// Whether the consent its plan needs depends on what AWS or the journal shows (a data
    /// loss, an unknown outcome), beyond [`Self::irreversible`]: a headless run plans such a
    /// step before its first change, to refuse up front when its flags do not cover it.
    fn consent_from_state(&self) -> bool {
        false
    }
    /// Reads what the step needs and says what it would change now. Only reads.
    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError>;
    /// Whether AWS shows the step's target state now. Only reads.
    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError>;
    /// The regions the step calls: where it acts, and what it must read to plan or verify.
    /// A run reads no other region (a failover does not call the failed primary); warnings
    /// about one come from the last reading known. Both unless the kind says otherwise.
    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        Side::BOTH.to_vec()
    }
    /// What reaching the target state means for the drill report.
    fn milestone(&self, _estate: &Estate) -> Option<Milestone> {
        None
    }
}

/// A step kind as written in the estate file: its name, and its keys as a spec struct.
pub trait Kind: StepKind + Serialize + DeserializeOwned + 'static {
    /// `kind = "..."` in the estate file.
    const NAME: &'static str;
    /// Other names accepted for it.
    const ALIASES: &'static [&'static str] = &[];

    /// This step as the estate file would write it.
    fn spec(&self) -> StepSpec {
        StepSpec::of(Self::NAME, self)
    }
}

type Build = fn(&Map<String, Value>) -> Result<Arc<dyn StepKind>, String>;

/// A kind built from its keys, under its own name; or why the keys do not fit it.
pub type Built = Result<(&'static str, Arc<dyn StepKind>), String>;

/// The step kinds a runbook may use, by the name written in the file.
#[derive(Clone, Default)]
pub struct Registry {
    kinds: BTreeMap<&'static str, (&'static str, Build)>,
}

fn build<K: Kind>(params: &Map<String, Value>) -> Result<Arc<dyn StepKind>, String> {
    let k: K = serde_json::from_value(Value::Object(params.clone())).map_err(|e| e.to_string())?;
    Ok(Arc::new(k))
}

impl Registry {
    /// Every kind drconsole ships: one line each.
    pub fn builtin() -> Registry {
        let mut r = Registry::default();
        r.add::<Check>();
        r.add::<PromoteReplica>();
        r.add::<GlobalSwitchover>();
        r.add::<GlobalFailover>();
        r.add::<ScaleServices>();
        r.add::<ForceDeployment>();
        r.add::<SetAsgCapacity>();
        r.add::<RegisterTargets>();
        r.add::<MoveDns>();
        r.add::<WriteEndpoint>();
        r.add::<Reprotect>();
        r.add::<Wait>();
        r.add::<Manual>();
        r.add::<InvertHealthCheck>();
        r.add::<Command>();
        r.add::<InvokeLambda>();
        r.add::<HttpCheck>();
        r.add::<RestoreFromBackup>();
        r.add::<SetAsideRestore>();
        r
    }

    pub fn add<K: Kind>(&mut self) -> &mut Registry {
        for name in std::iter::once(K::NAME).chain(K::ALIASES.iter().copied()) {
            self.kinds.insert(name, (K::NAME, build::<K>));
        }
        self
    }

    /// The kind named `name` (an alias gives the kind's own name) built from its keys.
    pub fn build(&self, name: &str, params: &Map<String, Value>) -> Option<Built> {
        let (canonical, build) = self.kinds.get(name)?;
        Some(build(params).map(|k| (*canonical, k)))
    }

    /// Every name a step may be written with.
    pub fn names(&self) -> Vec<String> {
        self.kinds.keys().map(|k| k.to_string()).collect()
    }
}

/// The built-in registry, made once.
pub fn builtin() -> Arc<Registry> {
    static REG: OnceLock<Arc<Registry>> = OnceLock::new();
    REG.get_or_init(|| Arc::new(Registry::builtin())).clone()
}
