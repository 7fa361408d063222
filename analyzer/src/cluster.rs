//! Community detection for candidate services: the Leiden algorithm over a weighted,
//! undirected graph of modules, deterministic for a given seed, with the constraints a plan
//! file can state (pinned, together, apart, a fixed list of clusters) and an optional search
//! for a resolution that gives a target number of clusters.
//!
//! A pure library: no IO, no threads, no global state. It does not know what a module is or
//! how coupling is weighed; the caller builds the [`Graph`] from its own ids and maps the
//! [`Partition`] back. `docs/clustering.md` describes the algorithm, the guarantees and the
//! costs; the files below hold one concept each:
//!
//! - `graph.rs`: the input graph (validated, stored as compressed sparse rows);
//! - `quality.rs`: modularity and CPM, and the gain of one move;
//! - `leiden.rs`: local moving, refinement and aggregation;
//! - `constraints.rs`: constraint checks, contraction, and fixed clusters;
//! - `resolution.rs`: the search for a target number of clusters;
//! - `random.rs`: the seeded generator behind every random choice.

mod constraints;
mod graph;
mod leiden;
mod quality;
mod random;
mod resolution;

#[cfg(test)]
mod tests;

pub use constraints::Constraints;
pub use graph::Graph;
pub use quality::Quality;

use constraints::Prepared;
use quality::Objective;

/// How to cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Higher gives more, smaller clusters. For modularity 1 is the classic value; for CPM it
    /// is a density in edge-weight units. Must be finite and positive. Ignored when
    /// `target_clusters` is set.
    pub resolution: f64,
    /// Seed of every random choice: the same graph, settings and seed give the same partition.
    pub seed: u64,
    /// Leiden iterations at most (at least 1); iterating stops earlier once an iteration
    /// changes nothing.
    pub max_iterations: usize,
    pub quality: Quality,
    /// Search the resolution for this many clusters (exactly if some resolution gives it,
    /// else as close as found). Cannot be combined with fixed clusters.
    pub target_clusters: Option<usize>,
}

impl Default for Settings {
    /// Modularity at resolution 1, seed 0, at most 10 iterations, no target.
    fn default() -> Settings {
        Settings {
            resolution: 1.0,
            seed: 0,
            max_iterations: 10,
            quality: Quality::Modularity,
            target_clusters: None,
        }
    }
}

/// The clusters found, with how they were found.
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    /// Cluster of each node, in `0..n_clusters`. Clusters are numbered by their smallest node
    /// id: node 0 is in cluster 0, the smallest node not in cluster 0 is in cluster 1, and so
    /// on, whatever the seed.
    pub membership: Vec<usize>,
    pub n_clusters: usize,
    /// Per cluster, the label it carries: the label its pinned nodes are pinned to, or with
    /// fixed clusters the fixed cluster it is; `None` for an unconstrained cluster.
    pub labels: Vec<Option<String>>,
    /// Modularity in `[-1/2, 1]`, or the CPM value, of this partition on the input graph at
    /// `resolution`.
    pub quality: f64,
    /// The resolution used: the one given, or the one the target search settled on.
    pub resolution: f64,
    /// Leiden iterations run for this partition.
    pub iterations: usize,
}

impl Partition {
    /// Node ids of each cluster, by cluster number, each list sorted.
    pub fn clusters(&self) -> Vec<Vec<usize>> {
        let mut clusters = vec![Vec::new(); self.n_clusters];
        for (node, &cluster) in self.membership.iter().enumerate() {
            clusters[cluster].push(node);
        }
        clusters
    }
}

/// Why a graph could not be built or clustered. Node ids are those given by the caller.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("edge {from} -> {to} names a node outside 0..{n_nodes}")]
    EdgeOutOfRange {
        from: usize,
        to: usize,
        n_nodes: usize,
    },
    #[error("edge {from} -> {to} has weight {weight}; weights must be finite and not negative")]
    InvalidEdgeWeight { from: usize, to: usize, weight: f64 },
    #[error("node {node} has size {size}; sizes must be finite and positive")]
    InvalidNodeSize { node: usize, size: f64 },
    #[error("{n_nodes} nodes are more than the 2^32 - 1 supported")]
    TooManyNodes { n_nodes: usize },
    #[error("the edge weights add up to more than a 64-bit float holds")]
    WeightOverflow,
    #[error("resolution {resolution} is not a finite positive number")]
    InvalidResolution { resolution: f64 },
    #[error("max_iterations is 0; at least one iteration is needed")]
    ZeroIterations,
    #[error("a target number of clusters cannot be combined with fixed clusters")]
    TargetWithFixedClusters,
    #[error("a constraint names node {node} outside 0..{n_nodes}")]
    ConstraintOutOfRange { node: usize, n_nodes: usize },
    #[error("node {node} is pinned to both `{first_label}` and `{second_label}`")]
    PinnedTwice {
        node: usize,
        first_label: String,
        second_label: String,
    },
    #[error(
        "nodes {first} (pinned to `{first_label}`) and {second} (pinned to `{second_label}`) \
         must be together"
    )]
    TogetherAcrossLabels {
        first: usize,
        first_label: String,
        second: usize,
        second_label: String,
    },
    #[error(
        "nodes {first} and {second} must be apart but also together (through together groups \
         or one pinned label)"
    )]
    TogetherAndApart { first: usize, second: usize },
    #[error("node {node} appears twice in one apart group")]
    ApartFromItself { node: usize },
    #[error("node {node} is pinned to `{label}`, which is not one of the fixed clusters")]
    UnknownLabel { node: usize, label: String },
    #[error("fixed cluster `{label}` is listed twice")]
    DuplicateFixedCluster { label: String },
    #[error("no fixed cluster can take node {node}: each holds a node it must be apart from")]
    NoAllowedCluster { node: usize },
}

/// Clusters `graph` with the Leiden algorithm under `constraints`.
///
/// Deterministic: the same graph, settings and constraints give the same partition, bit for
/// bit. Every cluster is connected (through edges of positive weight) unless a constraint
/// forces otherwise: a together group or the nodes of one label that are not connected, or
/// fixed clusters. Fails on invalid settings and on conflicting constraints, naming the nodes.
pub fn detect(
    graph: &Graph,
    settings: &Settings,
    constraints: &Constraints,
) -> Result<Partition, Error> {
    if !(settings.resolution.is_finite() && settings.resolution > 0.0) {
        return Err(Error::InvalidResolution {
            resolution: settings.resolution,
        });
    }
    if settings.max_iterations == 0 {
        return Err(Error::ZeroIterations);
    }
    if settings.target_clusters.is_some() && constraints.fixed_clusters.is_some() {
        return Err(Error::TargetWithFixedClusters);
    }
    let prepared = constraints::prepare(&graph.csr, constraints)?;
    match settings.target_clusters {
        Some(target) => resolution::search(graph, &prepared, settings, target),
        None => solve(graph, &prepared, settings, settings.resolution),
    }
}

/// One clustering of the prepared problem at `resolution`, mapped back to the input nodes.
fn solve(
    graph: &Graph,
    prepared: &Prepared,
    settings: &Settings,
    resolution: f64,
) -> Result<Partition, Error> {
    let objective = Objective::new(&prepared.units, settings.quality, resolution);
    let run = leiden::leiden(
        &prepared.units,
        &objective,
        &prepared.apart,
        settings.seed,
        settings.max_iterations,
    );
    // The label index each node's cluster carries, before renumbering.
    let (unit_cluster, unit_label): (Vec<u32>, Vec<Option<u32>>) = if prepared.fixed {
        let labels = constraints::assign_fixed(prepared, &run.membership)?;
        let carried = labels.iter().map(|&label| Some(label)).collect();
        (labels, carried)
    } else {
        let mut cluster_label = vec![None; prepared.units.n_nodes()];
        for (unit, label) in prepared.unit_label.iter().enumerate() {
            if label.is_some() {
                cluster_label[run.membership[unit] as usize] = *label;
            }
        }
        let carried = run
            .membership
            .iter()
            .map(|&cluster| cluster_label[cluster as usize])
            .collect();
        (run.membership, carried)
    };

    let mut membership: Vec<u32> = prepared
        .unit_of_node
        .iter()
        .map(|&unit| unit_cluster[unit as usize])
        .collect();
    let n_clusters = leiden::renumber(&mut membership);
    let mut labels = vec![None; n_clusters];
    for (node, &unit) in prepared.unit_of_node.iter().enumerate() {
        if let Some(label) = unit_label[unit as usize] {
            labels[membership[node] as usize] = Some(prepared.labels[label as usize].clone());
        }
    }
    let quality = quality::value(&graph.csr, &membership, settings.quality, resolution);
    Ok(Partition {
        membership: membership.into_iter().map(|c| c as usize).collect(),
        n_clusters,
        labels,
        quality,
        resolution,
        iterations: run.iterations,
    })
}
