//! Lambda: one synchronous invocation (`Invoke`, `RequestResponse`) of a function the team
//! already has. A function that ran and failed answers 200 with `X-Amz-Function-Error` set and
//! the error as its payload: that is the step's failure, with the payload in the message.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;

use super::act::Acting;
use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::Action;
use crate::backend::{ActionOutcome, BackendError, ErrorKind};

/// Longest part of a function's answer kept in the log.
pub const MAX_PAYLOAD: usize = 500;

/// `text` cut to `max` characters, marked when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}… ({} bytes in all)", text.len())
    }
}

pub async fn invoke(
    c: &RegionClients,
    function: &str,
    payload: &str,
) -> Result<ActionOutcome, BackendError> {
    let op = "lambda:InvokeFunction";
    let out = c
        .lambda
        .invoke()
        .function_name(function)
        .invocation_type(InvocationType::RequestResponse)
        .payload(Blob::new(payload.as_bytes()))
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), op, function, e))?;
    let answer = out
        .payload()
        .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
        .unwrap_or_default();
    let answer = truncate(answer.trim(), MAX_PAYLOAD);
    if let Some(kind) = out.function_error() {
        return Err(BackendError::new(
            ErrorKind::Other,
            &c.label,
            op,
            function,
            format!("function error ({kind}): {answer}"),
        )
        .with_code("FunctionError"));
    }
    let version = out
        .executed_version()
        .map(|v| format!(" version {v}"))
        .unwrap_or_default();
    Ok(ActionOutcome {
        summary: format!(
            "{function}{version} in {} answered {}: {}",
            c.label,
            out.status_code(),
            if answer.is_empty() {
                "(no payload)"
            } else {
                &answer
            }
        ),
        change_id: out.executed_version().map(str::to_string),
    })
}

/// The Lambda actions, through `b`'s clients that make one attempt.
pub(super) fn act<'a>(b: &'a super::AwsBackend, action: &'a Action) -> Option<Acting<'a>> {
    match action {
        Action::InvokeLambda {
            side,
            function,
            payload,
        } => Some(Box::pin(invoke(b.changes(*side), function, payload))),
        _ => None,
    }
}
