//! Claiming the estate's item: a fresh claim, the take-over of an expired lease the operator
//! typed, or the reclaim of a crashed process of this machine.

use std::time::Duration;

use chrono::Utc;

use super::{ClaimError, Claimed, Table, err_text, n};
use crate::runbook::lock::Holder;

impl Table {
    /// Claims the estate for `me` (its lease starting now). `take_over`: the `user@host`
    /// the operator typed to take an expired lease.
    pub async fn claim(
        &self,
        me: &Holder,
        take_over: Option<&str>,
        lease: Duration,
    ) -> Result<Claimed, ClaimError> {
        let unreachable = |e: String| ClaimError::Unreachable(format!("{}: {e}", self.label));
        for _ in 0..3 {
            let mut mine = me.clone();
            mine.lease_version = 1;
            mine.expires_at = Some(Utc::now() + lease);
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(self.item(&mine)))
                .condition_expression("attribute_not_exists(estate)")
                .send()
                .await;
            // A write that failed without an answer (timeout, connection lost, a server error)
            // may have been applied: the item says, as it does after a failed condition.
            let lost_answer = match put {
                Ok(_) => return Ok(Claimed::Fresh(mine)),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
                {
                    None
                }
                Err(e) => Some(err_text(&e)),
            };
            let current = match (self.read().await, &lost_answer) {
                (Ok(c), _) => c,
                (Err(_), Some(why)) => return Err(unreachable(why.clone())),
                (Err(e), None) => return Err(ClaimError::Unreachable(e)),
            };
            let Some(current) = current else {
                if let Some(why) = lost_answer {
                    return Err(unreachable(why)); // not applied, and the table is failing
                }
                continue; // released in between: try again
            };
            // Our own write, whose answer was lost.
            if Self::ours(&current, me) {
                return Ok(Claimed::Fresh(current));
            }
            let expired = current.expired(Utc::now());
            let typed = take_over.is_some_and(|t| t == current.who());
            let dead_here = current.is_dead_here();
            if !(dead_here || (expired && typed)) {
                return Err(ClaimError::Held {
                    holder: Box::new(current),
                    expired,
                });
            }
            mine.lease_version = current.lease_version + 1;
            mine.expires_at = Some(Utc::now() + lease);
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(self.item(&mine)))
                .condition_expression("lease_version = :seen")
                .expression_attribute_values(":seen", n(current.lease_version))
                .send()
                .await;
            match put {
                Ok(_) if dead_here => {
                    return Ok(Claimed::Reclaimed {
                        now: mine,
                        from: Box::new(current),
                    });
                }
                Ok(_) => {
                    return Ok(Claimed::TakenOver {
                        now: mine,
                        from: Box::new(current),
                    });
                }
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
                {
                    continue; // someone else wrote first (or our answer was lost): look again
                }
                Err(e) => match self.read().await {
                    // Applied, its answer lost: ours.
                    Ok(Some(h)) if Self::ours(&h, me) && h.lease_version == mine.lease_version => {
                        return Ok(if dead_here {
                            Claimed::Reclaimed {
                                now: h,
                                from: Box::new(current),
                            }
                        } else {
                            Claimed::TakenOver {
                                now: h,
                                from: Box::new(current),
                            }
                        });
                    }
                    Ok(_) => continue,
                    Err(_) => return Err(unreachable(err_text(&e))),
                },
            }
        }
        match self.read().await {
            Ok(Some(h)) => {
                let expired = h.expired(Utc::now());
                Err(ClaimError::Held {
                    holder: Box::new(h),
                    expired,
                })
            }
            Ok(None) => Err(unreachable("the item keeps changing".into())),
            Err(e) => Err(ClaimError::Unreachable(e)),
        }
    }
}
