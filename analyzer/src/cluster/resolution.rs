//! Searching the resolution that gives a target number of clusters (`--services N`).
//!
//! The number of clusters grows, roughly but not strictly, with the resolution. The search
//! first computes a bracket from the graph: above `high` no two units gain by merging, so every
//! unit stays alone (the most clusters possible); below `low` every merge along an edge gains,
//! so each connected part becomes one cluster (the fewest). If the target lies outside
//! `[count(low), count(high)]` the nearer end is the answer. Otherwise it bisects on the
//! logarithm of the resolution, at most [`MAX_STEPS`] times, and returns the first partition
//! with exactly the target count, or else the closest one seen (on a tie, the one found at the
//! lower resolution: fewer, larger services). Every run uses the same seed, so the search is as
//! deterministic as one run. This file does not cluster by itself; it calls `super::solve`.

use super::constraints::Prepared;
use super::graph::Csr;
use super::quality::Quality;
use super::{Error, Graph, Partition, Settings};

/// Bisection steps after the two ends: 40 halvings of a bracket spanning even 700 decades
/// leave it narrower than a factor of 1 + 1e-9.
pub(crate) const MAX_STEPS: usize = 40;

pub(crate) fn search(
    graph: &Graph,
    prepared: &Prepared,
    settings: &Settings,
    target: usize,
) -> Result<Partition, Error> {
    let Some((low, high)) = bracket(&prepared.units, settings.quality) else {
        // No edges: every resolution gives singleton units.
        return super::solve(graph, prepared, settings, settings.resolution);
    };
    let mut best = super::solve(graph, prepared, settings, low)?;
    if best.n_clusters >= target {
        return Ok(best);
    }
    let at_high = super::solve(graph, prepared, settings, high)?;
    if at_high.n_clusters <= target {
        return Ok(at_high);
    }
    let (mut log_low, mut log_high) = (low.ln(), high.ln());
    for _ in 0..MAX_STEPS {
        let middle = ((log_low + log_high) / 2.0).exp();
        let partition = super::solve(graph, prepared, settings, middle)?;
        let count = partition.n_clusters;
        if count == target {
            return Ok(partition);
        }
        if count < target {
            log_low = middle.ln();
        } else {
            log_high = middle.ln();
        }
        let closer = count.abs_diff(target) < best.n_clusters.abs_diff(target);
        let as_close_lower = count.abs_diff(target) == best.n_clusters.abs_diff(target)
            && partition.resolution < best.resolution;
        if closer || as_close_lower {
            best = partition;
        }
        if log_high - log_low < 1e-9 {
            break;
        }
    }
    if at_high.n_clusters.abs_diff(target) < best.n_clusters.abs_diff(target) {
        best = at_high;
    }
    Ok(best)
}

/// Resolutions below which every merge along an edge gains and above which none does, or
/// `None` for a graph without edges.
///
/// Merging two clusters `A` and `B` joined by weight `w` gains `w - g * W_A * W_B` (see
/// `quality.rs`). With modularity (`g = resolution / 2m`, `W` the degrees), no merge gains once
/// the resolution exceeds `2m * w_uv / (k_u * k_v)` for every edge, and every merge does while
/// it stays below `2 * w_min / m`, as `W_A * W_B <= m^2`. With CPM (`g = resolution`, `W` the
/// sizes): above `w_uv / (n_u * n_v)` for every edge, and below `4 * w_min / N^2`. Both ends
/// get a margin of a factor of two.
fn bracket(units: &Csr, quality: Quality) -> Option<(f64, f64)> {
    let total_weight = units.total_weight();
    let node_weights = match quality {
        Quality::Modularity => units.degrees(),
        Quality::Cpm => units.sizes.clone(),
    };
    let mut min_weight = f64::INFINITY;
    let mut high = 0.0f64;
    for node in 0..units.n_nodes() {
        for (neighbor, weight) in units.neighbors(node) {
            min_weight = min_weight.min(weight);
            let product = node_weights[node] * node_weights[neighbor as usize];
            high = high.max(weight / product);
        }
    }
    if !min_weight.is_finite() {
        return None;
    }
    let (low, high) = match quality {
        Quality::Modularity => (2.0 * min_weight / total_weight, 2.0 * total_weight * high),
        Quality::Cpm => {
            let total_size: f64 = units.sizes.iter().sum();
            (4.0 * min_weight / (total_size * total_size), high)
        }
    };
    Some((low / 2.0, high * 2.0))
}
