//! The proposal `ficus plan` makes: candidate services with everything that crosses their
//! boundaries, the shared kernel, the fused module graph they were cut from, and the quality
//! metrics of the cut. This is what `ficus plan --format json` prints and what the HTML
//! report draws; the plan file (`ficus.toml`) is drafted from it.

use serde::Serialize;

use super::crossing::{ApiItem, Cost, CrossingKey, SharedTable, Value};

/// Version of the proposal JSON. Readers should refuse a major they do not know.
pub const PROPOSAL_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Proposal {
    pub schema_version: u32,
    /// Candidate services, in extraction order (`rank` 1 first).
    pub services: Vec<ServiceProposal>,
    /// Modules set aside as a shared library.
    pub shared_kernel: Vec<ModuleRef>,
    /// Modules in no service and not in the kernel (wiring: crate roots, `main`, app setup).
    pub unassigned: Vec<ModuleRef>,
    /// The fused module graph the services were cut from.
    pub graph: ProposalGraph,
    /// Dependencies between services: summed structural weight, `from` depends on `to`.
    pub dependencies: Vec<ServiceDependency>,
    pub metrics: ProposalMetrics,
    pub settings: ProposalSettings,
    /// The candidate that held most of the entry points and was cut in parts, if any.
    pub giant_split: Option<GiantSplit>,
}

/// A candidate that held most entry points (routes and background jobs), cut along the ties
/// of its entry modules.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GiantSplit {
    /// The services it became.
    pub services: Vec<String>,
    /// Its share of all entry points before the cut, 0..1.
    pub share: f64,
    /// The share of the tie weight between its entry modules that crosses the new
    /// boundaries, 0..1: what the cut costs.
    pub cut: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ModuleRef {
    /// Module id as in `ficus analyze` (`crate::a::b`).
    pub path: String,
    pub file: String,
    /// Why it is in the kernel or unassigned, in words.
    pub why: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceProposal {
    pub name: String,
    /// Extraction order, 1 = extract first.
    pub rank: usize,
    pub modules: Vec<ModuleAssignment>,
    /// `METHOD /path`.
    pub routes: Vec<String>,
    /// Functions run as background jobs (workers, queue consumers, schedulers) that are
    /// entry points of this service.
    pub jobs: Vec<String>,
    pub tables_owned: Vec<String>,
    pub tables_shared: Vec<SharedTable>,
    pub foreign_keys_crossing: Vec<CrossingKey>,
    pub api: Vec<ApiItem>,
    /// Other services in a dependency cycle with this one.
    pub cycle_with: Vec<String>,
    pub cost: Cost,
    pub value: Value,
    /// Structural weight of its dependencies on each other service.
    pub dependencies: std::collections::BTreeMap<String, f64>,
}

/// A module in a service and why it is there: its strongest ties inside the service.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModuleAssignment {
    pub path: String,
    pub file: String,
    /// Whether a person pinned it here in the plan file.
    pub pinned: bool,
    /// Why it is in this service, in words: it serves routes, it was pinned, or the evidence
    /// that placed it (the services whose handlers reach it, or its ties).
    pub why: String,
    /// Its strongest ties inside the service.
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reason {
    /// The module it is tied to.
    pub with: String,
    /// `structural`, `data`, `foreign_key`, `route`, `naming`.
    pub signal: String,
    pub weight: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProposalGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GraphNode {
    pub id: String,
    /// Service name, `shared kernel`, or `unassigned`.
    pub group: String,
    pub routes: usize,
    pub tables: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GraphEdge {
    pub a: String,
    pub b: String,
    pub weight: f64,
    /// Weight per signal.
    pub signals: Vec<(String, f64)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceDependency {
    pub from: String,
    pub to: String,
    pub weight: f64,
}

/// Quality of the cut (see `docs/metrics.md`), over the structural module graph with the
/// shared kernel and unassigned modules left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProposalMetrics {
    pub structural_modularity: f64,
    pub inter_call_percentage: f64,
    pub interface_number: f64,
    pub non_extreme_distribution: f64,
    pub bunch_mq: f64,
    pub newman_modularity: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProposalSettings {
    pub seed: u64,
    pub resolution: f64,
    pub target_services: Option<usize>,
}
