//! What the app's state says about the estate as read: each region's feed and its freshness,
//! the posture, the readiness of the side standing by, the accounts, and the runbooks'
//! evaluations.

use std::time::{Duration, Instant};

use super::{App, Feed, FeedState};
use crate::model::{AccountCheck, RegionReading, Side};
use crate::posture::{self, Posture};
use crate::readiness::{self, Readiness};

impl App {
    /// The runbooks' evaluations with their drift judged on the latest readings (the rest
    /// is as of the last evaluation), and the evaluation's age.
    pub fn evaluations(&self) -> Vec<(crate::model::Evaluation, Duration)> {
        let Some((list, at)) = &self.evaluated else {
            return Vec::new();
        };
        let active = self.posture().active.unwrap_or(Side::Primary);
        let readings = [self.primary.data.as_ref(), self.standby.data.as_ref()];
        let age = self.now.saturating_duration_since(*at);
        list.iter()
            .map(|e| {
                (
                    crate::evaluate::schedule::with_drift(e, &self.estate, active, readings),
                    age,
                )
            })
            .collect()
    }

    pub fn region(&self, side: Side) -> &Feed<RegionReading> {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }

    pub fn region_mut(&mut self, side: Side) -> &mut Feed<RegionReading> {
        match side {
            Side::Primary => &mut self.primary,
            Side::Standby => &mut self.standby,
        }
    }

    pub fn interval(&self) -> Duration {
        self.estate.poll_interval()
    }

    pub fn state_of(&self, side: Side) -> FeedState {
        self.region(side).state(self.now, self.interval())
    }

    pub fn global_state(&self) -> FeedState {
        self.global.state(self.now, self.interval())
    }

    /// The most recent successful fetch of any scope.
    pub fn last_refresh(&self) -> Option<Instant> {
        [
            self.primary.fetched_at,
            self.standby.fetched_at,
            self.global.fetched_at,
        ]
        .into_iter()
        .flatten()
        .max()
    }

    /// The estate's posture from the latest readings, decided when a poll lands (it changes
    /// with readings, not with time), not on every frame.
    pub fn posture(&self) -> &Posture {
        &self.posture
    }

    /// Decides the posture again; a scope that is unreachable now counts as unread, whatever
    /// it last showed.
    pub fn refresh_posture(&mut self) {
        self.posture = self.decide_posture();
    }

    fn decide_posture(&self) -> Posture {
        let readable = |side: Side| {
            (self.state_of(side) != FeedState::Unreachable)
                .then_some(self.region(side).data.as_ref())
                .flatten()
        };
        let global = (self.global_state() != FeedState::Unreachable)
            .then_some(self.global.data.as_ref())
            .flatten();
        posture::posture(
            &self.estate,
            readable(Side::Primary),
            readable(Side::Standby),
            global,
        )
    }

    /// The side whose database should be the replica: the one standing by.
    pub fn replica_side(&self) -> Side {
        self.posture().passive()
    }

    /// Readiness of the side standing by, as the posture says which one that is.
    pub fn readiness(&self) -> Readiness {
        let active = self.posture().active.unwrap_or(Side::Primary);
        let mut r = readiness::evaluate(
            &self.estate,
            active,
            [self.primary.data.as_ref(), self.standby.data.as_ref()],
            self.global.data.as_ref(),
        );
        self.mark_services_age(&mut r);
        r
    }

    /// A side's account as read, against the estate file's pin.
    pub fn account(&self, side: Side) -> AccountCheck {
        self.estate
            .account(side, self.identities.get(&side).cloned())
    }

    /// Both sides' accounts.
    pub fn accounts(&self) -> Vec<AccountCheck> {
        Side::BOTH.iter().map(|s| self.account(*s)).collect()
    }

    /// Why no runbook may start: a pinned account differs or is not verified.
    pub fn runbook_refusal(&self) -> Option<String> {
        crate::model::runbook_refusal(&self.accounts())
    }
}
