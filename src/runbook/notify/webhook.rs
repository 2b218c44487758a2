//! Posting to a webhook: a JSON body whose `text` is the message (what Slack's incoming
//! webhooks read), with the event's fields beside it. Any 2xx answer is success.
//!
//! The URL is a secret (its path is the channel's key): it is held as a [`SecretString`] and
//! no error says more of it than its scheme and host. The HTTP client's errors carry the URL,
//! so they are rebuilt without it.

use async_trait::async_trait;
use serde_json::json;

use super::{ATTEMPT_TIMEOUT, Message, Sink};
use crate::model::{REDACTED, SecretString, url_origin};

pub struct Webhook {
    client: reqwest::Client,
    url: SecretString,
}

impl Webhook {
    pub fn new(url: SecretString) -> Webhook {
        Webhook {
            client: reqwest::Client::builder()
                .timeout(ATTEMPT_TIMEOUT)
                .build()
                .unwrap_or_default(),
            url,
        }
    }
}

/// What went wrong with a request, without its URL: the kind, then the causes (which name a
/// host at most), and whatever of the URL might still be in them cut out.
pub fn describe_error(e: reqwest::Error, url: &SecretString) -> String {
    let kind = if e.is_timeout() {
        "no answer in time"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_body() || e.is_decode() {
        "bad answer body"
    } else if e.is_builder() {
        "invalid request"
    } else {
        "request failed"
    };
    let e = e.without_url();
    let mut text = kind.to_string();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    scrub(&text, url)
}

/// `text` with the URL, and its path alone, replaced by what may be shown of it.
fn scrub(text: &str, url: &SecretString) -> String {
    let full = url.expose();
    let origin = url_origin(url);
    let mut out = text.replace(full.as_str(), &origin);
    if let Some(rest) = full.split_once("://").map(|(_, r)| r)
        && let Some(i) = rest.find(['/', '?', '#'])
    {
        let path = &rest[i..];
        if path.len() > 1 {
            out = out.replace(path, REDACTED);
        }
    }
    out
}

#[async_trait]
impl Sink for Webhook {
    /// The scheme and host only: the path of a Slack webhook is its secret.
    fn label(&self) -> String {
        format!("webhook {}", url_origin(&self.url))
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
            .post(self.url.expose())
            .json(&body)
            .send()
            .await
            .map_err(|e| describe_error(e, &self.url))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {}", res.status()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_delivery_names_the_host_and_not_the_path() {
        // A port just freed: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let url = SecretString::from(format!("http://127.0.0.1:{port}/services/T0/B0/SECRETPATH"));
        let hook = Webhook::new(url.clone());
        assert_eq!(hook.label(), format!("webhook http://127.0.0.1:{port}"));
        let m = Message {
            event: "run_started".into(),
            estate: "e".into(),
            runbook: "failover".into(),
            run_id: "r".into(),
            step: None,
            text: "t".into(),
        };
        let err = hook.send(&m).await.unwrap_err();
        assert!(err.starts_with("cannot connect"), "{err}");
        assert!(!err.contains("SECRETPATH"), "{err}");
        assert!(!err.contains("/services"), "{err}");
    }

    #[test]
    fn scrub_cuts_the_url_and_its_path() {
        let url = SecretString::from("https://hooks.example.com/services/T0/B0/XYZ");
        let t = scrub(
            "for url (https://hooks.example.com/services/T0/B0/XYZ) and /services/T0/B0/XYZ",
            &url,
        );
        assert_eq!(t, "for url (https://hooks.example.com) and ‹redacted›");
    }
}
