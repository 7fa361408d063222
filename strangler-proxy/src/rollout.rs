//! Progressive rollouts: a route moves to its new service through steps (for example 1, 5,
//! 25, 50 and 100 % of requests), each held for a bake time; the step is promoted when its
//! gates pass and the route goes back to the monolith as soon as one fails.
//!
//! This module is the decision logic and the counters it reads. It is pure: the clock is an
//! argument, and applying a decision (changing the split, writing the ledger and the plan) is
//! the caller's.
//!
//! # Gates
//!
//! Judged on the requests the route's two sides answered, once the new service has answered
//! `min_requests` of them:
//! - **errors**: the new service's share of failed answers (5xx, or none) may exceed the
//!   monolith's by at most `max_error_rate_increase` (0.01: one point);
//! - **latency**: the new service's p99 may be at most `max_p99_ratio` times the monolith's,
//!   or `p99_slack_ms` above it, whichever is more (a ratio of sub-millisecond figures is
//!   noise);
//! - **match**, when `min_match_rate` is set: the share of shadow comparisons that matched.
//!
//! The monolith's side is the same route's requests over the same time, so a slow database
//! slows both and trips nothing. When the monolith answered too few requests to compare with
//! (at 100 % it answers none), its figures from the whole rollout stand in.
//!
//! A failure is judged on the last bake interval (a sliding window), so a service that starts
//! failing after a long good spell is rolled back within one bake interval; promotion needs
//! the whole step, at least one bake interval long, to pass.

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Deserialize;

/// How a rollout is written in the configuration.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RolloutFile {
    /// Percent of requests the new service gets at each step, increasing, up to 100.
    pub steps: Vec<i64>,
    /// How long each step runs before it can be promoted.
    pub bake_ms: u64,
    #[serde(default)]
    pub min_requests: Option<u64>,
    #[serde(default)]
    pub max_error_rate_increase: Option<f64>,
    #[serde(default)]
    pub max_p99_ratio: Option<f64>,
    #[serde(default)]
    pub p99_slack_ms: Option<f64>,
    #[serde(default)]
    pub min_match_rate: Option<f64>,
}

/// A validated rollout.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutSpec {
    pub steps: Vec<u8>,
    pub bake: Duration,
    pub min_requests: u64,
    pub max_error_rate_increase: f64,
    pub max_p99_ratio: f64,
    /// The latency gate trips only when the service's p99 is also this much above the
    /// monolith's: at sub-millisecond latencies a ratio alone is noise.
    pub p99_slack_ms: f64,
    pub min_match_rate: Option<f64>,
}

impl RolloutSpec {
    pub const DEFAULT_MIN_REQUESTS: u64 = 100;
    pub const DEFAULT_MAX_ERROR_RATE_INCREASE: f64 = 0.01;
    pub const DEFAULT_MAX_P99_RATIO: f64 = 1.5;
    pub const DEFAULT_P99_SLACK_MS: f64 = 10.0;

    /// Checks `file`; an error names the field (under the rollout's table) and why.
    pub fn from_file(file: &RolloutFile) -> Result<RolloutSpec, (&'static str, String)> {
        if file.steps.is_empty() {
            return Err(("steps", "a rollout needs at least one step".to_string()));
        }
        let mut steps = Vec::with_capacity(file.steps.len());
        for (idx, &step) in file.steps.iter().enumerate() {
            if !(1..=100).contains(&step) {
                return Err((
                    "steps",
                    format!("step {} is {step}%: a step is 1 to 100", idx + 1),
                ));
            }
            if let Some(&previous) = steps.last()
                && i64::from(previous) >= step
            {
                return Err((
                    "steps",
                    format!(
                        "step {} ({step}%) does not increase on the step before ({previous}%)",
                        idx + 1
                    ),
                ));
            }
            steps.push(u8::try_from(step).unwrap_or(100));
        }
        if file.bake_ms == 0 {
            return Err(("bake_ms", "a step must bake for some time".to_string()));
        }
        let min_requests = file.min_requests.unwrap_or(Self::DEFAULT_MIN_REQUESTS);
        if min_requests == 0 {
            return Err((
                "min_requests",
                "a gate judged on no request judges nothing: at least 1".to_string(),
            ));
        }
        let increase = file
            .max_error_rate_increase
            .unwrap_or(Self::DEFAULT_MAX_ERROR_RATE_INCREASE);
        if !(0.0..=1.0).contains(&increase) {
            return Err((
                "max_error_rate_increase",
                format!("{increase} is not a share from 0 to 1"),
            ));
        }
        let ratio = file.max_p99_ratio.unwrap_or(Self::DEFAULT_MAX_P99_RATIO);
        if !ratio.is_finite() || ratio < 1.0 {
            return Err((
                "max_p99_ratio",
                format!("{ratio} is below 1: the new service could never be as fast as needed"),
            ));
        }
        let slack = file.p99_slack_ms.unwrap_or(Self::DEFAULT_P99_SLACK_MS);
        if !slack.is_finite() || slack < 0.0 {
            return Err((
                "p99_slack_ms",
                format!("{slack} is not a number of milliseconds, 0 or more"),
            ));
        }
        if let Some(rate) = file.min_match_rate
            && !(0.0..=1.0).contains(&rate)
        {
            return Err((
                "min_match_rate",
                format!("{rate} is not a share from 0 to 1"),
            ));
        }
        Ok(RolloutSpec {
            steps,
            bake: Duration::from_millis(file.bake_ms),
            min_requests,
            max_error_rate_increase: increase,
            max_p99_ratio: ratio,
            p99_slack_ms: slack,
            min_match_rate: file.min_match_rate,
        })
    }
}

/// Latency buckets: bucket `i` holds answers up to `BASE_US * 2^(i/4)` microseconds.
const BUCKETS: usize = 80;
const BASE_US: f64 = 50.0;

/// What one side of a route (the monolith, or the new service) answered: lock-free
/// counters the request path adds to and the rollout task reads.
#[derive(Debug)]
pub struct SideStats {
    requests: AtomicU64,
    failures: AtomicU64,
    latency: [AtomicU64; BUCKETS],
}

impl Default for SideStats {
    fn default() -> SideStats {
        SideStats {
            requests: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            latency: [const { AtomicU64::new(0) }; BUCKETS],
        }
    }
}

impl SideStats {
    /// One answer (or failure to answer) and how long it took.
    pub fn record(&self, elapsed: Duration, failed: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        self.latency[bucket_of(elapsed)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            requests: self.requests.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            latency: std::array::from_fn(|idx| self.latency[idx].load(Ordering::Relaxed)),
        }
    }
}

fn bucket_of(elapsed: Duration) -> usize {
    let micros = elapsed.as_secs_f64() * 1e6;
    if micros <= BASE_US {
        return 0;
    }
    let idx = (4.0 * (micros / BASE_US).log2()).ceil();
    (idx as usize).min(BUCKETS - 1)
}

fn bucket_bound_ms(idx: usize) -> f64 {
    BASE_US * 2f64.powf(idx as f64 / 4.0) / 1000.0
}

/// Counters at one moment; subtracting an earlier one gives what happened in between.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub requests: u64,
    pub failures: u64,
    latency: [u64; BUCKETS],
}

impl Default for Snapshot {
    fn default() -> Snapshot {
        Snapshot {
            requests: 0,
            failures: 0,
            latency: [0; BUCKETS],
        }
    }
}

impl Snapshot {
    /// What happened after `earlier`.
    pub fn since(&self, earlier: &Snapshot) -> Snapshot {
        Snapshot {
            requests: self.requests.saturating_sub(earlier.requests),
            failures: self.failures.saturating_sub(earlier.failures),
            latency: std::array::from_fn(|idx| {
                self.latency[idx].saturating_sub(earlier.latency[idx])
            }),
        }
    }

    pub fn error_rate(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.failures as f64 / self.requests as f64)
    }

    /// The 99th percentile latency in milliseconds, as the upper bound of its bucket (within
    /// 19 % above the true value).
    pub fn p99_ms(&self) -> Option<f64> {
        let total: u64 = self.latency.iter().sum();
        if total == 0 {
            return None;
        }
        let wanted = (total as f64 * 0.99).ceil() as u64;
        let mut seen = 0;
        for (idx, count) in self.latency.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return Some(bucket_bound_ms(idx));
            }
        }
        Some(bucket_bound_ms(BUCKETS - 1))
    }
}

/// Both sides of a route, and the shadow comparisons, at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    pub service: Snapshot,
    pub monolith: Snapshot,
    /// Shadow answers compared, and how many differed.
    pub compared: u64,
    pub mismatched: u64,
}

impl Observed {
    fn since(&self, earlier: &Observed) -> Observed {
        Observed {
            service: self.service.since(&earlier.service),
            monolith: self.monolith.since(&earlier.monolith),
            compared: self.compared.saturating_sub(earlier.compared),
            mismatched: self.mismatched.saturating_sub(earlier.mismatched),
        }
    }
}

/// Where a rollout is.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Running,
    /// Held at its step by a person; gates are not judged.
    Paused,
    /// Reached its last step with every gate passing.
    Promoted,
    /// Sent back to the monolith.
    RolledBack {
        reason: String,
    },
}

/// What the rollout asks of the proxy after a [`Rollout::judge`].
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Nothing changes yet: why.
    Hold(String),
    /// Go to step `step` (its percent).
    Promote {
        step: usize,
        percent: u8,
        evidence: Figures,
    },
    /// The last step passed: the route is the service's.
    Complete { evidence: Figures },
    /// Back to the monolith, with why.
    Rollback { reason: String, evidence: Figures },
}

/// The figures a decision was made on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub service_requests: u64,
    pub monolith_requests: u64,
    pub service_error_rate: Option<f64>,
    pub monolith_error_rate: Option<f64>,
    pub service_p99_ms: Option<f64>,
    pub monolith_p99_ms: Option<f64>,
    pub match_rate: Option<f64>,
}

/// One route's rollout.
#[derive(Debug, Clone)]
pub struct Rollout {
    pub spec: RolloutSpec,
    /// Index into `spec.steps` of the step running.
    pub step: usize,
    pub status: Status,
    /// When the step started (milliseconds on the caller's clock) and the counters then.
    step_started_ms: u64,
    at_step_start: Observed,
    /// Counters when the rollout started: the monolith's figures over the whole rollout.
    at_start: Observed,
    /// Counters at recent judgements, oldest first, spanning one bake interval.
    recent: VecDeque<(u64, Observed)>,
    /// The figures of the last judgement (its failure window), for people to watch.
    pub last_figures: Option<Figures>,
}

impl Rollout {
    /// A rollout entering step `step` (0 for the first) at `now_ms`, with the counters then.
    pub fn start(spec: RolloutSpec, step: usize, now_ms: u64, observed: Observed) -> Rollout {
        Rollout {
            step: step.min(spec.steps.len().saturating_sub(1)),
            spec,
            status: Status::Running,
            step_started_ms: now_ms,
            at_step_start: observed.clone(),
            at_start: observed.clone(),
            recent: VecDeque::from([(now_ms, observed)]),
            last_figures: None,
        }
    }

    /// The percent of requests the new service gets now: the step's, 0 once rolled back.
    pub fn percent(&self) -> u8 {
        match self.status {
            Status::RolledBack { .. } => 0,
            _ => self.spec.steps[self.step],
        }
    }

    /// Judges the gates at `now_ms` on the counters `observed` (cumulative, as
    /// [`SideStats::snapshot`] gives them) and applies the decision to itself.
    pub fn judge(&mut self, now_ms: u64, observed: Observed) -> Decision {
        self.last_figures = None;
        let bake_ms = u64::try_from(self.spec.bake.as_millis()).unwrap_or(u64::MAX);
        self.recent.push_back((now_ms, observed.clone()));
        while self
            .recent
            .get(1)
            .is_some_and(|(at, _)| now_ms.saturating_sub(*at) >= bake_ms)
        {
            self.recent.pop_front();
        }
        if self.status != Status::Running {
            return Decision::Hold(format!("the rollout is {}", self.status_name()));
        }
        // Failures: the last bake interval, or the step when it is younger.
        let window_start = match self.recent.front() {
            Some((at, counters)) if *at > self.step_started_ms => counters,
            _ => &self.at_step_start,
        };
        let window = observed.since(window_start);
        let whole = observed.since(&self.at_start);
        let figures = self.figures(&window, &whole);
        self.last_figures = Some(figures.clone());
        if window.service.requests >= self.spec.min_requests
            && let Some(reason) = self.failing_gate(&figures)
        {
            self.status = Status::RolledBack {
                reason: reason.clone(),
            };
            return Decision::Rollback {
                reason,
                evidence: figures,
            };
        }
        // Promotion: the whole step, once it baked.
        let step = observed.since(&self.at_step_start);
        let figures = self.figures(&step, &whole);
        let elapsed = now_ms.saturating_sub(self.step_started_ms);
        if step.service.requests < self.spec.min_requests {
            return Decision::Hold(format!(
                "{} of {} requests to judge step {} on",
                step.service.requests,
                self.spec.min_requests,
                self.step + 1
            ));
        }
        if let Some(reason) = self.failing_gate(&figures) {
            self.status = Status::RolledBack {
                reason: reason.clone(),
            };
            return Decision::Rollback {
                reason,
                evidence: figures,
            };
        }
        if elapsed < bake_ms {
            return Decision::Hold(format!(
                "step {} bakes {} ms more",
                self.step + 1,
                bake_ms - elapsed
            ));
        }
        if self.step + 1 == self.spec.steps.len() {
            self.status = Status::Promoted;
            return Decision::Complete { evidence: figures };
        }
        self.step += 1;
        self.step_started_ms = now_ms;
        self.at_step_start = observed;
        Decision::Promote {
            step: self.step,
            percent: self.spec.steps[self.step],
            evidence: figures,
        }
    }

    /// Holds the rollout at its step.
    pub fn pause(&mut self) {
        if self.status == Status::Running {
            self.status = Status::Paused;
        }
    }

    /// Judges again from now: the step restarts its bake on the counters given.
    pub fn resume(&mut self, now_ms: u64, observed: Observed) {
        if self.status == Status::Paused {
            self.status = Status::Running;
            self.step_started_ms = now_ms;
            self.at_step_start = observed.clone();
            self.recent = VecDeque::from([(now_ms, observed)]);
        }
    }

    /// Back to the monolith by hand.
    pub fn roll_back(&mut self, reason: String) {
        self.status = Status::RolledBack { reason };
    }

    pub fn status_name(&self) -> &'static str {
        match self.status {
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Promoted => "promoted",
            Status::RolledBack { .. } => "rolled back",
        }
    }

    fn figures(&self, window: &Observed, whole: &Observed) -> Figures {
        // Too few monolith answers in the window: its figures over the whole rollout.
        let monolith = if window.monolith.requests >= self.spec.min_requests {
            &window.monolith
        } else {
            &whole.monolith
        };
        Figures {
            service_requests: window.service.requests,
            monolith_requests: window.monolith.requests,
            service_error_rate: window.service.error_rate(),
            monolith_error_rate: monolith.error_rate(),
            service_p99_ms: window.service.p99_ms(),
            monolith_p99_ms: monolith.p99_ms(),
            match_rate: (window.compared > 0).then(|| {
                (window.compared - window.mismatched.min(window.compared)) as f64
                    / window.compared as f64
            }),
        }
    }

    fn failing_gate(&self, figures: &Figures) -> Option<String> {
        let service_errors = figures.service_error_rate.unwrap_or(0.0);
        let monolith_errors = figures.monolith_error_rate.unwrap_or(0.0);
        if service_errors - monolith_errors > self.spec.max_error_rate_increase {
            return Some(format!(
                "errors: the service failed {:.1}% of {} requests, the monolith {:.1}% (at most {:.1} points more allowed)",
                service_errors * 100.0,
                figures.service_requests,
                monolith_errors * 100.0,
                self.spec.max_error_rate_increase * 100.0
            ));
        }
        if let (Some(service), Some(monolith)) = (figures.service_p99_ms, figures.monolith_p99_ms)
            && service > monolith * self.spec.max_p99_ratio
            && service > monolith + self.spec.p99_slack_ms
        {
            return Some(format!(
                "latency: the service's p99 is {service:.1} ms, the monolith's {monolith:.1} ms (at most {}x, or {} ms more, allowed)",
                self.spec.max_p99_ratio, self.spec.p99_slack_ms
            ));
        }
        if let (Some(wanted), Some(rate)) = (self.spec.min_match_rate, figures.match_rate)
            && rate < wanted
        {
            return Some(format!(
                "match: {:.1}% of shadow answers matched the monolith's (at least {:.1}% needed)",
                rate * 100.0,
                wanted * 100.0
            ));
        }
        None
    }
}
