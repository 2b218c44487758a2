//! `[coordination]` (the run lock shared by every operator, in a DynamoDB table) and `[notify]`
//! (run events to an SNS topic and/or a webhook). Both optional; their values are checked as
//! they are read, so that a typo fails at load time.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::{HumanDuration, Region};
use crate::model::SecretString;

/// `[coordination]`: the DynamoDB table holding one item per estate (partition key `estate`,
/// a String). drconsole never creates the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coordination {
    #[serde(deserialize_with = "table_name")]
    pub table: String,
    /// Default: the standby region, which must not depend on the region that failed.
    pub region: Option<Region>,
    /// Default: the standby region's profile.
    pub profile: Option<String>,
    /// How long the run lock's lease lasts without a renewal (default 60 s, 10 s to 10 min):
    /// how soon another operator may take over a run that stopped answering, and how long
    /// the holder keeps acting without reaching the table. It is renewed every sixth of it.
    #[serde(default, deserialize_with = "lease")]
    pub lease: Option<HumanDuration>,
    /// `"irreversible"`: a step whose calls cannot be undone (or that discards acknowledged
    /// writes) waits, after its operator's typed confirmation, for another operator's
    /// approval through the table. `"none"` (the default): it does not.
    #[serde(default)]
    pub approval: Approval,
    /// How long such a step waits for the approval before the run stops there, unfinished
    /// (default 30 min, 10 s to 24 h).
    #[serde(default, deserialize_with = "approval_timeout")]
    pub approval_timeout: Option<HumanDuration>,
}

/// `[coordination] approval`: which steps need a second operator's approval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Approval {
    #[default]
    None,
    Irreversible,
}

/// The default and the bounds of `[coordination] approval_timeout`.
pub const APPROVAL_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const APPROVAL_TIMEOUT_RANGE: (Duration, Duration) =
    (Duration::from_secs(10), Duration::from_secs(24 * 3600));

impl Coordination {
    /// Whether a step that is irreversible or discards writes waits for a second operator.
    pub fn needs_approval(&self) -> bool {
        self.approval == Approval::Irreversible
    }

    pub fn approval_timeout(&self) -> Duration {
        self.approval_timeout.map_or(APPROVAL_TIMEOUT, |t| t.0)
    }
}

fn approval_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HumanDuration>, D::Error> {
    let h = HumanDuration::deserialize(d)?;
    let (lo, hi) = APPROVAL_TIMEOUT_RANGE;
    if h.0 < lo || h.0 > hi {
        return Err(serde::de::Error::custom(format!(
            "expected an approval timeout between 10s and 24h, found {}",
            humantime::format_duration(h.0)
        )));
    }
    Ok(Some(h))
}

/// The shortest and longest lease `[coordination] lease` accepts.
pub const LEASE_RANGE: (Duration, Duration) =
    (Duration::from_secs(10), Duration::from_secs(10 * 60));

fn lease<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HumanDuration>, D::Error> {
    let h = HumanDuration::deserialize(d)?;
    let (lo, hi) = LEASE_RANGE;
    if h.0 < lo || h.0 > hi {
        return Err(serde::de::Error::custom(format!(
            "expected a lease between 10s and 10m, found {}",
            humantime::format_duration(h.0)
        )));
    }
    Ok(Some(h))
}

/// `[notify]`: where run events are sent. Either, both, or neither.
///
/// A webhook URL is a secret (whoever has it can post to the channel): it is written in the
/// file (`webhook_url`) or read from the environment variable the file names
/// (`webhook_url_env`), never both, and never shown: errors name the key or the variable.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    #[serde(default, deserialize_with = "topic_arn")]
    pub sns_topic_arn: Option<String>,
    /// Checked by [`Notify::resolve`], not while parsing: a parse error quotes the file's line.
    #[serde(default)]
    pub webhook_url: Option<SecretString>,
    /// The environment variable holding the webhook URL.
    #[serde(default)]
    pub webhook_url_env: Option<String>,
    /// The webhook's URL as resolved when the file was loaded.
    #[serde(skip)]
    pub webhook: Option<SecretString>,
}

/// What an error about a webhook URL says instead of the URL.
const NOT_SHOWN: &str = "(the value is not shown: a webhook URL is a secret)";

impl Notify {
    /// Resolves the webhook's URL: from the file, or from the environment variable it names
    /// (read now, once). On failure, the key to report and what is wrong, never the value.
    pub fn resolve(&mut self) -> Result<(), (String, String)> {
        self.resolve_with(&|name| std::env::var(name))
    }

    pub fn resolve_with(
        &mut self,
        env: &dyn Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<(), (String, String)> {
        let fail = |key: &str, m: String| Err((format!("notify.{key}"), m));
        self.webhook = match (&self.webhook_url, &self.webhook_url_env) {
            (Some(_), Some(_)) => {
                return fail(
                    "webhook_url_env",
                    "expected webhook_url or webhook_url_env, not both".into(),
                );
            }
            (Some(url), None) => {
                if let Err(why) = check_webhook(url.expose()) {
                    return fail("webhook_url", format!("{why} {NOT_SHOWN}"));
                }
                Some(url.clone())
            }
            (None, Some(name)) => {
                let valid_name = !name.is_empty()
                    && !name.starts_with(|c: char| c.is_ascii_digit())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid_name {
                    return fail(
                        "webhook_url_env",
                        format!(
                            "expected the name of an environment variable (letters, digits, _), found {name:?}"
                        ),
                    );
                }
                let url = match env(name) {
                    Ok(v) if v.trim().is_empty() => {
                        return fail(
                            "webhook_url_env",
                            format!(
                                "the environment variable {name} is empty: expected the webhook URL in it"
                            ),
                        );
                    }
                    Ok(v) => SecretString::from(v),
                    Err(std::env::VarError::NotPresent) => {
                        return fail(
                            "webhook_url_env",
                            format!(
                                "the environment variable {name} is not set: expected the webhook URL in it"
                            ),
                        );
                    }
                    Err(std::env::VarError::NotUnicode(_)) => {
                        return fail(
                            "webhook_url_env",
                            format!("the environment variable {name} is not valid UTF-8"),
                        );
                    }
                };
                if let Err(why) = check_webhook(url.expose()) {
                    return fail(
                        "webhook_url_env",
                        format!("the environment variable {name}: {why} {NOT_SHOWN}"),
                    );
                }
                Some(url)
            }
            (None, None) => None,
        };
        Ok(())
    }

    /// The region an SNS topic lives in, from its ARN (`arn:PARTITION:sns:REGION:ACCOUNT:NAME`).
    pub fn topic_region(arn: &str) -> Option<&str> {
        arn.split(':').nth(3)
    }
}

/// DynamoDB table names: 3 to 255 characters of `a-z A-Z 0-9 _ - .`.
fn table_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let t = String::deserialize(d)?;
    let ok = (3..=255).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(t)
    } else {
        Err(serde::de::Error::custom(format!(
            "expected a DynamoDB table name (3 to 255 of a-z, A-Z, 0-9, _, -, .), found {t:?}"
        )))
    }
}

fn topic_arn<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let arn = String::deserialize(d)?;
    check_topic_arn(&arn).map_err(serde::de::Error::custom)?;
    Ok(Some(arn))
}

/// `arn:PARTITION:sns:REGION:ACCOUNT:TOPIC`, the region a valid region name.
pub fn check_topic_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.split(':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "sns"
        && Region::parse(parts[3]).is_ok()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && !parts[5].is_empty();
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected an SNS topic ARN such as \"arn:aws:sns:us-west-2:123456789012:dr-events\", \
             found {arn:?}"
        ))
    }
}

/// `http://` or `https://`, a host, no spaces or control characters. What is wrong is said
/// without the URL.
pub fn check_webhook(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = host.is_some_and(|h| !h.is_empty() && !h.contains('@'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err("expected an http:// or https:// URL with a host and no credentials".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_arns() {
        assert!(check_topic_arn("arn:aws:sns:us-west-2:123456789012:dr-events").is_ok());
        assert!(check_topic_arn("arn:aws:sns:us-west-2:123456789012").is_err());
        assert!(check_topic_arn("arn:aws:sqs:us-west-2:123456789012:q").is_err());
        assert!(check_topic_arn("arn:aws:sns:uswest2:123456789012:t").is_err());
        assert_eq!(
            Notify::topic_region("arn:aws:sns:eu-west-1:123456789012:t"),
            Some("eu-west-1")
        );
    }

    #[test]
    fn webhooks() {
        assert!(check_webhook("https://hooks.example.com/services/T0/B0/X").is_ok());
        assert!(check_webhook("http://127.0.0.1:8080/hook").is_ok());
        assert!(check_webhook("ftp://x").is_err());
        assert!(check_webhook("https://user:pw@host/x").is_err());
        assert!(check_webhook("https:///x").is_err());
        assert!(check_webhook("https://h/a b").is_err());
        let e = check_webhook("ftp://hooks.example.com/T0/SECRETPATH").unwrap_err();
        assert!(!e.contains("SECRETPATH"), "{e}");
    }

    fn notify(url: Option<&str>, env: Option<&str>) -> Notify {
        Notify {
            sns_topic_arn: None,
            webhook_url: url.map(SecretString::from),
            webhook_url_env: env.map(str::to_string),
            webhook: None,
        }
    }

    #[test]
    fn a_webhook_comes_from_the_file_or_from_the_variable_it_names() {
        use std::env::VarError;
        let env = |name: &str| match name {
            "HOOK" => Ok("https://hooks.example.com/services/T0/B0/SECRETPATH".to_string()),
            "EMPTY" => Ok("  ".to_string()),
            "BAD" => Ok("hooks.example.com/SECRETPATH".to_string()),
            _ => Err(VarError::NotPresent),
        };
        let mut n = notify(None, Some("HOOK"));
        n.resolve_with(&env).unwrap();
        assert_eq!(
            n.webhook.as_ref().map(|w| w.expose().as_str()),
            Some("https://hooks.example.com/services/T0/B0/SECRETPATH")
        );
        let mut n = notify(Some("http://127.0.0.1:9/hook"), None);
        n.resolve_with(&env).unwrap();
        assert!(n.webhook.is_some());
        let mut n = notify(None, None);
        n.resolve_with(&env).unwrap();
        assert!(n.webhook.is_none());

        let err =
            |url: Option<&str>, var: Option<&str>| notify(url, var).resolve_with(&env).unwrap_err();
        let (k, m) = err(None, Some("MISSING"));
        assert_eq!(k, "notify.webhook_url_env");
        assert!(m.contains("MISSING is not set"), "{m}");
        let (_, m) = err(None, Some("EMPTY"));
        assert!(m.contains("EMPTY is empty"), "{m}");
        let (_, m) = err(None, Some("BAD"));
        assert!(m.contains("BAD") && !m.contains("SECRETPATH"), "{m}");
        let (k, m) = err(Some("https://hooks.example.com/x"), Some("HOOK"));
        assert_eq!(k, "notify.webhook_url_env");
        assert!(m.contains("not both"), "{m}");
        let (k, m) = err(Some("hooks.example.com/SECRETPATH"), None);
        assert_eq!(k, "notify.webhook_url");
        assert!(!m.contains("SECRETPATH"), "{m}");
        let (_, m) = err(None, Some("1BAD-NAME"));
        assert!(m.contains("environment variable"), "{m}");
    }
}
