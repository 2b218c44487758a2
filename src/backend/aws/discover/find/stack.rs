//! The resources of a CloudFormation stack, every page of `ListStackResources`; a stack that
//! does not exist is an answer, not a failure.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::super::Discovery;
use crate::backend::BackendError;
use crate::backend::aws::errors::sdk_error;
use crate::init::find::{StackAnswer, StackResource};
use crate::model::Side;

pub(super) async fn stack_resources(
    d: &Discovery,
    side: Side,
    stack: &str,
) -> Result<StackAnswer, BackendError> {
    let (c, ctx) = (&d.finder(side).cloudformation, d.of(side).ctx());
    let mut token: Option<String> = None;
    let mut found = Vec::new();
    loop {
        let out = c
            .list_stack_resources()
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await;
        let out = match out {
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html:
            // an unknown stack is a ValidationError "Stack with id NAME does not exist".
            Err(e)
                if e.code() == Some("ValidationError")
                    && e.message().is_some_and(|m| m.contains("does not exist")) =>
            {
                return Ok(StackAnswer::NoSuchStack);
            }
            other => {
                other.map_err(|e| sdk_error(ctx, "cloudformation:ListStackResources", stack, e))?
            }
        };
        found.extend(
            out.stack_resource_summaries()
                .iter()
                .map(|r| StackResource {
                    logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                    physical_id: r.physical_resource_id().unwrap_or_default().to_string(),
                    kind: r.resource_type().unwrap_or_default().to_string(),
                }),
        );
        match out.next_token().filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t.to_string()),
            None => return Ok(StackAnswer::Resources(found)),
        }
    }
}
