//! What the page draws, resolved once from a [`Proposal`]: the groups (candidate services in
//! rank order, then the shared kernel, then unassigned modules), every module as a node in
//! exactly one group, and the fused graph's edges as pairs of node indices.
//!
//! A proposal is data a person may have edited, so nothing is assumed: a module listed twice
//! stays in the first group that lists it, a graph node or edge end that no group lists is
//! drawn as unassigned, and weights that are negative or not finite draw as zero. It decides
//! no colours or positions (`layout` and the renderers do).

use std::collections::BTreeMap;

use super::escape;
use crate::boundary::proposal::{ModuleAssignment, Proposal, ServiceProposal};

/// Label of the shared-kernel group.
pub(super) const KERNEL: &str = "shared kernel";
/// Label of the group of modules in no service and not in the kernel.
pub(super) const UNASSIGNED: &str = "unassigned";

pub(super) struct View<'a> {
    pub(super) groups: Vec<Group<'a>>,
    /// Sorted by group, then module id.
    pub(super) nodes: Vec<Node<'a>>,
    /// `a < b`, sorted by `(a, b)`.
    pub(super) edges: Vec<Edge<'a>>,
    /// The heaviest drawable edge weight, or 1 when there is none.
    pub(super) max_weight: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum GroupKind {
    Service,
    Kernel,
    Unassigned,
}

pub(super) struct Group<'a> {
    pub(super) name: &'a str,
    pub(super) kind: GroupKind,
    /// The fragment id of its section in the page.
    pub(super) anchor: String,
    pub(super) service: Option<&'a ServiceProposal>,
    /// Node indices, in node order.
    pub(super) members: Vec<usize>,
}

/// Where the view puts a module: group, file, assignment, why.
type Placed<'a> = (usize, &'a str, Option<&'a ModuleAssignment>, &'a str);

pub(super) struct Node<'a> {
    pub(super) id: &'a str,
    pub(super) file: &'a str,
    pub(super) group: usize,
    /// Why it is in its service (`None` for the kernel and unassigned modules).
    pub(super) assignment: Option<&'a ModuleAssignment>,
    /// Why it is where it is, in words (empty when the proposal does not say).
    pub(super) why: &'a str,
    pub(super) routes: usize,
    pub(super) tables: usize,
}

pub(super) struct Edge<'a> {
    pub(super) a: usize,
    pub(super) b: usize,
    /// Finite and at least zero.
    pub(super) weight: f64,
    pub(super) signals: &'a [(String, f64)],
}

impl<'a> View<'a> {
    pub(super) fn of(proposal: &'a Proposal) -> View<'a> {
        let mut services: Vec<&ServiceProposal> = proposal.services.iter().collect();
        services.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.name.cmp(&b.name)));

        // Module id -> (group, file, assignment, why); the first group to list a module keeps
        // it.
        let mut groups: Vec<Group<'a>> = Vec::new();
        let mut placed: BTreeMap<&'a str, Placed<'a>> = BTreeMap::new();
        for (position, service) in services.iter().enumerate() {
            let group = groups.len();
            groups.push(Group {
                name: &service.name,
                kind: GroupKind::Service,
                anchor: escape::anchor("service", position + 1, &service.name),
                service: Some(service),
                members: Vec::new(),
            });
            for module in &service.modules {
                placed.entry(&module.path).or_insert((
                    group,
                    &module.file,
                    Some(module),
                    &module.why,
                ));
            }
        }
        let kernel = groups.len();
        groups.push(Group {
            name: KERNEL,
            kind: GroupKind::Kernel,
            anchor: "shared-kernel".to_string(),
            service: None,
            members: Vec::new(),
        });
        for module in &proposal.shared_kernel {
            placed
                .entry(&module.path)
                .or_insert((kernel, &module.file, None, &module.why));
        }
        let unassigned = groups.len();
        groups.push(Group {
            name: UNASSIGNED,
            kind: GroupKind::Unassigned,
            anchor: "unassigned".to_string(),
            service: None,
            members: Vec::new(),
        });
        for module in &proposal.unassigned {
            placed
                .entry(&module.path)
                .or_insert((unassigned, &module.file, None, &module.why));
        }
        let graph = &proposal.graph;
        for id in graph
            .nodes
            .iter()
            .map(|node| node.id.as_str())
            .chain(graph.edges.iter().flat_map(|edge| [&*edge.a, &*edge.b]))
        {
            placed.entry(id).or_insert((unassigned, "", None, ""));
        }

        let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for node in &graph.nodes {
            counts.entry(&node.id).or_insert((node.routes, node.tables));
        }
        let mut order: Vec<(usize, &'a str)> = placed
            .iter()
            .map(|(&id, &(group, ..))| (group, id))
            .collect();
        order.sort();
        let mut index_of: BTreeMap<&str, usize> = BTreeMap::new();
        let mut nodes = Vec::with_capacity(order.len());
        for (group, id) in order {
            let (_, file, assignment, why) = placed[id];
            let (routes, tables) = counts.get(id).copied().unwrap_or((0, 0));
            index_of.insert(id, nodes.len());
            groups[group].members.push(nodes.len());
            nodes.push(Node {
                id,
                file,
                group,
                assignment,
                why,
                routes,
                tables,
            });
        }
        // The kernel and unassigned groups are drawn only when they hold modules.
        let keep: Vec<bool> = groups
            .iter()
            .map(|group| group.kind == GroupKind::Service || !group.members.is_empty())
            .collect();
        let mut renumber = Vec::with_capacity(groups.len());
        let mut kept = 0;
        for &keep in &keep {
            renumber.push(kept);
            kept += usize::from(keep);
        }
        for node in &mut nodes {
            node.group = renumber[node.group];
        }
        let mut position = 0;
        groups.retain(|_| {
            position += 1;
            keep[position - 1]
        });

        let mut edges: Vec<Edge<'a>> = graph
            .edges
            .iter()
            .filter_map(|edge| {
                // Cannot panic: every edge end was placed as a node above.
                let (a, b) = (index_of[edge.a.as_str()], index_of[edge.b.as_str()]);
                (a != b).then(|| Edge {
                    a: a.min(b),
                    b: a.max(b),
                    weight: if edge.weight.is_finite() {
                        edge.weight.max(0.0)
                    } else {
                        0.0
                    },
                    signals: &edge.signals,
                })
            })
            .collect();
        edges.sort_by(|x, y| {
            (x.a, x.b)
                .cmp(&(y.a, y.b))
                .then_with(|| x.weight.total_cmp(&y.weight))
        });
        let max_weight = edges.iter().map(|edge| edge.weight).fold(0.0_f64, f64::max);
        View {
            groups,
            nodes,
            edges,
            max_weight: if max_weight > 0.0 { max_weight } else { 1.0 },
        }
    }

    /// The group of the candidate named `name`, if it is one.
    pub(super) fn service_group(&self, name: &str) -> Option<&Group<'a>> {
        self.groups
            .iter()
            .find(|group| group.kind == GroupKind::Service && group.name == name)
    }
}

/// The short label of a module: its last path segment.
pub(super) fn short_name(id: &str) -> &str {
    id.rsplit("::").next().unwrap_or(id)
}
