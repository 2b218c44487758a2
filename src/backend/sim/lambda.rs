//! Lambda on the simulator: no function exists to run, so an invocation is answered as a
//! function that did nothing would be, and says so, in the live log and the audit log alike.

use crate::backend::{ActionOutcome, BackendError, ErrorKind};

/// A simulated `Invoke` of `function`: nothing runs; the answer names the payload it was sent.
pub fn invoke(region: &str, function: &str, payload: &str) -> Result<ActionOutcome, BackendError> {
    if function.is_empty() {
        return Err(BackendError::new(
            ErrorKind::NotFound,
            region,
            "lambda:InvokeFunction",
            function,
            "Function not found",
        )
        .with_code("ResourceNotFoundException"));
    }
    let answer = serde_json::json!({ "simulated": true, "function": function });
    Ok(ActionOutcome {
        summary: format!(
            "SIMULATED: {function} in {region} not invoked (no function runs in the simulator; payload {} bytes); answered {answer}",
            payload.len()
        ),
        change_id: None,
    })
}
