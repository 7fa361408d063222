//! Decomposition-quality metrics: how good one partition of a dependency graph is as a set of
//! services (SM, ICP, IFN, NED, Newman Q, Bunch TurboMQ), and how far apart two partitions of
//! the same nodes are (MoJo, MoJoFM, a2a, adjusted Rand index).
//!
//! A pure library over its own small input types, [`Graph`] and [`Partition`], which know
//! nothing about the rest of the analyzer: callers convert module graphs and candidate services
//! into node ids first. It does no IO, keeps no state and never panics on bad input: the
//! constructors and every metric return [`Error`]. It does not choose partitions, only scores
//! them. Definitions, their published variants and the test vectors they reproduce are in
//! `docs/metrics.md`.
//!
//! Nodes a partition leaves unassigned (the shared kernel, say) are outside every
//! single-partition metric: those are computed on the subgraph induced by the assigned nodes.
//! Comparisons use the nodes assigned in both partitions, except a2a, which counts the others
//! as added or removed.
//!
//! ```
//! use ficus_analyzer::metrics::{
//!     Edge, Graph, Partition, ReferenceSizes, Report, ReportOptions, mojo_fm,
//! };
//!
//! # fn main() -> Result<(), ficus_analyzer::metrics::Error> {
//! // Two 3-cycles joined by one heavy call.
//! let calls = [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0), (3, 4, 1.0), (4, 5, 1.0), (5, 3, 1.0), (2, 3, 100.0)];
//! let edges = calls.iter().map(|&(from, to, weight)| Edge::new(from, to, weight)).collect();
//! let graph = Graph::new(6, edges)?;
//! let halves = Partition::from_assignment(&[Some(0), Some(0), Some(0), Some(1), Some(1), Some(1)])?;
//! let report = Report::new(&graph, &halves, &ReportOptions::default())?;
//! assert!((report.structural_modularity - 2.0 / 9.0).abs() < 1e-12);
//! assert_eq!(report.interface_number, 0.5);
//!
//! // Against a reference of three pairs: 2 moves, of at most 4.
//! let pairs = Partition::from_assignment(&[Some(0), Some(0), Some(1), Some(1), Some(2), Some(2)])?;
//! assert_eq!(mojo_fm(&halves, &pairs, ReferenceSizes::default())?.value, 50.0);
//! # Ok(())
//! # }
//! ```

mod compare;
mod distribution;
mod error;
mod graph;
mod interface;
mod matching;
mod modularity;
mod partition;
mod report;

#[cfg(test)]
mod tests;

pub use compare::{
    A2a, MojoDistance, MojoFm, ReferenceSizes, a2a, adjusted_rand_index, mojo, mojo_distance,
    mojo_fm,
};
pub use distribution::{NedBounds, non_extreme_distribution};
pub use error::Error;
pub use graph::{Edge, EdgeWeighting, Graph};
pub use interface::{inter_call_percentage, interface_number};
pub use modularity::{
    Direction, SelfCalls, bunch_mq, mono2micro_mq, newman_modularity, structural_modularity,
};
pub use partition::Partition;
pub use report::{Report, ReportOptions};
