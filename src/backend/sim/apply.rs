//! How the simulated estate answers each action: accepted at once, completed on its own clock.

use super::timings as t;
use super::world::{SimDb, SimInstance, World};
use crate::backend::{Action, ActionOutcome, BackendError, EndpointStore, ErrorKind};
use crate::model::{DbRole, Side};

impl World {
    pub fn apply(&mut self, action: &Action) -> Result<ActionOutcome, BackendError> {
        let region = |w: &World, side: Side| format!("{} ({side})", w.estate.region(side).region);
        let fail = |w: &World, side: Side, code: &str, resource: &str, msg: String| {
            Err(BackendError::new(
                ErrorKind::NotFound,
                &region(w, side),
                action.api_call(),
                resource,
                msg,
            )
            .with_code(code))
        };
        let now = self.now;
        let summary = match action {
            Action::StartRestoreJob {
                recovery_point_arn,
                db,
                instance_class,
                token,
                ..
            } => self.start_restore(recovery_point_arn, db, instance_class.as_deref(), token)?,
            Action::PromoteReplica { side, db } => {
                let duration = self.draw(t::PROMOTION);
                let Some(d) = self.region_mut(*side).db.as_mut().filter(|d| &d.id == db) else {
                    return fail(
                        self,
                        *side,
                        "DBInstanceNotFound",
                        db,
                        format!("DBInstance {db} not found"),
                    );
                };
                if !matches!(d.role, DbRole::Replica { .. }) {
                    return Err(BackendError::new(
                        ErrorKind::Other,
                        &region(self, *side),
                        action.api_call(),
                        db,
                        format!("DB instance {db} is not a read replica"),
                    )
                    .with_code("InvalidDBInstanceState"));
                }
                d.status = "modifying".into();
                d.busy_until = Some(now + duration);
                d.next_role = Some(DbRole::Writer);
                format!("{db}: promotion started (status modifying)")
            }
            Action::CreateReplica {
                side,
                replica,
                source_arn,
                instance_class,
            } => {
                let duration = self.draw(t::REPLICA_CREATE);
                let region_state = self.region_mut(*side);
                if region_state.db.as_ref().is_some_and(|d| &d.id == replica) {
                    return Err(BackendError::new(
                        ErrorKind::Other,
                        &region(self, *side),
                        action.api_call(),
                        replica,
                        format!("DB instance {replica} already exists"),
                    )
                    .with_code("DBInstanceAlreadyExists"));
                }
                let mut db = SimDb::new(
                    replica,
                    DbRole::Replica {
                        source: source_arn.clone(),
                    },
                );
                db.status = "creating".into();
                db.busy_until = Some(now + duration);
                db.replicating_since = now + duration;
                db.instance_class = instance_class.clone().unwrap_or("db.r6g.large".into());
                region_state.db = Some(db);
                format!("{replica}: replica of {source_arn} being created")
            }
            Action::RenameDb { side, from, to } => {
                let Some(d) = self.region_mut(*side).db.as_mut().filter(|d| &d.id == from) else {
                    return fail(
                        self,
                        *side,
                        "DBInstanceNotFound",
                        from,
                        format!("DBInstance {from} not found"),
                    );
                };
                d.id = to.clone();
                format!("{from} renamed to {to}")
            }
            Action::GlobalSwitchover { side, .. } | Action::GlobalFailover { side, .. } => {
                let range = if matches!(action, Action::GlobalSwitchover { .. }) {
                    t::GLOBAL_SWITCHOVER
                } else {
                    t::GLOBAL_FAILOVER
                };
                let duration = self.draw(range);
                let other = side.other();
                let global = match action {
                    Action::GlobalSwitchover { global_cluster, .. }
                    | Action::GlobalFailover { global_cluster, .. } => global_cluster.clone(),
                    _ => String::new(),
                };
                let Some(d) = self.region_mut(*side).db.as_mut() else {
                    return fail(
                        self,
                        *side,
                        "DBClusterNotFoundFault",
                        &global,
                        "no secondary cluster".into(),
                    );
                };
                d.status = "failing-over".into();
                d.busy_until = Some(now + duration);
                d.next_role = Some(DbRole::Writer);
                // A switchover waits for the secondary to catch up; a failover does not.
                d.switchover = matches!(action, Action::GlobalSwitchover { .. });
                let id = d.id.clone();
                if !self.is_dark(other)
                    && let Some(old) = self.region_mut(other).db.as_mut()
                {
                    old.status = "failing-over".into();
                    old.busy_until = Some(now + duration);
                    old.next_role = Some(DbRole::Replica {
                        source: global.clone(),
                    });
                }
                format!("{global}: writer moving to {id}")
            }
            Action::ScaleService {
                side,
                service,
                desired,
                ..
            } => {
                let starts: Vec<f64> = (0..*desired)
                    .map(|_| now + self.draw(t::TASK_START))
                    .collect();
                let Some(s) = self.region_mut(*side).services.get_mut(service) else {
                    return fail(
                        self,
                        *side,
                        "ServiceNotFoundException",
                        service,
                        format!("service {service} not found"),
                    );
                };
                let before = s.desired;
                s.desired = *desired;
                // Remove pending tasks first, then running ones.
                s.tasks.sort_by(|a, b| a.total_cmp(b));
                s.tasks.truncate(*desired as usize);
                let missing = (*desired as usize).saturating_sub(s.tasks.len());
                s.tasks.extend(starts.into_iter().take(missing));
                format!("{service}: desiredCount {before} → {desired}")
            }
            Action::ForceDeployment { side, service, .. } => {
                let duration = self.draw(t::DEPLOYMENT);
                let Some(s) = self.region_mut(*side).services.get_mut(service) else {
                    return fail(
                        self,
                        *side,
                        "ServiceNotFoundException",
                        service,
                        format!("service {service} not found"),
                    );
                };
                s.revision += 1;
                s.deploying_until = now + duration;
                let id = super::world::deployment_id(*side, service, s.revision);
                return Ok(ActionOutcome {
                    summary: format!("{service}: new deployment {id} started"),
                    change_id: Some(id),
                });
            }
            Action::SetAsgCapacity {
                side,
                asg,
                capacity,
            } => {
                let launches: Vec<(String, f64)> = (0..capacity.desired)
                    .map(|_| {
                        let id = format!("i-0{}", self.rng.hex(16));
                        (id, now + self.draw(t::INSTANCE_LAUNCH))
                    })
                    .collect();
                let Some(a) = self.region_mut(*side).asgs.get_mut(asg) else {
                    return fail(
                        self,
                        *side,
                        "ValidationError",
                        asg,
                        format!("AutoScalingGroup name not found - {asg}"),
                    );
                };
                let before = (a.min, a.max, a.desired);
                a.min = capacity.min;
                a.max = capacity.max;
                a.desired = capacity.desired;
                a.instances
                    .sort_by(|x, y| x.in_service_at.total_cmp(&y.in_service_at));
                a.instances.truncate(capacity.desired as usize);
                let missing = (capacity.desired as usize).saturating_sub(a.instances.len());
                a.instances
                    .extend(
                        launches
                            .into_iter()
                            .take(missing)
                            .map(|(id, at)| SimInstance {
                                id,
                                in_service_at: at,
                            }),
                    );
                format!(
                    "{asg}: min/max/desired {}/{}/{} → {}/{}/{}",
                    before.0, before.1, before.2, capacity.min, capacity.max, capacity.desired
                )
            }
            Action::RegisterTargets {
                side,
                target_group_arn,
                targets,
                ..
            } => {
                let Some(tg) = self
                    .region_mut(*side)
                    .target_groups
                    .get_mut(target_group_arn)
                else {
                    return fail(
                        self,
                        *side,
                        "TargetGroupNotFound",
                        target_group_arn,
                        "target group not found".into(),
                    );
                };
                let mut added = 0;
                for id in targets {
                    if !tg.registered.contains_key(id) {
                        tg.registered.insert(id.clone(), now);
                        added += 1;
                    }
                }
                format!("{added} target(s) registered")
            }
            Action::UpsertRecord { record, value, .. } => {
                let before = std::mem::replace(&mut self.dns_value, value.clone());
                let id = self.next_change_id();
                let insync = now + self.draw(t::DNS_INSYNC);
                self.dns_changes.insert(id.clone(), insync);
                return Ok(ActionOutcome {
                    summary: format!("{record}: {before} → {value} (change {id} PENDING)"),
                    change_id: Some(id),
                });
            }
            Action::UpsertAlias {
                record, dns_name, ..
            } => {
                let before = std::mem::replace(&mut self.dns_value, dns_name.clone());
                let id = self.next_change_id();
                let insync = now + self.draw(t::DNS_INSYNC);
                self.dns_changes.insert(id.clone(), insync);
                return Ok(ActionOutcome {
                    summary: format!("{record}: ALIAS {before} → {dns_name} (change {id} PENDING)"),
                    change_id: Some(id),
                });
            }
            Action::InvertHealthCheck {
                health_check,
                inverted,
            } => {
                let Some(c) = self.checks.get_mut(health_check) else {
                    return Err(BackendError::new(
                        ErrorKind::NotFound,
                        "route53",
                        action.api_call(),
                        health_check,
                        format!("A health check with id {health_check} does not exist."),
                    )
                    .with_code("NoSuchHealthCheck"));
                };
                c.was_inverted = c.routes_inverted(now);
                c.inverted_at = now;
                let before = std::mem::replace(&mut c.inverted, *inverted);
                format!("health check {health_check}: Inverted {before} → {inverted}")
            }
            Action::WriteEndpoint { side, store, value } => {
                let key = crate::backend::EndpointKey::of(&self.estate);
                let label = region(self, *side);
                let region = self.region_mut(*side);
                match store {
                    EndpointStore::SsmParameter(n) => {
                        let before = region.parameters.insert(n.clone(), value.clone());
                        format!(
                            "parameter {n}: {} → {value}",
                            before.unwrap_or_else(|| "(unset)".into())
                        )
                    }
                    // As on AWS: a secret is edited, never created, and a JSON secret keeps
                    // every key but the endpoint's.
                    EndpointStore::Secret(n) => {
                        let refused = |kind, why: String| {
                            Err(BackendError::new(kind, &label, action.api_call(), n, why)
                                .with_code(crate::backend::endpoint_value::NOT_EDITABLE))
                        };
                        let Some(current) = region.secrets.get(n) else {
                            return refused(
                                ErrorKind::NotFound,
                                "the secret does not exist (drconsole edits a secret, it never creates one)".into(),
                            );
                        };
                        let current = crate::model::SecretString::from(current.as_str());
                        let located =
                            crate::backend::endpoint_value::locate_in_secret(&current, &key);
                        let edited = match crate::backend::endpoint_value::edit_secret(
                            &current, &key, value,
                        ) {
                            Ok(v) => v,
                            Err(why) => return refused(ErrorKind::Other, why),
                        };
                        region.secrets.insert(n.clone(), edited.into_exposed());
                        match located.key {
                            Some(k) => {
                                format!("secret {n}: key {k} = {value}, every other key kept")
                            }
                            None => format!("secret {n}: value = {value}"),
                        }
                    }
                }
            }
            Action::InvokeLambda {
                side,
                function,
                payload,
            } => return super::lambda::invoke(&region(self, *side), function, payload),
            Action::RunCommand { .. } => {
                return Err(BackendError::new(
                    ErrorKind::Other,
                    "local",
                    action.api_call(),
                    "",
                    "a command runs on this machine, not in the simulated estate",
                ));
            }
        };
        Ok(ActionOutcome {
            summary,
            change_id: None,
        })
    }
}
