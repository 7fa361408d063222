//! A brand-new plan file as text: every section in a fixed order, each with a comment saying
//! what it is for and which fields `ficus plan` redrafts, so that the first file a team sees
//! teaches the format.
//!
//! Writes text only; [`crate::PlanDocument::new`] reads it back to check it. Comments are
//! written once, here: a re-plan never adds comments to a file a person has edited, except
//! above a service it adds.

use std::collections::HashMap;
use std::fmt::Write;

use toml_edit::Value;

use crate::pattern::ModulePattern;
use crate::plan::{PartitionTarget, Plan, Route, Service};
use crate::route::RouteState;
use crate::weights::Signal;

const HEADER: &str = "\
# Ficus plan: how this monolith is taken apart, one service at a time.
#
# `ficus plan` drafted this file from the analysis of the code. Edit it freely: running
# `ficus plan` again keeps service names and upstreams, the modules you moved, constraints,
# weights, route states and comments, and only updates what it drafts (new modules and
# routes, tables, ranks). It prints what changed. Format reference: docs/plan.md.
";

/// The whole file for `plan`; `notes` (by route shape) are comments written above routes.
pub(crate) fn render(plan: &Plan, notes: &HashMap<String, String>) -> String {
    let mut out = String::new();
    out.push_str(HEADER);
    let _ = writeln!(out, "\nversion = {}", plan.version);
    render_monolith(plan, &mut out);
    render_analysis(plan, &mut out);
    render_weights(plan, &mut out);
    render_constraints(plan, &mut out);
    for (idx, service) in plan.services.iter().enumerate() {
        out.push('\n');
        if idx == 0 {
            out.push_str(SERVICE_COMMENT);
        }
        out.push_str(&render_service(service, idx, notes));
    }
    render_shared_kernel(plan, &mut out);
    if let Some(proxy) = &plan.proxy {
        out.push_str("\n# Routing for `ficus proxy`; see docs/plan.md.\n");
        out.push_str(&render_proxy(proxy));
    }
    out
}

const SERVICE_COMMENT: &str = "\
# One [[service]] per future service. A module a service lists stays there on re-plan: move
# a module by moving its line. `tables` (the tables only this service writes) and `rank`
# (extraction order, 1 first) are redrafted every run.
";

/// One `[[service]]` with its routes table, starting with its header line; `idx` is its place
/// in the file (the first one explains route states), `notes` comments above routes.
pub(crate) fn render_service(
    service: &Service,
    idx: usize,
    notes: &HashMap<String, String>,
) -> String {
    let mut out = String::new();
    out.push_str("[[service]]\n");
    let _ = writeln!(out, "name = {}", quote(&service.name));
    if let Some(rank) = service.rank {
        let _ = writeln!(out, "rank = {rank}");
    }
    match &service.upstream {
        Some(upstream) => {
            let _ = writeln!(out, "upstream = {}", quote(&upstream.to_string()));
        }
        None => {
            let port = 9001 + idx.min(999);
            let _ = writeln!(
                out,
                "# upstream = \"http://127.0.0.1:{port}\"   # where it listens, once it runs"
            );
        }
    }
    let modules: Vec<String> = service
        .modules
        .iter()
        .map(ModulePattern::to_string)
        .collect();
    let _ = writeln!(out, "modules = {}", string_array(&modules, true));
    let _ = writeln!(out, "tables = {}", string_array(&service.tables, false));
    if !service.routes.is_empty() {
        out.push('\n');
        if idx == 0 {
            out.push_str(
                "# Who answers each route: monolith, shadow (the monolith answers, copies go to\n\
                 # the service), canary (10% go to the service, or { state = \"canary\", percent = 25 }),\n\
                 # service, retired (the service answers; the monolith's code is deleted).\n",
            );
        }
        out.push_str("[service.routes]\n");
        for route in &service.routes {
            if let Some(note) = notes.get(&route.key.shape()) {
                let _ = writeln!(out, "{note}");
            }
            let _ = writeln!(out, "{}", render_route(route));
        }
    }
    out
}

/// `"GET /x" = "monolith"`, or with an inline table when the percent is not the default.
pub(crate) fn render_route(route: &Route) -> String {
    let key = toml_edit::Key::new(route.key.to_string())
        .display_repr()
        .into_owned();
    format!("{key} = {}", render_state(route.state))
}

pub(crate) fn render_state(state: RouteState) -> String {
    match state.explicit_percent() {
        Some(percent) => format!("{{ state = {}, percent = {percent} }}", quote(state.name())),
        None => quote(state.name()),
    }
}

/// A TOML string literal.
pub(crate) fn quote(text: &str) -> String {
    let mut value = Value::from(text);
    value.decor_mut().clear();
    value.to_string()
}

/// `["a", "b"]`, or one element per line when `multi_line` and there are two or more, or
/// when the one line would be long.
pub(crate) fn string_array(items: &[String], multi_line: bool) -> String {
    let quoted: Vec<String> = items.iter().map(|item| quote(item)).collect();
    let one_line = format!("[{}]", quoted.join(", "));
    if quoted.is_empty() || ((!multi_line || quoted.len() == 1) && one_line.len() <= 80) {
        return one_line;
    }
    let mut out = String::from("[\n");
    for item in quoted {
        let _ = writeln!(out, "    {item},");
    }
    out.push(']');
    out
}

fn render_monolith(plan: &Plan, out: &mut String) {
    let monolith = &plan.monolith;
    out.push_str("\n# The application being taken apart.\n[monolith]\n");
    let _ = writeln!(out, "name = {}", quote(&monolith.name));
    out.push_str("# The analysed folder, relative to this file.\n");
    let source = monolith.source.to_string_lossy();
    let _ = writeln!(out, "source = {}", quote(&source));
    out.push_str(
        "# Where the running monolith listens: the proxy sends it every route not yet moved.\n",
    );
    match &monolith.upstream {
        Some(upstream) => {
            let _ = writeln!(out, "upstream = {}", quote(&upstream.to_string()));
        }
        None => out.push_str("# upstream = \"http://127.0.0.1:8080\"\n"),
    }
}

fn render_analysis(plan: &Plan, out: &mut String) {
    let analysis = &plan.analysis;
    out.push_str(
        "\n# How the draft was computed: the same settings and code give the same draft.\n",
    );
    out.push_str("[analysis]\n");
    let _ = writeln!(out, "seed = {}", analysis.seed);
    match analysis.target {
        PartitionTarget::Resolution(resolution) => {
            out.push_str(
                "# Higher gives more, smaller services. Or aim for a count: `services = 8`.\n",
            );
            let _ = writeln!(out, "resolution = {}", Value::from(resolution));
        }
        PartitionTarget::Services(services) => {
            out.push_str("# How many services to aim for. Or set `resolution` instead.\n");
            let _ = writeln!(out, "services = {services}");
        }
    }
    out.push_str("# Whether tests, examples and benches were analysed too.\n");
    let _ = writeln!(out, "all_targets = {}", analysis.all_targets);
}

fn render_weights(plan: &Plan, out: &mut String) {
    out.push_str(
        "\n# How much each kind of evidence ties two modules together. 0 turns a signal off.\n",
    );
    out.push_str("[weights]\n");
    let width = Signal::ALL
        .iter()
        .map(|signal| signal.name().len())
        .max()
        .unwrap_or(0);
    for (signal, weight) in plan.weights.iter() {
        let assignment = format!("{} = {}", signal.name(), Value::from(weight));
        let _ = writeln!(
            out,
            "{assignment:<pad$}# {}",
            signal.description(),
            pad = width + 9
        );
    }
}

fn render_constraints(plan: &Plan, out: &mut String) {
    let constraints = &plan.constraints;
    out.push_str(
        "\n# Rules the analysis honours. Modules are named by pattern: `a::b` that module,\n\
         # `a::b::*` its direct children, `a::b::**` everything inside it.\n",
    );
    out.push_str("[constraints]\n");
    out.push_str("# Groups of modules that must end up in one service.\n");
    let _ = writeln!(out, "together = {}", groups(&constraints.together));
    out.push_str("# Groups of modules that must end up in different services.\n");
    let _ = writeln!(out, "apart = {}", groups(&constraints.apart));
    out.push_str("# true: only the services below may exist; a re-plan adds none.\n");
    let _ = writeln!(out, "fixed_services = {}", constraints.fixed_services);
}

fn groups(groups: &[Vec<ModulePattern>]) -> String {
    if groups.is_empty() {
        return "[]".to_string();
    }
    let mut out = String::from("[\n");
    for group in groups {
        let members: Vec<String> = group.iter().map(ModulePattern::to_string).collect();
        let _ = writeln!(out, "    {},", string_array(&members, false));
    }
    out.push(']');
    out
}

fn render_shared_kernel(plan: &Plan, out: &mut String) {
    out.push_str(
        "\n# Modules every service uses (errors, configuration, helpers): shared or copied,\n\
         # never extracted with one service. A service's more specific pattern wins over these.\n",
    );
    out.push_str("[shared_kernel]\n");
    let modules: Vec<String> = plan
        .shared_kernel
        .modules
        .iter()
        .map(ModulePattern::to_string)
        .collect();
    let _ = writeln!(out, "modules = {}", string_array(&modules, true));
    if plan.shared_kernel.on_move == crate::plan::KernelOnMove::Depend {
        out.push_str("on_move = \"depend\"\n");
    }
}

fn render_proxy(proxy: &toml::Table) -> String {
    #[derive(serde::Serialize)]
    struct ProxyPart<'a> {
        proxy: &'a toml::Table,
    }
    // A table of TOML values always serializes.
    toml::to_string(&ProxyPart { proxy }).unwrap_or_default()
}
