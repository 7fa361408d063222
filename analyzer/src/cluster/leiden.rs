//! The Leiden algorithm (Traag, Waltman and van Eck, "From Louvain to Leiden: guaranteeing
//! well-connected communities", Scientific Reports 9, 2019), on one graph and one resolution.
//!
//! One iteration repeats three phases until a level's local moving leaves every node alone:
//!
//! 1. **Local moving** with a queue: nodes are visited in a seeded random order; each moves to
//!    the neighbouring cluster (or an empty one) that raises the quality most, and when it
//!    moves, its neighbours (and apart partners) outside its new cluster go back into the
//!    queue.
//! 2. **Refinement**: inside each cluster, starting from singletons, each well-connected node
//!    still alone may merge into a well-connected sub-cluster it has an edge to, chosen at
//!    random among those that do not lower the quality, with probability growing with the gain
//!    (`exp(gain / randomness)`). Sub-clusters are therefore connected by construction.
//! 3. **Aggregation** of the *refined* partition: each sub-cluster becomes one node, and the
//!    next level starts from the unrefined clusters.
//!
//! The iteration ends when local moving changes nothing at a level: every final cluster is then
//! one aggregate node, a union of sub-clusters built along edges, hence connected. Iterations
//! repeat from the previous result until it stops changing or `max_iterations` is reached.
//!
//! "Apart" constraints arrive as lists of nodes each node may never share a cluster with;
//! local moving skips those clusters, refinement only splits clusters (so it needs no check),
//! and aggregation lifts the lists to the aggregate nodes. This file knows no labels and no
//! target counts; `constraints.rs` and `resolution.rs` handle those.

use std::borrow::Cow;
use std::collections::VecDeque;

use super::graph::Csr;
use super::quality::Objective;
use super::random::SplitMix64;

/// Refinement randomness as a fraction of the mean edge weight: with 0.01, a merge that gains
/// one hundredth of an average edge more than another is `e` times as likely.
const RANDOMNESS: f64 = 0.01;

/// Gains closer than this fraction of the quality function's own scale count as ties, so that
/// rounding can never make a node move back and forth.
const TOLERANCE: f64 = 1e-12;

/// A clustering of one graph by [`leiden`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    /// Cluster per node, numbered by smallest member.
    pub(crate) membership: Vec<u32>,
    /// Iterations run, the last one included (it may be the one that changed nothing).
    pub(crate) iterations: usize,
}

/// Runs Leiden from singletons on `graph`, never putting a node in a cluster with any node of
/// its `apart` list, until the partition is stable or `max_iterations` (at least 1) ran.
pub(crate) fn leiden(
    graph: &Csr,
    objective: &Objective,
    apart: &[Vec<u32>],
    seed: u64,
    max_iterations: usize,
) -> Run {
    let n_nodes = graph.n_nodes();
    let mut membership: Vec<u32> = (0..n_nodes as u32).collect();
    if n_nodes == 0 {
        return Run {
            membership,
            iterations: 0,
        };
    }
    let params = Params::new(graph, objective);
    let mut rng = SplitMix64::new(seed);
    let mut iterations = 0;
    while iterations < max_iterations {
        iterations += 1;
        let next = iterate(graph, objective, apart, &membership, &params, &mut rng);
        if next == membership {
            break;
        }
        membership = next;
    }
    Run {
        membership,
        iterations,
    }
}

/// Constants of one run derived from the level-0 graph.
struct Params {
    /// Temperature of the refinement's random choice, in edge-weight units.
    randomness: f64,
    /// Gains must beat staying by more than this.
    tolerance: f64,
}

impl Params {
    fn new(graph: &Csr, objective: &Objective) -> Params {
        let total_weight = graph.total_weight();
        let n_edges = graph.targets.len() / 2;
        let mean_edge_weight = if n_edges > 0 {
            graph.weights.iter().sum::<f64>() / 2.0 / n_edges as f64
        } else {
            1.0
        };
        let total_node_weight: f64 = objective.node_weights.iter().sum();
        let scale = total_weight
            + objective.scaled_resolution * total_node_weight * total_node_weight / 2.0;
        Params {
            randomness: RANDOMNESS * mean_edge_weight,
            tolerance: TOLERANCE * scale,
        }
    }
}

/// One level of an iteration: a graph (the input, or an aggregate), the weights its nodes
/// carry in the quality function, and the apart lists.
struct Level<'a> {
    graph: Cow<'a, Csr>,
    node_weights: Cow<'a, [f64]>,
    apart: Cow<'a, [Vec<u32>]>,
}

impl Level<'_> {
    fn n_nodes(&self) -> usize {
        self.graph.n_nodes()
    }
}

/// One Leiden iteration starting from `initial` (a partition of `graph` with no apart pair in
/// a cluster); returns the new partition numbered by smallest member.
fn iterate(
    graph: &Csr,
    objective: &Objective,
    apart: &[Vec<u32>],
    initial: &[u32],
    params: &Params,
    rng: &mut SplitMix64,
) -> Vec<u32> {
    let mut level = Level {
        graph: Cow::Borrowed(graph),
        node_weights: Cow::Borrowed(&objective.node_weights),
        apart: Cow::Borrowed(apart),
    };
    let mut partition = initial.to_vec();
    renumber(&mut partition);
    // Which node of the current level each input node is part of.
    let mut level_of_node: Vec<u32> = (0..graph.n_nodes() as u32).collect();
    loop {
        move_nodes(&level, objective, params, &mut partition, rng);
        let n_clusters = renumber(&mut partition);
        if n_clusters == level.n_nodes() {
            break;
        }
        let (mut refined, merged) = refine(&level, objective, params, &partition, rng);
        if !merged {
            // Refinement is random and may merge nothing; the connected parts of the clusters
            // are then the sub-clusters, which keeps them connected and the level shrinking.
            refined = connected_parts(&level.graph, &partition);
        }
        let n_refined = renumber(&mut refined);
        if n_refined == level.n_nodes() {
            // Cannot happen: local moving leaves no node in a cluster it has no edge into, so
            // some cluster has an edge inside. Stopping here with singletons is still valid.
            partition = (0..level.n_nodes() as u32).collect();
            break;
        }
        let (next_level, next_partition) = aggregate(&level, &refined, n_refined, &partition);
        for node_level in &mut level_of_node {
            *node_level = refined[*node_level as usize];
        }
        level = next_level;
        partition = next_partition;
    }
    let mut membership: Vec<u32> = level_of_node
        .iter()
        .map(|&node_level| partition[node_level as usize])
        .collect();
    renumber(&mut membership);
    membership
}

/// Local moving with a queue (the paper's `MoveNodesFast`). `partition` holds cluster ids below
/// the node count. When the queue is empty, no single move allowed by the apart lists raises
/// the quality.
fn move_nodes(
    level: &Level,
    objective: &Objective,
    params: &Params,
    partition: &mut [u32],
    rng: &mut SplitMix64,
) {
    let n_nodes = level.n_nodes();
    let graph = &level.graph;
    let node_weights = &level.node_weights;
    let mut cluster_weight = vec![0.0; n_nodes];
    let mut cluster_members = vec![0u32; n_nodes];
    for (node, &cluster) in partition.iter().enumerate() {
        cluster_weight[cluster as usize] += node_weights[node];
        cluster_members[cluster as usize] += 1;
    }
    let mut empty_clusters: Vec<u32> = (0..n_nodes as u32)
        .rev()
        .filter(|&cluster| cluster_members[cluster as usize] == 0)
        .collect();
    let mut queue: VecDeque<u32> = rng.permutation(n_nodes).into();
    let mut queued = vec![true; n_nodes];
    let mut weight_to = vec![0.0; n_nodes];
    let mut touched: Vec<u32> = Vec::new();
    // `forbidden[c] == stamp` marks the clusters the current node must not join.
    let mut forbidden = vec![0usize; n_nodes];
    let mut stamp = 0usize;

    while let Some(node) = queue.pop_front() {
        let node = node as usize;
        queued[node] = false;
        let current = partition[node];
        for (neighbor, weight) in graph.neighbors(node) {
            let cluster = partition[neighbor as usize];
            // Weights are positive, so zero means not seen yet.
            if weight_to[cluster as usize] == 0.0 {
                touched.push(cluster);
            }
            weight_to[cluster as usize] += weight;
        }
        let node_weight = node_weights[node];
        cluster_weight[current as usize] -= node_weight;
        cluster_members[current as usize] -= 1;
        stamp += 1;
        for &partner in &level.apart[node] {
            forbidden[partition[partner as usize] as usize] = stamp;
        }

        // When the node was alone, its own cluster is the empty one; otherwise an empty
        // cluster always exists (n ids, at most n - 1 other nodes), on top of the stack.
        let alone = cluster_members[current as usize] == 0;
        let empty = if alone {
            current
        } else {
            empty_clusters[empty_clusters.len() - 1]
        };
        let (mut best, mut best_gain) = if !alone && weight_to[current as usize] == 0.0 {
            // No edge into its own cluster: staying is never kept over an empty cluster, even
            // by a rounding margin, so no cluster holds a node without an edge inside it.
            (empty, 0.0)
        } else {
            let stay_gain = objective.gain(
                weight_to[current as usize],
                node_weight,
                cluster_weight[current as usize],
            );
            (current, stay_gain)
        };
        for &cluster in &touched {
            if cluster == current || forbidden[cluster as usize] == stamp {
                continue;
            }
            let gain = objective.gain(
                weight_to[cluster as usize],
                node_weight,
                cluster_weight[cluster as usize],
            );
            if gain > best_gain + params.tolerance {
                best = cluster;
                best_gain = gain;
            }
        }
        if 0.0 > best_gain + params.tolerance {
            best = empty;
        }

        cluster_weight[best as usize] += node_weight;
        cluster_members[best as usize] += 1;
        if best != current {
            if empty_clusters.last() == Some(&best) {
                empty_clusters.pop();
            }
            if alone {
                empty_clusters.push(current);
            }
            partition[node] = best;
            // Neighbours may now prefer another cluster, and apart partners may now join the
            // one this node left.
            let neighbors = graph.neighbors(node).map(|(neighbor, _)| neighbor);
            for other in neighbors.chain(level.apart[node].iter().copied()) {
                let other = other as usize;
                if !queued[other] && partition[other] != best {
                    queued[other] = true;
                    queue.push_back(other as u32);
                }
            }
        }
        for cluster in touched.drain(..) {
            weight_to[cluster as usize] = 0.0;
        }
    }
}

/// The refinement phase (the paper's `RefinePartition` and `MergeNodesSubset`): a partition
/// finer than `partition` whose parts are connected. Returns it with whether any merge
/// happened.
fn refine(
    level: &Level,
    objective: &Objective,
    params: &Params,
    partition: &[u32],
    rng: &mut SplitMix64,
) -> (Vec<u32>, bool) {
    let n_nodes = level.n_nodes();
    let graph = &level.graph;
    let node_weights = &level.node_weights;
    let mut cluster_weight = vec![0.0; n_nodes];
    for (node, &cluster) in partition.iter().enumerate() {
        cluster_weight[cluster as usize] += node_weights[node];
    }
    let mut refined: Vec<u32> = (0..n_nodes as u32).collect();
    let mut refined_weight = node_weights.to_vec();
    let mut refined_members = vec![1u32; n_nodes];
    // Edge weight from each sub-cluster to the rest of its cluster.
    let mut external: Vec<f64> = (0..n_nodes)
        .map(|node| {
            graph
                .neighbors(node)
                .filter(|&(neighbor, _)| partition[neighbor as usize] == partition[node])
                .map(|(_, weight)| weight)
                .sum()
        })
        .collect();
    let mut weight_to = vec![0.0; n_nodes];
    let mut touched: Vec<u32> = Vec::new();
    let mut candidates: Vec<(u32, f64)> = Vec::new();
    let mut merged = false;

    for node in rng.permutation(n_nodes) {
        let node = node as usize;
        let own = refined[node];
        if refined_members[own as usize] != 1 {
            continue;
        }
        let cluster = partition[node];
        let total = cluster_weight[cluster as usize];
        let node_weight = node_weights[node];
        if !objective.well_connected(external[own as usize], node_weight, total) {
            continue;
        }
        for (neighbor, weight) in graph.neighbors(node) {
            if partition[neighbor as usize] != cluster {
                continue;
            }
            let sub = refined[neighbor as usize];
            if weight_to[sub as usize] == 0.0 {
                touched.push(sub);
            }
            weight_to[sub as usize] += weight;
        }
        candidates.clear();
        let mut max_gain = 0.0f64;
        for &sub in &touched {
            let sub_weight = refined_weight[sub as usize];
            if !objective.well_connected(external[sub as usize], sub_weight, total) {
                continue;
            }
            let gain = objective.gain(weight_to[sub as usize], node_weight, sub_weight);
            if gain >= 0.0 {
                candidates.push((sub, gain));
                max_gain = max_gain.max(gain);
            }
        }
        if !candidates.is_empty() {
            let chosen = choose(&candidates, max_gain, params.randomness, rng);
            if let Some(sub) = chosen {
                refined[node] = sub;
                refined_weight[sub as usize] += node_weight;
                refined_members[sub as usize] += 1;
                refined_members[own as usize] = 0;
                external[sub as usize] += external[own as usize] - 2.0 * weight_to[sub as usize];
                merged = true;
            }
        }
        for sub in touched.drain(..) {
            weight_to[sub as usize] = 0.0;
        }
    }
    (refined, merged)
}

/// Picks a candidate with probability proportional to `exp(gain / randomness)`, or `None`
/// (staying alone, gain 0) with probability proportional to `exp(0)`. Shifted by the largest
/// gain so nothing overflows.
fn choose(
    candidates: &[(u32, f64)],
    max_gain: f64,
    randomness: f64,
    rng: &mut SplitMix64,
) -> Option<u32> {
    let stay = (-max_gain / randomness).exp();
    let total: f64 = stay
        + candidates
            .iter()
            .map(|&(_, gain)| ((gain - max_gain) / randomness).exp())
            .sum::<f64>();
    let mut draw = rng.next_f64() * total;
    for &(sub, gain) in candidates {
        let weight = ((gain - max_gain) / randomness).exp();
        if draw < weight {
            return Some(sub);
        }
        draw -= weight;
    }
    if draw < stay {
        return None;
    }
    // Rounding left a sliver past the end: take the best candidate.
    candidates
        .iter()
        .find(|&&(_, gain)| gain == max_gain)
        .map(|&(sub, _)| sub)
}

/// The connected parts of every cluster of `partition`, as a partition.
fn connected_parts(graph: &Csr, partition: &[u32]) -> Vec<u32> {
    let n_nodes = graph.n_nodes();
    let unset = u32::MAX;
    let mut part = vec![unset; n_nodes];
    let mut n_parts = 0u32;
    let mut stack = Vec::new();
    for start in 0..n_nodes {
        if part[start] != unset {
            continue;
        }
        part[start] = n_parts;
        stack.push(start);
        while let Some(node) = stack.pop() {
            for (neighbor, _) in graph.neighbors(node) {
                let neighbor = neighbor as usize;
                if part[neighbor] == unset && partition[neighbor] == partition[node] {
                    part[neighbor] = n_parts;
                    stack.push(neighbor);
                }
            }
        }
        n_parts += 1;
    }
    part
}

/// The next level: one node per refined sub-cluster, placed in the cluster of `partition` that
/// contains it; apart lists lifted to sub-clusters.
fn aggregate(
    level: &Level,
    refined: &[u32],
    n_refined: usize,
    partition: &[u32],
) -> (Level<'static>, Vec<u32>) {
    let graph = level.graph.contract(refined, n_refined);
    let mut node_weights = vec![0.0; n_refined];
    let mut next_partition = vec![0u32; n_refined];
    let mut apart: Vec<Vec<u32>> = vec![Vec::new(); n_refined];
    for node in 0..level.n_nodes() {
        let sub = refined[node] as usize;
        node_weights[sub] += level.node_weights[node];
        next_partition[sub] = partition[node];
        for &partner in &level.apart[node] {
            apart[sub].push(refined[partner as usize]);
        }
    }
    for partners in &mut apart {
        partners.sort_unstable();
        partners.dedup();
    }
    renumber(&mut next_partition);
    let level = Level {
        graph: Cow::Owned(graph),
        node_weights: Cow::Owned(node_weights),
        apart: Cow::Owned(apart),
    };
    (level, next_partition)
}

/// Renumbers cluster ids `0..k` by order of first appearance, that is by smallest member.
/// Returns `k`.
pub(crate) fn renumber(membership: &mut [u32]) -> usize {
    let unset = u32::MAX;
    let size = membership
        .iter()
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut new_id = vec![unset; size];
    let mut n_clusters = 0u32;
    for cluster in membership.iter_mut() {
        let slot = &mut new_id[*cluster as usize];
        if *slot == unset {
            *slot = n_clusters;
            n_clusters += 1;
        }
        *cluster = *slot;
    }
    n_clusters as usize
}
