//! The dependency structure matrix: one row and one column per module, in the page's group
//! order (candidates by rank, then the kernel, then unassigned), so each candidate is a block
//! on the diagonal. A cell in row A, column B is shaded by the structural weight of A's uses
//! of B, taken from the analysis (the directed edges, items mapped to their modules); cells
//! outside every block are cross-candidate dependencies and drawn in the warning colour, and
//! a cell mirrored across the diagonal outside a block is a cycle.
//!
//! An SVG that draws only the non-empty cells, so its size follows the edge count rather than
//! the square of the module count. It does not use the fused weights: those are undirected
//! and already drawn in the graph.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape::{number, text};
use super::view::View;
use crate::model::Analysis;

const CELL: f64 = 14.0;
const HEADER: f64 = 36.0;
/// Longest row label, in characters, before it is shortened with an ellipsis.
const LABEL_CHARS: usize = 60;

/// `<section id="dsm">`.
pub(super) fn section(view: &View, analysis: &Analysis) -> String {
    let mut out = String::new();
    out.push_str(
        "<section id=\"dsm\" aria-labelledby=\"dsm-heading\">\n\
         <h2 id=\"dsm-heading\">Dependency structure matrix</h2>\n",
    );
    let count = view.nodes.len();
    if count == 0 {
        out.push_str("<p class=\"none\">No modules.</p>\n</section>\n");
        return out;
    }
    let cells = cells(view, analysis);
    let crossing = cells
        .keys()
        .filter(|(row, column)| view.nodes[*row].group != view.nodes[*column].group)
        .count();
    let strongest = cells.values().map(|cell| cell.0).fold(0.0_f64, f64::max);
    let _ = writeln!(
        out,
        "<p class=\"hint\">Row uses column. Modules are ordered by candidate; each outlined \
         block on the diagonal is one group. Darker cells weigh more. {} of {} module \
         dependencies cross a group boundary (drawn in the warning colour); a pair mirrored \
         across the diagonal outside the blocks is a cycle.</p>",
        crossing,
        cells.len()
    );

    let labels: Vec<String> = view
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| format!("{} {}", index + 1, shorten(node.id)))
        .collect();
    let longest = labels
        .iter()
        .map(|label| label.chars().count())
        .max()
        .unwrap_or(0);
    let label_width = (longest as f64 * 6.2 + 16.0).ceil();
    let side = count as f64 * CELL;
    let (width, height) = (label_width + side + 8.0, HEADER + side + 8.0);
    let _ = writeln!(
        out,
        "<div class=\"dsm-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Dependency \
         structure matrix, scrollable\">\n<svg class=\"dsm\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"dsm-svg-title\">\n\
         <title id=\"dsm-svg-title\">Dependency structure matrix of {count} modules, {} \
         dependencies, {crossing} across groups</title>\n\
         <defs><pattern id=\"dsm-grid\" width=\"{CELL}\" height=\"{CELL}\" \
         patternUnits=\"userSpaceOnUse\" x=\"{lw}\" y=\"{HEADER}\"><path class=\"grid\" \
         d=\"M{CELL} 0H0V{CELL}\"/></pattern></defs>\n\
         <rect class=\"grid-fill\" x=\"{lw}\" y=\"{HEADER}\" width=\"{side}\" \
         height=\"{side}\" fill=\"url(#dsm-grid)\"/>",
        cells.len(),
        w = number(width, 1),
        h = number(height, 1),
        lw = number(label_width, 1),
        side = number(side, 1),
    );

    // Row labels with a colour bar per group, and column numbers.
    for (index, label) in labels.iter().enumerate() {
        let node = &view.nodes[index];
        let y = HEADER + index as f64 * CELL;
        let _ = writeln!(
            out,
            "<rect class=\"bar g{g}\" x=\"0\" y=\"{y}\" width=\"4\" height=\"{CELL}\"/>\
             <text class=\"row\" x=\"{x}\" y=\"{ty}\" text-anchor=\"end\">{label}<title>{id}\
             </title></text>\
             <text class=\"column\" transform=\"translate({cx} {cy}) rotate(-90)\">{n}</text>",
            g = node.group,
            y = number(y, 1),
            x = number(label_width - 6.0, 1),
            ty = number(y + CELL * 0.75, 1),
            label = text(label),
            id = text(node.id),
            cx = number(label_width + index as f64 * CELL + CELL * 0.72, 1),
            cy = number(HEADER - 4.0, 1),
            n = index + 1,
        );
    }
    for index in 0..count {
        let _ = writeln!(
            out,
            "<rect class=\"diag\" x=\"{}\" y=\"{}\" width=\"{s}\" height=\"{s}\"/>",
            number(label_width + index as f64 * CELL + 1.0, 1),
            number(HEADER + index as f64 * CELL + 1.0, 1),
            s = number(CELL - 2.0, 1),
        );
    }
    for (&(row, column), &(weight, references)) in &cells {
        let (row_group, column_group) = (view.nodes[row].group, view.nodes[column].group);
        let class = if row_group == column_group {
            format!("cell g{row_group}")
        } else {
            "cell cross".to_string()
        };
        let _ = writeln!(
            out,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{s}\" height=\"{s}\" \
             fill-opacity=\"{}\"><title>{}</title></rect>",
            number(label_width + column as f64 * CELL + 1.0, 1),
            number(HEADER + row as f64 * CELL + 1.0, 1),
            number(0.25 + 0.75 * (weight / strongest).sqrt(), 2),
            text(&format!(
                "{} uses {}: weight {} ({} references)",
                view.nodes[row].id,
                view.nodes[column].id,
                number(weight, 2),
                references
            )),
            s = number(CELL - 2.0, 1),
        );
    }
    // Outline each group's block last, so the outlines sit on top of the cells.
    for (index, group) in view.groups.iter().enumerate() {
        let (Some(&first), Some(&last)) = (group.members.first(), group.members.last()) else {
            continue;
        };
        let size = (last - first + 1) as f64 * CELL;
        let _ = writeln!(
            out,
            "<rect class=\"block g{index}\" x=\"{}\" y=\"{}\" width=\"{s}\" height=\"{s}\">\
             <title>{}</title></rect>",
            number(label_width + first as f64 * CELL, 1),
            number(HEADER + first as f64 * CELL, 1),
            text(group.name),
            s = number(size, 1),
        );
    }
    out.push_str("</svg>\n</div>\n</section>\n");
    out
}

/// `(row, column) -> (weight, references)` of the analysis edges between different modules
/// of the view, keyed by node index.
fn cells(view: &View, analysis: &Analysis) -> BTreeMap<(usize, usize), (f64, u32)> {
    let index_of: BTreeMap<&str, usize> = view
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| (node.id, index))
        .collect();
    let mut cells: BTreeMap<(usize, usize), (f64, u32)> = BTreeMap::new();
    for edge in &analysis.edges {
        let (Some(row), Some(column)) = (
            module_of(&edge.from, &index_of),
            module_of(&edge.to, &index_of),
        ) else {
            continue;
        };
        if row == column || !edge.weight.is_finite() || edge.weight <= 0.0 {
            continue;
        }
        let cell = cells.entry((row, column)).or_insert((0.0, 0));
        cell.0 += edge.weight;
        cell.1 += edge.count;
    }
    cells
}

/// The node of the module holding `path`: the module itself, or the longest module id that
/// is a `::` prefix of it (an item path at item granularity).
fn module_of(path: &str, index_of: &BTreeMap<&str, usize>) -> Option<usize> {
    let module = crate::model::owning_module(path, |id| index_of.contains_key(id))?;
    index_of.get(module).copied()
}

/// A module id cut to `LABEL_CHARS` characters, keeping its end (the informative part).
fn shorten(id: &str) -> String {
    let count = id.chars().count();
    if count <= LABEL_CHARS {
        return id.to_string();
    }
    let tail: String = id.chars().skip(count - (LABEL_CHARS - 1)).collect();
    format!("\u{2026}{tail}")
}
