//! What crosses cluster boundaries: the inter-call percentage (ICP, the log-weighted share of
//! calls between clusters) and the interface number (IFN, linked node pairs between clusters
//! per cluster).
//!
//! Both ignore self-loops and edges with an unassigned end. IFN here counts linked node pairs
//! across clusters, as the Mono2Micro package does, not FoSCI's published interfaces (the
//! published operations of each service), which need more than a graph.

use super::error::Error;
use super::graph::{EdgeWeighting, Graph};
use super::partition::Partition;

/// Inter-call percentage (Kalia et al., Mono2Micro): the weight of edges between different
/// clusters divided by the weight of all edges, each edge weighing `1 + ln(weight)`
/// ([`EdgeWeighting::LogPlusOne`]); the two directions of a reciprocal pair are separate
/// edges. A fraction in `[0, 1]` despite its name; lower is better; 0 when there is no edge.
pub fn inter_call_percentage(graph: &Graph, partition: &Partition) -> Result<f64, Error> {
    partition.check_covers(graph)?;
    let mut all = 0.0;
    let mut between = 0.0;
    for edge in graph.call_edges() {
        let Some((from, to)) = partition.clusters_of(edge.from, edge.to) else {
            continue;
        };
        let weight = EdgeWeighting::LogPlusOne.weigh(edge)?;
        all += weight;
        if from != to {
            between += weight;
        }
    }
    Ok(if all > 0.0 { between / all } else { 0.0 })
}

/// Interface number as the Mono2Micro package computes it: the number of unordered node pairs
/// in different clusters joined by an edge in either direction, divided by the number of
/// clusters. Unweighted; lower is better.
pub fn interface_number(graph: &Graph, partition: &Partition) -> Result<f64, Error> {
    partition.check_covers(graph)?;
    let crossing = graph
        .linked_pairs()
        .into_iter()
        .filter_map(|(first, second)| partition.clusters_of(first, second))
        .filter(|(first, second)| first != second)
        .count();
    Ok(crossing as f64 / partition.n_clusters() as f64)
}
