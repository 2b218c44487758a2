//! `drconsole init`: the command line to [`drconsole::init`], with the AWS reader.

use drconsole::backend::aws::Discovery;
use drconsole::cli::InitArgs;
use drconsole::config::{Region, RegionConfig};
use drconsole::exit::{self, Failure};
use drconsole::init::{self, Options};

pub(crate) async fn run(args: &InitArgs) -> Result<i32, Failure> {
    let opts = Options {
        primary: args.primary.clone(),
        standby: args.standby.clone(),
        terraform_states: args.terraform_state.clone(),
        tags: args.tag.clone(),
        stack: args.stack.clone(),
        primary_stack: args.primary_stack.clone(),
        standby_stack: args.standby_stack.clone(),
        output: args.output.clone(),
        draft: args.draft,
        force: args.force,
        name: args.name.clone(),
        primary_profile: args.primary_profile.clone(),
        standby_profile: args.standby_profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
    };
    // Everything the user can get wrong without AWS is checked before the first call.
    init::validate(&opts)?;
    init::terraform_resources(&opts)?;
    let region = |r: &str, profile: &Option<String>| -> Result<RegionConfig, Failure> {
        Ok(RegionConfig {
            region: Region::parse(r).map_err(Failure::usage)?,
            profile: profile.clone(),
            endpoint_url: args.endpoint_url.clone(),
            account_id: None,
        })
    };
    let aws = Discovery::connect(
        &region(&opts.primary, &opts.primary_profile)?,
        &region(&opts.standby, &opts.standby_profile)?,
    )
    .await
    .map_err(|e| Failure::aws(format!("init: setting up AWS: {e}")))?;
    let outcome = init::run(&opts, &aws).await?;
    eprint!("{}", outcome.summary);
    if std::env::var_os("DRCONSOLE_INIT_CALLS").is_some() {
        let calls = aws.calls();
        let total: u64 = calls.values().sum();
        eprintln!("init: {total} AWS calls: {calls:?}");
    }
    Ok(exit::OK)
}
