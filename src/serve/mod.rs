//! `drconsole serve --metrics ADDR`: the console's polls and the runbooks' evaluation without
//! a terminal, served for Prometheus as OpenMetrics at `/metrics` (and `/healthz`). Read-only:
//! it reads AWS and the state directory, and never changes either.
//!
//! - [`state`]: what is known of each estate; [`metrics`]: the exposition;
//!   [`http`]: the two endpoints.

mod command;
pub mod http;
pub mod metrics;
pub mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};

use crate::backend::Backend;
use crate::config::Estate;
use crate::poll::{self, PollControl, PollSettings};
use http::{Answer, OPENMETRICS};
use metrics::Estates;
use state::EstateState;

pub use command::{ServeOptions, command};

/// How often the state directory is read for an unfinished run.
const RUNS_EVERY: Duration = Duration::from_secs(15);

/// Starts the pollers and the evaluation of `estate`; returns its state.
pub fn watch(
    estate: Arc<Estate>,
    backend: Arc<dyn Backend>,
    state_dir: PathBuf,
) -> Arc<Mutex<EstateState>> {
    let state = Arc::new(Mutex::new(EstateState::new(
        estate.clone(),
        backend.clone(),
        state_dir,
    )));
    let (poll_tx, mut poll_rx) = mpsc::unbounded_channel();
    poll::spawn_all(
        backend.clone(),
        PollSettings::new(estate.poll_interval(), estate.call_timeout.0),
        PollControl::default(),
        poll_tx,
    );
    let (eval_tx, mut eval_rx) = mpsc::unbounded_channel();
    crate::evaluate::schedule::spawn(
        estate.clone(),
        backend,
        crate::evaluate::schedule::interval(&estate),
        Arc::new(Notify::new()),
        eval_tx,
    );
    let s = state.clone();
    tokio::spawn(async move {
        let mut runs = tokio::time::interval(RUNS_EVERY);
        loop {
            tokio::select! {
                ev = poll_rx.recv() => match ev {
                    Some(ev) => lock(&s).apply(ev),
                    None => return,
                },
                evs = eval_rx.recv() => match evs {
                    Some(evs) => lock(&s).evaluated(evs, Instant::now()),
                    None => return,
                },
                _ = runs.tick() => {
                    let dir = lock(&s).state_dir.clone();
                    // Reading journals is file IO: off the runtime's workers.
                    let found = tokio::task::spawn_blocking(move || {
                        crate::runbook::Journal::find_unfinished(&dir)
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                    lock(&s).set_run(found);
                }
            }
        }
    });
    state
}

fn lock(s: &Arc<Mutex<EstateState>>) -> std::sync::MutexGuard<'_, EstateState> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

/// Serves the estates' metrics on `addr` until the process is stopped (SIGTERM or Ctrl-C).
pub async fn run(
    addr: SocketAddr,
    estates: Vec<(Arc<Estate>, Arc<dyn Backend>)>,
    state_dir: PathBuf,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let states: Vec<_> = estates
        .into_iter()
        .map(|(e, b)| watch(e, b, state_dir.clone()))
        .collect();
    let names: Vec<String> = states.iter().map(|s| lock(s).estate.name.clone()).collect();
    let collector = Arc::new(Estates {
        estates: states,
        started: Instant::now(),
    });
    let registry = Arc::new(metrics::registry(collector));
    // The address actually bound (port 0 picks one): scripts and tests read it here.
    eprintln!(
        "serving metrics of {} on http://{local}/metrics",
        names.join(", ")
    );
    let route = move |method: &str, path: &str| -> Answer {
        if method != "GET" && method != "HEAD" {
            return Answer::text("405 Method Not Allowed", "only GET\n");
        }
        match path {
            "/metrics" => match metrics::render(&registry) {
                Ok(body) => Answer {
                    status: "200 OK",
                    content_type: OPENMETRICS,
                    body,
                },
                Err(_) => Answer::text("500 Internal Server Error", "encoding failed\n"),
            },
            "/healthz" => Answer::text("200 OK", "ok\n"),
            _ => Answer::text("404 Not Found", "try /metrics or /healthz\n"),
        }
    };
    tokio::select! {
        _ = http::serve(listener, route) => Ok(()),
        _ = stopped() => Ok(()),
    }
}

/// SIGTERM (systemd's stop) or Ctrl-C.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests;
