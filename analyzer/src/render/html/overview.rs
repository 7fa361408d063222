//! The overview sections: one table row per candidate service (rank, size, routes, tables,
//! crossing foreign keys, cycles, extraction cost and value with their terms on hover), and
//! the quality metrics of the whole proposal with which way is better.
//!
//! Plain HTML tables that need no script. The full cost terms of a candidate are also in its
//! own section (`pages`), so nothing is only reachable by hovering.

use std::fmt::Write as _;

use super::escape::{number, text};
use super::view::View;
use crate::boundary::crossing::Cost;
use crate::boundary::proposal::{Proposal, ProposalMetrics};

/// `<section id="candidates">`: the ranked table of candidates.
pub(super) fn candidates(view: &View) -> String {
    let mut out = String::new();
    out.push_str(
        "<section id=\"candidates\" aria-labelledby=\"candidates-heading\">\n\
         <h2 id=\"candidates-heading\">Candidate services</h2>\n\
         <p class=\"hint\">In extraction order: rank 1 is the cheapest, most valuable to \
         extract first. Hover a cost for its terms; each name leads to the candidate's \
         section.</p>\n<div class=\"table-scroll\">\n<table class=\"candidates\">\n\
         <thead><tr><th scope=\"col\">Rank</th><th scope=\"col\">Candidate</th>\
         <th scope=\"col\" class=\"num\">Modules</th><th scope=\"col\" class=\"num\">Routes</th>\
         <th scope=\"col\">Tables owned</th><th scope=\"col\">Tables shared</th>\
         <th scope=\"col\" class=\"num\">Crossing FKs</th><th scope=\"col\">Cycle with</th>\
         <th scope=\"col\" class=\"num\">Cost</th><th scope=\"col\" class=\"num\">Value</th>\
         </tr></thead>\n<tbody>\n",
    );
    let mut any = false;
    for (index, group) in view.groups.iter().enumerate() {
        let Some(service) = group.service else {
            continue;
        };
        any = true;
        let shared: Vec<&str> = service
            .tables_shared
            .iter()
            .map(|shared| shared.table.as_str())
            .collect();
        let keys: Vec<String> = service
            .foreign_keys_crossing
            .iter()
            .map(|key| {
                format!(
                    "{}.{} \u{2192} {} ({})",
                    key.from_table, key.column, key.to_table, key.to_candidate
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{rank}</td><th scope=\"row\"><span class=\"swatch g{index}\" \
             aria-hidden=\"true\"></span><a href=\"#{anchor}\">{name}</a></th>\
             <td class=\"num\">{modules}</td><td class=\"num\">{routes}</td>\
             <td>{owned}</td><td>{shared}</td>\
             <td class=\"num\"{keys_title}>{n_keys}</td><td>{cycle}</td>\
             <td class=\"num\"><abbr title=\"{terms}\">{cost}</abbr></td>\
             <td class=\"num\"><abbr title=\"{value_terms}\">{value}</abbr></td></tr>",
            rank = service.rank,
            anchor = group.anchor,
            name = text(group.name),
            modules = service.modules.len(),
            routes = service.routes.len(),
            owned = list_or_dash(&service.tables_owned),
            shared = list_or_dash(&shared),
            keys_title = if keys.is_empty() {
                String::new()
            } else {
                format!(" title=\"{}\"", text(&keys.join("; ")))
            },
            n_keys = service.foreign_keys_crossing.len(),
            cycle = list_or_dash(&service.cycle_with),
            terms = text(&cost_terms(&service.cost)),
            cost = number(service.cost.total, 2),
            value_terms = text(&format!(
                "{} routes + 1 = {}",
                service.value.routes,
                number(service.value.total, 2)
            )),
            value = number(service.value.total, 2),
        );
    }
    if !any {
        out.push_str("<tr><td colspan=\"10\">The proposal has no candidate services.</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
    out
}

/// `<section id="metrics">`: the metrics of the whole proposal and the settings behind it.
pub(super) fn metrics(proposal: &Proposal) -> String {
    let metrics: &ProposalMetrics = &proposal.metrics;
    let rows = [
        (
            "Structural modularity (SM)",
            metrics.structural_modularity,
            "higher",
            "density of links inside services minus density between them, -1 to 1",
        ),
        (
            "Inter-call percentage (ICP)",
            metrics.inter_call_percentage,
            "lower",
            "share of (log-weighted) calls that cross services, 0 to 1",
        ),
        (
            "Interface number (IFN)",
            metrics.interface_number,
            "lower",
            "linked module pairs across services, per service",
        ),
        (
            "Non-extreme distribution (NED)",
            metrics.non_extreme_distribution,
            "lower",
            "share of modules in services of extreme size (default band: 5 to 20 modules), 0 to 1",
        ),
        (
            "Bunch TurboMQ (MQ)",
            metrics.bunch_mq,
            "higher",
            "per service, weight inside against inside plus crossing, summed: 0 to K",
        ),
        (
            "Newman modularity (Q)",
            metrics.newman_modularity,
            "higher",
            "weight inside services beyond what chance gives; above about 0.3 is good",
        ),
    ];
    let mut out = String::new();
    out.push_str(
        "<section id=\"metrics\" aria-labelledby=\"metrics-heading\">\n\
         <h2 id=\"metrics-heading\">Quality of the proposal</h2>\n\
         <p class=\"hint\">Over the structural module graph with the shared kernel and \
         unassigned modules left out; formulas in <code>docs/metrics.md</code>.</p>\n\
         <table class=\"metrics\">\n<thead><tr><th scope=\"col\">Metric</th>\
         <th scope=\"col\" class=\"num\">Value</th><th scope=\"col\">Better</th>\
         <th scope=\"col\">What it measures</th></tr></thead>\n<tbody>\n",
    );
    for (name, value, better, meaning) in rows {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{name}</th><td class=\"num\">{}</td><td>{better}</td>\
             <td>{meaning}</td></tr>",
            number(value, 3)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let settings = &proposal.settings;
    let _ = writeln!(
        out,
        "<p class=\"settings\">Clustering seed {}, resolution {}, target services {}.</p>",
        settings.seed,
        number(settings.resolution, 3),
        settings
            .target_services
            .map_or_else(|| "none".to_string(), |target| target.to_string()),
    );
    out.push_str("</section>\n");
    out
}

/// The cost formula with this candidate's terms filled in.
pub(super) fn cost_terms(cost: &Cost) -> String {
    format!(
        "cut weight {} + 2 \u{d7} calls back {} + 5 \u{d7} shared written tables {} + \
         2 \u{d7} crossing foreign keys {} + 10 \u{d7} in cycle {} = {}",
        number(cost.cut_weight, 2),
        number(cost.calls_back, 2),
        cost.shared_written_tables,
        cost.crossing_foreign_keys,
        u8::from(cost.in_cycle),
        number(cost.total, 2)
    )
}

/// Escaped, comma-separated names, or a dash for none.
pub(super) fn list_or_dash<S: AsRef<str>>(names: &[S]) -> String {
    if names.is_empty() {
        return "\u{2013}".to_string();
    }
    names
        .iter()
        .map(|name| text(name.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}
