//! What fixes a side's credentials when they are missing or expired: an SSO profile needs
//! `aws sso login`, a profile with keys `aws configure`. Decided once, when the clients are
//! built, from the shared config and credentials files (`AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`), as the SDK itself reads them.

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::EnvConfigFiles as ProfileFiles;
use aws_types::os_shim_internal::{Env, Fs};

/// What is wrong and what to run, for a side whose credentials fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsFix {
    /// `the SSO session of profile prod has expired or was never started`.
    pub problem: String,
    /// `run `aws sso login --profile prod``.
    pub fix: String,
}

impl CredentialsFix {
    /// Both, as one sentence for an error message.
    pub fn sentence(&self) -> String {
        format!("{}: {}", self.problem, self.fix)
    }
}

/// Reads the shared files and decides the fix for `profile` (`None`: the default chain).
pub async fn credentials_fix(profile: Option<&str>) -> CredentialsFix {
    let Some(name) = profile else {
        return fix_for(None, None);
    };
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &ProfileFiles::default(), None)
        .await
        .ok();
    fix_for(Some(name), set.as_ref())
}

/// The profile that `aws sso login` must be given for `name`: itself when it is an SSO
/// profile, or the SSO profile its role is assumed from (`source_profile`).
fn sso_login_profile<'a>(set: &'a ProfileSet, name: &'a str) -> Option<&'a str> {
    let is_sso = |n: &str| {
        set.get_profile(n)
            .is_some_and(|p| p.get("sso_session").is_some() || p.get("sso_start_url").is_some())
    };
    if is_sso(name) {
        return Some(name);
    }
    let source = set.get_profile(name)?.get("source_profile")?;
    is_sso(source).then_some(source)
}

pub fn fix_for(profile: Option<&str>, set: Option<&ProfileSet>) -> CredentialsFix {
    let Some(p) = profile else {
        return CredentialsFix {
            problem: "no valid AWS credentials".into(),
            fix: "set AWS_PROFILE (or `profile` in the estate file), or AWS_ACCESS_KEY_ID / \
                  AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
                .into(),
        };
    };
    let known = set.is_some_and(|s| s.get_profile(p).is_some());
    match set.and_then(|s| sso_login_profile(s, p)) {
        Some(login) => CredentialsFix {
            problem: format!("the SSO session of profile {p} has expired or was never started"),
            fix: format!("run `aws sso login --profile {login}`"),
        },
        None if known => CredentialsFix {
            problem: format!("no valid credentials for profile {p}"),
            fix: format!("run `aws configure --profile {p}`"),
        },
        None => CredentialsFix {
            problem: format!(
                "no credentials for profile {p}: it is in neither the AWS config nor the \
                 credentials file"
            ),
            fix: format!(
                "run `aws configure --profile {p}` (or `aws configure sso --profile {p}`)"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn set_of(config: &str) -> ProfileSet {
        let fs = Fs::from_slice(&[("/c/config", config), ("/c/credentials", "")]);
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", "/c/config"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/c/credentials"),
        ]);
        aws_config::profile::load(&fs, &env, &ProfileFiles::default(), None)
            .await
            .expect("profiles parse")
    }

    const CONFIG: &str = "\
[profile prod]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = DROperator
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[profile legacy-sso]
sso_start_url = https://corp.awsapps.com/start
[profile prod-dr]
role_arn = arn:aws:iam::210987654321:role/DROperator
source_profile = prod
[profile staging]
region = us-east-1
";

    #[tokio::test]
    async fn sso_profiles_are_told_to_log_in_others_to_configure() {
        let set = set_of(CONFIG).await;
        let fix = |p| fix_for(Some(p), Some(&set)).fix;
        assert_eq!(fix("prod"), "run `aws sso login --profile prod`");
        assert_eq!(
            fix("legacy-sso"),
            "run `aws sso login --profile legacy-sso`"
        );
        // A role assumed from an SSO profile: the login is the source profile's.
        assert_eq!(fix("prod-dr"), "run `aws sso login --profile prod`");
        assert_eq!(fix("staging"), "run `aws configure --profile staging`");
        let missing = fix_for(Some("gone"), Some(&set));
        assert!(missing.problem.contains("neither"), "{missing:?}");
        assert!(
            missing.fix.contains("aws configure --profile gone"),
            "{missing:?}"
        );
        assert!(fix_for(None, Some(&set)).fix.contains("AWS_PROFILE"));
    }
}
