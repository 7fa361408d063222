//! Every single-partition metric of one graph and partition at once, with the counts a reader
//! needs to interpret them (clusters, sizes, unassigned nodes, edges left out).
//!
//! It only gathers the metric functions' results under one set of options; it formats
//! nothing, and it does not compare partitions (see `compare.rs`).

use super::distribution::{NedBounds, non_extreme_distribution};
use super::error::Error;
use super::graph::{EdgeWeighting, Graph};
use super::interface::{inter_call_percentage, interface_number};
use super::modularity::{
    Direction, SelfCalls, bunch_mq, mono2micro_mq, newman_modularity, structural_modularity,
};
use super::partition::Partition;

/// The choices behind a [`Report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportOptions {
    /// How SM treats self-loops. Default: as the Mono2Micro package and the test vectors do.
    pub self_calls: SelfCalls,
    /// NED's band of non-extreme cluster sizes. Default: 5 to 20.
    pub ned_bounds: NedBounds,
    /// Edge weights for Newman Q and TurboMQ. Default: [`EdgeWeighting::Raw`], the weights
    /// as given (for a call graph, the call volumes Bunch optimises).
    pub weighting: EdgeWeighting,
    /// Which Newman Q. Default: undirected, as in the test vectors.
    pub direction: Direction,
}

/// All single-partition metrics of one partition of one graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub n_nodes: usize,
    pub n_clusters: usize,
    /// Cluster sizes by cluster id.
    pub cluster_sizes: Vec<usize>,
    /// Nodes in no cluster (the shared kernel, for instance): left out of every metric.
    pub n_unassigned: usize,
    /// Edges between two different nodes with at least one end unassigned: left out of every
    /// metric.
    pub n_edges_touching_unassigned: usize,
    /// Structural modularity; higher is better.
    pub structural_modularity: f64,
    /// Inter-call percentage, a fraction; lower is better.
    pub inter_call_percentage: f64,
    /// Interface number; lower is better.
    pub interface_number: f64,
    /// Non-extreme distribution; lower is better.
    pub non_extreme_distribution: f64,
    /// Newman modularity Q; higher is better.
    pub newman_modularity: f64,
    /// Bunch TurboMQ; higher is better.
    pub bunch_mq: f64,
    /// The Mono2Micro package's outgoing-only MQ; higher is better.
    pub mono2micro_mq: f64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            self_calls: SelfCalls::default(),
            ned_bounds: NedBounds::default(),
            weighting: EdgeWeighting::Raw,
            direction: Direction::default(),
        }
    }
}

impl Report {
    /// Computes every metric; fails when the graph and partition cover different node counts,
    /// or when the weighting makes an edge weight non-positive.
    pub fn new(
        graph: &Graph,
        partition: &Partition,
        options: &ReportOptions,
    ) -> Result<Self, Error> {
        partition.check_covers(graph)?;
        let n_edges_touching_unassigned = graph
            .call_edges()
            .filter(|edge| partition.clusters_of(edge.from, edge.to).is_none())
            .count();
        Ok(Self {
            n_nodes: partition.n_nodes(),
            n_clusters: partition.n_clusters(),
            cluster_sizes: partition.cluster_sizes(),
            n_unassigned: partition.n_nodes() - partition.n_assigned(),
            n_edges_touching_unassigned,
            structural_modularity: structural_modularity(graph, partition, options.self_calls)?,
            inter_call_percentage: inter_call_percentage(graph, partition)?,
            interface_number: interface_number(graph, partition)?,
            non_extreme_distribution: non_extreme_distribution(partition, options.ned_bounds),
            newman_modularity: newman_modularity(
                graph,
                partition,
                options.weighting,
                options.direction,
            )?,
            bunch_mq: bunch_mq(graph, partition, options.weighting)?,
            mono2micro_mq: mono2micro_mq(graph, partition)?,
        })
    }
}
