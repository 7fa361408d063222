//! Quality functions: how good a partition is, and the gain of one move, for modularity and
//! the Constant Potts Model (CPM).
//!
//! Both are optimised in one form. With `E_c` the edge weight inside cluster `c` (self-loops
//! once) and `W_c` the sum of its node weights,
//!
//! ```text
//! H = sum over clusters c of ( E_c - g * W_c^2 / 2 )
//! ```
//!
//! For modularity the node weight is the weighted degree and `g = resolution / (2m)`, so that
//! `H / m` is Newman's modularity with a resolution parameter; for CPM the node weight is the
//! node size and `g = resolution`, which differs from the paper's `E_c - resolution * C(n_c, 2)`
//! by a constant. Moving a node `v` into a cluster `C` then gains `w(v, C) - g * w_v * W_C`, a
//! formula that holds unchanged on contracted graphs. This file does not search partitions.

use super::graph::Csr;

/// The quality function that clustering maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quality {
    /// Newman-Girvan modularity with a resolution parameter: intra-cluster weight minus what a
    /// random graph with the same degrees would put there. Scale-free in the weights, but it
    /// has a resolution limit: on large graphs it may merge small, clearly separate clusters.
    #[default]
    Modularity,
    /// Constant Potts Model: intra-cluster weight minus `resolution` times the number of node
    /// pairs (weighted by size) inside clusters. No resolution limit; `resolution` is a density
    /// threshold in the units of the edge weights (clusters are denser than it, and the links
    /// between two clusters are sparser).
    Cpm,
}

/// A quality function bound to one graph and resolution, in the form the algorithm optimises.
#[derive(Debug, Clone)]
pub(crate) struct Objective {
    /// Degree (modularity) or size (CPM) of each node of the graph it was built for.
    pub(crate) node_weights: Vec<f64>,
    /// `g` in the formula of this file's header.
    pub(crate) scaled_resolution: f64,
}

impl Objective {
    pub(crate) fn new(graph: &Csr, quality: Quality, resolution: f64) -> Objective {
        match quality {
            Quality::Modularity => {
                let total_weight = graph.total_weight();
                // Without edges nothing can be gained by a move; avoid dividing by zero.
                let scaled_resolution = if total_weight > 0.0 {
                    resolution / (2.0 * total_weight)
                } else {
                    0.0
                };
                Objective {
                    node_weights: graph.degrees(),
                    scaled_resolution,
                }
            }
            Quality::Cpm => Objective {
                node_weights: graph.sizes.clone(),
                scaled_resolution: resolution,
            },
        }
    }

    /// Gain of putting a node of weight `node_weight` into a cluster of weight
    /// `cluster_weight` (the node not counted) to which it has edge weight `weight_to`,
    /// compared with leaving it alone.
    pub(crate) fn gain(&self, weight_to: f64, node_weight: f64, cluster_weight: f64) -> f64 {
        weight_to - self.scaled_resolution * node_weight * cluster_weight
    }

    /// Whether a subset of weight `subset_weight` with edge weight `external` to the rest of a
    /// cluster of weight `cluster_weight` is well connected to it (the paper's
    /// gamma-connectedness): the links outweigh what the quality function charges for them.
    pub(crate) fn well_connected(
        &self,
        external: f64,
        subset_weight: f64,
        cluster_weight: f64,
    ) -> bool {
        external >= self.scaled_resolution * subset_weight * (cluster_weight - subset_weight)
    }
}

/// The reported quality of `membership` (cluster per node, ids below the node count): Newman's
/// modularity `Q = sum_c (E_c / m - resolution * (K_c / 2m)^2)` in `[-1/2, 1]`, zero for a
/// graph without edges; or the CPM value `sum_c (E_c - resolution * P_c)` where `P_c` counts
/// the pairs of distinct nodes in `c`, weighted by size (`C(n_c, 2)` with unit sizes).
pub(crate) fn value(graph: &Csr, membership: &[u32], quality: Quality, resolution: f64) -> f64 {
    let n_clusters = membership
        .iter()
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut internal = vec![0.0; n_clusters];
    for node in 0..graph.n_nodes() {
        let cluster = membership[node];
        internal[cluster as usize] += graph.self_loops[node];
        for (neighbor, weight) in graph.neighbors(node) {
            if neighbor as usize > node && membership[neighbor as usize] == cluster {
                internal[cluster as usize] += weight;
            }
        }
    }
    match quality {
        Quality::Modularity => {
            let total_weight = graph.total_weight();
            if total_weight <= 0.0 {
                return 0.0;
            }
            let mut degree_sums = vec![0.0; n_clusters];
            for (node, &cluster) in membership.iter().enumerate() {
                degree_sums[cluster as usize] += graph.degree(node);
            }
            internal
                .iter()
                .zip(&degree_sums)
                .map(|(&inside, &degrees)| {
                    let share = degrees / (2.0 * total_weight);
                    inside / total_weight - resolution * share * share
                })
                .sum()
        }
        Quality::Cpm => {
            let mut size_sums = vec![0.0; n_clusters];
            let mut square_sums = vec![0.0; n_clusters];
            for (node, &cluster) in membership.iter().enumerate() {
                let size = graph.sizes[node];
                size_sums[cluster as usize] += size;
                square_sums[cluster as usize] += size * size;
            }
            (0..n_clusters)
                .map(|cluster| {
                    let pairs =
                        (size_sums[cluster] * size_sums[cluster] - square_sums[cluster]) / 2.0;
                    internal[cluster] - resolution * pairs
                })
                .sum()
        }
    }
}
