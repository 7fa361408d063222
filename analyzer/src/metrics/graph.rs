//! The metrics' input graph: directed and weighted over node ids `0..n_nodes`, checked once
//! when built, plus the derived views every metric shares (call edges, linked node pairs,
//! self-loops) and the edge weightings the published definitions use.
//!
//! It keeps edges exactly as given: duplicates are refused rather than merged, because merging
//! changes log-weighted metrics. It holds no node names and no link to the analyzer's model.

use super::error::Error;

/// One directed edge: `from` calls or depends on `to`, `weight` times (a call volume, a
/// reference count or a fused coupling weight).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub weight: f64,
}

/// A directed weighted graph over nodes `0..n_nodes`. Self-loops (`from == to`) and reciprocal
/// pairs (`a -> b` and `b -> a`) are allowed; two edges with the same `from` and `to` are not.
///
/// Only structural modularity looks at self-loops; every other metric ignores them.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    n_nodes: usize,
    edges: Vec<Edge>,
}

/// How an edge's weight enters a weighted metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeWeighting {
    /// Every edge weighs 1: the edge is there or not. A reciprocal pair weighs 2 in total.
    Unit,
    /// The weight as given (for call graphs, the call volume).
    Raw,
    /// `1 + ln(weight)`, which damps large call volumes and keeps a volume of 1 at 1. This is
    /// how ICP weighs calls. It needs weights above 1/e; below, the metric returns
    /// [`Error::NonPositiveLogWeight`].
    LogPlusOne,
}

impl Edge {
    #[must_use]
    pub fn new(from: usize, to: usize, weight: f64) -> Self {
        Self { from, to, weight }
    }
}

impl Graph {
    /// Checks that every edge names nodes below `n_nodes`, has a finite weight above 0, and
    /// that no `from -> to` pair appears twice.
    pub fn new(n_nodes: usize, edges: Vec<Edge>) -> Result<Self, Error> {
        for (edge_index, edge) in edges.iter().enumerate() {
            for node in [edge.from, edge.to] {
                if node >= n_nodes {
                    return Err(Error::EdgeNodeOutOfRange {
                        edge_index,
                        from: edge.from,
                        to: edge.to,
                        node,
                        n_nodes,
                    });
                }
            }
            if !(edge.weight.is_finite() && edge.weight > 0.0) {
                return Err(Error::InvalidWeight {
                    edge_index,
                    from: edge.from,
                    to: edge.to,
                    weight: edge.weight,
                });
            }
        }
        let mut order: Vec<usize> = (0..edges.len()).collect();
        order.sort_by_key(|&index| (edges[index].from, edges[index].to, index));
        for pair in order.windows(2) {
            let (first, second) = (&edges[pair[0]], &edges[pair[1]]);
            if (first.from, first.to) == (second.from, second.to) {
                return Err(Error::DuplicateEdge {
                    first_index: pair[0],
                    second_index: pair[1],
                    from: first.from,
                    to: first.to,
                });
            }
        }
        Ok(Self { n_nodes, edges })
    }

    #[must_use]
    pub fn n_nodes(&self) -> usize {
        self.n_nodes
    }

    /// The edges in the order they were given.
    #[must_use]
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Edges between two different nodes, in the order given.
    pub(crate) fn call_edges(&self) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(|edge| edge.from != edge.to)
    }

    /// Unordered pairs `(a, b)`, `a < b`, joined by an edge in either direction; each pair once,
    /// sorted.
    pub(crate) fn linked_pairs(&self) -> Vec<(usize, usize)> {
        let mut pairs: Vec<(usize, usize)> = self
            .call_edges()
            .map(|edge| (edge.from.min(edge.to), edge.from.max(edge.to)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// `true` for each node with a self-loop.
    pub(crate) fn self_looping(&self) -> Vec<bool> {
        let mut looping = vec![false; self.n_nodes];
        for edge in self.edges.iter().filter(|edge| edge.from == edge.to) {
            looping[edge.from] = true;
        }
        looping
    }
}

impl EdgeWeighting {
    /// The weight an edge of raw weight `weight` carries under this weighting.
    #[must_use]
    pub fn apply(self, weight: f64) -> f64 {
        match self {
            EdgeWeighting::Unit => 1.0,
            EdgeWeighting::Raw => weight,
            EdgeWeighting::LogPlusOne => 1.0 + weight.ln(),
        }
    }

    /// The weight of `edge`, refused when the weighting makes it non-positive.
    pub(crate) fn weigh(self, edge: &Edge) -> Result<f64, Error> {
        let weight = self.apply(edge.weight);
        if weight > 0.0 {
            Ok(weight)
        } else {
            Err(Error::NonPositiveLogWeight {
                from: edge.from,
                to: edge.to,
                weight: edge.weight,
            })
        }
    }
}
