//! The plan report: one self-contained `index.html` drawn from a [`Proposal`] and the
//! [`Analysis`] it was made from. It holds an interactive graph of candidates and modules, the
//! ranked table of candidates with the proposal's metrics, a section per candidate with
//! everything that crosses its boundary, and a dependency structure matrix.
//!
//! Self-contained means the page makes no request of any kind: CSS, script and data are
//! inlined, there is no link, image or font outside the page, and a Content-Security-Policy
//! forbids the browser from fetching anything. The graph is laid out here, in Rust
//! (`layout`), and written as SVG, so the page reads without JavaScript and prints; the
//! script (`report.js`) adds zoom, pan, filters, tooltips and the details of a selection.
//! The same proposal and analysis always give byte-identical text. Every name from the code
//! or the plan is escaped (`escape`); nothing here reads or writes files.
//!
//! Files: `view` resolves what is drawn, `layout` places it, `graph`, `overview`, `pages` and
//! `dsm` write the sections, `data` the script's JSON; `template.html`, `report.css` and
//! `report.js` are the page's fixed parts, embedded at compile time.

mod data;
mod dsm;
mod escape;
mod graph;
mod layout;
mod overview;
mod pages;
mod view;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use crate::boundary::proposal::Proposal;
use crate::model::Analysis;
use view::{GroupKind, View};

const TEMPLATE: &str = include_str!("html/template.html");
const CSS: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

pub(super) fn render(proposal: &Proposal, analysis: &Analysis) -> String {
    let view = View::of(proposal);
    let group_of: Vec<usize> = view.nodes.iter().map(|node| node.group).collect();
    let edges: Vec<(usize, usize, f64)> = view
        .edges
        .iter()
        .map(|edge| (edge.a, edge.b, edge.weight))
        .collect();
    let layout = layout::layout(view.groups.len(), &group_of, &edges);
    fill(
        TEMPLATE,
        &[
            ("title", &escape::text(&title(analysis))),
            ("css", CSS),
            ("group_css", &group_css(&view)),
            ("summary", &summary(&view, proposal)),
            ("graph", &graph::section(&view, &layout)),
            ("candidates", &overview::candidates(&view)),
            ("metrics", &overview::metrics(proposal)),
            ("services", &pages::sections(&view, proposal)),
            ("dsm", &dsm::section(&view, analysis)),
            ("schema_version", &proposal.schema_version.to_string()),
            ("data", &data::json(&view)),
            ("script", SCRIPT),
        ],
    )
}

/// `template` with every `{{name}}` replaced by its value, in one pass: text inside a value
/// is never scanned again, and an unknown `{{name}}` is left as it is.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let value = after.find("}}").and_then(|end| {
            let name = &after[..end];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, end))
        });
        match value {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The analysed crates' names, for the page title: up to three, then an ellipsis.
fn title(analysis: &Analysis) -> String {
    let mut names: Vec<&str> = analysis
        .crates
        .iter()
        .map(|krate| krate.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    match names.len() {
        0 => "plan report".to_string(),
        1..=3 => names.join(", "),
        _ => format!("{}, \u{2026}", names[..3].join(", ")),
    }
}

/// One CSS rule per group setting `--c`, the colour everything of that group is drawn in:
/// hues a golden angle apart for candidates, theme greys for the kernel and unassigned.
fn group_css(view: &View) -> String {
    let mut out = String::new();
    let mut service = 0_usize;
    for (index, group) in view.groups.iter().enumerate() {
        let colour = match group.kind {
            GroupKind::Service => {
                let hue = (210.0 + service as f64 * 137.5) % 360.0;
                let lightness = [46, 38, 54][service % 3];
                service += 1;
                format!("hsl({} 62% {lightness}%)", escape::number(hue, 1))
            }
            GroupKind::Kernel => "var(--kernel)".to_string(),
            GroupKind::Unassigned => "var(--unassigned)".to_string(),
        };
        let _ = writeln!(out, ".g{index}{{--c:{colour}}}");
    }
    out
}

/// The one-paragraph summary under the page heading.
fn summary(view: &View, proposal: &Proposal) -> String {
    let count = |kind: GroupKind| {
        view.groups
            .iter()
            .filter(|group| group.kind == kind)
            .map(|group| group.members.len())
            .sum::<usize>()
    };
    let routes: usize = proposal
        .services
        .iter()
        .map(|service| service.routes.len())
        .sum();
    format!(
        "{} candidate services over {} modules ({} in the shared kernel, {} unassigned), \
         {} weighted module edges, {} routes.",
        proposal.services.len(),
        view.nodes.len(),
        count(GroupKind::Kernel),
        count(GroupKind::Unassigned),
        view.edges.len(),
        routes
    )
}
