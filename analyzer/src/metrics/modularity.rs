//! Modularity of one partition: structural modularity (SM, cohesion minus coupling over linked
//! node pairs), Newman modularity Q (weight inside clusters against a random-graph
//! expectation), Bunch TurboMQ (a sum of per-cluster cluster factors) and the Mono2Micro
//! package's outgoing-only variant of MQ.
//!
//! All are computed on the subgraph induced by the assigned nodes. Self-loops count only in
//! SM, and only as [`SelfCalls`] says. None of these functions normalises MQ by the number of
//! clusters or adds a resolution parameter to Q; the formulas are in `docs/metrics.md`.

use std::collections::BTreeMap;

use super::error::Error;
use super::graph::{EdgeWeighting, Graph};
use super::partition::Partition;

/// Whether a node with a self-loop counts as a cohesive pair of its own cluster in
/// [`structural_modularity`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SelfCalls {
    /// What the Mono2Micro FSE 2021 replication package computes, and what its published SM
    /// values and our test vectors use: a self-looping node adds one cohesive pair unless it
    /// is the last member listed for its cluster (an artefact of the package's loop). The
    /// value therefore depends on listing order, and a one-node cluster never counts.
    #[default]
    CountedExceptLastListed,
    /// Every self-looping node adds one cohesive pair. Order-independent.
    Counted,
    /// Self-loops are ignored, as every other metric here ignores them (FoSCI's pairs of
    /// distinct classes). Order-independent.
    Ignored,
}

/// Which Newman modularity [`newman_modularity`] computes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Newman's modularity of the undirected graph in which the weight of `{a, b}` is
    /// `w(a -> b) + w(b -> a)`. This is what the test vectors use (`newman_q_*`).
    #[default]
    Undirected,
    /// Leicht and Newman's directed modularity, whose null model pairs out-strengths with
    /// in-strengths. It equals the undirected value when every edge has a reciprocal edge of
    /// the same weight, and differs otherwise.
    Directed,
}

/// Structural modularity (Jin et al., FoSCI): `SM = cohesion - coupling`, where cohesion is the
/// mean over clusters of `mu_i / N_i^2`, coupling is the mean over unordered cluster pairs of
/// `sigma_ij / (N_i * N_j)` (0 with one cluster), `mu_i` counts unordered node pairs inside
/// cluster `i` joined by an edge in either direction (plus self pairs as `self_calls` says)
/// and `sigma_ij` counts such pairs between clusters `i` and `j`. Unweighted; higher is
/// better; between -1 and 1.
pub fn structural_modularity(
    graph: &Graph,
    partition: &Partition,
    self_calls: SelfCalls,
) -> Result<f64, Error> {
    partition.check_covers(graph)?;
    let sizes = partition.cluster_sizes();
    let n_clusters = sizes.len();
    let mut inside = vec![0u64; n_clusters];
    let mut between: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    for (from, to) in graph.linked_pairs() {
        match partition.clusters_of(from, to) {
            Some((first, second)) if first == second => inside[first] += 1,
            Some((first, second)) => {
                *between
                    .entry((first.min(second), first.max(second)))
                    .or_default() += 1;
            }
            None => {}
        }
    }
    let looping = graph.self_looping();
    for (cluster, members) in partition.clusters().enumerate() {
        let counted = match self_calls {
            // No cluster is empty (`Partition` refuses that), so `len() - 1` cannot underflow.
            SelfCalls::CountedExceptLastListed => &members[..members.len() - 1],
            SelfCalls::Counted => members,
            SelfCalls::Ignored => &[],
        };
        inside[cluster] += counted.iter().filter(|&&node| looping[node]).count() as u64;
    }
    let cohesion = inside
        .iter()
        .zip(&sizes)
        .map(|(&pairs, &size)| pairs as f64 / (size * size) as f64)
        .sum::<f64>()
        / n_clusters as f64;
    let coupling = if n_clusters > 1 {
        let n_cluster_pairs = (n_clusters * (n_clusters - 1) / 2) as f64;
        between
            .iter()
            .map(|(&(first, second), &pairs)| pairs as f64 / (sizes[first] * sizes[second]) as f64)
            .sum::<f64>()
            / n_cluster_pairs
    } else {
        0.0
    };
    Ok(cohesion - coupling)
}

/// Newman modularity Q of the partition, self-loops dropped.
///
/// Undirected: `Q = sum over clusters c of (L_c / m - (D_c / 2m)^2)`, with `m` the total edge
/// weight, `L_c` the weight inside `c` and `D_c` the summed strengths of `c`'s nodes (a
/// reciprocal pair adds both weights). Directed: `Q = sum over c of (L_c / m - Out_c * In_c /
/// m^2)`, with `Out_c` and `In_c` the summed out- and in-strengths. Between -1/2 and 1 (-1 and
/// 1 directed); higher is better; 0 for a graph without edges.
pub fn newman_modularity(
    graph: &Graph,
    partition: &Partition,
    weighting: EdgeWeighting,
    direction: Direction,
) -> Result<f64, Error> {
    partition.check_covers(graph)?;
    let n_clusters = partition.n_clusters();
    let mut total = 0.0;
    let mut inside = vec![0.0; n_clusters];
    let mut out_strength = vec![0.0; n_clusters];
    let mut in_strength = vec![0.0; n_clusters];
    for edge in graph.call_edges() {
        let Some((from, to)) = partition.clusters_of(edge.from, edge.to) else {
            continue;
        };
        let weight = weighting.weigh(edge)?;
        total += weight;
        out_strength[from] += weight;
        in_strength[to] += weight;
        if from == to {
            inside[from] += weight;
        }
    }
    if total == 0.0 {
        return Ok(0.0);
    }
    let modularity = (0..n_clusters)
        .map(|cluster| {
            let expected = match direction {
                Direction::Undirected => {
                    let strength = out_strength[cluster] + in_strength[cluster];
                    (strength / (2.0 * total)).powi(2)
                }
                Direction::Directed => {
                    out_strength[cluster] * in_strength[cluster] / (total * total)
                }
            };
            inside[cluster] / total - expected
        })
        .sum();
    Ok(modularity)
}

/// Bunch TurboMQ (Mitchell and Mancoridis): the sum over clusters with `mu_i > 0` of the
/// cluster factor `2 mu_i / (2 mu_i + sum over j != i of (eps_ij + eps_ji))`, where `mu_i` is
/// the edge weight inside cluster `i` and `eps_ij` the weight of edges from `i` to `j`.
/// Self-loops are dropped and the sum is not divided by the number of clusters, so it lies
/// between 0 and the number of clusters. Higher is better.
pub fn bunch_mq(
    graph: &Graph,
    partition: &Partition,
    weighting: EdgeWeighting,
) -> Result<f64, Error> {
    partition.check_covers(graph)?;
    let n_clusters = partition.n_clusters();
    let mut inside = vec![0.0; n_clusters];
    let mut crossing = vec![0.0; n_clusters];
    for edge in graph.call_edges() {
        let Some((from, to)) = partition.clusters_of(edge.from, edge.to) else {
            continue;
        };
        let weight = weighting.weigh(edge)?;
        if from == to {
            inside[from] += weight;
        } else {
            crossing[from] += weight;
            crossing[to] += weight;
        }
    }
    Ok(cluster_factor_sum(&inside, &crossing))
}

/// The MQ of the Mono2Micro FSE 2021 replication package (its `modular_quality`): like
/// [`bunch_mq`] unweighted, but counting only the edges that leave a cluster, not those that
/// enter it. Not Bunch's TurboMQ; kept because the package reports it.
pub fn mono2micro_mq(graph: &Graph, partition: &Partition) -> Result<f64, Error> {
    partition.check_covers(graph)?;
    let n_clusters = partition.n_clusters();
    let mut inside = vec![0.0; n_clusters];
    let mut leaving = vec![0.0; n_clusters];
    for edge in graph.call_edges() {
        match partition.clusters_of(edge.from, edge.to) {
            Some((from, to)) if from == to => inside[from] += 1.0,
            Some((from, _)) => leaving[from] += 1.0,
            None => {}
        }
    }
    Ok(cluster_factor_sum(&inside, &leaving))
}

/// `sum over clusters with inside > 0 of 2 inside / (2 inside + outside)`.
fn cluster_factor_sum(inside: &[f64], outside: &[f64]) -> f64 {
    inside
        .iter()
        .zip(outside)
        .filter(|&(&inside, _)| inside > 0.0)
        .map(|(&inside, &outside)| 2.0 * inside / (2.0 * inside + outside))
        .sum()
}
