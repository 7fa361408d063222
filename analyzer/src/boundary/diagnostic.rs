//! [`PlanDiagnostic`]: what drafting or re-planning met and decided without stopping, for a
//! person to read in `ficus plan`'s output. None of them is an error: the plan is written.
//!
//! Holds the types and their text only; `draft.rs` and `plan_input.rs` find the cases.

use std::fmt;

use ficus_plan::RouteKey;

/// One case the plan was drafted around.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanDiagnostic {
    /// Several handlers serve one route key (rank fallbacks, guards, a prefix the analysis
    /// could not see): the route is drafted once, in `service`.
    RouteHandlers {
        route: RouteKey,
        service: String,
        /// Every handler, in the analysis's order.
        handlers: Vec<RouteHandler>,
        /// The handlers are in more than one service.
        split: bool,
        /// With `split`: `service` is where the plan file already has the route; otherwise
        /// it is the first handler's.
        chosen_by_plan_file: bool,
    },
    /// A module two owners claim: it is drafted with `kept` only.
    ModuleClaimedTwice {
        module: String,
        kept: ModuleClaim,
        dropped: ModuleClaim,
    },
    /// A route the analysis found whose key a plan file cannot hold; it is left out.
    RouteUnreadable {
        route: String,
        handler: String,
        reason: String,
    },
    /// A `together` constraint whose modules the plan file places in several services.
    TogetherContradicted { services: Vec<String> },
    /// An `apart` constraint two of whose modules the plan file places in one service.
    ApartContradicted,
}

/// One handler of a route key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteHandler {
    /// Full path of the handler item, or `<closure>`.
    pub handler: String,
    /// Module id of the handler.
    pub module: String,
    /// The service its module is in.
    pub service: String,
}

/// A service or the shared kernel, as a module's claimant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleClaim {
    Service(String),
    SharedKernel,
}

impl RouteHandler {
    /// `app::email::send`, `<closure> in app::email`, with ` (service "x")` when `x` is not
    /// `drafted_in`.
    pub fn describe(&self, drafted_in: &str) -> String {
        let mut text = if self
            .handler
            .strip_prefix(self.module.as_str())
            .is_some_and(|rest| rest.starts_with("::"))
        {
            self.handler.clone()
        } else {
            format!("{} in {}", self.handler, self.module)
        };
        if self.service != drafted_in {
            text.push_str(&format!(" (service \"{}\")", self.service));
        }
        text
    }
}

impl fmt::Display for PlanDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanDiagnostic::RouteHandlers {
                route,
                service,
                handlers,
                split,
                chosen_by_plan_file,
            } => {
                let described: Vec<String> = handlers
                    .iter()
                    .map(|handler| handler.describe(service))
                    .collect();
                write!(
                    f,
                    "route {route} has {} handlers: {}; drafted once in service \"{service}\"",
                    handlers.len(),
                    described.join(", ")
                )?;
                match (split, chosen_by_plan_file) {
                    (true, true) => f.write_str(", where the plan file has it"),
                    (true, false) => f.write_str(", the first handler's"),
                    (false, _) => Ok(()),
                }
            }
            PlanDiagnostic::ModuleClaimedTwice {
                module,
                kept,
                dropped,
            } => write!(
                f,
                "module {module} is claimed by {kept} and {dropped}; drafted in {kept} only"
            ),
            PlanDiagnostic::RouteUnreadable {
                route,
                handler,
                reason,
            } => write!(
                f,
                "route {route} ({handler}) cannot be a plan route key: {reason}; left out"
            ),
            PlanDiagnostic::TogetherContradicted { services } => write!(
                f,
                "constraint together: the plan file places its modules in {}; move them to one service to follow it",
                services.join(", ")
            ),
            PlanDiagnostic::ApartContradicted => f.write_str(
                "constraint apart: the plan file places two of its modules in one service; move one to follow it",
            ),
        }
    }
}

impl fmt::Display for ModuleClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModuleClaim::Service(name) => write!(f, "service \"{name}\""),
            ModuleClaim::SharedKernel => f.write_str("the shared kernel"),
        }
    }
}
