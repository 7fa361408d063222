//! The graph section: the laid-out candidates and modules as an inline SVG that reads without
//! JavaScript (discs per group, module circles coloured by group, edges as thick as their
//! weight, native `<title>` tooltips), plus the controls `report.js` brings to life: zoom
//! buttons, a minimum-weight slider, one checkbox per group (which doubles as the legend),
//! and the panel that shows a selected module's assignment reasons.
//!
//! Positions come from `layout`; this file only writes markup. Every name goes through
//! `escape::text`.

use std::fmt::Write as _;

use super::escape::{number, text};
use super::layout::Layout;
use super::view::{GroupKind, View, short_name};

/// The whole `<section id="graph">`.
pub(super) fn section(view: &View, layout: &Layout) -> String {
    let mut out = String::new();
    out.push_str("<section id=\"graph\" aria-labelledby=\"graph-heading\">\n");
    out.push_str("<h2 id=\"graph-heading\">Candidates and modules</h2>\n");
    out.push_str(
        "<p class=\"hint\">Each disc is a candidate service (grey: shared kernel, dashed: \
         unassigned); each dot a module; a line's thickness is the fused coupling weight \
         between two modules. Select a module to see why it is where it is.</p>\n",
    );
    tools(&mut out, view);
    // The details panel is shown by the script; without it the figure takes the width.
    out.push_str("<div class=\"graph-body no-details\">\n<figure class=\"graph-figure\">\n");
    svg(&mut out, view, layout);
    out.push_str(
        "<div id=\"graph-tooltip\" class=\"tooltip\" role=\"tooltip\" hidden></div>\n\
         <figcaption>Drag to pan, scroll or use the buttons to zoom; with the graph focused, \
         arrow keys pan, <kbd>+</kbd> and <kbd>-</kbd> zoom, <kbd>0</kbd> resets, \
         <kbd>Tab</kbd> walks the modules and <kbd>Enter</kbd> selects one.</figcaption>\n\
         </figure>\n",
    );
    out.push_str(
        "<aside id=\"graph-details\" class=\"details\" aria-live=\"polite\" hidden \
         aria-labelledby=\"graph-details-heading\">\n\
         <h3 id=\"graph-details-heading\">Selection</h3>\n\
         <div id=\"graph-details-body\"><p>Nothing selected. Select a module in the graph to \
         see its group, its assignment reasons and its heaviest edges.</p></div>\n</aside>\n",
    );
    out.push_str("</div>\n</section>\n");
    out
}

fn tools(out: &mut String, view: &View) {
    // Hidden until the script runs: without it they would do nothing.
    let step = view.max_weight / 100.0;
    let _ = write!(
        out,
        "<div class=\"graph-tools\" id=\"graph-tools\" hidden>\n\
         <div class=\"zoom\" role=\"group\" aria-label=\"Zoom\">\
         <button type=\"button\" id=\"zoom-in\" aria-label=\"Zoom in\">+</button>\
         <button type=\"button\" id=\"zoom-out\" aria-label=\"Zoom out\">\u{2212}</button>\
         <button type=\"button\" id=\"zoom-reset\">Reset view</button></div>\n\
         <label class=\"weight\">Minimum edge weight \
         <input type=\"range\" id=\"min-weight\" min=\"0\" max=\"{max}\" step=\"{step}\" \
         value=\"0\" aria-describedby=\"min-weight-value\"> \
         <output id=\"min-weight-value\" for=\"min-weight\">0</output></label>\n\
         <label class=\"labels\"><input type=\"checkbox\" id=\"show-labels\" checked> \
         Module labels</label>\n</div>\n",
        max = number(view.max_weight, 3),
        step = number(step, 4),
    );
    // The legend is the group filter; its checkboxes are enabled by the script.
    out.push_str(
        "<fieldset class=\"legend\" id=\"group-filter\" disabled>\n\
         <legend>Groups</legend>\n",
    );
    for (index, group) in view.groups.iter().enumerate() {
        let kind = match group.kind {
            GroupKind::Service => "service",
            GroupKind::Kernel => "kernel",
            GroupKind::Unassigned => "unassigned",
        };
        let _ = writeln!(
            out,
            "<label class=\"{kind}\"><input type=\"checkbox\" data-g=\"{index}\" checked> \
             <span class=\"swatch g{index}\" aria-hidden=\"true\"></span>{name} \
             <span class=\"count\">({count})</span></label>",
            name = text(group.name),
            count = group.members.len(),
        );
    }
    out.push_str(
        "<span class=\"legend-actions\" id=\"group-actions\" hidden>\
         <button type=\"button\" id=\"groups-all\">All</button> \
         <button type=\"button\" id=\"groups-none\">None</button></span>\n</fieldset>\n",
    );
}

fn svg(out: &mut String, view: &View, layout: &Layout) {
    let (x, y, width, height) = layout.bounds;
    let _ = write!(
        out,
        "<svg id=\"graph-svg\" class=\"graph\" viewBox=\"{} {} {} {}\" \
         preserveAspectRatio=\"xMidYMid meet\" role=\"group\" tabindex=\"0\" \
         aria-labelledby=\"graph-svg-title\" aria-describedby=\"graph-svg-desc\" \
         data-rendered=\"false\" data-node-count=\"0\">\n\
         <title id=\"graph-svg-title\">Graph of candidate services and modules</title>\n\
         <desc id=\"graph-svg-desc\">{} modules in {} groups, {} edges. The candidate \
         sections below list the same facts as text.</desc>\n",
        number(x, 1),
        number(y, 1),
        number(width, 1),
        number(height, 1),
        view.nodes.len(),
        view.groups.len(),
        view.edges.len(),
    );

    out.push_str("<g class=\"discs\">\n");
    for (index, (group, disc)) in view.groups.iter().zip(&layout.groups).enumerate() {
        let class = match group.kind {
            GroupKind::Service => "disc",
            GroupKind::Kernel => "disc kernel",
            GroupKind::Unassigned => "disc unassigned",
        };
        let _ = writeln!(
            out,
            "<g class=\"{class} g{index}\" data-g=\"{index}\">\
             <circle cx=\"{cx}\" cy=\"{cy}\" r=\"{r}\"/>\
             <text class=\"disc-label\" x=\"{cx}\" y=\"{ly}\" text-anchor=\"middle\">{name}</text>\
             </g>",
            cx = number(disc.x, 1),
            cy = number(disc.y, 1),
            r = number(disc.r, 1),
            ly = number(disc.y - disc.r - 8.0, 1),
            name = text(&group_label(view, index)),
        );
    }
    out.push_str("</g>\n<g class=\"edges\">\n");
    for (index, edge) in view.edges.iter().enumerate() {
        let (from, to) = (&layout.nodes[edge.a], &layout.nodes[edge.b]);
        let (group_a, group_b) = (view.nodes[edge.a].group, view.nodes[edge.b].group);
        let class = if group_a == group_b {
            format!("edge g{group_a}")
        } else {
            "edge cross".to_string()
        };
        let coordinates = format!(
            "x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"",
            number(from.x, 1),
            number(from.y, 1),
            number(to.x, 1),
            number(to.y, 1)
        );
        let width = 0.75 + 5.25 * (edge.weight / view.max_weight).sqrt();
        let _ = writeln!(
            out,
            "<g class=\"{class}\" data-e=\"{index}\" data-a=\"{a}\" data-b=\"{b}\" \
             data-w=\"{w}\"><line class=\"hit\" {coordinates}/>\
             <line class=\"line\" {coordinates} stroke-width=\"{width}\"/>\
             <title>{title}</title></g>",
            a = edge.a,
            b = edge.b,
            w = number(edge.weight, 4),
            width = number(width, 2),
            title = text(&edge_title(view, index)),
        );
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for (index, node) in view.nodes.iter().enumerate() {
        let point = &layout.nodes[index];
        let group = &view.groups[node.group];
        let radius = 6.0 + 1.2 * (node.routes + node.tables).min(8) as f64;
        let _ = writeln!(
            out,
            "<g class=\"node g{g}\" data-i=\"{index}\" data-g=\"{g}\" tabindex=\"0\" \
             role=\"button\" aria-pressed=\"false\" aria-label=\"{label}\">\
             <circle cx=\"{x}\" cy=\"{y}\" r=\"{r}\"/>\
             <text x=\"{x}\" y=\"{ty}\" text-anchor=\"middle\">{short}</text>\
             <title>{label}</title></g>",
            g = node.group,
            label = text(&format!("{} ({})", node.id, group.name)),
            x = number(point.x, 1),
            y = number(point.y, 1),
            r = number(radius, 1),
            ty = number(point.y + radius + 11.0, 1),
            short = text(short_name(node.id)),
        );
    }
    out.push_str("</g>\n</svg>\n");
}

/// `3. orders (5)`: rank, name and module count for a service; name and count otherwise.
fn group_label(view: &View, index: usize) -> String {
    let group = &view.groups[index];
    match group.service {
        Some(service) => format!("{}. {} ({})", service.rank, group.name, group.members.len()),
        None => format!("{} ({})", group.name, group.members.len()),
    }
}

/// `a — b: weight 2.5 (structural 1.5, naming 1)`.
fn edge_title(view: &View, index: usize) -> String {
    let edge = &view.edges[index];
    let mut title = format!(
        "{} \u{2014} {}: weight {}",
        view.nodes[edge.a].id,
        view.nodes[edge.b].id,
        number(edge.weight, 2)
    );
    if !edge.signals.is_empty() {
        let parts: Vec<String> = edge
            .signals
            .iter()
            .map(|(signal, weight)| format!("{signal} {}", number(*weight, 2)))
            .collect();
        let _ = write!(title, " ({})", parts.join(", "));
    }
    title
}
