//! Constraints on clusters, as a plan file states them (pinned, together, apart, a fixed list
//! of clusters), checked for conflicts and turned into a problem Leiden can solve.
//!
//! Everything that must share a cluster is contracted first: each `together` group, and all
//! the nodes pinned to one label, become one *unit* (a node of a smaller graph whose internal
//! edges become a self-loop). Units are what the algorithm moves, so contracted nodes never
//! part. Everything that must not share a cluster becomes an *apart list* per unit: the pairs
//! of every `apart` group, and every pair of labelled units (two labels are two clusters).
//! `leiden.rs` never lets a node join a cluster holding one of its apart partners.
//!
//! With `fixed_clusters`, [`assign_fixed`] then maps the found clusters onto the fixed labels
//! after clustering. This file does not cluster.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use super::Error;
use super::graph::Csr;

/// What the clusters must respect. Node ids are those of the [`super::Graph`]; labels are the
/// names the plan gives clusters (services). The default constrains nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// `(node, label)`: the node is in the cluster that carries `label`. Nodes pinned to one
    /// label share a cluster, nodes pinned to different labels never do, and each labelled
    /// cluster reports its label in [`super::Partition::labels`]. Pinning a node twice to the
    /// same label is harmless; to two labels, an error.
    pub pinned: Vec<(usize, String)>,
    /// Groups of nodes that must end in one cluster.
    pub together: Vec<Vec<usize>>,
    /// Groups of nodes of which no two may share a cluster; a pair is a group of two.
    pub apart: Vec<Vec<usize>>,
    /// When set, the only clusters that may exist: every node ends in one of them, and no
    /// other cluster is formed. Pinned labels must be among them.
    pub fixed_clusters: Option<Vec<String>>,
}

/// The constrained problem: the graph of units and what each unit may not share a cluster
/// with.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Unit of each input node; units are numbered by smallest member.
    pub(crate) unit_of_node: Vec<u32>,
    /// The contracted graph, one node per unit.
    pub(crate) units: Csr,
    /// Per unit, the units it may never share a cluster with, sorted.
    pub(crate) apart: Vec<Vec<u32>>,
    /// Per unit, the index in `labels` of the label its nodes are pinned to.
    pub(crate) unit_label: Vec<Option<u32>>,
    /// The fixed clusters in the given order, or else the pinned labels sorted.
    pub(crate) labels: Vec<String>,
    /// Whether `labels` is a fixed list of clusters.
    pub(crate) fixed: bool,
}

/// Checks `constraints` against a graph and against each other, and contracts the graph.
pub(crate) fn prepare(graph: &Csr, constraints: &Constraints) -> Result<Prepared, Error> {
    let n_nodes = graph.n_nodes();
    let named_nodes = constraints
        .pinned
        .iter()
        .map(|(node, _)| *node)
        .chain(constraints.together.iter().flatten().copied())
        .chain(constraints.apart.iter().flatten().copied());
    for node in named_nodes {
        if node >= n_nodes {
            return Err(Error::ConstraintOutOfRange { node, n_nodes });
        }
    }

    let (labels, fixed) = match &constraints.fixed_clusters {
        Some(fixed_clusters) => {
            let mut seen = BTreeSet::new();
            for label in fixed_clusters {
                if !seen.insert(label.as_str()) {
                    return Err(Error::DuplicateFixedCluster {
                        label: label.clone(),
                    });
                }
            }
            (fixed_clusters.clone(), true)
        }
        None => {
            let pinned: BTreeSet<&String> =
                constraints.pinned.iter().map(|(_, label)| label).collect();
            (pinned.into_iter().cloned().collect(), false)
        }
    };
    let label_index: BTreeMap<&str, u32> = labels
        .iter()
        .enumerate()
        .map(|(index, label)| (label.as_str(), index as u32))
        .collect();

    let mut node_label: Vec<Option<u32>> = vec![None; n_nodes];
    for (node, label) in &constraints.pinned {
        let Some(&index) = label_index.get(label.as_str()) else {
            return Err(Error::UnknownLabel {
                node: *node,
                label: label.clone(),
            });
        };
        match node_label[*node] {
            Some(previous) if previous != index => {
                return Err(Error::PinnedTwice {
                    node: *node,
                    first_label: labels[previous as usize].clone(),
                    second_label: label.clone(),
                });
            }
            _ => node_label[*node] = Some(index),
        }
    }

    let mut sets = DisjointSets::new(n_nodes);
    for group in &constraints.together {
        for pair in group.windows(2) {
            sets.union(pair[0], pair[1]);
        }
    }
    let mut first_pinned: Vec<Option<usize>> = vec![None; labels.len()];
    for (node, label) in node_label.iter().enumerate() {
        if let Some(label) = label {
            match first_pinned[*label as usize] {
                Some(first) => sets.union(first, node),
                None => first_pinned[*label as usize] = Some(node),
            }
        }
    }

    // One label per contracted set at most.
    let mut set_label: Vec<Option<(usize, u32)>> = vec![None; n_nodes];
    for (node, label) in node_label.iter().enumerate() {
        let Some(label) = *label else { continue };
        let root = sets.find(node);
        match set_label[root] {
            Some((first, first_label)) if first_label != label => {
                return Err(Error::TogetherAcrossLabels {
                    first,
                    first_label: labels[first_label as usize].clone(),
                    second: node,
                    second_label: labels[label as usize].clone(),
                });
            }
            Some(_) => {}
            None => set_label[root] = Some((node, label)),
        }
    }

    let mut unit_of_root = vec![u32::MAX; n_nodes];
    let mut unit_of_node = Vec::with_capacity(n_nodes);
    let mut unit_label = Vec::new();
    for node in 0..n_nodes {
        let root = sets.find(node);
        if unit_of_root[root] == u32::MAX {
            unit_of_root[root] = unit_label.len() as u32;
            unit_label.push(set_label[root].map(|(_, label)| label));
        }
        unit_of_node.push(unit_of_root[root]);
    }
    let n_units = unit_label.len();

    let mut apart: Vec<Vec<u32>> = vec![Vec::new(); n_units];
    for group in &constraints.apart {
        for (position, &first) in group.iter().enumerate() {
            for &second in &group[position + 1..] {
                if first == second {
                    return Err(Error::ApartFromItself { node: first });
                }
                let (unit_a, unit_b) = (unit_of_node[first], unit_of_node[second]);
                if unit_a == unit_b {
                    return Err(Error::TogetherAndApart { first, second });
                }
                apart[unit_a as usize].push(unit_b);
                apart[unit_b as usize].push(unit_a);
            }
        }
    }
    let labelled_units: Vec<u32> = (0..n_units as u32)
        .filter(|&unit| unit_label[unit as usize].is_some())
        .collect();
    for &unit in &labelled_units {
        let others = labelled_units.iter().filter(|&&other| other != unit);
        apart[unit as usize].extend(others);
    }
    for partners in &mut apart {
        partners.sort_unstable();
        partners.dedup();
    }

    // Without contraction units are the nodes themselves (numbered by smallest member).
    let units = if n_units == n_nodes {
        graph.clone()
    } else {
        graph.contract(&unit_of_node, n_units)
    };
    Ok(Prepared {
        unit_of_node,
        units,
        apart,
        unit_label,
        labels,
        fixed,
    })
}

/// Maps the clusters Leiden found on the units (`clusters`, numbered by smallest unit) onto
/// the fixed labels, returning the label index of each unit.
///
/// A cluster holding a pinned unit keeps its label. Labels nobody is pinned to go to the
/// largest remaining clusters (by total node size, then smallest node), in label order by
/// smallest node. The units of clusters left over are then placed one at a time, the unit most
/// strongly connected to an already labelled cluster first, into the label it is most
/// connected to (ties: the lighter label, then the first), never next to an apart partner.
pub(crate) fn assign_fixed(prepared: &Prepared, clusters: &[u32]) -> Result<Vec<u32>, Error> {
    let units = &prepared.units;
    let n_units = units.n_nodes();
    let n_labels = prepared.labels.len();
    let n_clusters = clusters.iter().map(|&c| c as usize + 1).max().unwrap_or(0);

    let mut cluster_label: Vec<Option<u32>> = vec![None; n_clusters];
    let mut cluster_size = vec![0.0; n_clusters];
    for (unit, &cluster) in clusters.iter().enumerate() {
        let cluster = cluster as usize;
        cluster_size[cluster] += units.sizes[unit];
        if let Some(label) = prepared.unit_label[unit] {
            cluster_label[cluster] = Some(label);
        }
    }
    let mut label_used = vec![false; n_labels];
    for label in cluster_label.iter().flatten() {
        label_used[*label as usize] = true;
    }
    let unused: Vec<u32> = (0..n_labels as u32)
        .filter(|&label| !label_used[label as usize])
        .collect();
    let mut free: Vec<usize> = (0..n_clusters)
        .filter(|&cluster| cluster_label[cluster].is_none())
        .collect();
    free.sort_by(|&a, &b| cluster_size[b].total_cmp(&cluster_size[a]).then(a.cmp(&b)));
    let mut kept: Vec<usize> = free.iter().copied().take(unused.len()).collect();
    kept.sort_unstable();
    for (&cluster, &label) in kept.iter().zip(&unused) {
        cluster_label[cluster] = Some(label);
    }

    let mut unit_label: Vec<Option<u32>> = clusters
        .iter()
        .map(|&cluster| cluster_label[cluster as usize])
        .collect();
    let mut label_size = vec![0.0; n_labels];
    for (unit, label) in unit_label.iter().enumerate() {
        if let Some(label) = label {
            label_size[*label as usize] += units.sizes[unit];
        }
    }

    // Edge weight from each unplaced unit to each label, `n_labels` per unit.
    let unplaced: Vec<usize> = (0..n_units).filter(|&u| unit_label[u].is_none()).collect();
    let mut slot_of_unit = vec![usize::MAX; n_units];
    for (slot, &unit) in unplaced.iter().enumerate() {
        slot_of_unit[unit] = slot;
    }
    let mut connection = vec![0.0; unplaced.len() * n_labels];
    for (slot, &unit) in unplaced.iter().enumerate() {
        for (neighbor, weight) in units.neighbors(unit) {
            if let Some(label) = unit_label[neighbor as usize] {
                connection[slot * n_labels + label as usize] += weight;
            }
        }
    }

    let first_node = first_node_of_units(&prepared.unit_of_node, n_units);
    let no_cluster = |unit: usize| Error::NoAllowedCluster {
        node: first_node[unit],
    };

    let mut queue = BinaryHeap::new();
    for &unit in &unplaced {
        let (weight, _) = best_label(
            &connection[slot_of_unit[unit] * n_labels..][..n_labels],
            &prepared.apart[unit],
            &unit_label,
            &label_size,
        )
        .ok_or_else(|| no_cluster(unit))?;
        queue.push(Pending { weight, unit });
    }
    while let Some(Pending { weight, unit }) = queue.pop() {
        if unit_label[unit].is_some() {
            continue;
        }
        let (best_weight, label) = best_label(
            &connection[slot_of_unit[unit] * n_labels..][..n_labels],
            &prepared.apart[unit],
            &unit_label,
            &label_size,
        )
        .ok_or_else(|| no_cluster(unit))?;
        if best_weight != weight {
            queue.push(Pending {
                weight: best_weight,
                unit,
            });
            continue;
        }
        unit_label[unit] = Some(label);
        label_size[label as usize] += units.sizes[unit];
        for (neighbor, edge_weight) in units.neighbors(unit) {
            let neighbor = neighbor as usize;
            if unit_label[neighbor].is_none() {
                connection[slot_of_unit[neighbor] * n_labels + label as usize] += edge_weight;
                queue.push(Pending {
                    weight: connection[slot_of_unit[neighbor] * n_labels + label as usize],
                    unit: neighbor,
                });
            }
        }
    }
    Ok(unit_label
        .into_iter()
        // Every unplaced unit entered the queue, and its last entry left only once it was
        // labelled (or with an error).
        .map(|label| label.expect("every unit is labelled"))
        .collect())
}

/// The label a unit with edge weight `connection[label]` to each label should join: the most
/// connected, then the lightest, then the first; never one holding an apart partner. `None` if
/// every label holds one.
fn best_label(
    connection: &[f64],
    apart: &[u32],
    unit_label: &[Option<u32>],
    label_size: &[f64],
) -> Option<(f64, u32)> {
    let mut best: Option<(f64, u32)> = None;
    for (label, &weight) in connection.iter().enumerate() {
        let label = label as u32;
        let blocked = apart
            .iter()
            .any(|&partner| unit_label[partner as usize] == Some(label));
        if blocked {
            continue;
        }
        let better = match best {
            None => true,
            Some((best_weight, best_label)) => {
                weight > best_weight
                    || (weight == best_weight
                        && label_size[label as usize] < label_size[best_label as usize])
            }
        };
        if better {
            best = Some((weight, label));
        }
    }
    best
}

/// A unit waiting for a label, ordered by its strongest allowed connection, then smallest
/// unit first.
#[derive(Debug, PartialEq)]
struct Pending {
    weight: f64,
    unit: usize,
}

impl Eq for Pending {}

impl Ord for Pending {
    fn cmp(&self, other: &Pending) -> Ordering {
        self.weight
            .total_cmp(&other.weight)
            .then(other.unit.cmp(&self.unit))
    }
}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Pending) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn first_node_of_units(unit_of_node: &[u32], n_units: usize) -> Vec<usize> {
    let mut first = vec![usize::MAX; n_units];
    for (node, &unit) in unit_of_node.iter().enumerate().rev() {
        first[unit as usize] = node;
    }
    first
}

/// Union-find over node ids; the smaller root wins, so results do not depend on union order.
struct DisjointSets {
    parent: Vec<usize>,
}

impl DisjointSets {
    fn new(n: usize) -> DisjointSets {
        DisjointSets {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut node: usize) -> usize {
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        node
    }

    fn union(&mut self, a: usize, b: usize) {
        let (root_a, root_b) = (self.find(a), self.find(b));
        let (low, high) = (root_a.min(root_b), root_a.max(root_b));
        self.parent[high] = low;
    }
}
