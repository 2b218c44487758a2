//! What `drconsole serve` loads before it serves: every estate named (or the simulator's),
//! each with its backend.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::backend::Backend;
use crate::backend::aws::AwsBackend;
use crate::backend::sim::{self, SimClock, Simulator};
use crate::config::Estate;
use crate::exit::{self, Failure};

pub struct ServeOptions {
    pub addr: SocketAddr,
    /// Simulate the estates instead of reading AWS (always without an estate file).
    pub simulate: bool,
    pub seed: u64,
    pub sim_speed: f64,
    /// Where unfinished runs are looked for (default: the console's state directory).
    pub state_dir: Option<PathBuf>,
}

/// Loads `paths` (none: the simulator's built-in estate) and serves until stopped.
pub async fn command(paths: &[PathBuf], opts: ServeOptions) -> Result<i32, Failure> {
    let mut estates: Vec<(Arc<Estate>, Arc<dyn Backend>)> = Vec::new();
    let simulate = opts.simulate || paths.is_empty();
    let loaded: Vec<Estate> = if paths.is_empty() {
        vec![sim::built_in_estate()]
    } else {
        paths
            .iter()
            .map(|p| crate::runbook::load_estate(p).map_err(Failure::estate))
            .collect::<Result<_, _>>()?
    };
    let mut names: Vec<&str> = loaded.iter().map(|e| e.name.as_str()).collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(Failure::config(format!(
            "two estate files name the estate {:?}: its metrics would be mixed",
            w[0]
        )));
    }
    for (i, estate) in loaded.into_iter().enumerate() {
        let backend: Arc<dyn Backend> = if simulate {
            Simulator::new(
                estate.clone(),
                opts.seed.wrapping_add(i as u64),
                SimClock::scaled(opts.sim_speed),
            )
        } else {
            Arc::new(AwsBackend::connect(&estate).await)
        };
        estates.push((Arc::new(estate), backend));
    }
    let state_dir = opts
        .state_dir
        .unwrap_or_else(crate::runbook::default_state_dir);
    super::run(opts.addr, estates, state_dir)
        .await
        .map_err(|e| Failure::io(format!("serving metrics on {}: {e}", opts.addr)))?;
    Ok(exit::OK)
}
