//! The simulator's clock: real time scaled by `--sim-speed`, or a hand-driven clock for tests.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub enum SimClock {
    /// Sim time runs `speed` times faster than the wall clock.
    Scaled { start: Instant, speed: f64 },
    /// Sim time moves only when a test advances it.
    Manual(Arc<Mutex<Duration>>),
}

impl SimClock {
    pub fn scaled(speed: f64) -> SimClock {
        SimClock::Scaled {
            start: Instant::now(),
            speed: speed.max(0.01),
        }
    }

    pub fn manual() -> SimClock {
        SimClock::Manual(Arc::new(Mutex::new(Duration::ZERO)))
    }

    /// Seconds of sim time since the simulation started.
    pub fn now(&self) -> f64 {
        match self {
            SimClock::Scaled { start, speed } => start.elapsed().as_secs_f64() * speed,
            SimClock::Manual(t) => t.lock().map(|t| t.as_secs_f64()).unwrap_or(0.0),
        }
    }

    /// Moves a manual clock forward; a scaled clock ignores this.
    pub fn advance(&self, by: Duration) {
        if let SimClock::Manual(t) = self
            && let Ok(mut t) = t.lock()
        {
            *t += by;
        }
    }
}
