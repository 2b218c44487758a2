//! A dry run's predictions: the state a change would leave, written over what was read, so
//! that each later step is planned on the state the earlier ones would leave. Every answer
//! built on one is marked predicted; nothing predicted is ever called "already at target".

use super::{Reader, cache};
use crate::backend::Action;
use crate::config::Estate;
use crate::model::{DbRole, Deployment, DnsReading, GlobalReading, Lag, RegionReading, Side};

/// Applies `action` to the reading of `side` (region parts), when it changes that region.
pub fn region(estate: &Estate, action: &Action, side: Side, r: &mut RegionReading) {
    match action {
        Action::PromoteReplica { side: s, .. } if *s == side => {
            if let Some(Ok(db)) = &mut r.database {
                db.role = DbRole::Writer;
                db.status = "available".into();
                db.lag = Lag::NoData;
            }
        }
        Action::GlobalFailover { side: to, .. } | Action::GlobalSwitchover { side: to, .. } => {
            if let Some(Ok(db)) = &mut r.database {
                if *to == side {
                    db.role = DbRole::Writer;
                    db.lag = Lag::NoData;
                } else {
                    db.role = DbRole::Replica {
                        source: estate.global_cluster().unwrap_or_default().to_string(),
                    };
                }
                db.status = "available".into();
            }
        }
        Action::CreateReplica {
            side: s,
            replica,
            source_arn,
            ..
        } if *s == side => {
            if let Some(Ok(db)) = &mut r.database {
                db.id = replica.clone();
                db.role = DbRole::Replica {
                    source: source_arn.clone(),
                };
                db.status = "creating".into();
                db.lag = Lag::NoData;
            }
        }
        Action::ScaleService {
            side: s,
            service,
            desired,
            ..
        } if *s == side => {
            if let Ok(services) = &mut r.services
                && let Some(svc) = services.iter_mut().find(|x| &x.name == service)
            {
                svc.desired = *desired;
                svc.running = *desired;
                svc.pending = 0;
                svc.deployment = Deployment::Steady;
            }
        }
        Action::ForceDeployment {
            side: s, service, ..
        } if *s == side => {
            if let Ok(services) = &mut r.services
                && let Some(svc) = services.iter_mut().find(|x| &x.name == service)
            {
                svc.primary_deployment = Some("(new deployment)".into());
                svc.running = svc.desired;
                svc.deployment = Deployment::Steady;
            }
        }
        Action::SetAsgCapacity {
            side: s,
            asg,
            capacity,
        } if *s == side => {
            if let Ok(asgs) = &mut r.asgs
                && let Some(a) = asgs.iter_mut().find(|x| &x.name == asg)
            {
                a.min = capacity.min;
                a.max = capacity.max;
                a.desired = capacity.desired;
                a.in_service = capacity.desired;
                a.running = capacity.desired;
                let want = capacity.desired as usize;
                a.instances.truncate(want);
                let mut k = 0;
                while a.instances.len() < want {
                    k += 1;
                    a.instances.push(format!("(new {asg} instance {k})"));
                }
            }
        }
        Action::RegisterTargets {
            side: s,
            target_group_arn,
            targets,
            ..
        } if *s == side => {
            let name = estate
                .target_groups
                .iter()
                .find(|t| t.arn(side) == target_group_arn)
                .map(|t| t.name.clone());
            if let (Ok(groups), Some(name)) = (&mut r.target_groups, name)
                && let Some(g) = groups.iter_mut().find(|g| g.name == name)
            {
                for t in targets {
                    if !g.registered.contains(t) {
                        g.registered.push(t.clone());
                        g.healthy += 1;
                    }
                }
            }
        }
        _ => {}
    }
}

/// Applies `action` to Route 53's reading, when it changes it.
pub fn global(estate: &Estate, action: &Action, g: &mut GlobalReading) {
    let Some(dns) = estate.dns.as_ref() else {
        return;
    };
    match action {
        Action::UpsertRecord { record, value, .. } => {
            let points_at = dns.side_of(value);
            g.dns = Some(Ok(DnsReading::swap(
                record,
                Some(value.clone()),
                points_at,
                false,
            )));
        }
        Action::UpsertAlias {
            record, dns_name, ..
        } => {
            let points_at = dns.side_of(dns_name);
            g.dns = Some(Ok(DnsReading::swap(
                record,
                Some(dns_name.clone()),
                points_at,
                true,
            )));
        }
        Action::InvertHealthCheck { inverted, .. } => {
            // Once Route 53 sees the inverted status, it answers with the SECONDARY; un-inverted,
            // with the PRIMARY (when its endpoint is healthy).
            if let Some(Ok(d)) = &mut g.dns {
                let side = if *inverted {
                    Side::Standby
                } else {
                    Side::Primary
                };
                d.points_at = Some(side);
                if let Some(f) = &mut d.failover {
                    f.answers = Some(side);
                    if let Some(c) = &mut f.check {
                        c.inverted = Some(*inverted);
                        c.healthy = Some(!*inverted);
                    }
                    d.value = match side {
                        Side::Primary => f.primary.target.clone(),
                        Side::Standby => f.standby.target.clone(),
                    };
                }
            }
        }
        _ => {}
    }
}

impl Reader {
    /// A dry run's prediction: what `action` would leave is written over what was read, and
    /// later steps are planned on it.
    pub async fn predict(&self, action: &Action) {
        if let Action::WriteEndpoint { side, store, value } = action {
            self.readings.predict_endpoint(*side, store, value);
        }
        for (scope, parts) in action.affects() {
            match scope {
                Some(side) => {
                    let mut slot = self.readings.sides[cache::index(side)].lock().await;
                    if let Some(r) = slot.reading_mut() {
                        region(&self.estate, action, side, r);
                        self.readings.predicted(Some(side), parts);
                    }
                }
                None => {
                    let mut slot = self.readings.global.lock().await;
                    if let Some(g) = slot.reading_mut() {
                        global(&self.estate, action, g);
                        self.readings.predicted(None, parts);
                    }
                }
            }
        }
    }

    /// Whether a read since the last call answered with a dry run's prediction.
    pub fn used_prediction(&self) -> bool {
        self.readings.take_prediction_used()
    }
}
