//! Posting to a webhook: a JSON body whose `text` is the message (what Slack's incoming
//! webhooks read), with the event's fields beside it. Any 2xx answer is success.

use async_trait::async_trait;
use serde_json::json;

use super::{ATTEMPT_TIMEOUT, Message, Sink};

pub struct Webhook {
    client: reqwest::Client,
    url: String,
}

impl Webhook {
    pub fn new(url: &str) -> Webhook {
        Webhook {
            client: reqwest::Client::builder()
                .timeout(ATTEMPT_TIMEOUT)
                .build()
                .unwrap_or_default(),
            url: url.to_string(),
        }
    }
}

#[async_trait]
impl Sink for Webhook {
    /// The scheme and host only: the path of a Slack webhook is its secret.
    fn label(&self) -> String {
        let host = self
            .url
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or("");
        format!("webhook {}", host)
    }

    async fn send(&self, m: &Message) -> Result<(), String> {
        let body = json!({
            "text": m.text,
            "event": m.event,
            "estate": m.estate,
            "runbook": m.runbook,
            "run_id": m.run_id,
            "step": m.step,
        });
        let res = self
            .client
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("{e}"))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {}", res.status()))
        }
    }
}
