//! The third form of the configuration: everything a request needs, compiled from validated
//! [`Settings`] and swapped whole on reload. [`Runtime`] holds the route table, per-route
//! targets with their upstream pools and metric handles, their shadows, and the trusted hops;
//! [`Shared`] holds the current runtime behind an [`ArcSwap`] plus what outlives reloads
//! (metrics, the config file's path).
//!
//! A request loads the runtime once ([`Shared::runtime`]) and keeps that `Arc` until it
//! finishes, so in-flight requests end on the table they started with. Building a runtime
//! never fails (settings are already valid) and keeps the [`UpstreamPool`] of every upstream
//! whose settings are unchanged, so a reload keeps warm connections and health state, and the
//! samples, learned noise and permits of every shadow whose settings are unchanged.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use arc_swap::ArcSwap;

use crate::config::Settings;
use crate::metrics::{Metrics, RouteMetrics, TargetMetrics};
use crate::rollout::SideStats;
use crate::route_table::RouteTable;
use crate::shadow::ShadowRuntime;
use crate::tls::TlsError;
use crate::upstream::UpstreamPool;

/// What outlives reloads, shared by every connection, the reloader and the admin API.
pub struct Shared {
    runtime: ArcSwap<Runtime>,
    pub metrics: Arc<Metrics>,
    /// The file the configuration came from; reloads read it, weight changes write it.
    pub config_path: PathBuf,
    /// `--listen`, which wins over the file's `listen` on every reload.
    pub listen_override: Option<std::net::SocketAddr>,
    /// Held while a configuration is read, built and swapped in, so that a file change, a
    /// SIGHUP and an admin change never interleave.
    pub reload_lock: std::sync::Mutex<()>,
}

/// One compiled configuration.
pub struct Runtime {
    pub settings: Settings,
    pub table: RouteTable,
    /// Indexed by [`crate::route_table::RouteMatch::rank`]; the default route is last.
    pub routes: Vec<RouteRuntime>,
    pub upstreams: HashMap<String, Arc<UpstreamPool>>,
    /// Whether any route has a `headers` condition (else matching skips collecting headers).
    pub matches_headers: bool,
    /// Whether any route has a `host` condition (else matching reads no `Host`).
    pub matches_hosts: bool,
    /// This proxy's `Via` elements, from `proxy_name`.
    pub via: crate::headers::Via,
}

/// A route's targets, resolved to their pools, and its metric handles.
pub struct RouteRuntime {
    pub metrics: RouteMetrics,
    /// In the route's target order.
    pub targets: Vec<TargetRuntime>,
    /// The default upstream, when the route may fall back to it (`fallback = true` and it is
    /// not already every target).
    pub fallback: Option<TargetRuntime>,
    /// Where copies go and how answers are compared, on a route with `shadow`.
    pub shadow: Option<Arc<ShadowRuntime>>,
}

/// One target of one route.
pub struct TargetRuntime {
    pub pool: Arc<UpstreamPool>,
    pub metrics: TargetMetrics,
    /// On a route under a rollout: its answers, for the gates. Kept across reloads.
    pub rollout: Option<Arc<SideStats>>,
    /// On a plan's route, for the monolith: when it last answered (ms since the Unix epoch, 0
    /// for never since the proxy started), so that its code can be deleted once it gets none.
    /// Kept across reloads.
    pub last_answer_ms: Option<Arc<AtomicU64>>,
}

impl Shared {
    pub fn new(
        runtime: Runtime,
        metrics: Arc<Metrics>,
        config_path: PathBuf,
        listen_override: Option<std::net::SocketAddr>,
    ) -> Shared {
        Shared {
            runtime: ArcSwap::from_pointee(runtime),
            metrics,
            config_path,
            listen_override,
            reload_lock: std::sync::Mutex::new(()),
        }
    }

    /// The current runtime; hold it for the whole request.
    pub fn runtime(&self) -> Arc<Runtime> {
        self.runtime.load_full()
    }

    /// Makes `runtime` current; requests already running keep the one they loaded.
    pub fn swap(&self, runtime: Runtime) {
        self.runtime.store(Arc::new(runtime));
    }
}

impl Runtime {
    /// Compiles `settings`, reusing the pools of `previous` whose upstream settings are equal.
    /// Fails only when an `https` upstream's `ca_file` cannot be used. Must run inside a tokio
    /// runtime (health-check tasks are spawned for new pools).
    pub fn build(
        settings: Settings,
        previous: Option<&Runtime>,
        metrics: &Metrics,
    ) -> Result<Runtime, TlsError> {
        let mut upstreams = HashMap::with_capacity(settings.upstreams.len());
        let mut new_pools = Vec::new();
        for upstream in &settings.upstreams {
            let reused = previous
                .and_then(|previous| previous.upstreams.get(&upstream.name))
                .filter(|pool| pool.settings == *upstream)
                .cloned();
            let pool = match reused {
                Some(pool) => pool,
                None => {
                    let pool = Arc::new(UpstreamPool::new(upstream)?);
                    new_pools.push(Arc::clone(&pool));
                    pool
                }
            };
            upstreams.insert(upstream.name.clone(), pool);
        }
        // Only once every pool is built: a failed build leaves no checks running.
        for pool in new_pools {
            pool.spawn_health_checks();
        }

        let table = RouteTable::new(&settings);
        let default_pool = &upstreams[&settings.default_upstream];
        let routes = table
            .routes()
            .chain(std::iter::once(table.default_route()))
            .map(|route| {
                let route_metrics = metrics.route(&route.name);
                let targets: Vec<TargetRuntime> = route
                    .targets
                    .iter()
                    .map(|target| TargetRuntime {
                        // Validation guarantees every target names a known upstream.
                        pool: Arc::clone(&upstreams[&target.upstream]),
                        metrics: route_metrics.target(&target.upstream),
                        rollout: route.rollout.then(|| {
                            previous
                                .and_then(|previous| {
                                    previous.rollout_stats(&route.name, &target.upstream)
                                })
                                .unwrap_or_default()
                        }),
                        last_answer_ms: last_answer(
                            previous,
                            route,
                            &target.upstream,
                            &settings.default_upstream,
                        ),
                    })
                    .collect();
                let only_default = route
                    .targets
                    .iter()
                    .all(|target| target.upstream == settings.default_upstream);
                let fallback = (route.fallback && !only_default).then(|| TargetRuntime {
                    pool: Arc::clone(default_pool),
                    metrics: route_metrics.target(&settings.default_upstream),
                    rollout: None,
                    last_answer_ms: last_answer(
                        previous,
                        route,
                        &settings.default_upstream,
                        &settings.default_upstream,
                    ),
                });
                let shadow = route.shadow.as_ref().map(|shadow| {
                    let previous_shadow = previous
                        .and_then(|previous| previous.shadow_of(&route.name))
                        .map(Arc::as_ref);
                    Arc::new(ShadowRuntime::new(
                        route,
                        shadow,
                        &upstreams,
                        previous_shadow,
                        metrics,
                    ))
                });
                RouteRuntime {
                    metrics: route_metrics,
                    targets,
                    fallback,
                    shadow,
                }
            })
            .collect();
        let matches_headers = table.routes().any(|route| !route.headers.is_empty());
        let matches_hosts = table.routes().any(|route| route.host.is_some());
        Ok(Runtime {
            via: crate::headers::Via::new(&settings.proxy_name),
            settings,
            table,
            routes,
            upstreams,
            matches_headers,
            matches_hosts,
        })
    }

    /// The compiled route named `route_name`.
    fn route_runtime(&self, route_name: &str) -> Option<&RouteRuntime> {
        self.table
            .routes()
            .zip(&self.routes)
            .find(|(route, _)| route.name == route_name)
            .map(|(_, route_runtime)| route_runtime)
    }

    /// The target (or the fallback) of the route named `route_name` going to `upstream`.
    fn target_of(&self, route_name: &str, upstream: &str) -> Option<&TargetRuntime> {
        let route_runtime = self.route_runtime(route_name)?;
        route_runtime
            .targets
            .iter()
            .chain(route_runtime.fallback.iter())
            .find(|target| target.pool.name() == upstream)
    }

    /// The shadow of the route named `route_name`, if it has one.
    pub fn shadow_of(&self, route_name: &str) -> Option<&Arc<ShadowRuntime>> {
        self.route_runtime(route_name)?.shadow.as_ref()
    }

    /// The rollout counters of `upstream` on the route named `route_name`, if it has them.
    pub fn rollout_stats(&self, route_name: &str, upstream: &str) -> Option<Arc<SideStats>> {
        self.target_of(route_name, upstream)?.rollout.clone()
    }

    /// When the default upstream (the monolith) last answered the plan route named
    /// `route_name`: `Some(0)` when not since the proxy started, `None` for a route the proxy
    /// does not have.
    pub fn monolith_last_answer_ms(&self, route_name: &str) -> Option<u64> {
        self.route_runtime(route_name)?;
        Some(
            self.target_of(route_name, &self.settings.default_upstream)
                .and_then(|target| target.last_answer_ms.as_ref())
                .map_or(0, |last| last.load(std::sync::atomic::Ordering::Relaxed)),
        )
    }

    fn last_answer_of(&self, route_name: &str, upstream: &str) -> Option<Arc<AtomicU64>> {
        self.target_of(route_name, upstream)?.last_answer_ms.clone()
    }

    /// Every shadowed route's shadow, in precedence order.
    pub fn shadows(&self) -> impl Iterator<Item = &Arc<ShadowRuntime>> {
        self.routes
            .iter()
            .filter_map(|route_runtime| route_runtime.shadow.as_ref())
    }
}

/// The monolith's last-answer time of a plan route, carried over from `previous`.
fn last_answer(
    previous: Option<&Runtime>,
    route: &crate::config::settings::Route,
    upstream: &str,
    default_upstream: &str,
) -> Option<Arc<AtomicU64>> {
    (route.from_plan && upstream == default_upstream).then(|| {
        previous
            .and_then(|previous| previous.last_answer_of(&route.name, upstream))
            .unwrap_or_default()
    })
}
