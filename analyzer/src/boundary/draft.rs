//! From a [`Proposal`] to the plan file's re-plan input, a [`ficus_plan::Draft`], that is
//! always consistent whatever the analysis found: one entry per route key, one owner per
//! module. What had to be decided on the way (two handlers on one route key, a module
//! claimed twice, a route key the plan cannot hold) is recorded in the draft where the plan
//! has room for it and returned as [`PlanDiagnostic`]s for a person to read.
//!
//! Pure: no IO. How the draft is merged into an existing file is `ficus_plan`'s business.

use std::collections::{BTreeMap, BTreeSet};

use ficus_plan::{Draft, DraftRoute, DraftService, Owner, Plan, RouteKey};

use super::crossing::crossings;
use super::diagnostic::{ModuleClaim, PlanDiagnostic, RouteHandler};
use super::proposal::Proposal;
use crate::model::Analysis;

/// The proposal as the plan file's re-plan input, with what had to be decided to make it
/// consistent. Where the plan file already places a module (and a person's new constraint made
/// the proposal disagree), the file's placement is what the draft describes, so routes and
/// tables follow the modules that stay.
///
/// Handlers of one route key (`GET /a/{id}` and `GET /a/{name}` are one key) are drafted as
/// one route: in the service the file already has it in when that is one of theirs, else in
/// the service of the first handler in the analysis's order; the others are its alternatives.
pub fn draft(
    analysis: &Analysis,
    proposal: &Proposal,
    plan: Option<&Plan>,
) -> (Draft, Vec<PlanDiagnostic>) {
    let mut diagnostics = Vec::new();
    let mut assignment = assignment(proposal, &mut diagnostics);
    if let Some(plan) = plan {
        for module in &analysis.modules {
            if let Some(Owner::Service(service)) = plan.owner_of(&module.id) {
                assignment.insert(module.id.clone(), service.name.clone());
            }
        }
    }
    let mut shared_kernel = Vec::new();
    for module in &proposal.shared_kernel {
        match assignment.get(&module.path) {
            Some(service) => diagnostics.push(PlanDiagnostic::ModuleClaimedTwice {
                module: module.path.clone(),
                kept: ModuleClaim::Service(service.clone()),
                dropped: ModuleClaim::SharedKernel,
            }),
            None => shared_kernel.push(module.path.clone()),
        }
    }
    let ranks: BTreeMap<&str, usize> = proposal
        .services
        .iter()
        .map(|service| (service.name.as_str(), service.rank))
        .collect();
    let mut routes = routes_by_service(analysis, &assignment, plan, &mut diagnostics);
    let mut described = crossings(analysis, &assignment);
    described.sort_by_key(|crossing| {
        ranks
            .get(crossing.name.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    let services = described
        .into_iter()
        .map(|crossing| DraftService {
            rank: ranks
                .get(crossing.name.as_str())
                .and_then(|rank| u32::try_from(*rank).ok()),
            routes: routes.remove(&crossing.name).unwrap_or_default(),
            name: crossing.name,
            modules: crossing.modules,
            tables: crossing.tables_owned,
        })
        .collect();
    let draft = Draft {
        modules: analysis
            .modules
            .iter()
            .map(|module| module.id.clone())
            .collect(),
        services,
        shared_kernel,
    };
    (draft, diagnostics)
}

/// Module id -> service name from the proposal; a module two services list stays with the
/// first (in extraction order).
fn assignment(
    proposal: &Proposal,
    diagnostics: &mut Vec<PlanDiagnostic>,
) -> BTreeMap<String, String> {
    let mut assignment: BTreeMap<String, String> = BTreeMap::new();
    for service in &proposal.services {
        for module in &service.modules {
            if let Some(first) = assignment.get(&module.path) {
                if *first != service.name {
                    diagnostics.push(PlanDiagnostic::ModuleClaimedTwice {
                        module: module.path.clone(),
                        kept: ModuleClaim::Service(first.clone()),
                        dropped: ModuleClaim::Service(service.name.clone()),
                    });
                }
                continue;
            }
            assignment.insert(module.path.clone(), service.name.clone());
        }
    }
    assignment
}

/// One handler of a route key, as found by the analysis.
struct Found<'a> {
    key: RouteKey,
    handler: &'a str,
    module: &'a str,
    service: &'a str,
}

/// The routes each service serves, one entry per route key.
fn routes_by_service(
    analysis: &Analysis,
    assignment: &BTreeMap<String, String>,
    plan: Option<&Plan>,
    diagnostics: &mut Vec<PlanDiagnostic>,
) -> BTreeMap<String, Vec<DraftRoute>> {
    // Route keys by shape, in the analysis's (sorted) order of their first handler.
    let mut order: Vec<String> = Vec::new();
    let mut by_shape: BTreeMap<String, Vec<Found<'_>>> = BTreeMap::new();
    let mut unreadable: BTreeSet<(String, String)> = BTreeSet::new();
    for route in &analysis.routes {
        let Some(service) = assignment.get(&route.module) else {
            continue;
        };
        let text = format!("{} {}", route.method, route.path);
        let key = match RouteKey::parse(&text.replacen("ANY ", "* ", 1)) {
            Ok(key) => key,
            Err(error) => {
                if unreadable.insert((text.clone(), route.handler.clone())) {
                    diagnostics.push(PlanDiagnostic::RouteUnreadable {
                        route: text,
                        handler: route.handler.clone(),
                        reason: error.to_string(),
                    });
                }
                continue;
            }
        };
        let shape = key.shape();
        let found = by_shape.entry(shape.clone()).or_default();
        if found.is_empty() {
            order.push(shape);
        }
        if found
            .iter()
            .any(|other| other.handler == route.handler && other.module == route.module)
        {
            // The same handler registered twice under one key: one route, nothing to say.
            continue;
        }
        found.push(Found {
            key,
            handler: &route.handler,
            module: &route.module,
            service,
        });
    }
    let mut routes: BTreeMap<String, Vec<DraftRoute>> = BTreeMap::new();
    for shape in order {
        let Some(found) = by_shape.remove(&shape) else {
            continue;
        };
        let Some(first) = found.first() else {
            continue;
        };
        let in_file = plan.and_then(|plan| {
            plan.services.iter().find(|service| {
                service
                    .routes
                    .iter()
                    .any(|route| route.key.shape() == shape)
                    && found.iter().any(|other| other.service == service.name)
            })
        });
        let (chosen, why) = match in_file {
            Some(service) => (service.name.as_str(), ChosenBy::PlanFile),
            None => (first.service, ChosenBy::FirstHandler),
        };
        let mut route = DraftRoute::new(first.key.clone());
        if found.len() > 1 {
            let handlers: Vec<RouteHandler> = found
                .iter()
                .map(|other| RouteHandler {
                    handler: other.handler.to_string(),
                    module: other.module.to_string(),
                    service: other.service.to_string(),
                })
                .collect();
            route.handlers = handlers
                .iter()
                .map(|handler| handler.describe(chosen))
                .collect();
            let split = found.iter().any(|other| other.service != chosen);
            diagnostics.push(PlanDiagnostic::RouteHandlers {
                route: first.key.clone(),
                service: chosen.to_string(),
                handlers,
                chosen_by_plan_file: split && why == ChosenBy::PlanFile,
                split,
            });
        }
        routes.entry(chosen.to_string()).or_default().push(route);
    }
    routes
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChosenBy {
    PlanFile,
    FirstHandler,
}
