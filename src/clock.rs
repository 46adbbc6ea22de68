//! The clock is passed in so that tests can move time (link expiry, tokens).

use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Real time plus an offset that tests move forward (link expiry, sessions).
#[derive(Clone, Default)]
pub struct ManualClock(Arc<Mutex<Duration>>);

impl ManualClock {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn advance(&self, by: Duration) {
        match self.0.lock() {
            Ok(mut offset) => *offset += by,
            Err(poisoned) => *poisoned.into_inner() += by,
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        let offset = match self.0.lock() {
            Ok(o) => *o,
            Err(poisoned) => *poisoned.into_inner(),
        };
        OffsetDateTime::now_utc() + offset
    }
}
