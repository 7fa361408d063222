//! From an analysis to candidate services: the coupling signals fused into one weighted
//! module graph (`signals`), and the shared kernel set aside before clustering (`kernel`).
//!
//! Pure functions over [`Analysis`](crate::model::Analysis): no IO, deterministic.
//! Clustering itself lives in `cluster`; metrics in `metrics`.

pub mod compare;
pub mod crossing;
pub mod history;
pub mod kernel;
pub mod pipeline;
pub mod proposal;
pub mod propose;
pub mod signals;
pub mod terms;

pub use crossing::{Crossing, crossings, extraction_order};
pub use kernel::{KernelSettings, shared_kernel};
pub use pipeline::{PlanSettings, plan};
pub use proposal::Proposal;
pub use propose::{Cut, propose};
pub use signals::{FusedGraph, SignalGroup, fuse};
