//! What a shadowed route remembers for people to read through the admin API: a bounded ring
//! of mismatch samples (the oldest goes first) and the body fields that the noise upstream
//! showed to vary between two answers of the monolith, with how often. Both live as long as
//! the route keeps the same shadow settings, across reloads. The counters are Prometheus's
//! ([`crate::metrics::ShadowMetrics`]), not kept here.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde_json::Value;

use super::compare::{Difference, Location};

/// Most distinct noisy places remembered per route; later ones are not added.
pub const MAX_NOISY_FIELDS: usize = 256;

/// Samples and learned noise of one shadowed route.
#[derive(Debug)]
pub struct ShadowRecord {
    capacity: usize,
    samples: Mutex<VecDeque<Value>>,
    noisy: Mutex<BTreeMap<String, u64>>,
}

impl ShadowRecord {
    pub fn new(capacity: usize) -> ShadowRecord {
        ShadowRecord {
            capacity,
            samples: Mutex::new(VecDeque::new()),
            noisy: Mutex::new(BTreeMap::new()),
        }
    }

    /// Keeps `sample`, dropping the oldest when the ring is full.
    pub fn add_sample(&self, sample: Value) {
        if self.capacity == 0 {
            return;
        }
        // A poisoned lock only means a panic elsewhere mid-push; the ring is still a ring.
        let mut samples = self
            .samples
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if samples.len() == self.capacity {
            samples.pop_front();
        }
        samples.push_back(sample);
    }

    /// Counts each place where two monolith answers differed, indexes generalized to `[*]`.
    pub fn learn_noise(&self, noise: &[Difference]) {
        let mut noisy = self
            .noisy
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for difference in noise {
            let place = match &difference.location {
                Location::Body(path) => format!("body {}", path.generalized()),
                other => other.to_string(),
            };
            if let Some(count) = noisy.get_mut(&place) {
                *count += 1;
            } else if noisy.len() < MAX_NOISY_FIELDS {
                noisy.insert(place, 1);
            }
        }
    }

    /// The samples, oldest first.
    pub fn samples(&self) -> Vec<Value> {
        self.samples
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// Noisy places and how many comparisons saw each, by place.
    pub fn noisy_fields(&self) -> BTreeMap<String, u64> {
        self.noisy
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
