//! The re-plan input and output: a [`Draft`] is what the analysis proposes (services with
//! their modules, routes, tables and ranks), and a [`Change`] is one difference that applying
//! it to a plan file made or found, for `ficus plan` to print.
//!
//! Also turns a draft into a brand-new [`Plan`], folding a module and all its descendants
//! into `a::b` plus `a::b::**`. How a draft is merged into an existing file is in
//! `document/merge.rs`; this file holds the types and the checks on a draft.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use crate::error::Error;
use crate::pattern::ModulePattern;
use crate::plan::{Analysis, Monolith, Plan, Route, Service};
use crate::route::{RouteKey, RouteState};
use crate::validate::check_service_name;

/// What the analysis proposes, in plan terms. Module names are module ids as the analysis
/// writes them (`shop::orders::service`).
///
/// The analysis computes it with the current plan's assignments pinned (see
/// [`Plan::owner_of`]), so a service the file already has keeps its name here; a service whose
/// name the file does not have is matched to a file service by the modules they share, and is
/// new when none shares most of its modules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    /// Every module the analysis found, whether or not a service takes it. A module the plan
    /// names exactly that is missing here has vanished from the code.
    pub modules: Vec<String>,
    /// Proposed services, in the order a new plan lists them.
    pub services: Vec<DraftService>,
    /// Modules proposed for the shared kernel.
    pub shared_kernel: Vec<String>,
}

/// One proposed service.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftService {
    /// The file's name for a service the file has; otherwise a proposed name (a DNS label).
    pub name: String,
    /// Every module the service takes, each also in [`Draft::modules`].
    pub modules: Vec<String>,
    /// The routes its modules serve, one entry per route key.
    pub routes: Vec<DraftRoute>,
    /// Tables it owns (only its modules write them).
    pub tables: Vec<String>,
    /// Extraction order, 1 first.
    pub rank: Option<u32>,
}

/// One route of a proposed service.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftRoute {
    pub key: RouteKey,
    /// When several handlers serve this key (rank fallbacks, guards, a prefix the analysis
    /// could not see): each of them as people read it (`app::email::send`), the route being
    /// drafted once. A plan file lists them in a comment above a route it adds. Empty when
    /// there is one handler.
    pub handlers: Vec<String>,
}

/// A service or the shared kernel, by name, in a [`Change`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleOwner {
    Service(String),
    SharedKernel,
}

/// One thing a re-plan changed in the file, or found and left for a person to decide.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A service the draft proposes that no file service matches was added.
    ServiceAdded {
        service: String,
    },
    /// A new service was proposed but `fixed_services` is set: its modules stay unassigned.
    ServiceNotAdded {
        service: String,
        modules: Vec<String>,
    },
    /// A file service the draft does not mention: left as it is.
    ServiceNotInDraft {
        service: String,
    },
    /// A module no pattern matched was added to the plan.
    ModuleAdded {
        module: String,
        owner: ModuleOwner,
    },
    /// A module the plan named exactly is gone from the code; its entry was removed.
    ModuleVanished {
        module: String,
        owner: ModuleOwner,
    },
    /// A wildcard pattern matches no module any more; it was kept.
    PatternMatchesNothing {
        pattern: String,
        owner: ModuleOwner,
    },
    /// The plan puts a module somewhere else than the analysis proposes; the plan wins.
    ModuleProposedElsewhere {
        module: String,
        owner: ModuleOwner,
        proposed: ModuleOwner,
    },
    /// A new route, added in state `monolith`.
    RouteAdded {
        route: RouteKey,
        service: String,
    },
    /// A route in state `monolith` is gone from the code (or from the service's modules); it
    /// was removed.
    RouteRemoved {
        route: RouteKey,
        service: String,
    },
    /// A route in state `monolith` followed its handler's module to another service.
    RouteMoved {
        route: RouteKey,
        from: String,
        to: String,
    },
    /// A route that is already migrating is gone from the code: kept, since the service may
    /// serve it now.
    RouteKept {
        route: RouteKey,
        service: String,
        state: RouteState,
    },
    /// A migrating route's handler is now in another service's modules; the route stays
    /// where it is until a person moves it.
    RouteOwnerDiffers {
        route: RouteKey,
        service: String,
        proposed: String,
        state: RouteState,
    },
    TableAdded {
        table: String,
        service: String,
    },
    TableRemoved {
        table: String,
        service: String,
    },
    RankChanged {
        service: String,
        from: Option<u32>,
        to: Option<u32>,
    },
}

impl DraftRoute {
    /// A route with one handler.
    pub fn new(key: RouteKey) -> DraftRoute {
        DraftRoute {
            key,
            handlers: Vec::new(),
        }
    }

    /// The comment a plan file writes above the route: `# 2 handlers: a, b`, or `None` for a
    /// route with one handler.
    pub(crate) fn note(&self) -> Option<String> {
        (self.handlers.len() > 1).then(|| {
            format!(
                "# {} handlers: {}",
                self.handlers.len(),
                self.handlers.join(", ").replace(['\n', '\r'], " ")
            )
        })
    }
}

impl Draft {
    /// Checks that the draft is consistent: service names valid and unique, module ids valid
    /// and listed in [`Draft::modules`], no module, route or table claimed twice.
    pub fn check(&self) -> Result<(), Error> {
        let fail = |reason: String| Err(Error::Draft { reason });
        let known: HashSet<&str> = self.modules.iter().map(String::as_str).collect();
        for module in &self.modules {
            if let Err(reason) = ModulePattern::exact(module) {
                return fail(format!("module \"{module}\": {reason}"));
            }
        }
        let mut names = HashSet::new();
        let mut module_owner: HashMap<&str, String> = HashMap::new();
        let mut route_owner: HashMap<String, &str> = HashMap::new();
        let mut table_owner: HashMap<&str, &str> = HashMap::new();
        let groups = self
            .services
            .iter()
            .map(|service| (format!("service \"{}\"", service.name), &service.modules))
            .chain([("the shared kernel".to_string(), &self.shared_kernel)]);
        for (owner, modules) in groups {
            for module in modules {
                if !known.contains(module.as_str()) {
                    return fail(format!(
                        "{owner} lists \"{module}\", which is not in `modules`"
                    ));
                }
                if let Some(first) = module_owner.insert(module, owner.clone()) {
                    return fail(format!("\"{module}\" is in both {first} and {owner}"));
                }
            }
        }
        for service in &self.services {
            if let Err(reason) = check_service_name(&service.name) {
                return fail(format!(
                    "invalid service name \"{}\": {reason}",
                    service.name
                ));
            }
            if !names.insert(service.name.as_str()) {
                return fail(format!("service \"{}\" is proposed twice", service.name));
            }
            for DraftRoute { key: route, .. } in &service.routes {
                if let Some(first) = route_owner.insert(route.shape(), &service.name) {
                    return fail(format!(
                        "route \"{route}\" is in both service \"{first}\" and service \"{}\"",
                        service.name
                    ));
                }
            }
            for table in &service.tables {
                if let Some(first) = table_owner.insert(table, &service.name) {
                    return fail(format!(
                        "table \"{table}\" is owned by both service \"{first}\" and service \"{}\"",
                        service.name
                    ));
                }
            }
            if service.rank == Some(0) {
                return fail(format!(
                    "service \"{}\": rank 0 (ranks start at 1)",
                    service.name
                ));
            }
        }
        Ok(())
    }
}

impl Plan {
    /// A brand-new plan from a draft: services in draft order, every route in state
    /// `monolith`, a module whose descendants all go to the same place written as `a::b`
    /// plus `a::b::**`. Render it with [`crate::PlanDocument::new`].
    pub fn from_draft(
        monolith: Monolith,
        analysis: Analysis,
        draft: &Draft,
    ) -> Result<Plan, Error> {
        draft.check()?;
        let mut plan = Plan::new(monolith);
        plan.analysis = analysis;
        for proposed in &draft.services {
            let mut service = Service::new(proposed.name.clone());
            service.modules = fold_patterns(&proposed.modules, &draft.modules);
            service.tables = proposed.tables.clone();
            service.rank = proposed.rank;
            service.routes = proposed
                .routes
                .iter()
                .map(|route| Route {
                    key: route.key.clone(),
                    state: RouteState::Monolith,
                })
                .collect();
            plan.services.push(service);
        }
        plan.shared_kernel.modules = fold_patterns(&draft.shared_kernel, &draft.modules);
        Ok(plan)
    }
}

/// The comment to write above each route of `draft` that has several handlers, by route
/// shape ([`RouteKey::shape`]).
pub(crate) fn route_notes(draft: &Draft) -> HashMap<String, String> {
    draft
        .services
        .iter()
        .flat_map(|service| &service.routes)
        .filter_map(|route| Some((route.key.shape(), route.note()?)))
        .collect()
}

/// Patterns for `chosen` modules out of `all`: sorted, and a module whose descendants in
/// `all` are all chosen (at least one) becomes `m` and `m::**`, covering them.
pub(crate) fn fold_patterns(chosen: &[String], all: &[String]) -> Vec<ModulePattern> {
    let chosen_set: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    let mut covering: Option<String> = None;
    for &module in &chosen_set {
        if let Some(prefix) = &covering
            && module.starts_with(prefix.as_str())
        {
            continue;
        }
        covering = None;
        // Module ids are checked by `Draft::check` before this runs.
        let Ok(exact) = ModulePattern::exact(module) else {
            continue;
        };
        out.push(exact);
        let inside = format!("{module}::");
        let mut descendants = all
            .iter()
            .filter(|other| other.starts_with(&inside))
            .peekable();
        let has_descendants = descendants.peek().is_some();
        if has_descendants && descendants.all(|other| chosen_set.contains(other.as_str())) {
            if let Ok(pattern) = ModulePattern::descendants_of(module) {
                out.push(pattern);
            }
            covering = Some(inside);
        }
    }
    out
}

impl fmt::Display for ModuleOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModuleOwner::Service(name) => write!(f, "service \"{name}\""),
            ModuleOwner::SharedKernel => f.write_str("the shared kernel"),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::ServiceAdded { service } => write!(f, "new service \"{service}\""),
            Change::ServiceNotAdded { service, modules } => write!(
                f,
                "proposed service \"{service}\" not added (fixed_services is set); \
                 unassigned: {}",
                modules.join(", ")
            ),
            Change::ServiceNotInDraft { service } => write!(
                f,
                "service \"{service}\" is not in the analysis's proposal; left as it is"
            ),
            Change::ModuleAdded { module, owner } => write!(f, "new module {module} in {owner}"),
            Change::ModuleVanished { module, owner } => {
                write!(
                    f,
                    "module {module} is gone from the code; removed from {owner}"
                )
            }
            Change::PatternMatchesNothing { pattern, owner } => {
                write!(f, "pattern {pattern} in {owner} matches no module; kept")
            }
            Change::ModuleProposedElsewhere {
                module,
                owner,
                proposed,
            } => write!(
                f,
                "module {module} stays in {owner}; the analysis proposes {proposed}"
            ),
            Change::RouteAdded { route, service } => {
                write!(f, "new route {route} in service \"{service}\"")
            }
            Change::RouteRemoved { route, service } => write!(
                f,
                "route {route} is gone from service \"{service}\"'s code; removed"
            ),
            Change::RouteMoved { route, from, to } => write!(
                f,
                "route {route} moved from service \"{from}\" to service \"{to}\""
            ),
            Change::RouteKept {
                route,
                service,
                state,
            } => write!(
                f,
                "route {route} is gone from the code; kept in service \"{service}\" ({state})"
            ),
            Change::RouteOwnerDiffers {
                route,
                service,
                proposed,
                state,
            } => write!(
                f,
                "route {route} stays in service \"{service}\" ({state}); its handler is now in \
                 service \"{proposed}\""
            ),
            Change::TableAdded { table, service } => {
                write!(f, "service \"{service}\" now owns table {table}")
            }
            Change::TableRemoved { table, service } => {
                write!(f, "service \"{service}\" no longer owns table {table}")
            }
            Change::RankChanged { service, from, to } => {
                let show =
                    |rank: &Option<u32>| rank.map_or("none".to_string(), |rank| rank.to_string());
                write!(
                    f,
                    "service \"{service}\" rank {} -> {}",
                    show(from),
                    show(to)
                )
            }
        }
    }
}
