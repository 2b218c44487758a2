//! Which AWS account a side's credentials act in, and whether that is the account the estate
//! file pins (`account_id` under `[primary]` / `[standby]`). Runbooks refuse to start while a
//! pinned side's account differs or cannot be read: a pin that cannot be verified is not
//! verified.

use serde::{Deserialize, Serialize};

use super::{ErrorKind, Side};

/// Who a side's credentials are, as STS `GetCallerIdentity` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub account_id: String,
    /// The principal: `arn:aws:sts::123456789012:assumed-role/DROperator/alice`.
    pub arn: String,
    /// The account's alias (`iam:ListAccountAliases`); `None` when it has none or the
    /// call is not allowed.
    pub alias: Option<String>,
}

impl Identity {
    /// `123456789012 (shop-prod)`, or the bare id without an alias.
    pub fn label(&self) -> String {
        match &self.alias {
            Some(a) => format!("{} ({a})", self.account_id),
            None => self.account_id.clone(),
        }
    }
}

/// Why a side's identity could not be read, and for missing or expired credentials, what to
/// run to fix them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityError {
    pub kind: ErrorKind,
    pub message: String,
    /// `run \`aws sso login --profile prod\``: set for credentials errors.
    pub fix: Option<String>,
}

pub type IdentityRead = Result<Identity, IdentityError>;

/// Keeps what is known across reads: an identity once read stays known when a later read
/// merely fails to reach the region (the credentials did not change with the network), and
/// is replaced by a new identity or by a credentials error (they did).
pub fn merge_identity(known: Option<IdentityRead>, new: IdentityRead) -> IdentityRead {
    match (known, new) {
        (Some(Ok(old)), Err(e)) if e.kind != ErrorKind::Credentials => Ok(old),
        (_, new) => new,
    }
}

/// One side's account: what its credentials say, against what the estate pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCheck {
    pub side: Side,
    /// The AWS region name, for messages.
    pub region: String,
    /// The shared-config profile the side uses (`None`: the default credential chain).
    pub profile: Option<String>,
    /// `account_id` of the side in the estate file.
    pub pinned: Option<String>,
    /// `None` before the first read.
    pub read: Option<IdentityRead>,
}

impl AccountCheck {
    pub fn identity(&self) -> Option<&Identity> {
        self.read.as_ref().and_then(|r| r.as_ref().ok())
    }

    pub fn error(&self) -> Option<&IdentityError> {
        self.read.as_ref().and_then(|r| r.as_ref().err())
    }

    /// Whether the credentials' account is the pinned one; `None` with no pin or no identity.
    pub fn matches(&self) -> Option<bool> {
        let pinned = self.pinned.as_deref()?;
        self.identity().map(|i| i.account_id == pinned)
    }

    /// Missing or expired credentials: the side is shown with the fix, never as unreachable.
    pub fn credentials_error(&self) -> Option<&IdentityError> {
        self.error().filter(|e| e.kind == ErrorKind::Credentials)
    }

    fn whose(&self) -> String {
        match &self.profile {
            Some(p) => format!("profile {p}"),
            None => "the default credentials".into(),
        }
    }

    /// Whether the side's credentials were read and act in another account than the pinned one.
    pub fn mismatched(&self) -> bool {
        matches!((&self.pinned, &self.read), (Some(p), Some(Ok(i))) if &i.account_id != p)
    }

    /// Why no runbook may start because of this side: its account is not the pinned one, or
    /// cannot be read while one is pinned. Names both accounts and the profile.
    pub fn refusal(&self) -> Option<String> {
        let pinned = self.pinned.as_deref()?;
        let place = format!("{} ({})", self.side, self.region);
        match &self.read {
            Some(Ok(i)) if i.account_id == pinned => None,
            Some(Ok(i)) => Some(format!(
                "{place}: the credentials of {} act in account {}, not in {pinned} as \
                 `account_id` under [{}] pins",
                self.whose(),
                i.label(),
                self.side
            )),
            Some(Err(e)) => Some(format!(
                "{place}: account {pinned} is pinned but the account of {} cannot be read \
                 ({}){}: a pin that cannot be verified refuses runbooks",
                self.whose(),
                e.message,
                e.fix
                    .as_deref()
                    .map(|f| format!("; {f}"))
                    .unwrap_or_default()
            )),
            None => Some(format!(
                "{place}: account {pinned} is pinned and the account of {} has not been read yet",
                self.whose()
            )),
        }
    }
}

/// The first refusal of either side, both when both refuse.
pub fn runbook_refusal(checks: &[AccountCheck]) -> Option<String> {
    refusal_on(checks, &Side::BOTH)
}

/// The refusal of a runbook that calls only `sides`: a pin is checked where the run acts or
/// reads, so a dark primary whose account cannot be read does not refuse a failover that
/// never calls it. A side in the wrong account refuses whatever the runbook touches: those
/// are the wrong credentials.
pub fn refusal_on(checks: &[AccountCheck], sides: &[Side]) -> Option<String> {
    let reasons: Vec<String> = checks
        .iter()
        .filter(|c| sides.contains(&c.side) || c.mismatched())
        .filter_map(AccountCheck::refusal)
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(account: &str) -> Identity {
        Identity {
            account_id: account.into(),
            arn: format!("arn:aws:sts::{account}:assumed-role/DROperator/alice"),
            alias: Some("shop-prod".into()),
        }
    }

    fn check(pinned: Option<&str>, read: Option<IdentityRead>) -> AccountCheck {
        AccountCheck {
            side: Side::Standby,
            region: "us-west-2".into(),
            profile: Some("prod-dr".into()),
            pinned: pinned.map(str::to_string),
            read,
        }
    }

    fn failed(kind: ErrorKind) -> IdentityRead {
        Err(IdentityError {
            kind,
            message: "no".into(),
            fix: (kind == ErrorKind::Credentials)
                .then(|| "run `aws sso login --profile prod-dr`".into()),
        })
    }

    #[test]
    fn a_pinned_account_that_differs_refuses_naming_both_and_the_profile() {
        let c = check(Some("123456789012"), Some(Ok(identity("210987654321"))));
        assert_eq!(c.matches(), Some(false));
        let why = c.refusal().expect("refused");
        for part in [
            "210987654321 (shop-prod)",
            "123456789012",
            "profile prod-dr",
            "standby (us-west-2)",
        ] {
            assert!(why.contains(part), "{part} in {why}");
        }
    }

    #[test]
    fn a_pin_that_cannot_be_verified_refuses() {
        assert!(check(Some("123456789012"), None).refusal().is_some());
        let why = check(Some("123456789012"), Some(failed(ErrorKind::Credentials)))
            .refusal()
            .expect("refused");
        assert!(why.contains("aws sso login --profile prod-dr"), "{why}");
        assert!(
            check(Some("123456789012"), Some(failed(ErrorKind::Unreachable)))
                .refusal()
                .is_some()
        );
    }

    #[test]
    fn a_matching_pin_or_no_pin_lets_runbooks_start() {
        let ok = check(Some("123456789012"), Some(Ok(identity("123456789012"))));
        assert_eq!(ok.matches(), Some(true));
        assert_eq!(ok.refusal(), None);
        assert_eq!(
            check(None, Some(failed(ErrorKind::Credentials))).refusal(),
            None
        );
        assert_eq!(check(None, None).matches(), None);
        assert_eq!(runbook_refusal(&[ok.clone(), ok]), None);
    }

    #[test]
    fn an_unreachable_region_keeps_the_identity_a_credentials_error_replaces_it() {
        let known = Some(Ok(identity("123456789012")));
        assert_eq!(
            merge_identity(known.clone(), failed(ErrorKind::Unreachable)),
            Ok(identity("123456789012"))
        );
        assert!(merge_identity(known.clone(), failed(ErrorKind::Credentials)).is_err());
        assert_eq!(
            merge_identity(known, Ok(identity("210987654321"))),
            Ok(identity("210987654321"))
        );
        assert!(merge_identity(None, failed(ErrorKind::Unreachable)).is_err());
    }
}
