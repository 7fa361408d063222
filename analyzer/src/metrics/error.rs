//! The one error type of the metrics: input that describes no valid graph or partition, and
//! pairs of inputs that do not cover the same nodes.
//!
//! Each variant names what to fix (the edge, row, node or cluster). No metric fails on valid,
//! matching inputs except through a weighting that makes a weight non-positive.

/// Why a graph, a partition or a metric's inputs were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error(
        "edge {edge_index} ({from} -> {to}) names node {node}, but the graph has {n_nodes} nodes"
    )]
    EdgeNodeOutOfRange {
        edge_index: usize,
        from: usize,
        to: usize,
        node: usize,
        n_nodes: usize,
    },
    #[error(
        "edge {edge_index} ({from} -> {to}) has weight {weight}; weights must be finite and greater than 0"
    )]
    InvalidWeight {
        edge_index: usize,
        from: usize,
        to: usize,
        weight: f64,
    },
    #[error(
        "edges {first_index} and {second_index} both go from {from} to {to}; merge them into one edge"
    )]
    DuplicateEdge {
        first_index: usize,
        second_index: usize,
        from: usize,
        to: usize,
    },
    #[error(
        "edge {from} -> {to} has weight {weight}, whose log weight 1 + ln(weight) is not positive; use weights above 1/e or another weighting"
    )]
    NonPositiveLogWeight { from: usize, to: usize, weight: f64 },
    #[error("row {row_index} assigns node {node}, but the partition has {n_nodes} nodes")]
    PartitionNodeOutOfRange {
        row_index: usize,
        node: usize,
        n_nodes: usize,
    },
    #[error("node {node} is assigned twice, in rows {first_row} and {second_row}")]
    NodeAssignedTwice {
        node: usize,
        first_row: usize,
        second_row: usize,
    },
    #[error(
        "cluster {cluster} has no node, but cluster ids must run from 0 to {largest_cluster} without gaps"
    )]
    EmptyCluster {
        cluster: usize,
        largest_cluster: usize,
    },
    #[error("the partition assigns no node to a cluster")]
    NoClusters,
    #[error("NED bounds {min}..={max} are empty: the lower bound exceeds the upper one")]
    InvalidNedBounds { min: usize, max: usize },
    #[error("the graph has {graph_nodes} nodes but the partition covers {partition_nodes}")]
    NodeCountMismatch {
        graph_nodes: usize,
        partition_nodes: usize,
    },
    #[error("the partitions cover {left} and {right} nodes; compare partitions of one node set")]
    PartitionNodeCountsDiffer { left: usize, right: usize },
}
