//! The plan file `ficus.toml`: Ficus's public, versioned contract between the analysis that
//! drafts it, the people who edit it, and the code generator and proxy that read it.
//!
//! Three layers, as for any configuration: the file schema (`file.rs`, `serde` types that
//! mirror the TOML), validation into a [`Plan`] (`validate.rs`, every problem with file, line,
//! column and field path), and the queries later stages ask ([`Plan::service_of`],
//! [`Plan::shared_kernel_contains`]). [`PlanDocument`] is the editing side: it renders a new
//! plan with comments, and applies a re-plan [`Draft`] to an existing file while keeping every
//! human edit, reporting what changed as a list of [`Change`]s.
//!
//! This crate holds the plan's types and nothing else: no analysis, no network, and no file
//! access beyond [`Plan::load`] and [`PlanDocument::load`]. The format is described in
//! `docs/plan.md`.

mod document;
mod draft;
mod error;
mod file;
mod pattern;
mod plan;
mod route;
mod upstream;
mod validate;
mod weights;

pub use document::PlanDocument;
pub use draft::{Change, Draft, DraftRoute, DraftService, ModuleOwner};
pub use error::{Error, Problem, ProblemKind, Problems};
pub use pattern::{ModulePattern, PatternError, PatternKind, Specificity};
pub use plan::{
    Analysis, Constraints, KernelOnMove, Monolith, Owner, PLAN_VERSION, PartitionTarget, Plan,
    Route, Service, SharedKernel,
};
pub use route::{RouteKey, RouteKeyError, RouteMethod, RouteState, RouteStateError};
pub use upstream::{Scheme, Upstream, UpstreamError};
pub use weights::{Signal, Weights};
