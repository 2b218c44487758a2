//! `[notify]`: an SNS topic and/or a webhook for run events, and the checks of their values.

use serde::{Deserialize, Deserializer};

use crate::config::Region;
use crate::model::SecretString;

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
