//! Distances between two partitions of the same nodes: MoJo (moves and joins that turn one into
//! the other, computed exactly), MoJoFM (MoJo scaled against the worst case, as a percentage),
//! a2a (architecture-to-architecture similarity) and the adjusted Rand index.
//!
//! MoJo, MoJoFM and ARI look only at the nodes assigned in both partitions; a2a also counts the
//! others, as added or removed. Nothing here reads a graph: edges play no part in these.

use super::error::Error;
use super::matching::{maximum_matching, maximum_weight_assignment};
use super::partition::Partition;

/// The operations of a one-way MoJo distance: `moves` single-node moves and `joins` merges of
/// two clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MojoDistance {
    pub moves: usize,
    pub joins: usize,
}

/// Which cluster sizes of the reference give MoJoFM's worst case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ReferenceSizes {
    /// The reference's clusters restricted to the nodes both partitions assign, so that MoJoFM
    /// compares like with like (Wen and Tzerpos's definition on one node set; the test
    /// vectors' `mojofm_*`).
    #[default]
    CommonNodes,
    /// The reference's full clusters, including nodes the source does not assign, as the Java
    /// `MoJoCalculator` of `usc-softarch/arcade_core` does (the vectors' `mojofm_*_javaref`).
    /// It gives the same value when both partitions assign the same nodes; otherwise the worst
    /// case can come out smaller than the actual distance, and the value negative.
    AllReferenceNodes,
}

/// MoJoFM of a source partition against a reference, with the terms behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MojoFm {
    /// `(1 - mojo / max_mojo) * 100`: 100 when the source equals the reference, 0 when it is as
    /// far as any partition can be. Higher is better.
    pub value: f64,
    /// The one-way MoJo distance from the source to the reference.
    pub mojo: MojoDistance,
    /// The largest one-way MoJo distance any partition of the common nodes has to the
    /// reference (with [`ReferenceSizes::AllReferenceNodes`], the Java tool's figure instead).
    pub max_mojo: usize,
}

/// a2a between two partitions, with the terms behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct A2a {
    /// `(1 - min_transform_operations / construction_operations) * 100`; 100 for identical
    /// partitions, higher is better.
    pub value: f64,
    /// `mto`: `|K_a - K_b| + 2 * added + 2 * removed + moved`.
    pub min_transform_operations: usize,
    /// `aco(a) + aco(b)`, where `aco(x) = K_x + 2 * (nodes assigned in x)`: the operations that
    /// build each partition from nothing.
    pub construction_operations: usize,
    /// Common nodes outside the best one-to-one pairing of clusters.
    pub moved: usize,
    /// Nodes assigned in `b` only.
    pub added: usize,
    /// Nodes assigned in `a` only.
    pub removed: usize,
}

impl MojoDistance {
    /// `moves + joins`.
    #[must_use]
    pub fn total(self) -> usize {
        self.moves + self.joins
    }
}

/// The one-way MoJo distance `mno(source, target)` over the nodes both assign (Tzerpos and
/// Holt; exact algorithm of Wen and Tzerpos 2003). Each source cluster is tagged with a target
/// cluster it shares the most nodes with; `moves` is the number of nodes outside their
/// cluster's best overlap, and `joins` is the number of source clusters minus a maximum
/// matching between source clusters and their equally best targets. Exact, not a heuristic.
pub fn mojo(source: &Partition, target: &Partition) -> Result<MojoDistance, Error> {
    let table = Contingency::new(source, target)?;
    Ok(table.mojo())
}

/// The symmetric MoJo distance of Tzerpos and Holt: the smaller of the two one-way distances.
pub fn mojo_distance(a: &Partition, b: &Partition) -> Result<usize, Error> {
    let table = Contingency::new(a, b)?;
    Ok(table.mojo().total().min(table.transposed().mojo().total()))
}

/// MoJoFM (Wen and Tzerpos 2004) of `source` against `reference`:
/// `(1 - mno(source, reference) / max_mno(reference)) * 100`, where `max_mno(reference)` is
/// `n - g`, `n` the number of common nodes and `g` the count reached by walking the reference's
/// cluster sizes in ascending order and adding 1 whenever `g` is below the size. When the
/// worst case is 0 (with common sizes: at most one common node) the value is 100 if the
/// distance is 0, else 0.
pub fn mojo_fm(
    source: &Partition,
    reference: &Partition,
    sizes: ReferenceSizes,
) -> Result<MojoFm, Error> {
    let table = Contingency::new(source, reference)?;
    let mojo = table.mojo();
    let reference_sizes = match sizes {
        ReferenceSizes::CommonNodes => table.column_totals.clone(),
        ReferenceSizes::AllReferenceNodes => reference.cluster_sizes(),
    };
    let max_mojo = table
        .n_common
        .saturating_sub(worst_case_groups(reference_sizes));
    let value = if max_mojo > 0 {
        (1.0 - mojo.total() as f64 / max_mojo as f64) * 100.0
    } else if mojo.total() == 0 {
        100.0
    } else {
        0.0
    };
    Ok(MojoFm {
        value,
        mojo,
        max_mojo,
    })
}

/// a2a (Behnamghader et al. 2017, as `usc-softarch/arcade_core` computes it) between `a` and
/// `b` on all their assigned nodes: `(1 - mto / (aco(a) + aco(b))) * 100`. `moved` counts the
/// common nodes left over by a one-to-one pairing of clusters that keeps the most common nodes
/// in place (found with the Hungarian method). Symmetric.
pub fn a2a(a: &Partition, b: &Partition) -> Result<A2a, Error> {
    let table = Contingency::new(a, b)?;
    let mut overlap = vec![vec![0; b.n_clusters()]; a.n_clusters()];
    for &(cluster_a, cluster_b, count) in &table.cells {
        overlap[cluster_a][cluster_b] = count;
    }
    let kept = maximum_weight_assignment(&overlap);
    let moved = table.n_common - kept;
    let removed = a.n_assigned() - table.n_common;
    let added = b.n_assigned() - table.n_common;
    let min_transform_operations =
        a.n_clusters().abs_diff(b.n_clusters()) + 2 * added + 2 * removed + moved;
    let construction_operations =
        a.n_clusters() + 2 * a.n_assigned() + b.n_clusters() + 2 * b.n_assigned();
    let value = (1.0 - min_transform_operations as f64 / construction_operations as f64) * 100.0;
    Ok(A2a {
        value,
        min_transform_operations,
        construction_operations,
        moved,
        added,
        removed,
    })
}

/// Adjusted Rand index (Hubert and Arabie 1985) over the nodes both partitions assign: the Rand
/// index corrected for chance, `(I - E) / ((A + B) / 2 - E)` with `I` the sum of `C(n_ij, 2)`
/// over the contingency table, `A` and `B` the sums of `C(size, 2)` over each side's
/// clusters, and `E = A * B / C(n, 2)`. Symmetric; 1 for identical partitions, about 0 for
/// unrelated ones, can be negative; 1 when the denominator vanishes (both partitions put
/// every node alone, or all together, or there is at most one common node), as scikit-learn
/// does.
pub fn adjusted_rand_index(a: &Partition, b: &Partition) -> Result<f64, Error> {
    let table = Contingency::new(a, b)?;
    let pairs = |count: usize| -> u128 {
        let count = count as u128;
        count * count.saturating_sub(1) / 2
    };
    let index: u128 = table.cells.iter().map(|&(_, _, count)| pairs(count)).sum();
    let rows: u128 = table.row_totals.iter().map(|&count| pairs(count)).sum();
    let columns: u128 = table.column_totals.iter().map(|&count| pairs(count)).sum();
    let all = pairs(table.n_common);
    // ARI = 2 (I * T - A * B) / ((A + B) * T - 2 A * B), all in integers when they fit.
    let exact = || -> Option<(i128, i128)> {
        let [index, rows, columns, all] = [index, rows, columns, all].map(i128::try_from);
        let (index, rows, columns, all) = (index.ok()?, rows.ok()?, columns.ok()?, all.ok()?);
        let cross = rows.checked_mul(columns)?;
        let numerator = index.checked_mul(all)?.checked_sub(cross)?.checked_mul(2)?;
        let denominator = rows
            .checked_add(columns)?
            .checked_mul(all)?
            .checked_sub(cross.checked_mul(2)?)?;
        Some((numerator, denominator))
    };
    let (numerator, denominator) = match exact() {
        Some((numerator, denominator)) => (numerator as f64, denominator as f64),
        None => {
            let (index, rows, columns, all) =
                (index as f64, rows as f64, columns as f64, all as f64);
            (
                2.0 * (index * all - rows * columns),
                (rows + columns) * all - 2.0 * rows * columns,
            )
        }
    };
    Ok(if denominator == 0.0 {
        1.0
    } else {
        numerator / denominator
    })
}

/// The contingency table of two partitions over the nodes both assign: how many common nodes
/// each pair of clusters shares. Rows are the first partition's clusters.
struct Contingency {
    /// `(row cluster, column cluster, shared nodes)`, non-zero cells only, sorted.
    cells: Vec<(usize, usize, usize)>,
    row_totals: Vec<usize>,
    column_totals: Vec<usize>,
    n_common: usize,
}

impl Contingency {
    fn new(rows: &Partition, columns: &Partition) -> Result<Self, Error> {
        if rows.n_nodes() != columns.n_nodes() {
            return Err(Error::PartitionNodeCountsDiffer {
                left: rows.n_nodes(),
                right: columns.n_nodes(),
            });
        }
        let mut pairs: Vec<(usize, usize)> = (0..rows.n_nodes())
            .filter_map(|node| Some((rows.cluster_of(node)?, columns.cluster_of(node)?)))
            .collect();
        pairs.sort_unstable();
        let mut cells: Vec<(usize, usize, usize)> = Vec::new();
        for (row, column) in pairs {
            match cells.last_mut() {
                Some(last) if (last.0, last.1) == (row, column) => last.2 += 1,
                _ => cells.push((row, column, 1)),
            }
        }
        let mut row_totals = vec![0; rows.n_clusters()];
        let mut column_totals = vec![0; columns.n_clusters()];
        for &(row, column, count) in &cells {
            row_totals[row] += count;
            column_totals[column] += count;
        }
        let n_common = row_totals.iter().sum();
        Ok(Self {
            cells,
            row_totals,
            column_totals,
            n_common,
        })
    }

    fn transposed(&self) -> Self {
        let mut cells: Vec<(usize, usize, usize)> = self
            .cells
            .iter()
            .map(|&(row, column, count)| (column, row, count))
            .collect();
        cells.sort_unstable();
        Self {
            cells,
            row_totals: self.column_totals.clone(),
            column_totals: self.row_totals.clone(),
            n_common: self.n_common,
        }
    }

    /// MoJo from the row partition to the column partition.
    fn mojo(&self) -> MojoDistance {
        let mut best = vec![0; self.row_totals.len()];
        for &(row, _, count) in &self.cells {
            best[row] = best[row].max(count);
        }
        let mut tags: Vec<Vec<usize>> = vec![Vec::new(); self.row_totals.len()];
        for &(row, column, count) in &self.cells {
            if count == best[row] {
                tags[row].push(column);
            }
        }
        let moves = self
            .row_totals
            .iter()
            .zip(&best)
            .map(|(total, best)| total - best)
            .sum();
        let non_empty = self.row_totals.iter().filter(|&&total| total > 0).count();
        let matched = maximum_matching(&tags, self.column_totals.len());
        MojoDistance {
            moves,
            joins: non_empty - matched,
        }
    }
}

/// `g` of MoJoFM's worst case: walk the sizes in ascending order, adding 1 whenever `g` is
/// below the size.
fn worst_case_groups(mut sizes: Vec<usize>) -> usize {
    sizes.sort_unstable();
    sizes.into_iter().fold(
        0,
        |groups, size| if groups < size { groups + 1 } else { groups },
    )
}
