//! Tests of `[notify]`: topic ARNs, webhook URLs, and where a webhook's URL comes from.

use super::*;
use crate::model::SecretString;

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
