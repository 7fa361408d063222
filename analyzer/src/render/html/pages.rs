//! One section per candidate service with everything that crosses its boundary: its modules
//! and the reasons each is there, routes, tables it owns, tables it shares (who reads, who
//! writes), foreign keys that would cross services, its API surface (items, use counts,
//! callers), its calls into other candidates and theirs into it, cycles, and the extraction
//! cost and value terms. Then a section each for the shared kernel and unassigned modules.
//!
//! Static HTML, readable without script and in print. Names of other candidates link to
//! their sections when they are candidates of this proposal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape::{number, text};
use super::overview::cost_terms;
use super::view::{GroupKind, View};
use crate::boundary::proposal::{Proposal, ServiceProposal};

/// `<section id="services">` holding a section per group.
pub(super) fn sections(view: &View, proposal: &Proposal) -> String {
    let mut out = String::new();
    out.push_str(
        "<section id=\"services\" aria-labelledby=\"services-heading\">\n\
         <h2 id=\"services-heading\">Candidates in detail</h2>\n",
    );
    for (index, group) in view.groups.iter().enumerate() {
        match group.service {
            Some(service) => service_section(&mut out, view, proposal, index, service),
            None => other_section(&mut out, view, index),
        }
    }
    out.push_str("</section>\n");
    out
}

fn service_section(
    out: &mut String,
    view: &View,
    proposal: &Proposal,
    index: usize,
    service: &ServiceProposal,
) {
    let group = &view.groups[index];
    let anchor = &group.anchor;
    let _ = write!(
        out,
        "<section class=\"service\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\">\n\
         <h3 id=\"{anchor}-h\"><span class=\"swatch g{index}\" aria-hidden=\"true\"></span>\
         {rank}. {name}</h3>\n\
         <p class=\"facts\">{modules} modules, {routes} routes, {owned} tables owned, \
         {shared} shared. <a href=\"#candidates\">Back to the candidates</a></p>\n",
        rank = service.rank,
        name = text(group.name),
        modules = service.modules.len(),
        routes = service.routes.len(),
        owned = service.tables_owned.len(),
        shared = service.tables_shared.len(),
    );

    let cost = &service.cost;
    let _ = write!(
        out,
        "<h4>Extraction cost and value</h4>\n\
         <table class=\"terms\"><thead><tr><th scope=\"col\">Term</th>\
         <th scope=\"col\" class=\"num\">Amount</th><th scope=\"col\" class=\"num\">Factor</th>\
         <th scope=\"col\" class=\"num\">Adds</th></tr></thead>\n<tbody>\n\
         {}{}{}{}{}\
         <tr class=\"total\"><th scope=\"row\">Cost</th><td></td><td></td>\
         <td class=\"num\">{}</td></tr>\n\
         <tr><th scope=\"row\">Routes served</th><td class=\"num\">{}</td><td></td><td></td></tr>\n\
         <tr class=\"total\"><th scope=\"row\">Value (routes + 1)</th><td></td><td></td>\
         <td class=\"num\">{}</td></tr>\n</tbody></table>\n\
         <p class=\"formula\">{}</p>\n",
        term_row("Cut weight (structural, both ways)", cost.cut_weight, 1.0),
        term_row("Calls back into other candidates", cost.calls_back, 2.0),
        term_row(
            "Shared tables it writes",
            cost.shared_written_tables as f64,
            5.0
        ),
        term_row(
            "Crossing foreign keys",
            cost.crossing_foreign_keys as f64,
            2.0
        ),
        term_row("In a cycle", f64::from(u8::from(cost.in_cycle)), 10.0),
        number(cost.total, 2),
        service.value.routes,
        number(service.value.total, 2),
        text(&cost_terms(cost)),
    );

    out.push_str("<h4>Modules and why they are here</h4>\n");
    if service.modules.is_empty() {
        out.push_str("<p class=\"none\">No modules.</p>\n");
    } else {
        out.push_str(
            "<table class=\"modules\"><thead><tr><th scope=\"col\">Module</th>\
             <th scope=\"col\">File</th><th scope=\"col\">Why it is here; its strongest ties \
             in the candidate (signal, weight)</th></tr></thead>\n<tbody>\n",
        );
        let mut modules: Vec<_> = service.modules.iter().collect();
        modules.sort_by(|a, b| a.path.cmp(&b.path));
        for module in modules {
            let mut reasons: Vec<String> = module
                .reasons
                .iter()
                .map(|reason| {
                    format!(
                        "<li><code>{}</code> {} {}</li>",
                        text(&reason.with),
                        text(&reason.signal),
                        number(reason.weight, 2)
                    )
                })
                .collect();
            if module.pinned {
                reasons.insert(
                    0,
                    "<li><strong>pinned here in the plan</strong></li>".into(),
                );
            } else if !module.why.is_empty() {
                reasons.insert(
                    0,
                    format!("<li><strong>{}</strong></li>", text(&module.why)),
                );
            }
            let reasons = if reasons.is_empty() {
                "\u{2013}".to_string()
            } else {
                format!("<ul class=\"reasons\">{}</ul>", reasons.concat())
            };
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\"><code>{}</code></th><td><code>{}</code></td>\
                 <td>{reasons}</td></tr>",
                text(&module.path),
                text(&module.file),
            );
        }
        out.push_str("</tbody></table>\n");
    }

    out.push_str("<h4>Routes</h4>\n");
    code_list(out, &service.routes, "No routes.");
    if !service.jobs.is_empty() {
        out.push_str(
            "<h4>Background jobs</h4>\n<p class=\"hint\">Functions run as tasks of their own \
             from start-up code (workers, queue consumers, schedulers).</p>\n",
        );
        code_list(out, &service.jobs, "");
    }
    out.push_str("<h4>Tables owned</h4>\n<p class=\"hint\">Only this candidate writes them.</p>\n");
    code_list(out, &service.tables_owned, "None.");

    out.push_str("<h4>Tables shared</h4>\n");
    if service.tables_shared.is_empty() {
        out.push_str("<p class=\"none\">None.</p>\n");
    } else {
        out.push_str(
            "<table><thead><tr><th scope=\"col\">Table</th><th scope=\"col\">Read by</th>\
             <th scope=\"col\">Written by</th></tr></thead>\n<tbody>\n",
        );
        for shared in &service.tables_shared {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td></tr>",
                text(&shared.table),
                candidate_links(view, &shared.readers),
                candidate_links(view, &shared.writers),
            );
        }
        out.push_str("</tbody></table>\n");
    }

    out.push_str("<h4>Foreign keys crossing the boundary</h4>\n");
    if service.foreign_keys_crossing.is_empty() {
        out.push_str("<p class=\"none\">None.</p>\n");
    } else {
        out.push_str(
            "<table><thead><tr><th scope=\"col\">Column</th><th scope=\"col\">References</th>\
             <th scope=\"col\">Owned by</th></tr></thead>\n<tbody>\n",
        );
        for key in &service.foreign_keys_crossing {
            let _ = writeln!(
                out,
                "<tr><td><code>{}.{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                text(&key.from_table),
                text(&key.column),
                text(&key.to_table),
                candidate_links(view, std::slice::from_ref(&key.to_candidate)),
            );
        }
        out.push_str("</tbody></table>\n");
    }

    out.push_str(
        "<h4>API surface</h4>\n<p class=\"hint\">Items used from outside the candidate.</p>\n",
    );
    if service.api.is_empty() {
        out.push_str(
            "<p class=\"none\">None found (item-level analyses list the items other \
             candidates use).</p>\n",
        );
    } else {
        out.push_str(
            "<table><thead><tr><th scope=\"col\">Item</th><th scope=\"col\" class=\"num\">Uses\
             </th><th scope=\"col\">Callers</th></tr></thead>\n<tbody>\n",
        );
        for item in &service.api {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\"><code>{}</code></th><td class=\"num\">{}</td>\
                 <td>{}</td></tr>",
                text(&item.item),
                item.uses,
                candidate_links(view, &item.callers),
            );
        }
        out.push_str("</tbody></table>\n");
    }

    dependencies(out, view, proposal, service);

    out.push_str("<h4>Cycles</h4>\n");
    if service.cycle_with.is_empty() {
        out.push_str("<p class=\"none\">In no dependency cycle.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<p class=\"warning\">In a dependency cycle with {}: break it before extracting.</p>",
            candidate_links(view, &service.cycle_with)
        );
    }
    out.push_str("</section>\n");
}

/// Calls into other candidates (the service's own `dependencies`, completed from the
/// proposal's list), and calls from them into this one.
fn dependencies(out: &mut String, view: &View, proposal: &Proposal, service: &ServiceProposal) {
    let name = service.name.as_str();
    let mut calls: BTreeMap<&str, f64> = service
        .dependencies
        .iter()
        .filter(|(to, _)| to.as_str() != name)
        .map(|(to, weight)| (to.as_str(), *weight))
        .collect();
    let mut called_by: BTreeMap<&str, f64> = BTreeMap::new();
    for dependency in &proposal.dependencies {
        if dependency.from == name && dependency.to != name {
            calls.entry(&dependency.to).or_insert(dependency.weight);
        } else if dependency.to == name && dependency.from != name {
            called_by
                .entry(&dependency.from)
                .or_insert(dependency.weight);
        }
    }
    let mut calls: Vec<(&str, f64)> = calls.into_iter().collect();
    let mut called_by: Vec<(&str, f64)> = called_by.into_iter().collect();
    for list in [&mut calls, &mut called_by] {
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    }
    for (heading, list) in [
        ("Calls into other candidates", calls),
        ("Called by other candidates", called_by),
    ] {
        let _ = writeln!(out, "<h4>{heading}</h4>");
        if list.is_empty() {
            out.push_str("<p class=\"none\">None.</p>\n");
            continue;
        }
        out.push_str(
            "<table><thead><tr><th scope=\"col\">Candidate</th>\
             <th scope=\"col\" class=\"num\">Structural weight</th></tr></thead>\n<tbody>\n",
        );
        for (other, weight) in list {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                candidate_links(view, &[other]),
                number(weight, 2)
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// The kernel's or the unassigned modules' section: what they are and their modules.
fn other_section(out: &mut String, view: &View, index: usize) {
    let group = &view.groups[index];
    let explanation = match group.kind {
        GroupKind::Kernel => {
            "Modules many candidates use that own no routes and no tables: set aside to \
             become a shared library rather than forced into one service."
        }
        _ => {
            "Modules in no candidate and not in the kernel: crate roots, <code>main</code> and \
             application wiring that stays with the monolith."
        }
    };
    let _ = write!(
        out,
        "<section class=\"service other\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\">\n\
         <h3 id=\"{anchor}-h\"><span class=\"swatch g{index}\" aria-hidden=\"true\"></span>\
         {name}</h3>\n<p>{explanation} <a href=\"#candidates\">Back to the candidates</a></p>\n",
        anchor = group.anchor,
        name = text(group.name),
    );
    out.push_str(
        "<table class=\"modules\"><thead><tr><th scope=\"col\">Module</th>\
         <th scope=\"col\">File</th><th scope=\"col\">Why it is here</th></tr></thead>\n\
         <tbody>\n",
    );
    for &node in &group.members {
        let node = &view.nodes[node];
        let why = if node.why.is_empty() {
            "\u{2013}".to_string()
        } else {
            text(node.why)
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\"><code>{}</code></th><td><code>{}</code></td><td>{why}</td></tr>",
            text(node.id),
            text(node.file),
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn term_row(name: &str, amount: f64, factor: f64) -> String {
    format!(
        "<tr><th scope=\"row\">{name}</th><td class=\"num\">{}</td><td class=\"num\">\
         \u{d7} {}</td><td class=\"num\">{}</td></tr>\n",
        number(amount, 2),
        number(factor, 0),
        number(amount * factor, 2)
    )
}

fn code_list(out: &mut String, items: &[String], empty: &str) {
    if items.is_empty() {
        let _ = writeln!(out, "<p class=\"none\">{empty}</p>");
        return;
    }
    out.push_str("<ul class=\"codes\">");
    for item in items {
        let _ = write!(out, "<li><code>{}</code></li>", text(item));
    }
    out.push_str("</ul>\n");
}

/// Candidate names, each linked to its section when it is a candidate of this proposal.
fn candidate_links<S: AsRef<str>>(view: &View, names: &[S]) -> String {
    if names.is_empty() {
        return "\u{2013}".to_string();
    }
    names
        .iter()
        .map(|name| {
            let name = name.as_ref();
            match view.service_group(name) {
                Some(group) => format!("<a href=\"#{}\">{}</a>", group.anchor, text(name)),
                None => text(name),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
