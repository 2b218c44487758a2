//! The simulated estate's accounts: each side's credentials act in a plausible account (the
//! one the estate file pins, if any), and a drill or a test can make them act in another
//! account or expire, as a wrong or stale profile would.

use crate::backend::{BackendError, ErrorKind};
use crate::config::Estate;
use crate::model::{Identity, Side};

/// Account ids for sides the estate file does not pin: a production and a DR account.
const PRIMARY_ACCOUNT: &str = "482915736201";
const STANDBY_ACCOUNT: &str = "390716254893";

struct SimSide {
    identity: Identity,
    /// The profile the estate names, for the fix a person would be told.
    profile: Option<String>,
    region: String,
    expired: bool,
}

pub struct SimAccounts {
    sides: [SimSide; 2],
}

fn index(side: Side) -> usize {
    match side {
        Side::Primary => 0,
        Side::Standby => 1,
    }
}

fn arn(account: &str) -> String {
    format!("arn:aws:sts::{account}:assumed-role/DROperator/drconsole-sim")
}

impl SimAccounts {
    pub fn new(estate: &Estate) -> SimAccounts {
        // `orders (simulated)` → `orders`: the alias stem.
        let stem: String = estate
            .name
            .split_whitespace()
            .next()
            .unwrap_or("estate")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let side = |side: Side, default: &str, suffix: &str| {
            let r = estate.region(side);
            let account = r.account_id.clone().unwrap_or_else(|| default.into());
            SimSide {
                identity: Identity {
                    arn: arn(&account),
                    account_id: account,
                    alias: Some(format!("{stem}-{suffix}")),
                },
                profile: r.profile.clone(),
                region: format!("{} ({side})", r.region),
                expired: false,
            }
        };
        SimAccounts {
            sides: [
                side(Side::Primary, PRIMARY_ACCOUNT, "prod"),
                side(Side::Standby, STANDBY_ACCOUNT, "dr"),
            ],
        }
    }

    /// The side's credentials now act in `account_id` (an account with no alias).
    pub fn set_account(&mut self, side: Side, account_id: &str) {
        self.sides[index(side)].identity = Identity {
            account_id: account_id.into(),
            arn: arn(account_id),
            alias: None,
        };
    }

    /// The side's credentials expire (`true`) or are renewed (`false`).
    pub fn set_expired(&mut self, side: Side, expired: bool) {
        self.sides[index(side)].expired = expired;
    }

    pub fn identity(&self, side: Side) -> Result<Identity, BackendError> {
        self.usable(side, "sts:GetCallerIdentity")?;
        Ok(self.sides[index(side)].identity.clone())
    }

    /// Fails every call of a side whose credentials expired, as an SSO profile's would: before
    /// anything is sent, with what to run.
    pub fn usable(&self, side: Side, operation: &str) -> Result<(), BackendError> {
        let s = &self.sides[index(side)];
        if !s.expired {
            return Ok(());
        }
        let (problem, fix) = match &s.profile {
            Some(p) => (
                format!("the SSO session of profile {p} has expired"),
                format!("run `aws sso login --profile {p}`"),
            ),
            None => (
                "the default credentials have expired".to_string(),
                "run `aws sso login`".to_string(),
            ),
        };
        Err(BackendError::new(
            ErrorKind::Credentials,
            &s.region,
            operation,
            "",
            format!("{problem}: {fix}"),
        )
        .with_fix(fix))
    }
}
