//! From an analysis to candidate services: the coupling signals fused into one weighted
//! module graph (`signals`), and the shared kernel set aside before clustering (`kernel`).
//! The seam with the plan file is here too: what a plan file and the command line make of
//! the settings (`plan_input`), and the proposal as a re-plan draft (`draft`) with the
//! diagnostics of what drafting decided (`diagnostic`).
//!
//! Pure functions over [`Analysis`](crate::model::Analysis): no IO (but `history`, which
//! runs `git log`), deterministic.
//! Clustering itself lives in `cluster`; metrics in `metrics`.

pub mod compare;
pub mod crossing;
pub mod diagnostic;
pub mod draft;
pub mod history;
pub mod kernel;
pub mod pipeline;
pub mod plan_input;
pub mod proposal;
pub mod propose;
pub mod reach;
pub mod refine;
pub mod signals;
pub mod terms;

pub use crossing::{Crossing, crossings, extraction_order};
pub use diagnostic::PlanDiagnostic;
pub use draft::draft;
pub use kernel::{KernelSettings, shared_kernel};
pub use pipeline::{PlanSettings, plan};
pub use plan_input::{PlanOverrides, constraint_conflicts, resolve_settings};
pub use proposal::Proposal;
pub use propose::{Cut, propose};
pub use signals::{FusedGraph, SignalGroup, fuse};
