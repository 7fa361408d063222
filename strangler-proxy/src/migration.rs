//! Where each route of a plan is in its migration, and what moves it: people (the plan file,
//! the admin API) and rollouts. Runs when the plan sets `[proxy.plan_routes] ledger`.
//!
//! Every change of a route's state goes to the [`Ledger`] first (durable), then into the plan
//! file (`PlanDocument::set_route_state`, comments kept), then the file is reloaded: the plan
//! stays the one source people read, and the ledger says who moved what, when and why. A
//! change made by editing the file is found at the next tick and recorded as made by `plan`.
//!
//! A route in state `shadow` enters the rollout's first step by itself when the rollout sets
//! `min_match_rate` and the shadow's comparisons reach it (over `min_requests` answers and
//! one bake interval); below it, the route stays in shadow.
//!
//! A route in state `canary` runs the plan's rollout when it has one ([`crate::rollout`]):
//! every tick judges its gates on the counters its targets keep, and a promotion, the last
//! step (state `service`) or a rollback (state `monolith`) is applied as above. After a
//! restart a rollout starts again at the step of the route's percent, with a fresh bake.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ficus_plan::{PlanDocument, RouteKey, RouteState};
use serde_json::{Value, json};

use crate::config::plan_routes::MONOLITH_UPSTREAM;
use crate::config::settings::PlanRoute;
use crate::ledger::{Change, Evidence, Ledger, LedgerError, RolloutMark, State, now_ms};
use crate::reload;
use crate::rollout::{Decision, Figures, Observed, Rollout, RolloutSpec};
use crate::runtime::{Runtime, Shared};

/// The controller: the ledger, and the rollout of every route in state `canary`.
pub struct Migration {
    shared: Arc<Shared>,
    inner: Mutex<Inner>,
    /// Held by a change from its ledger line to its reload, and by the comparison of the
    /// plan's states with the ledger's: without it a comparison could read the runtime from
    /// before a change the ledger already has, and record the old state as a file edit.
    changing: Mutex<()>,
    /// When this proxy started: what it knows of traffic begins there.
    started_ms: u64,
}

struct Inner {
    ledger: Ledger,
    rollouts: BTreeMap<String, Tracked>,
    /// Routes in state `shadow` waiting on the match-rate gate to enter the rollout.
    shadows: BTreeMap<String, ShadowWatch>,
}

/// A route in state `shadow` under a rollout with `min_match_rate`: the comparisons since it
/// was first watched decide when it enters the first step.
struct ShadowWatch {
    started_ms: u64,
    /// Compared and mismatched answers when the watch started.
    at_start: (u64, u64),
    last: String,
}

/// A rollout and what the status shows of it.
struct Tracked {
    rollout: Rollout,
    /// The last judgement: why it holds, or what it did.
    last: String,
    figures: Figures,
    /// The gates' figures at recent judgements, oldest first, for the status page's chart.
    samples: std::collections::VecDeque<(u64, Figures)>,
}

/// Judgements kept per rollout for the chart.
const SAMPLES: usize = 240;

/// Why a change asked of the controller was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No plan route has this key.
    UnknownRoute(String),
    /// The request does not make sense in the route's state.
    Conflict(String),
    /// Writing the ledger or the plan, or reloading, failed.
    Failed(String),
}

impl Migration {
    /// Opens the ledger the running plan names and records the plan's states it does not
    /// have yet. `None` when the plan has no ledger.
    pub fn open(shared: Arc<Shared>) -> Result<Option<Arc<Migration>>, LedgerError> {
        let runtime = shared.runtime();
        let Some(settings) = &runtime.settings.migration else {
            return Ok(None);
        };
        let (ledger, recovery) = Ledger::open(&settings.ledger)?;
        tracing::info!(
            ledger = %settings.ledger.display(),
            entries = recovery.entries,
            torn_bytes = recovery.torn_bytes,
            "migration ledger opened"
        );
        let migration = Arc::new(Migration {
            changing: Mutex::new(()),
            started_ms: now_ms(),
            shared: Arc::clone(&shared),
            inner: Mutex::new(Inner {
                ledger,
                rollouts: BTreeMap::new(),
                shadows: BTreeMap::new(),
            }),
        });
        migration.sync(&runtime).map_err(|error| match error {
            Refused::Failed(message) => LedgerError::Io {
                path: settings.ledger.clone(),
                source: std::io::Error::other(message),
            },
            _ => unreachable!("sync only fails writing"),
        })?;
        Ok(Some(migration))
    }

    /// Judges every rollout every `tick` until the task is aborted.
    pub fn spawn(self: &Arc<Migration>) -> tokio::task::JoinHandle<()> {
        let migration = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let tick = migration.tick_interval();
                tokio::time::sleep(tick).await;
                let worker = Arc::clone(&migration);
                // Ledger and plan writes are blocking file IO.
                let _ = tokio::task::spawn_blocking(move || worker.tick()).await;
            }
        })
    }

    fn tick_interval(&self) -> Duration {
        let runtime = self.shared.runtime();
        let bake = runtime
            .settings
            .migration
            .as_ref()
            .and_then(|migration| migration.rollout.as_ref())
            .map_or(Duration::from_secs(1), |spec| spec.bake);
        (bake / 5).clamp(Duration::from_millis(20), Duration::from_secs(1))
    }

    /// One round: records file edits, then judges and applies each rollout.
    pub fn tick(&self) {
        let runtime = self.shared.runtime();
        if let Err(error) = self.sync(&runtime) {
            tracing::error!(
                ?error,
                "cannot record the plan's route states in the ledger"
            );
            return;
        }
        let decisions: Vec<(String, Decision, usize, usize)> = {
            let mut inner = self.lock();
            let now = now_ms();
            let mut decisions = Vec::new();
            for (key, tracked) in &mut inner.rollouts {
                let Some(observed) = observe(&runtime, key) else {
                    continue;
                };
                let decision = tracked.rollout.judge(now, observed);
                if let Some(figures) = &tracked.rollout.last_figures {
                    if tracked.samples.len() == SAMPLES {
                        tracked.samples.pop_front();
                    }
                    tracked.samples.push_back((now, figures.clone()));
                }
                tracked.last = match &decision {
                    Decision::Hold(why) => why.clone(),
                    Decision::Promote { percent, .. } => format!("promoted to {percent}%"),
                    Decision::Complete { .. } => "completed: the service answers".to_string(),
                    Decision::Rollback { reason, .. } => format!("rolled back: {reason}"),
                };
                if let Decision::Promote { evidence, .. }
                | Decision::Complete { evidence }
                | Decision::Rollback { evidence, .. } = &decision
                {
                    tracked.figures = evidence.clone();
                }
                if !matches!(decision, Decision::Hold(_)) {
                    decisions.push((
                        key.clone(),
                        decision,
                        tracked.rollout.step,
                        tracked.rollout.spec.steps.len(),
                    ));
                }
            }
            decisions
        };
        for (key, change) in self.judge_shadows(&runtime) {
            if let Err(error) = self.apply(&key, change) {
                tracing::error!(route = %key, ?error, "the rollout's first step was not applied");
            }
        }
        for (key, decision, step, steps) in decisions {
            let (to, reason, evidence, done) = match decision {
                Decision::Promote {
                    percent, evidence, ..
                } => (
                    State::Canary { percent },
                    format!("step {} of {steps}: every gate passed", step + 1),
                    evidence,
                    false,
                ),
                Decision::Complete { evidence } => (
                    State::Service,
                    "the last step passed every gate".to_string(),
                    evidence,
                    true,
                ),
                Decision::Rollback { reason, evidence } => {
                    (State::Monolith, reason, evidence, true)
                }
                Decision::Hold(_) => continue,
            };
            let change = Change {
                route: key.clone(),
                to,
                by: "rollout".to_string(),
                reason,
                evidence: Some(evidence_of(&evidence)),
                rollout: Some(RolloutMark { step, steps, done }),
            };
            if let Err(error) = self.apply(&key, change) {
                tracing::error!(route = %key, ?error, "the rollout's change was not applied");
            }
        }
    }

    /// Routes in state `shadow` whose comparisons pass the rollout's `min_match_rate` over at
    /// least `min_requests` answers and one bake interval: their change to the first step.
    fn judge_shadows(&self, runtime: &Runtime) -> Vec<(String, Change)> {
        let Some(spec) = runtime
            .settings
            .migration
            .as_ref()
            .and_then(|migration| migration.rollout.as_ref())
        else {
            return Vec::new();
        };
        let Some(wanted) = spec.min_match_rate else {
            return Vec::new();
        };
        let now = now_ms();
        let bake = u64::try_from(spec.bake.as_millis()).unwrap_or(u64::MAX);
        let mut inner = self.lock();
        let mut changes = Vec::new();
        for (key, watch) in &mut inner.shadows {
            let Some((compared, mismatched)) = shadow_counts(runtime, key) else {
                continue;
            };
            let compared = compared.saturating_sub(watch.at_start.0);
            let mismatched = mismatched.saturating_sub(watch.at_start.1);
            if compared < spec.min_requests {
                watch.last = format!(
                    "{compared} of {} shadow answers compared to judge the match rate on",
                    spec.min_requests
                );
                continue;
            }
            let rate = (compared - mismatched.min(compared)) as f64 / compared as f64;
            if rate < wanted {
                watch.last = format!(
                    "match: {:.1}% of shadow answers matched (at least {:.1}% needed); stays in shadow",
                    rate * 100.0,
                    wanted * 100.0
                );
                continue;
            }
            if now.saturating_sub(watch.started_ms) < bake {
                watch.last = format!(
                    "shadow bakes {} ms more",
                    bake - now.saturating_sub(watch.started_ms)
                );
                continue;
            }
            watch.last = format!("{:.1}% matched: entering the first step", rate * 100.0);
            changes.push((
                key.clone(),
                Change {
                    route: key.clone(),
                    to: State::Canary {
                        percent: spec.steps[0],
                    },
                    by: "rollout".to_string(),
                    reason: format!(
                        "shadow: {:.1}% of {compared} compared answers matched",
                        rate * 100.0
                    ),
                    evidence: Some(Evidence {
                        mismatch_rate: Some(1.0 - rate),
                        ..Evidence::default()
                    }),
                    rollout: Some(RolloutMark {
                        step: 0,
                        steps: spec.steps.len(),
                        done: false,
                    }),
                },
            ));
        }
        changes
    }

    /// Moves `route` to `percent` by hand: 0 is `monolith`, 100 `service`, anything between
    /// `canary` (whose rollout, if the plan has one, goes on from the step at that percent).
    pub fn shift(&self, route: &str, percent: u8, by: &str) -> Result<Value, Refused> {
        let to = match percent {
            0 => State::Monolith,
            100 => State::Service,
            percent => State::Canary { percent },
        };
        let key = self.known(route)?;
        {
            let mut inner = self.lock();
            inner.rollouts.remove(&key);
        }
        self.apply(
            &key,
            Change::new(&key, to, by, format!("shifted to {percent}% by hand")),
        )?;
        Ok(json!({"route": key, "state": to.to_string()}))
    }

    /// Sends `route` back to the monolith by hand.
    pub fn roll_back(&self, route: &str, by: &str) -> Result<Value, Refused> {
        let key = self.known(route)?;
        let figures = {
            let mut inner = self.lock();
            inner.rollouts.remove(&key).map(|tracked| tracked.figures)
        };
        let mut change = Change::new(&key, State::Monolith, by, "rolled back by hand".to_string());
        change.evidence = figures.as_ref().map(evidence_of);
        self.apply(&key, change)?;
        Ok(json!({"route": key, "state": "monolith"}))
    }

    /// Moves a route's rollout to its next step now, without waiting for the bake or the
    /// gates: the last step's next is state `service`.
    pub fn promote(&self, route: &str, by: &str) -> Result<Value, Refused> {
        let key = self.known(route)?;
        let (to, step, steps) = {
            let mut inner = self.lock();
            let Some(tracked) = inner.rollouts.remove(&key) else {
                return Err(Refused::Conflict(format!(
                    "{key} runs no rollout to promote (shift it to a percent instead)"
                )));
            };
            let rollout = &tracked.rollout;
            let next = rollout.step + 1;
            let steps = rollout.spec.steps.len();
            match rollout.spec.steps.get(next) {
                Some(&percent) => (State::Canary { percent }, next, steps),
                None => (State::Service, rollout.step, steps),
            }
        };
        let mut change = Change::new(&key, to, by, "promoted by hand".to_string());
        change.rollout = Some(RolloutMark {
            step,
            steps,
            done: to == State::Service,
        });
        self.apply(&key, change)?;
        Ok(json!({"route": key, "state": to.to_string()}))
    }

    /// Pauses or resumes a route's rollout.
    pub fn pause(&self, route: &str, pause: bool) -> Result<Value, Refused> {
        let key = self.known(route)?;
        let runtime = self.shared.runtime();
        let mut inner = self.lock();
        let Some(tracked) = inner.rollouts.get_mut(&key) else {
            return Err(Refused::Conflict(format!(
                "{key} runs no rollout (it is not in state canary, or the plan has no [proxy.plan_routes.rollout])"
            )));
        };
        if pause {
            tracked.rollout.pause();
            tracked.last = "paused by hand".to_string();
        } else if let Some(observed) = observe(&runtime, &key) {
            tracked.rollout.resume(now_ms(), observed);
            tracked.last = "resumed by hand".to_string();
        }
        Ok(json!({"route": key, "rollout": tracked.rollout.status_name()}))
    }

    /// Everything `ficus status` shows: per service the share of routes moved, per route its
    /// state, rollout and history.
    pub fn status(&self) -> Value {
        let runtime = self.shared.runtime();
        let Some(settings) = &runtime.settings.migration else {
            return json!({"error": "the plan has no ledger"});
        };
        let inner = self.lock();
        let mut services: BTreeMap<&str, (usize, usize, u32)> = BTreeMap::new();
        let mut routes = Vec::new();
        for route in &settings.routes {
            let state = State::from(route.state);
            let entry = services.entry(route.service.as_str()).or_default();
            entry.0 += 1;
            let share = match state {
                State::Service | State::Retired => 100,
                State::Canary { percent } => u32::from(percent),
                State::Monolith | State::Shadow { .. } => 0,
            };
            entry.2 += share;
            if share == 100 {
                entry.1 += 1;
            }
            let history = inner
                .ledger
                .routes()
                .get(&route.key)
                .cloned()
                .unwrap_or_default();
            let shadow_gate = inner
                .shadows
                .get(&route.key)
                .map(|watch| json!({"status": "shadow", "last": watch.last}));
            let rollout = inner.rollouts.get(&route.key).map(|tracked| {
                json!({
                    "status": tracked.rollout.status_name(),
                    "step": tracked.rollout.step,
                    "steps": tracked.rollout.spec.steps,
                    "percent": tracked.rollout.percent(),
                    "last": tracked.last,
                    "figures": figures_json(&tracked.figures),
                    "samples": tracked.samples.iter().map(|(at_ms, figures)| {
                        let mut sample = figures_json(figures);
                        sample["at_ms"] = json!(at_ms);
                        sample
                    }).collect::<Vec<Value>>(),
                })
            });
            // When the monolith last answered it (0: not since the proxy started); none for a
            // route in state monolith, which the monolith answers through the default route.
            let monolith_last_ms = route
                .route_name
                .as_deref()
                .and_then(|name| runtime.monolith_last_answer_ms(name));
            routes.push(json!({
                "route": route.key,
                "service": route.service,
                "state": state.to_string(),
                "percent": share,
                "monolith_last_ms": monolith_last_ms,
                "since_ms": history.last().map(|entry| entry.at_ms),
                "rollout": rollout.or(shadow_gate),
                "history": history,
            }));
        }
        let services: Vec<Value> = services
            .into_iter()
            .map(|(name, (count, moved, shares))| {
                json!({
                    "service": name,
                    "routes": count,
                    "routes_moved": moved,
                    // The traffic share moved, routes weighed alike.
                    "traffic_moved": if count == 0 { 0.0 } else { f64::from(shares) / (100.0 * count as f64) },
                })
            })
            .collect();
        json!({
            "ledger": settings.ledger.display().to_string(),
            "proxy_started_ms": self.started_ms,
            "services": services,
            "routes": routes,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The plan's key for `route`, matched by shape as the plan does.
    fn known(&self, route: &str) -> Result<String, Refused> {
        let wanted = RouteKey::parse(route)
            .map_err(|error| Refused::UnknownRoute(format!("{route:?}: {error}")))?;
        let runtime = self.shared.runtime();
        runtime
            .settings
            .migration
            .iter()
            .flat_map(|migration| &migration.routes)
            .find(|plan_route| {
                RouteKey::parse(&plan_route.key).is_ok_and(|key| key.shape() == wanted.shape())
            })
            .map(|plan_route| plan_route.key.clone())
            .ok_or_else(|| Refused::UnknownRoute(format!("no route of the plan is {route:?}")))
    }

    /// Records the file's states the ledger does not have (people's edits, or first sight),
    /// and starts or drops rollouts to match. Callers hold `changing`.
    fn sync(&self, runtime: &Runtime) -> Result<(), Refused> {
        let Some(settings) = &runtime.settings.migration else {
            return Ok(());
        };
        let mut inner = self.lock();
        for route in &settings.routes {
            let state = State::from(route.state);
            let recorded = inner.ledger.state_of(&route.key);
            if recorded != Some(state) && (recorded.is_some() || state != State::Monolith) {
                let reason = match recorded {
                    None => "the plan's state when the ledger first saw the route".to_string(),
                    Some(_) => "the plan file was edited".to_string(),
                };
                inner
                    .ledger
                    .append(
                        Change {
                            route: route.key.clone(),
                            to: state,
                            by: "plan".to_string(),
                            reason,
                            evidence: None,
                            rollout: None,
                        },
                        State::Monolith,
                    )
                    .map_err(|error| Refused::Failed(error.to_string()))?;
            }
            track(&mut inner, route, settings.rollout.as_ref(), runtime);
            if matches!(route.state, RouteState::Shadow { .. })
                && settings
                    .rollout
                    .as_ref()
                    .is_some_and(|spec| spec.min_match_rate.is_some())
                && !inner.shadows.contains_key(&route.key)
                && let Some(counts) = shadow_counts(runtime, &route.key)
            {
                inner.shadows.insert(
                    route.key.clone(),
                    ShadowWatch {
                        started_ms: now_ms(),
                        at_start: counts,
                        last: "watching the shadow's match rate".to_string(),
                    },
                );
            }
        }
        let shadowed: Vec<&str> = settings
            .routes
            .iter()
            .filter(|route| matches!(route.state, RouteState::Shadow { .. }))
            .map(|route| route.key.as_str())
            .collect();
        inner
            .shadows
            .retain(|key, _| shadowed.contains(&key.as_str()));
        let canary: Vec<&str> = settings
            .routes
            .iter()
            .filter(|route| matches!(route.state, RouteState::Canary { .. }))
            .map(|route| route.key.as_str())
            .collect();
        inner
            .rollouts
            .retain(|key, tracked| canary.contains(&key.as_str()) && is_live(tracked));
        Ok(())
    }

    /// Ledger, then plan file, then reload (see the module doc).
    fn apply(&self, key: &str, change: Change) -> Result<(), Refused> {
        let route_key =
            RouteKey::parse(key).map_err(|error| Refused::UnknownRoute(error.to_string()))?;
        let _changing = self.changing.lock().unwrap_or_else(PoisonError::into_inner);
        let path = self.shared.config_path.clone();
        let to = change.to;
        let mut inner = self.lock();
        let from = inner.ledger.state_of(key).unwrap_or(State::Monolith);
        if from == to && change.by != "rollout" {
            return Err(Refused::Conflict(format!("{key} is already {to}")));
        }
        inner
            .ledger
            .append(change, from)
            .map_err(|error| Refused::Failed(error.to_string()))?;
        drop(inner);
        let written = write_state(&path, &route_key, to.into());
        let applied = written.and_then(|old_text| {
            reload::reload(&self.shared).map_err(|error| {
                // The plan as edited does not load (it should): put the old text back.
                let _ = crate::admin::write_atomically(&path, &old_text);
                error.to_string()
            })
        });
        if let Err(error) = applied {
            // The ledger must say what runs: the change did not happen.
            let mut inner = self.lock();
            let _ = inner.ledger.append(
                Change {
                    route: key.to_string(),
                    to: from,
                    by: "proxy".to_string(),
                    reason: format!("the change to {to} could not be applied: {error}"),
                    evidence: None,
                    rollout: None,
                },
                from,
            );
            return Err(Refused::Failed(error));
        }
        let runtime = self.shared.runtime();
        let _ = self.sync(&runtime);
        Ok(())
    }
}

/// Starts a rollout for a route in state `canary` that has none (at the step of its percent).
fn track(inner: &mut Inner, route: &PlanRoute, spec: Option<&RolloutSpec>, runtime: &Runtime) {
    let (Some(spec), RouteState::Canary { percent }) = (spec, route.state) else {
        return;
    };
    if inner
        .rollouts
        .get(&route.key)
        .is_some_and(|tracked| tracked.rollout.spec == *spec && is_live(tracked))
    {
        return;
    }
    let Some(observed) = observe(runtime, &route.key) else {
        return;
    };
    let step = spec
        .steps
        .iter()
        .position(|step| *step >= percent)
        .unwrap_or(spec.steps.len() - 1);
    inner.rollouts.insert(
        route.key.clone(),
        Tracked {
            rollout: Rollout::start(spec.clone(), step, now_ms(), observed),
            last: format!("started at step {} ({percent}%)", step + 1),
            figures: Figures::default(),
            samples: std::collections::VecDeque::new(),
        },
    );
}

fn is_live(tracked: &Tracked) -> bool {
    matches!(
        tracked.rollout.status,
        crate::rollout::Status::Running | crate::rollout::Status::Paused
    )
}

/// The counters of the proxy route a plan route became: its service's side and the monolith's.
fn observe(runtime: &Runtime, key: &str) -> Option<Observed> {
    let plan_route = runtime
        .settings
        .migration
        .as_ref()?
        .routes
        .iter()
        .find(|route| route.key == key)?;
    let route_name = plan_route.route_name.as_deref()?;
    let service = runtime.rollout_stats(route_name, &plan_route.service)?;
    let monolith = runtime.rollout_stats(route_name, MONOLITH_UPSTREAM)?;
    Some(Observed {
        service: service.snapshot(),
        monolith: monolith.snapshot(),
        compared: 0,
        mismatched: 0,
    })
}

/// The shadow comparisons of the proxy route a plan route in state `shadow` became.
fn shadow_counts(runtime: &Runtime, key: &str) -> Option<(u64, u64)> {
    let route_name = runtime
        .settings
        .migration
        .as_ref()?
        .routes
        .iter()
        .find(|route| route.key == key)?
        .route_name
        .as_deref()?;
    Some(runtime.shadow_of(route_name)?.comparisons())
}

/// Sets the state in the plan file and writes it; returns the text it had.
fn write_state(path: &Path, key: &RouteKey, state: RouteState) -> Result<String, String> {
    let old_text =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let mut document = PlanDocument::parse(&old_text, path).map_err(|error| error.to_string())?;
    document
        .set_route_state(key, state)
        .map_err(|error| error.to_string())?;
    crate::admin::write_atomically(path, &document.to_string())
        .map_err(|error| format!("{}: {error}", path.display()))?;
    Ok(old_text)
}

fn evidence_of(figures: &Figures) -> Evidence {
    Evidence {
        service_requests: figures.service_requests,
        monolith_requests: figures.monolith_requests,
        service_error_rate: figures.service_error_rate,
        monolith_error_rate: figures.monolith_error_rate,
        service_p99_ms: figures.service_p99_ms,
        monolith_p99_ms: figures.monolith_p99_ms,
        mismatch_rate: figures.match_rate.map(|rate| 1.0 - rate),
    }
}

fn figures_json(figures: &Figures) -> Value {
    json!({
        "service_requests": figures.service_requests,
        "monolith_requests": figures.monolith_requests,
        "service_error_rate": figures.service_error_rate,
        "monolith_error_rate": figures.monolith_error_rate,
        "service_p99_ms": figures.service_p99_ms,
        "monolith_p99_ms": figures.monolith_p99_ms,
    })
}
