//! The clustering's input graph: undirected, weighted, over node ids `0..n`, stored as
//! compressed sparse rows (CSR): one offsets array and, per node, its neighbours sorted by id
//! with their edge weights. Self-loops are kept apart, one weight per node, and every node has
//! a size (1 unless given) that the CPM quality function counts.
//!
//! [`Graph`] is the public, validated constructor; [`Csr`] is what the algorithm works on at
//! every level, including contracted graphs whose nodes are groups of the original ones. This
//! file knows nothing about clusters: it builds, validates and contracts graphs.

use super::Error;

/// An undirected weighted graph over node ids `0..n_nodes`, ready for [`super::detect`].
///
/// Built from weighted directed edges: the weights of `a -> b` and `b -> a` are summed into one
/// undirected edge, repeated edges add up, and an edge `a -> a` is a self-loop of its weight.
/// Edges whose summed weight is zero are dropped: they do not connect anything.
#[derive(Debug, Clone)]
pub struct Graph {
    pub(crate) csr: Csr,
}

impl Graph {
    /// A graph of `n_nodes` nodes of size 1 and the given `(source, target, weight)` edges.
    ///
    /// Fails, naming the edge, if an endpoint is not below `n_nodes` or a weight is negative,
    /// infinite or NaN.
    pub fn from_edges(n_nodes: usize, edges: &[(usize, usize, f64)]) -> Result<Graph, Error> {
        Graph::with_node_sizes(&vec![1.0; n_nodes], edges)
    }

    /// A graph with one node per entry of `node_sizes` (for example lines of code per module),
    /// and the given `(source, target, weight)` edges. Sizes matter only to the CPM quality
    /// function, whose penalty grows with the square of a cluster's size.
    ///
    /// Fails if a size is not finite and positive, or for the reasons of
    /// [`Graph::from_edges`].
    pub fn with_node_sizes(
        node_sizes: &[f64],
        edges: &[(usize, usize, f64)],
    ) -> Result<Graph, Error> {
        let n_nodes = node_sizes.len();
        if n_nodes > u32::MAX as usize {
            return Err(Error::TooManyNodes { n_nodes });
        }
        for (node, &size) in node_sizes.iter().enumerate() {
            if !(size.is_finite() && size > 0.0) {
                return Err(Error::InvalidNodeSize { node, size });
            }
        }
        let mut pairs = Vec::with_capacity(edges.len());
        let mut self_loops = vec![0.0; n_nodes];
        for &(source, target, weight) in edges {
            if source >= n_nodes || target >= n_nodes {
                return Err(Error::EdgeOutOfRange {
                    from: source,
                    to: target,
                    n_nodes,
                });
            }
            if !(weight.is_finite() && weight >= 0.0) {
                return Err(Error::InvalidEdgeWeight {
                    from: source,
                    to: target,
                    weight,
                });
            }
            if source == target {
                self_loops[source] += weight;
            } else {
                let (low, high) = (source.min(target), source.max(target));
                pairs.push((low as u32, high as u32, weight));
            }
        }
        let csr = Csr::from_pairs(pairs, self_loops, node_sizes.to_vec());
        let total_weight = csr.total_weight();
        if !total_weight.is_finite() {
            return Err(Error::WeightOverflow);
        }
        Ok(Graph { csr })
    }

    pub fn n_nodes(&self) -> usize {
        self.csr.n_nodes()
    }

    /// Undirected edges between distinct nodes with a positive weight.
    pub fn n_edges(&self) -> usize {
        self.csr.targets.len() / 2
    }

    /// Sum of the undirected edge weights, self-loops included once.
    pub fn total_weight(&self) -> f64 {
        self.csr.total_weight()
    }

    /// Neighbours of `node` (itself excluded) with the edge weights, by increasing id.
    ///
    /// Panics if `node` is not below [`Graph::n_nodes`], like slice indexing.
    pub fn neighbors(&self, node: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.csr
            .neighbors(node)
            .map(|(neighbor, weight)| (neighbor as usize, weight))
    }

    /// Weight of the self-loop of `node`, zero if it has none.
    pub fn self_loop(&self, node: usize) -> f64 {
        self.csr.self_loops[node]
    }

    pub fn node_size(&self, node: usize) -> f64 {
        self.csr.sizes[node]
    }
}

/// Compressed sparse rows: `targets[offsets[v]..offsets[v + 1]]` are the neighbours of `v`,
/// sorted, each edge stored in both directions; self-loops in `self_loops`; node sizes in
/// `sizes`.
#[derive(Debug, Clone)]
pub(crate) struct Csr {
    pub(crate) offsets: Vec<usize>,
    pub(crate) targets: Vec<u32>,
    pub(crate) weights: Vec<f64>,
    pub(crate) self_loops: Vec<f64>,
    pub(crate) sizes: Vec<f64>,
}

impl Csr {
    /// Builds from undirected pairs `(low, high, weight)` with `low < high`, in any order and
    /// possibly repeated. Repeats are summed in input order (a stable sort keeps that order), so
    /// the same input gives bit-identical weights; pairs summing to zero are dropped.
    pub(crate) fn from_pairs(
        mut pairs: Vec<(u32, u32, f64)>,
        self_loops: Vec<f64>,
        sizes: Vec<f64>,
    ) -> Csr {
        let n_nodes = sizes.len();
        pairs.sort_by_key(|&(low, high, _)| (low, high));
        let mut merged: Vec<(u32, u32, f64)> = Vec::with_capacity(pairs.len());
        for (low, high, weight) in pairs {
            match merged.last_mut() {
                Some(last) if last.0 == low && last.1 == high => last.2 += weight,
                _ => merged.push((low, high, weight)),
            }
        }
        merged.retain(|&(_, _, weight)| weight > 0.0);

        let mut offsets = vec![0usize; n_nodes + 1];
        for &(low, high, _) in &merged {
            offsets[low as usize + 1] += 1;
            offsets[high as usize + 1] += 1;
        }
        for node in 0..n_nodes {
            offsets[node + 1] += offsets[node];
        }
        let mut cursor = offsets.clone();
        let mut targets = vec![0u32; offsets[n_nodes]];
        let mut weights = vec![0.0; offsets[n_nodes]];
        // Pairs are sorted by (low, high): every row receives its neighbours in increasing
        // order, lower ids (as `high`) before higher ones (as `low`).
        for &(low, high, weight) in &merged {
            for (from, to) in [(low, high), (high, low)] {
                let slot = cursor[from as usize];
                targets[slot] = to;
                weights[slot] = weight;
                cursor[from as usize] += 1;
            }
        }
        Csr {
            offsets,
            targets,
            weights,
            self_loops,
            sizes,
        }
    }

    pub(crate) fn n_nodes(&self) -> usize {
        self.sizes.len()
    }

    pub(crate) fn neighbors(&self, node: usize) -> impl Iterator<Item = (u32, f64)> + '_ {
        let range = self.offsets[node]..self.offsets[node + 1];
        self.targets[range.clone()]
            .iter()
            .copied()
            .zip(self.weights[range].iter().copied())
    }

    /// Weighted degree: edge weights plus twice the self-loop, so that degrees sum to twice
    /// the total weight.
    pub(crate) fn degree(&self, node: usize) -> f64 {
        let range = self.offsets[node]..self.offsets[node + 1];
        self.weights[range].iter().sum::<f64>() + 2.0 * self.self_loops[node]
    }

    pub(crate) fn degrees(&self) -> Vec<f64> {
        (0..self.n_nodes()).map(|node| self.degree(node)).collect()
    }

    /// Edge weights once plus self-loops: `m` in the modularity formula.
    pub(crate) fn total_weight(&self) -> f64 {
        self.weights.iter().sum::<f64>() / 2.0 + self.self_loops.iter().sum::<f64>()
    }

    /// The graph whose nodes are the groups of `group_of` (ids `0..n_groups`): sizes add up,
    /// edges between two groups add up, and edges inside a group (with its members'
    /// self-loops) become the group's self-loop, so total weight and degrees are preserved.
    pub(crate) fn contract(&self, group_of: &[u32], n_groups: usize) -> Csr {
        let mut sizes = vec![0.0; n_groups];
        let mut self_loops = vec![0.0; n_groups];
        let mut pairs = Vec::new();
        for node in 0..self.n_nodes() {
            let group = group_of[node];
            sizes[group as usize] += self.sizes[node];
            self_loops[group as usize] += self.self_loops[node];
            for (neighbor, weight) in self.neighbors(node) {
                if neighbor as usize <= node {
                    continue;
                }
                let other = group_of[neighbor as usize];
                if other == group {
                    self_loops[group as usize] += weight;
                } else {
                    pairs.push((group.min(other), group.max(other), weight));
                }
            }
        }
        Csr::from_pairs(pairs, self_loops, sizes)
    }
}
