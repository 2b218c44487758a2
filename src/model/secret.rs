//! A value that must never be written anywhere: database credentials, anything read from
//! Secrets Manager or a SecureString parameter, a webhook URL. Its `Debug`, `Display` and
//! `Serialize` all say `‹redacted›`, so that no `format!`, log line, audit line, journal or
//! report can carry it by accident; the value itself is reached only through
//! [`Secret::expose`], at the one place that sends it where it belongs.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What is shown wherever a secret would be.
pub const REDACTED: &str = "‹redacted›";

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

/// The usual secret: a string.
pub type SecretString = Secret<String>;

impl<T> Secret<T> {
    pub fn new(value: T) -> Secret<T> {
        Secret(value)
    }

    /// The value, for the call that sends it where it belongs (and nowhere else).
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_exposed(self) -> T {
        self.0
    }

    /// A secret derived from this one (an edited copy) stays a secret.
    pub fn map<U>(&self, f: impl FnOnce(&T) -> U) -> Secret<U> {
        Secret(f(&self.0))
    }
}

impl From<String> for Secret<String> {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret<String> {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Written out, a secret is only its placeholder: a journal or a report holding one can be
/// read back, never the value.
impl<T> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// Read from the estate file (a webhook URL).
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Secret)
    }
}

/// The scheme and host of a URL held as a secret (`https://hooks.example.com`): what may be
/// shown of it. The path, query and any user info are left out (the path of a webhook is its
/// key); a text that is no URL shows as `‹redacted›`.
pub fn url_origin(url: &Secret<String>) -> String {
    let u = url.expose();
    let Some((scheme, rest)) = u.split_once("://") else {
        return REDACTED.to_string();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let scheme_ok = !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric());
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
    if scheme_ok && host_ok {
        format!("{}://{host}", scheme.to_ascii_lowercase())
    } else {
        REDACTED.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &str = "s3cr3t-Pa55word";

    #[test]
    fn debug_and_display_redact() {
        let s = SecretString::from(VALUE);
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{s:?}"), "Secret(‹redacted›)");
        assert_eq!(format!("{s:#?}"), "Secret(‹redacted›)");
        assert_eq!(format!("{:>30}", s), REDACTED, "no padding leaks a length");
        // Inside other values, too.
        let nested = (Some(s.clone()), vec![s.clone()]);
        let text = format!("{nested:?}");
        assert!(!text.contains(VALUE), "{text}");
        assert_eq!(s.expose(), VALUE);
    }

    #[test]
    fn serialize_redacts_and_deserialize_reads() {
        #[derive(Serialize, Deserialize)]
        struct Holder {
            url: SecretString,
        }
        let h: Holder = serde_json::from_str(&format!("{{\"url\":\"{VALUE}\"}}")).unwrap();
        assert_eq!(h.url.expose(), VALUE);
        let out = serde_json::to_string(&h).unwrap();
        assert_eq!(out, "{\"url\":\"‹redacted›\"}");
        let toml_out = toml::to_string(&h).unwrap();
        assert!(!toml_out.contains(VALUE), "{toml_out}");
    }

    #[test]
    fn a_derived_secret_stays_secret() {
        let s = SecretString::from(VALUE);
        let upper = s.map(|v| v.to_uppercase());
        assert_eq!(upper.to_string(), REDACTED);
        assert_eq!(upper.into_exposed(), VALUE.to_uppercase());
    }

    #[test]
    fn a_url_shows_its_scheme_and_host_only() {
        let u = |s: &str| url_origin(&SecretString::from(s));
        assert_eq!(
            u("https://hooks.example.com/services/T000/B000/XXX"),
            "https://hooks.example.com"
        );
        assert_eq!(u("http://127.0.0.1:9/hook?token=1"), "http://127.0.0.1:9");
        assert_eq!(u("HTTPS://user:pw@host.example/x"), "https://host.example");
        assert_eq!(u("not a url with /secret"), REDACTED);
        assert_eq!(u("https://ho st/secret"), REDACTED);
    }
}
