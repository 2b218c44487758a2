//! The flags of `drconsole init`.

use std::path::PathBuf;

/// `drconsole init`: where the estate is, what describes it, where to write it.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// The region that serves traffic (e.g. us-east-1).
    #[arg(long, value_name = "REGION")]
    pub primary: String,
    /// The region failed over to.
    #[arg(long, value_name = "REGION")]
    pub standby: String,
    /// Terraform state: the JSON of `terraform show -json`, or a terraform.tfstate (v4).
    /// Repeat it for one state per region.
    #[arg(long, value_name = "FILE", required_unless_present_any = ["tag", "stack", "primary_stack", "standby_stack"])]
    pub terraform_state: Vec<PathBuf>,
    /// Find the estate by tag, in both regions: the resources carrying every tag given
    /// (repeatable; Auto Scaling groups by their own tag filter, Route 53 records by the load
    /// balancer they point at).
    #[arg(long, value_name = "KEY=VALUE")]
    pub tag: Vec<String>,
    /// Find the estate in the CloudFormation (or CDK) stack of this name in both regions.
    #[arg(long, value_name = "NAME")]
    pub stack: Option<String>,
    /// The primary region's stack, when the two are named differently (with --standby-stack).
    #[arg(long, value_name = "NAME")]
    pub primary_stack: Option<String>,
    /// The standby region's stack (with --primary-stack).
    #[arg(long, value_name = "NAME")]
    pub standby_stack: Option<String>,
    /// Where to write the estate (`-`: standard output); default NAME.toml.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the file even when something required is missing, with the gaps marked.
    #[arg(long)]
    pub draft: bool,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    /// The estate's name (default: from the primary database, cluster or group).
    #[arg(long)]
    pub name: Option<String>,
    /// AWS profile for the primary region (also written into the estate).
    #[arg(long, value_name = "PROFILE")]
    pub primary_profile: Option<String>,
    /// AWS profile for the standby region (also written into the estate).
    #[arg(long, value_name = "PROFILE")]
    pub standby_profile: Option<String>,
    /// Endpoint for every AWS call, both regions: a local emulator or a VPC endpoint (also
    /// written into the estate).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}
