//! The dynamic sandbox as the APIs read it, held in memory: each customer
//! as one application sees them (the documented data and the internal
//! transfers it settled), built once a day and again after the application
//! changes its sandbox. A write evicts the application here after it
//! commits and, through the access notification, on every other instance;
//! a build that raced with a write is not kept (see [`SandboxState::put`]).
//! What a call renders from a build (the account list's JSON) can be kept
//! with it ([`SandboxState::view`]) and goes when the build goes.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use time::Date;

use crate::domain::sandbox::Customer;

/// More customers than this in memory: start again (one entry is a few KiB).
const MAX_ENTRIES: usize = 10_000;

/// What calls render from one build, rendered once: the account list
/// without (0) and with (1) balances.
pub type Views = [OnceLock<Bytes>; 2];

struct Entry {
    customer: Arc<Customer>,
    views: Arc<Views>,
    /// The day it was built for (the history's dates move with the day).
    day: Date,
    loaded: Instant,
}

#[derive(Default)]
struct Entries {
    /// application id → personnummer → customer.
    by_application: HashMap<String, HashMap<String, Entry>>,
    len: usize,
    /// Counts evictions: a build that started before one is stale.
    generation: u64,
}

pub struct SandboxState {
    entries: RwLock<Entries>,
    ttl: Duration,
}

impl SandboxState {
    /// `ttl` bounds how long a missed notification can show old balances.
    pub fn new(ttl: Duration) -> SandboxState {
        SandboxState {
            entries: RwLock::new(Entries::default()),
            ttl,
        }
    }

    /// The customer as built for `day`, if still fresh; else the generation
    /// to hand to [`SandboxState::put`] with the new build.
    pub fn get(&self, application_id: &str, ssn: &str, day: Date) -> Result<Arc<Customer>, u64> {
        let Ok(entries) = self.entries.read() else {
            return Err(u64::MAX);
        };
        entries
            .by_application
            .get(application_id)
            .and_then(|m| m.get(ssn))
            .filter(|e| e.day == day && e.loaded.elapsed() < self.ttl)
            .map(|e| e.customer.clone())
            .ok_or(entries.generation)
    }

    /// Keeps a build, unless the application's sandbox may have changed
    /// since it was read (`generation` is no longer the current one).
    pub fn put(&self, application_id: &str, ssn: &str, day: Date, generation: u64, customer: Arc<Customer>) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if entries.generation != generation {
            return;
        }
        if entries.len >= MAX_ENTRIES {
            entries.by_application.clear();
            entries.len = 0;
        }
        let fresh = Entry {
            customer,
            views: Arc::default(),
            day,
            loaded: Instant::now(),
        };
        let added = entries
            .by_application
            .entry(application_id.to_string())
            .or_default()
            .insert(ssn.to_string(), fresh)
            .is_none();
        entries.len += usize::from(added);
    }

    /// View `slot` of this very build (`customer`, as [`SandboxState::get`]
    /// gave it), rendered by `render` the first time. A build that is no
    /// longer the one kept (evicted, or another day's) is rendered afresh
    /// and nothing is kept: a view never outlives its build.
    pub fn view(
        &self,
        application_id: &str,
        ssn: &str,
        customer: &Arc<Customer>,
        slot: usize,
        render: impl FnOnce() -> Bytes,
    ) -> Bytes {
        let views = self.entries.read().ok().and_then(|entries| {
            entries
                .by_application
                .get(application_id)
                .and_then(|m| m.get(ssn))
                .filter(|e| Arc::ptr_eq(&e.customer, customer))
                .map(|e| e.views.clone())
        });
        match views.as_ref().and_then(|v| v.get(slot)) {
            Some(cell) => cell.get_or_init(render).clone(),
            None => render(),
        }
    }

    /// Forgets an application's customers (its sandbox changed or it is gone).
    pub fn evict_application(&self, application_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.generation += 1;
            if let Some(gone) = entries.by_application.remove(application_id) {
                entries.len -= gone.len();
            }
        }
    }

    /// Forgets everything (a notification may have been missed).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.generation += 1;
            entries.by_application.clear();
            entries.len = 0;
        }
    }

    /// Applies what another instance announced (see [`super::access::announce`]).
    pub fn heard(&self, payload: &str) {
        match payload.split_once(':') {
            Some(("application" | "sandbox", id)) => self.evict_application(id),
            Some(("tokens", _)) => {}
            _ => self.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sandbox::customers::customer_for_ssn;

    const SSN: &str = "195505063676";

    fn day() -> Date {
        time::macros::date!(2026 - 12 - 04)
    }

    fn built() -> Arc<Customer> {
        match customer_for_ssn(SSN, day()) {
            Ok(c) => Arc::new(c),
            Err(m) => panic!("{m}"),
        }
    }

    /// The generation of a lookup that must miss.
    fn miss(state: &SandboxState, day: Date) -> u64 {
        match state.get("app", SSN, day) {
            Ok(_) => panic!("expected nothing in memory"),
            Err(generation) => generation,
        }
    }

    #[test]
    fn a_build_is_kept_until_the_application_changes_its_sandbox() {
        let state = SandboxState::new(Duration::from_secs(60));
        let generation = miss(&state, day());
        state.put("app", SSN, day(), generation, built());
        assert!(state.get("app", SSN, day()).is_ok());
        // Another application's write leaves it alone; its own evicts it.
        state.evict_application("other");
        assert!(state.get("app", SSN, day()).is_ok());
        state.heard("sandbox:app");
        assert!(state.get("app", SSN, day()).is_err());
    }

    #[test]
    fn a_build_that_raced_with_a_write_is_not_kept() {
        let state = SandboxState::new(Duration::from_secs(60));
        let generation = miss(&state, day());
        // The write commits and evicts while the build is reading.
        state.evict_application("app");
        state.put("app", SSN, day(), generation, built());
        assert!(
            state.get("app", SSN, day()).is_err(),
            "a stale build must not be served"
        );
    }

    #[test]
    fn a_view_is_rendered_once_per_build_and_goes_with_it() {
        let state = SandboxState::new(Duration::from_secs(60));
        let generation = miss(&state, day());
        state.put("app", SSN, day(), generation, built());
        let Ok(kept) = state.get("app", SSN, day()) else {
            panic!("kept")
        };
        let renders = std::cell::Cell::new(0);
        let render = |body: &'static str| {
            renders.set(renders.get() + 1);
            Bytes::from_static(body.as_bytes())
        };
        assert_eq!(state.view("app", SSN, &kept, 1, || render("first")), "first");
        assert_eq!(state.view("app", SSN, &kept, 1, || render("again")), "first");
        assert_eq!(renders.get(), 1);
        // The other slot is its own view.
        assert_eq!(state.view("app", SSN, &kept, 0, || render("plain")), "plain");
        // After a write the old build's view is not kept, nor served.
        state.evict_application("app");
        assert_eq!(state.view("app", SSN, &kept, 1, || render("after")), "after");
        let generation = miss(&state, day());
        state.put("app", SSN, day(), generation, built());
        let Ok(rebuilt) = state.get("app", SSN, day()) else {
            panic!("kept")
        };
        assert_eq!(state.view("app", SSN, &rebuilt, 1, || render("new")), "new");
        // A build that is not the kept one (raced) gets no view kept.
        assert_eq!(state.view("app", SSN, &kept, 1, || render("stale")), "stale");
        assert_eq!(state.view("app", SSN, &rebuilt, 1, || render("x")), "new");
    }

    #[test]
    fn a_new_day_or_a_lost_notification_builds_again() {
        let state = SandboxState::new(Duration::from_secs(60));
        let generation = miss(&state, day());
        state.put("app", SSN, day(), generation, built());
        assert!(state.get("app", SSN, time::macros::date!(2026 - 12 - 05)).is_err());
        state.heard("all");
        assert!(state.get("app", SSN, day()).is_err());
    }
}
