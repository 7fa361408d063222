//! How evenly a partition is sized: the non-extreme distribution (NED), the share of nodes
//! that sit in clusters whose size falls outside a band.
//!
//! Only cluster sizes matter here, so it needs no graph. It weighs clusters by their node
//! counts (as the Mono2Micro package does), not by counting clusters as some
//! re-implementations do.

use super::error::Error;
use super::partition::Partition;

/// The inclusive band of cluster sizes NED treats as non-extreme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NedBounds {
    min: usize,
    max: usize,
}

impl NedBounds {
    /// A band `min..=max`; refused when `min > max`.
    pub fn new(min: usize, max: usize) -> Result<Self, Error> {
        if min <= max {
            Ok(Self { min, max })
        } else {
            Err(Error::InvalidNedBounds { min, max })
        }
    }

    #[must_use]
    pub fn min(self) -> usize {
        self.min
    }

    #[must_use]
    pub fn max(self) -> usize {
        self.max
    }

    fn contains(self, size: usize) -> bool {
        (self.min..=self.max).contains(&size)
    }
}

impl Default for NedBounds {
    /// 5 to 20 nodes, both included: the band of the Mono2Micro package and the test vectors.
    fn default() -> Self {
        Self { min: 5, max: 20 }
    }
}

/// Non-extreme distribution: `1 - (sum of N_i over clusters with min <= N_i <= max) / N`, where
/// `N_i` are cluster sizes and `N` the number of assigned nodes. In `[0, 1]`; lower is better;
/// 1 when no cluster is in the band.
#[must_use]
pub fn non_extreme_distribution(partition: &Partition, bounds: NedBounds) -> f64 {
    let in_band: usize = partition
        .clusters()
        .map(<[usize]>::len)
        .filter(|&size| bounds.contains(size))
        .sum();
    1.0 - in_band as f64 / partition.n_assigned() as f64
}
