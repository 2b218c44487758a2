//! Run events sent to the incident channel: an SNS topic (`[notify] sns_topic_arn`, published
//! in the topic's own region) and/or a webhook (`[notify] webhook_url` or `webhook_url_env`, a
//! JSON body with a Slack-compatible `text` field). The webhook's URL is a secret: it is shown
//! as its scheme and host only, in labels and in errors.
//!
//! A background task per destination, fed by the run's events, sends each message in order
//! with a few retries. It never holds the run up and never fails it: a message that cannot
//! be sent is logged (the run's log while the run lasts) and audited, as is every message
//! sent. In simulation nothing is sent; each message is audited as `notify_simulated`.

mod message;
pub mod sns;
pub mod webhook;

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::api::{Level, RunContext, RunEvent};
use super::lock::lease::Audit;
use super::recorder::Recorder;

pub use message::{Message, Messages};

/// Attempts per message and destination, and the first pause between them (doubling).
pub const ATTEMPTS: u32 = 4;
pub const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// Longest one attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// One destination.
#[async_trait]
pub trait Sink: Send + Sync {
    /// `sns arn:aws:sns:…`, `webhook https://host/…` (the path cut, it may hold a secret).
    fn label(&self) -> String;
    async fn send(&self, m: &Message) -> Result<(), String>;
}

/// Where the run's log is, once the run's record exists.
pub type LogSlot = Arc<Mutex<Option<Weak<Recorder>>>>;

/// The destinations of the estate's `[notify]`, none in simulation.
pub async fn sinks(ctx: &RunContext) -> Vec<Arc<dyn Sink>> {
    let Some(n) = ctx.estate.notify.as_ref() else {
        return Vec::new();
    };
    let mut out: Vec<Arc<dyn Sink>> = Vec::new();
    if let Some(arn) = &n.sns_topic_arn {
        out.push(Arc::new(sns::Topic::connect(&ctx.estate, arn).await));
    }
    if let Some(url) = &n.webhook {
        out.push(Arc::new(webhook::Webhook::new(url.clone())));
    }
    out
}

/// Starts one sender per destination, fed by `events`. The handle ends once every message
/// of the run has been sent or given up.
pub fn spawn(
    mut messages: Messages,
    sinks: Vec<Arc<dyn Sink>>,
    simulated: bool,
    audit: Audit,
    log: LogSlot,
    mut events: mpsc::UnboundedReceiver<RunEvent>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut senders = Vec::new();
        let mut queues = Vec::new();
        for sink in sinks {
            let (tx, rx) = mpsc::unbounded_channel();
            queues.push(tx);
            senders.push(tokio::spawn(deliver(sink, rx, audit.clone(), log.clone())));
        }
        while let Some(e) = events.recv().await {
            for m in messages.of(&e) {
                if simulated {
                    audit
                        .write(
                            "notify_simulated",
                            json!({"notification": m.event, "text": m.text}),
                        )
                        .await;
                }
                for q in &queues {
                    let _ = q.send(m.clone());
                }
            }
        }
        drop(queues);
        for s in senders {
            let _ = s.await;
        }
    })
}

/// Sends every message queued for one destination, in order.
async fn deliver(
    sink: Arc<dyn Sink>,
    mut rx: mpsc::UnboundedReceiver<Message>,
    audit: Audit,
    log: LogSlot,
) {
    while let Some(m) = rx.recv().await {
        let mut backoff = FIRST_BACKOFF;
        let mut last = String::new();
        let mut sent = None;
        for attempt in 1..=ATTEMPTS {
            match tokio::time::timeout(ATTEMPT_TIMEOUT, sink.send(&m)).await {
                Ok(Ok(())) => {
                    sent = Some(attempt);
                    break;
                }
                Ok(Err(e)) => last = e,
                Err(_) => last = format!("no answer in {}s", ATTEMPT_TIMEOUT.as_secs()),
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        match sent {
            Some(attempts) => {
                audit
                    .write(
                        "notify_sent",
                        json!({"sink": sink.label(), "notification": m.event, "step": m.step,
                               "attempts": attempts}),
                    )
                    .await
            }
            None => {
                let text = format!(
                    "notification not sent to {} after {ATTEMPTS} attempts ({}): {last}",
                    sink.label(),
                    m.event
                );
                let rec = log
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .as_ref()
                    .and_then(Weak::upgrade);
                if let Some(rec) = rec {
                    rec.emit(crate::runbook::api::RunEvent::Log(rec.line(
                        Level::Warn,
                        m.step.as_deref(),
                        text.clone(),
                    )));
                } else {
                    eprintln!("drconsole: {text}");
                }
                audit
                    .write(
                        "notify_failed",
                        json!({"sink": sink.label(), "notification": m.event, "step": m.step,
                               "attempts": ATTEMPTS, "error": last}),
                    )
                    .await
            }
        }
    }
}

#[cfg(test)]
mod tests;
