//! The simulated estate's state, moved forward one sim second at a time.

use std::collections::BTreeMap;

use super::rng::Rng;
use super::timings as t;
use crate::backend::{Action, EndpointStore};
use crate::config::{DatabaseKind, Estate};
use crate::model::{
    AlarmReading, AlarmState, AsgReading, DbReading, DbRole, Deployment, DnsReading, ErrorKind,
    HealthCheckReading, Lag, RegionReading, SectionError, ServiceReading, Side, TargetGroupReading,
    route53_healthy,
};

#[derive(Debug, Clone)]
pub struct SimDb {
    pub id: String,
    pub role: DbRole,
    pub status: String,
    /// When a status change in progress (promotion, creation) completes.
    pub busy_until: Option<f64>,
    /// The role it will have when `busy_until` passes.
    pub next_role: Option<DbRole>,
    /// When replication started; lag is unknown for a while after creation.
    pub replicating_since: f64,
    pub instance_class: String,
}

#[derive(Debug, Clone)]
pub struct SimService {
    pub desired: u32,
    /// When each task became (or becomes) RUNNING.
    pub tasks: Vec<f64>,
    pub deploying_until: f64,
    pub revision: u32,
}

#[derive(Debug, Clone)]
pub struct SimInstance {
    pub id: String,
    pub in_service_at: f64,
}

#[derive(Debug, Clone)]
pub struct SimAsg {
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    pub instances: Vec<SimInstance>,
}

#[derive(Debug, Clone, Default)]
pub struct SimTargetGroup {
    /// Instance id -> when it was registered.
    pub registered: BTreeMap<String, f64>,
}

#[derive(Debug, Clone)]
pub struct SimCheck {
    pub reported_healthy: bool,
    /// Consecutive observations contradicting the reported state.
    pub contrary: u32,
    pub next_observation: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Region {
    pub db: Option<SimDb>,
    pub services: BTreeMap<String, SimService>,
    pub asgs: BTreeMap<String, SimAsg>,
    pub target_groups: BTreeMap<String, SimTargetGroup>,
    pub parameters: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    pub primary_dark: bool,
    pub replication_stopped: bool,
    pub throttling: bool,
    pub stuck_step: bool,
}

pub struct World {
    pub estate: Estate,
    pub now: f64,
    pub rng: Rng,
    pub primary: Region,
    pub standby: Region,
    pub dns_value: String,
    /// Route 53 change id -> when it is INSYNC.
    pub dns_changes: BTreeMap<String, f64>,
    pub checks: BTreeMap<String, SimCheck>,
    pub faults: Faults,
    /// Lag model: a wandering baseline plus a decaying spike, in seconds.
    pub lag_base: f64,
    pub lag_spike: f64,
    /// When the primary went dark: lag grows from then on.
    pub dark_since: Option<f64>,
    /// Actions swallowed while a step is stuck: applied when the fault clears.
    pub stuck: Vec<Action>,
    next_change: u64,
}

impl World {
    pub fn new(estate: Estate, seed: u64) -> World {
        let mut rng = Rng::new(seed);
        let mut world = World {
            primary: Region::default(),
            standby: Region::default(),
            dns_value: estate
                .dns
                .as_ref()
                .map(|d| d.primary_value.clone())
                .unwrap_or_default(),
            dns_changes: BTreeMap::new(),
            checks: BTreeMap::new(),
            faults: Faults::default(),
            lag_base: rng.range(2.0, 8.0),
            lag_spike: 0.0,
            dark_since: None,
            stuck: Vec::new(),
            next_change: 1,
            now: 0.0,
            rng,
            estate,
        };
        world.seed_regions();
        world
    }

    fn seed_regions(&mut self) {
        let estate = self.estate.clone();
        if let Some(db) = &estate.database {
            let (writer_role, replica_role) = match db.kind {
                DatabaseKind::RdsReplica => (
                    DbRole::Writer,
                    DbRole::Replica {
                        source: self.db_arn(Side::Primary, &db.primary),
                    },
                ),
                DatabaseKind::AuroraGlobal => (
                    DbRole::Writer,
                    DbRole::Replica {
                        source: db.global_cluster.clone().unwrap_or_default(),
                    },
                ),
            };
            self.primary.db = Some(new_db(&db.primary, writer_role));
            self.standby.db = Some(new_db(&db.standby, replica_role));
            if let Some(p) = &db.endpoint_parameter {
                let v = endpoint_of(Side::Primary, &db.primary, &estate);
                self.primary.parameters.insert(p.clone(), v.clone());
                self.standby.parameters.insert(p.clone(), v);
            }
            if let Some(s) = &db.endpoint_secret {
                let v = endpoint_of(Side::Primary, &db.primary, &estate);
                self.primary.secrets.insert(s.clone(), v.clone());
                self.standby.secrets.insert(s.clone(), v);
            }
        }
        for side in Side::BOTH {
            for svc in estate.services() {
                let desired = match side {
                    Side::Primary => svc.production,
                    Side::Standby => svc.standby,
                };
                let service = SimService {
                    desired,
                    tasks: vec![-1.0; desired as usize],
                    deploying_until: 0.0,
                    revision: 12,
                };
                self.region_mut(side)
                    .services
                    .insert(svc.name.clone(), service);
            }
            for asg in &estate.asgs {
                let cap = match side {
                    Side::Primary => asg.production,
                    Side::Standby => asg.standby,
                };
                let instances = (0..cap.desired)
                    .map(|_| SimInstance {
                        id: format!("i-0{}", self.rng.hex(16)),
                        in_service_at: -3600.0,
                    })
                    .collect();
                self.region_mut(side).asgs.insert(
                    asg.name_in(side).to_string(),
                    SimAsg {
                        min: cap.min,
                        max: cap.max,
                        desired: cap.desired,
                        instances,
                    },
                );
            }
            for tg in &estate.target_groups {
                let mut group = SimTargetGroup::default();
                if let Some(asg) = tg
                    .asg
                    .as_ref()
                    .and_then(|n| estate.asgs.iter().find(|a| a.label() == n))
                {
                    let region = self.region(side);
                    if let Some(a) = region.asgs.get(asg.name_in(side)) {
                        for i in &a.instances {
                            group.registered.insert(i.id.clone(), -3600.0);
                        }
                    }
                }
                self.region_mut(side)
                    .target_groups
                    .insert(tg.arn(side).to_string(), group);
            }
        }
        for hc in &estate.health_checks {
            self.checks.insert(
                hc.id.clone(),
                SimCheck {
                    reported_healthy: true,
                    contrary: 0,
                    next_observation: 0.0,
                },
            );
        }
        // Health checks start from what they would observe.
        for hc in &estate.health_checks {
            let raw = self.endpoint_healthy(hc.region);
            if let Some(c) = self.checks.get_mut(&hc.id) {
                c.reported_healthy = raw;
            }
        }
    }

    pub fn region(&self, side: Side) -> &Region {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }

    pub fn region_mut(&mut self, side: Side) -> &mut Region {
        match side {
            Side::Primary => &mut self.primary,
            Side::Standby => &mut self.standby,
        }
    }

    pub fn db_arn(&self, side: Side, id: &str) -> String {
        format!(
            "arn:aws:rds:{}:123456789012:db:{id}",
            self.estate.region(side).region
        )
    }

    pub fn is_dark(&self, side: Side) -> bool {
        side == Side::Primary && self.faults.primary_dark
    }

    /// Moves the world forward to sim time `until`, one second at a time.
    pub fn advance_to(&mut self, until: f64) {
        while self.now + 1.0 <= until {
            self.now += 1.0;
            self.tick();
        }
    }

    fn tick(&mut self) {
        let now = self.now;
        // Replica lag: a random walk around a few seconds with rare spikes.
        self.lag_base = (self.lag_base + self.rng.range(-0.6, 0.6)).clamp(1.0, 15.0);
        self.lag_spike *= 0.985;
        if self.rng.chance(1.0 / 900.0) {
            self.lag_spike = self.rng.range(40.0, 420.0);
        }
        for side in Side::BOTH {
            if let Some(db) = self.region_mut(side).db.as_mut()
                && db.busy_until.is_some_and(|u| u <= now)
            {
                db.busy_until = None;
                db.status = "available".into();
                if let Some(role) = db.next_role.take() {
                    db.role = role;
                }
                db.replicating_since = now;
            }
            let region = self.region_mut(side);
            // Instances that leave the group leave its target groups too.
            let live: Vec<String> = region
                .asgs
                .values()
                .flat_map(|a| a.instances.iter().map(|i| i.id.clone()))
                .collect();
            for tg in region.target_groups.values_mut() {
                tg.registered.retain(|id, _| live.contains(id));
            }
        }
        let checks: Vec<(String, Side)> = self
            .estate
            .health_checks
            .iter()
            .map(|h| (h.id.clone(), h.region))
            .collect();
        for (id, side) in checks {
            let raw = self.endpoint_healthy(side);
            if let Some(c) = self.checks.get_mut(&id)
                && c.next_observation <= now
            {
                c.next_observation = now + t::CHECK_INTERVAL;
                if raw == c.reported_healthy {
                    c.contrary = 0;
                } else {
                    c.contrary += 1;
                    if c.contrary >= t::CHECK_THRESHOLD {
                        c.reported_healthy = raw;
                        c.contrary = 0;
                    }
                }
            }
        }
    }

    /// What a health checker would see at the region's load balancer right now.
    pub fn endpoint_healthy(&self, side: Side) -> bool {
        if self.is_dark(side) {
            return false;
        }
        let groups = self
            .region(side)
            .target_groups
            .keys()
            .cloned()
            .collect::<Vec<_>>();
        if groups.is_empty() {
            return self
                .region(side)
                .services
                .values()
                .any(|s| running(s, self.now) > 0);
        }
        groups
            .iter()
            .any(|arn| self.target_group_counts(side, arn).0 > 0)
    }

    /// (healthy, unhealthy, other) registered targets.
    pub fn target_group_counts(&self, side: Side, arn: &str) -> (u32, u32, u32) {
        let region = self.region(side);
        let Some(tg) = region.target_groups.get(arn) else {
            return (0, 0, 0);
        };
        let mut counts = (0, 0, 0);
        for (id, registered_at) in &tg.registered {
            let instance = region
                .asgs
                .values()
                .flat_map(|a| a.instances.iter())
                .find(|i| &i.id == id);
            match instance {
                Some(i) if i.in_service_at <= self.now => {
                    if self.now - registered_at.max(i.in_service_at) >= t::TARGET_HEALTHY {
                        counts.0 += 1;
                    } else {
                        counts.2 += 1;
                    }
                }
                Some(_) => counts.2 += 1,
                None => counts.1 += 1,
            }
        }
        counts
    }

    pub fn lag(&self, side: Side) -> Lag {
        let Some(db) = &self.region(side).db else {
            return Lag::NoData;
        };
        if !matches!(db.role, DbRole::Replica { .. }) {
            return Lag::NoData;
        }
        if db.status != "available" && db.status != "modifying" {
            return Lag::NoData;
        }
        if self.now - db.replicating_since < 60.0 {
            return Lag::NoData;
        }
        if self.faults.replication_stopped {
            return Lag::Stopped;
        }
        let mut lag = self.lag_base + self.lag_spike;
        if let Some(since) = self.dark_since {
            lag += self.now - since;
        }
        Lag::Known(lag.round() as u64)
    }

    pub fn read_region(&self, side: Side) -> RegionReading {
        let region = self.region(side);
        let estate = &self.estate;
        let database = estate.database.as_ref().map(|cfg| {
            let id = match side {
                Side::Primary => &cfg.primary,
                Side::Standby => &cfg.standby,
            };
            match &region.db {
                Some(db) if &db.id == id => Ok(DbReading {
                    id: db.id.clone(),
                    role: db.role.clone(),
                    status: db.status.clone(),
                    lag: self.lag(side),
                    endpoint: Some(endpoint_of(side, &db.id, estate)),
                    engine: Some("postgres".into()),
                    instance_class: Some(db.instance_class.clone()),
                    arn: Some(self.db_arn(side, &db.id)),
                }),
                _ => Err(SectionError::new(
                    ErrorKind::NotFound,
                    format!("DBInstanceNotFound: DBInstance {id} not found"),
                )),
            }
        });
        let services = estate
            .services()
            .iter()
            .map(|cfg| match region.services.get(&cfg.name) {
                None => ServiceReading::missing(&cfg.name),
                Some(s) => {
                    let run = running(s, self.now);
                    let pending = s.tasks.len() as u32 - run;
                    ServiceReading {
                        name: cfg.name.clone(),
                        status: "ACTIVE".into(),
                        desired: s.desired,
                        running: run,
                        pending,
                        deployment: if pending > 0 || s.deploying_until > self.now {
                            Deployment::InProgress
                        } else {
                            Deployment::Steady
                        },
                        task_definition: Some(format!("{}:{}", cfg.name, s.revision)),
                    }
                }
            })
            .collect();
        let asgs = estate
            .asgs
            .iter()
            .map(|cfg| {
                let name = cfg.name_in(side);
                match region.asgs.get(name) {
                    None => AsgReading::missing(name),
                    Some(a) => {
                        let in_service: Vec<String> = a
                            .instances
                            .iter()
                            .filter(|i| i.in_service_at <= self.now)
                            .map(|i| i.id.clone())
                            .collect();
                        AsgReading {
                            name: name.to_string(),
                            found: true,
                            min: a.min,
                            max: a.max,
                            desired: a.desired,
                            in_service: in_service.len() as u32,
                            instances: in_service,
                        }
                    }
                }
            })
            .collect();
        let target_groups = estate
            .target_groups
            .iter()
            .map(|cfg| {
                let arn = cfg.arn(side);
                let (healthy, unhealthy, other) = self.target_group_counts(side, arn);
                TargetGroupReading {
                    name: cfg.name.clone(),
                    error: (!region.target_groups.contains_key(arn))
                        .then(|| format!("TargetGroupNotFound: {arn}")),
                    healthy,
                    unhealthy,
                    other,
                    registered: region
                        .target_groups
                        .get(arn)
                        .map(|g| g.registered.keys().cloned().collect())
                        .unwrap_or_default(),
                }
            })
            .collect();
        let alarms = estate
            .alarms
            .iter()
            .filter(|a| a.region == side)
            .map(|a| AlarmReading {
                name: a.name.clone(),
                state: self.alarm_state(side, &a.name),
            })
            .collect();
        RegionReading {
            database,
            services: Ok(services),
            asgs: Ok(asgs),
            target_groups: Ok(target_groups),
            alarms: Ok(alarms),
        }
    }

    fn alarm_state(&self, side: Side, name: &str) -> AlarmState {
        if name.contains("lag") {
            return match self.lag(side) {
                Lag::Known(s) if s as f64 > self.estate.rpo_budget.0.as_secs_f64() => {
                    AlarmState::Alarm
                }
                Lag::Known(_) => AlarmState::Ok,
                Lag::Stopped => AlarmState::Alarm,
                Lag::NoData => AlarmState::InsufficientData,
            };
        }
        let serving = self
            .estate
            .dns
            .as_ref()
            .and_then(|d| d.side_of(&self.dns_value))
            == Some(side);
        if serving && !self.endpoint_healthy(side) {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        }
    }

    pub fn read_health_checks(&self) -> Vec<HealthCheckReading> {
        self.estate
            .health_checks
            .iter()
            .map(|hc| {
                let healthy = self
                    .checks
                    .get(&hc.id)
                    .map(|c| c.reported_healthy)
                    .unwrap_or(false);
                let ok = if healthy { t::CHECKERS - 1 } else { 1 };
                HealthCheckReading {
                    id: hc.id.clone(),
                    label: hc.label.clone(),
                    watches: hc.region,
                    healthy: route53_healthy(ok, t::CHECKERS),
                    checkers_ok: ok,
                    checkers_total: t::CHECKERS,
                    error: None,
                }
            })
            .collect()
    }

    pub fn read_dns(&self) -> Option<DnsReading> {
        self.estate.dns.as_ref().map(|d| DnsReading {
            record: d.record.clone(),
            value: Some(self.dns_value.clone()),
            points_at: d.side_of(&self.dns_value),
        })
    }

    pub fn read_endpoint(&self, side: Side, store: &EndpointStore) -> Option<String> {
        let region = self.region(side);
        match store {
            EndpointStore::SsmParameter(n) => region.parameters.get(n).cloned(),
            EndpointStore::Secret(n) => region.secrets.get(n).cloned(),
        }
    }

    pub fn next_change_id(&mut self) -> String {
        self.next_change += 1;
        format!("C{:012X}", self.next_change * 7919)
    }

    pub fn draw(&mut self, range: (f64, f64)) -> f64 {
        self.rng.range(range.0, range.1)
    }
}

fn new_db(id: &str, role: DbRole) -> SimDb {
    SimDb {
        id: id.to_string(),
        role,
        status: "available".into(),
        busy_until: None,
        next_role: None,
        replicating_since: -3600.0,
        instance_class: "db.r6g.large".into(),
    }
}

pub fn running(s: &SimService, now: f64) -> u32 {
    s.tasks.iter().filter(|&&t| t <= now).count() as u32
}

pub fn endpoint_of(side: Side, id: &str, estate: &Estate) -> String {
    format!(
        "{id}.c9akciq32.{}.rds.amazonaws.com",
        estate.region(side).region
    )
}
