//! Whether a parameter's or secret's value is the primary database's address. The value is
//! compared here and dropped: only the kind of match leaves this module.

use crate::init::confirm::StoreMatch;

/// How a stored value relates to `address`: the whole value, or one key of a JSON object.
pub(super) fn matches(value: &str, address: &str) -> StoreMatch {
    let same = |v: &str| v.trim().trim_end_matches('.').eq_ignore_ascii_case(address);
    if same(value) {
        return StoreMatch::Whole;
    }
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(value) {
        for key in ["host", "hostname", "endpoint", "address"] {
            if m.get(key).and_then(|v| v.as_str()).is_some_and(same) {
                return StoreMatch::JsonKey(key.to_string());
            }
        }
        for (k, v) in &m {
            if v.as_str().is_some_and(same) {
                return StoreMatch::JsonKey(k.clone());
            }
        }
    }
    StoreMatch::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_value_matches_whole_or_by_json_key_and_says_nothing_else() {
        let a = "db.abc.us-east-1.rds.amazonaws.com";
        assert_eq!(matches(a, a), StoreMatch::Whole);
        assert_eq!(matches(&format!(" {a}. "), a), StoreMatch::Whole);
        assert_eq!(
            matches(&format!(r#"{{"host":"{a}","password":"p"}}"#), a),
            StoreMatch::JsonKey("host".into())
        );
        assert_eq!(
            matches(&format!(r#"{{"writer":"{a}"}}"#), a),
            StoreMatch::JsonKey("writer".into())
        );
        assert_eq!(matches(r#"{"host":"other"}"#, a), StoreMatch::Other);
        assert_eq!(matches("", a), StoreMatch::Other);
    }
}
