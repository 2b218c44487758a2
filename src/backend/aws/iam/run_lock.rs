//! What the run lock and the notifications need with `--operate`: the coordination table's
//! item (claim, read, renew, release) in its region, and publishing to the topic.

use serde_json::Value;

use super::statement;
use crate::config::Estate;

pub(super) fn statements(estate: &Estate) -> Vec<Option<Value>> {
    let mut out = Vec::new();
    if let Some(c) = &estate.coordination {
        let region = c.region.as_ref().unwrap_or(&estate.standby.region);
        out.push(statement(
            "RunLockTable",
            &[
                "dynamodb:PutItem",
                "dynamodb:GetItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            ],
            vec![format!("arn:aws:dynamodb:{region}:*:table/{}", c.table)],
        ));
    }
    if let Some(arn) = estate.notify.as_ref().and_then(|n| n.sns_topic_arn.clone()) {
        out.push(statement("NotifyTopic", &["sns:Publish"], vec![arn]));
    }
    out
}
