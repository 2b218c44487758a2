//! `http_check` — GET a URL until it answers as expected: the scripts' `test-dr`, as a step.
//!
//! - inputs: `url` (`http://` or `https://`), `expect_status` (default 200), `contains`
//!   (optional: a text the body must contain), `interval` (between two requests, default 5s)
//! - calls: `GET url`, at most once per `interval`, each bounded by the estate's
//!   `call_timeout`; redirects are followed. Not an AWS call: it runs for real on the
//!   simulator too. Nothing is changed, so there is nothing to confirm
//! - waits for: the expected status (and body text)
//! - default timeout: 5 minutes
//! - fails when: the URL does not answer as expected in time; the error gives the last answer
//!   (status and reason, a body without the text, or why no answer came)

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::{Kind, StepCx, StepKind};
use crate::config::{Estate, HumanDuration};
use crate::model::Side;
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

fn ok_status() -> u16 {
    200
}

fn five_seconds() -> HumanDuration {
    HumanDuration(Duration::from_secs(5))
}

/// Most of a body read to look for `contains`.
const MAX_BODY: usize = 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpCheck {
    pub url: String,
    #[serde(default = "ok_status")]
    pub expect_status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    #[serde(default = "five_seconds")]
    pub interval: HumanDuration,
    /// When the last request was sent, and what it showed (this run only).
    #[serde(skip)]
    last: Mutex<Option<(Instant, bool, String)>>,
    #[serde(skip)]
    client: OnceLock<reqwest::Client>,
}

impl Kind for HttpCheck {
    const NAME: &'static str = "http_check";
}

impl HttpCheck {
    pub fn new(url: &str) -> HttpCheck {
        HttpCheck {
            url: url.to_string(),
            expect_status: ok_status(),
            contains: None,
            interval: five_seconds(),
            last: Mutex::new(None),
            client: OnceLock::new(),
        }
    }

    fn target(&self) -> String {
        match &self.contains {
            Some(t) => format!("{} with {t:?} in the body", self.expect_status),
            None => self.expect_status.to_string(),
        }
    }

    /// One GET: whether it answered as expected, and what it answered.
    async fn probe(&self, timeout: Duration) -> (bool, String) {
        let client = self.client.get_or_init(|| {
            reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .unwrap_or_default()
        });
        let resp = match client.get(&self.url).send().await {
            Ok(r) => r,
            Err(e) => return (false, format!("no answer: {}", why(&e))),
        };
        let status = resp.status();
        let shown = match status.canonical_reason() {
            Some(r) => format!("{} {r}", status.as_u16()),
            None => status.as_u16().to_string(),
        };
        if status.as_u16() != self.expect_status {
            return (false, shown);
        }
        let Some(want) = &self.contains else {
            return (true, shown);
        };
        match body(resp).await {
            Ok(b) if b.contains(want.as_str()) => (true, format!("{shown}, body has {want:?}")),
            Ok(_) => (false, format!("{shown}, body lacks {want:?}")),
            Err(e) => (false, format!("{shown}, body unreadable: {}", why(&e))),
        }
    }
}

/// The body's first [`MAX_BODY`] bytes, as text.
async fn body(mut resp: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() >= MAX_BODY {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The innermost cause of a request's failure (connection refused, timed out), not only
/// "error sending request".
fn why(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    if e.is_timeout() {
        format!("timed out ({text})")
    } else {
        text
    }
}

#[async_trait]
impl StepKind for HttpCheck {
    fn title(&self) -> String {
        format!("check {} answers {}", self.url, self.target())
    }

    fn validate(&self, _estate: &Estate) -> Result<(), String> {
        match reqwest::Url::parse(&self.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {}
            Ok(_) => {
                return Err(format!(
                    "expected an http:// or https:// URL with a host in `url`, found {:?}",
                    self.url
                ));
            }
            Err(e) => {
                return Err(format!(
                    "expected an http:// or https:// URL in `url`, found {:?} ({e})",
                    self.url
                ));
            }
        }
        if !(100..=599).contains(&self.expect_status) {
            return Err(format!(
                "expected an HTTP status from 100 to 599 in `expect_status`, found {}",
                self.expect_status
            ));
        }
        let i = self.interval.0;
        if i < Duration::from_millis(100) || i > Duration::from_secs(3600) {
            return Err(format!(
                "expected an `interval` from 100ms to 1h, found {}",
                self.interval
            ));
        }
        if self.contains.as_deref() == Some("") {
            return Err("expected a text in `contains`, found an empty string".into());
        }
        Ok(())
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(5 * 60)
    }

    /// No region: the URL is asked from here.
    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        Vec::new()
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let (ok, detail) = self.probe(cx.estate().call_timeout.0).await;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), ok, detail.clone()));
        Ok(StepPlan {
            current: format!("GET {}: {detail}", self.url),
            target: self.target(),
            ..StepPlan::default()
        })
    }

    /// Sends a request when `interval` has passed since the last one; between two, what the
    /// last one showed.
    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let recent = self
            .last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .filter(|(at, _, _)| at.elapsed() < self.interval.0);
        let (ok, detail) = match recent {
            Some((_, ok, detail)) => (ok, detail),
            None => {
                let (ok, detail) = self.probe(cx.estate().call_timeout.0).await;
                *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((Instant::now(), ok, detail.clone()));
                (ok, detail)
            }
        };
        let line = format!("GET {}: {detail}", self.url);
        Ok(if ok {
            Verdict::Done(line)
        } else {
            Verdict::Pending(line)
        })
    }
}
