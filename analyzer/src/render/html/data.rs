//! The data the page's script reads, as JSON for a `<script type="application/json">` block:
//! groups, nodes (with their assignment reasons) and edges (with their per-signal weights), in
//! the same order and with the same indices as the SVG's `data-g`, `data-i` and `data-e`
//! attributes.
//!
//! Only what the script needs to show details and tooltips; the full proposal is what
//! `ficus plan --format json` prints. The text it returns is already safe to place inside the
//! script element (`escape::json_in_script`).

use serde::Serialize;

use super::escape::json_in_script;
use super::view::{GroupKind, View};
use crate::boundary::proposal::Reason;

#[derive(Serialize)]
struct Data<'a> {
    groups: Vec<GroupData<'a>>,
    nodes: Vec<NodeData<'a>>,
    edges: Vec<EdgeData<'a>>,
    max_weight: f64,
}

#[derive(Serialize)]
struct GroupData<'a> {
    name: &'a str,
    /// `service`, `kernel` or `unassigned`.
    kind: &'static str,
    anchor: &'a str,
    rank: Option<usize>,
}

#[derive(Serialize)]
struct NodeData<'a> {
    id: &'a str,
    file: &'a str,
    group: usize,
    routes: usize,
    tables: usize,
    pinned: bool,
    why: &'a str,
    reasons: &'a [Reason],
}

#[derive(Serialize)]
struct EdgeData<'a> {
    a: usize,
    b: usize,
    weight: f64,
    signals: &'a [(String, f64)],
}

/// The view as script-safe JSON.
pub(super) fn json(view: &View) -> String {
    let data = Data {
        groups: view
            .groups
            .iter()
            .map(|group| GroupData {
                name: group.name,
                kind: match group.kind {
                    GroupKind::Service => "service",
                    GroupKind::Kernel => "kernel",
                    GroupKind::Unassigned => "unassigned",
                },
                anchor: &group.anchor,
                rank: group.service.map(|service| service.rank),
            })
            .collect(),
        nodes: view
            .nodes
            .iter()
            .map(|node| NodeData {
                id: node.id,
                file: node.file,
                group: node.group,
                routes: node.routes,
                tables: node.tables,
                pinned: node.assignment.is_some_and(|assignment| assignment.pinned),
                why: node.why,
                reasons: node
                    .assignment
                    .map_or(&[], |assignment| assignment.reasons.as_slice()),
            })
            .collect(),
        edges: view
            .edges
            .iter()
            .map(|edge| EdgeData {
                a: edge.a,
                b: edge.b,
                weight: edge.weight,
                signals: edge.signals,
            })
            .collect(),
        max_weight: view.max_weight,
    };
    // Serializing plain structs of strings and numbers cannot fail; a non-finite reason or
    // signal weight becomes `null`, which the script shows as a dash.
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".to_string());
    json_in_script(&json)
}
