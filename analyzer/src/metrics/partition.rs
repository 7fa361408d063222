//! The metrics' partition: each node of `0..n_nodes` in at most one cluster `0..n_clusters`,
//! checked once when built, with each cluster's members in the order they were listed.
//!
//! Unassigned nodes are allowed (a shared kernel, or nodes one tool never saw). Listing order
//! is kept because one published definition (structural modularity as the Mono2Micro package
//! computes it) depends on it; nothing else does. Cluster names are the caller's business.

use super::error::Error;
use super::graph::Graph;

/// An assignment of nodes `0..n_nodes` to clusters `0..n_clusters`; nodes may be unassigned.
/// No cluster is empty and at least one node is assigned.
#[derive(Debug, Clone)]
pub struct Partition {
    cluster_of: Vec<Option<usize>>,
    members: Vec<Vec<usize>>,
}

impl Partition {
    /// Builds a partition from `(node, cluster)` rows, keeping the row order as each cluster's
    /// listing order. Nodes without a row are unassigned. Cluster ids must run from 0 up
    /// without gaps.
    pub fn from_rows(n_nodes: usize, rows: &[(usize, usize)]) -> Result<Self, Error> {
        let mut cluster_of = vec![None; n_nodes];
        let mut row_of = vec![usize::MAX; n_nodes];
        for (row_index, &(node, cluster)) in rows.iter().enumerate() {
            if node >= n_nodes {
                return Err(Error::PartitionNodeOutOfRange {
                    row_index,
                    node,
                    n_nodes,
                });
            }
            if cluster_of[node].is_some() {
                return Err(Error::NodeAssignedTwice {
                    node,
                    first_row: row_of[node],
                    second_row: row_index,
                });
            }
            cluster_of[node] = Some(cluster);
            row_of[node] = row_index;
        }
        let n_clusters = dense_cluster_count(rows.iter().map(|&(_, cluster)| cluster))?;
        let mut members = vec![Vec::new(); n_clusters];
        for &(node, cluster) in rows {
            members[cluster].push(node);
        }
        Ok(Self {
            cluster_of,
            members,
        })
    }

    /// Builds a partition from one entry per node (`None` = unassigned); each cluster lists
    /// its members in ascending node order.
    pub fn from_assignment(assignment: &[Option<usize>]) -> Result<Self, Error> {
        let rows: Vec<(usize, usize)> = assignment
            .iter()
            .enumerate()
            .filter_map(|(node, cluster)| cluster.map(|cluster| (node, cluster)))
            .collect();
        Self::from_rows(assignment.len(), &rows)
    }

    #[must_use]
    pub fn n_nodes(&self) -> usize {
        self.cluster_of.len()
    }

    #[must_use]
    pub fn n_clusters(&self) -> usize {
        self.members.len()
    }

    /// Number of nodes in some cluster.
    #[must_use]
    pub fn n_assigned(&self) -> usize {
        self.members.iter().map(Vec::len).sum()
    }

    /// The cluster of `node`, or `None` when it is unassigned or not a node of the partition.
    #[must_use]
    pub fn cluster_of(&self, node: usize) -> Option<usize> {
        self.cluster_of.get(node).copied().flatten()
    }

    /// Each cluster's members, in listing order, clusters by id.
    pub fn clusters(&self) -> impl ExactSizeIterator<Item = &[usize]> {
        self.members.iter().map(Vec::as_slice)
    }

    /// Each cluster's size, by cluster id.
    #[must_use]
    pub fn cluster_sizes(&self) -> Vec<usize> {
        self.members.iter().map(Vec::len).collect()
    }

    /// Nodes in no cluster, ascending.
    pub fn unassigned(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.n_nodes()).filter(|&node| self.cluster_of[node].is_none())
    }

    /// Refuses a graph and a partition over different node counts.
    pub(crate) fn check_covers(&self, graph: &Graph) -> Result<(), Error> {
        if graph.n_nodes() == self.n_nodes() {
            Ok(())
        } else {
            Err(Error::NodeCountMismatch {
                graph_nodes: graph.n_nodes(),
                partition_nodes: self.n_nodes(),
            })
        }
    }

    /// The clusters of both ends when both are assigned.
    pub(crate) fn clusters_of(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        Some((self.cluster_of(from)?, self.cluster_of(to)?))
    }
}

/// The number of clusters when the ids used are exactly `0..n`, else the first gap.
fn dense_cluster_count(ids: impl Iterator<Item = usize>) -> Result<usize, Error> {
    let mut ids: Vec<usize> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let Some(&largest_cluster) = ids.last() else {
        return Err(Error::NoClusters);
    };
    match ids
        .iter()
        .enumerate()
        .find(|&(expected, &id)| expected != id)
    {
        Some((cluster, _)) => Err(Error::EmptyCluster {
            cluster,
            largest_cluster,
        }),
        None => Ok(ids.len()),
    }
}
