//! The `account` object of each region in `status`: who its credentials are, against the
//! estate file's pin, with what fixes credentials that fail.

use serde::Serialize;

use crate::model::AccountCheck;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountReport {
    pub account_id: Option<String>,
    pub alias: Option<String>,
    /// The principal the credentials act as.
    pub arn: Option<String>,
    /// `account_id` in the estate file.
    pub pinned: Option<String>,
    /// Whether the account is the pinned one; null with no pin or no identity.
    pub matches: Option<bool>,
    /// Why no runbook may start because of this side.
    pub refusal: Option<String>,
    pub error: Option<String>,
    /// What to run when the credentials are missing or expired.
    pub fix: Option<String>,
}

impl From<&AccountCheck> for AccountReport {
    fn from(a: &AccountCheck) -> AccountReport {
        let identity = a.identity();
        AccountReport {
            account_id: identity.map(|i| i.account_id.clone()),
            alias: identity.and_then(|i| i.alias.clone()),
            arn: identity.map(|i| i.arn.clone()),
            pinned: a.pinned.clone(),
            matches: a.matches(),
            refusal: a.refusal(),
            error: a.error().map(|e| e.message.clone()),
            fix: a.error().and_then(|e| e.fix.clone()),
        }
    }
}

impl AccountReport {
    /// The account line of the readable table.
    pub fn text(&self) -> String {
        let label = |id: &str| match &self.alias {
            Some(a) => format!("{id} ({a})"),
            None => id.to_string(),
        };
        match (&self.account_id, &self.error) {
            (Some(id), _) => {
                let mut s = format!("{} {}", label(id), self.arn.as_deref().unwrap_or(""));
                match (self.matches, &self.pinned) {
                    (Some(true), _) => s.push_str(" (pinned)"),
                    (Some(false), Some(p)) => s = format!("MISMATCH {s}, pinned {p}"),
                    _ => {}
                }
                s
            }
            (None, Some(e)) => match &self.fix {
                Some(fix) => format!("CREDENTIALS {e} (fix: {fix})"),
                None => format!("UNKNOWN {e}"),
            },
            (None, None) => "not read".into(),
        }
    }
}
