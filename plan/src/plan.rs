//! The plan as the rest of Ficus uses it: validated settings, in the order the file lists
//! them, with the queries later stages need (which service owns a module, which routes a
//! service serves).
//!
//! Nothing here reads or writes text: `validate.rs` builds a `Plan` from the file schema and
//! `document/` renders one. Every field is public so that `ficus plan` can build a plan from
//! an analysis; a plan built by hand is checked when it is rendered and read back.

use std::path::{Path, PathBuf};

use crate::pattern::ModulePattern;
use crate::route::{RouteKey, RouteState};
use crate::upstream::Upstream;
use crate::weights::Weights;

/// The plan file version this crate reads and writes.
pub const PLAN_VERSION: u32 = 1;

/// A validated plan file.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Always [`PLAN_VERSION`] once validated.
    pub version: u32,
    pub monolith: Monolith,
    pub analysis: Analysis,
    pub weights: Weights,
    pub constraints: Constraints,
    /// In file order.
    pub services: Vec<Service>,
    pub shared_kernel: SharedKernel,
    /// The `[proxy]` part, kept as written: the proxy defines and checks its fields.
    pub proxy: Option<toml::Table>,
}

/// The application being taken apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Monolith {
    pub name: String,
    /// The analysed folder as written, relative to the plan file's folder unless absolute.
    pub source: PathBuf,
    /// Where the running monolith listens. Required once a route reaches a service.
    pub upstream: Option<Upstream>,
}

/// How the draft was computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Seed of the community detection: same seed and input, same draft.
    pub seed: u64,
    pub target: PartitionTarget,
    /// Whether tests, examples and benches were analysed too.
    pub all_targets: bool,
}

/// What decides how many services the draft proposes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PartitionTarget {
    /// Modularity resolution: higher gives more, smaller services. Finite and positive.
    Resolution(f64),
    /// Aim for this many services (at least 1).
    Services(u32),
}

/// Rules the analysis honours when it drafts services.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    /// Each group's modules end up in one service.
    pub together: Vec<Vec<ModulePattern>>,
    /// Each group's modules end up in pairwise different services.
    pub apart: Vec<Vec<ModulePattern>>,
    /// Only the services the file lists may exist: a re-plan adds none.
    pub fixed_services: bool,
}

/// One future service.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Unique, a DNS label: lower-case letters, digits and `-`.
    pub name: String,
    /// The modules it takes from the monolith, in file order.
    pub modules: Vec<ModulePattern>,
    /// Where the service listens. Required once one of its routes reaches it.
    pub upstream: Option<Upstream>,
    /// Tables it owns (only its modules write them). Drafted, informational.
    pub tables: Vec<String>,
    /// Extraction order, 1 first. Drafted.
    pub rank: Option<u32>,
    /// Its routes and their migration states, in file order.
    pub routes: Vec<Route>,
}

/// One route of a service and who answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub key: RouteKey,
    pub state: RouteState,
}

/// Modules every service may use (errors, configuration, helpers): they are shared or copied,
/// never extracted with one service.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SharedKernel {
    pub modules: Vec<ModulePattern>,
    /// What `ficus generate --move` does with the code the moved modules use outside them.
    pub on_move: KernelOnMove,
}

/// `[shared_kernel] on_move`: how a moved service gets the monolith's code it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KernelOnMove {
    /// Copied into a kernel crate of the service's workspace (`SERVICE-kernel`).
    #[default]
    Carry,
    /// A dependency on the monolith's own crate, which must be a library.
    Depend,
}

/// Where a module goes, as the plan says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Owner<'p> {
    Service(&'p Service),
    SharedKernel,
}

impl Plan {
    /// A plan with no services and every default, for `ficus plan` to fill in.
    pub fn new(monolith: Monolith) -> Plan {
        Plan {
            version: PLAN_VERSION,
            monolith,
            analysis: Analysis::default(),
            weights: Weights::default(),
            constraints: Constraints::default(),
            services: Vec::new(),
            shared_kernel: SharedKernel::default(),
            proxy: None,
        }
    }

    /// Who owns `module` (a module id): the service or shared kernel whose matching pattern
    /// is the most specific (see [`ModulePattern::specificity`]), or `None` when no pattern
    /// matches and the module stays in the monolith.
    pub fn owner_of(&self, module: &str) -> Option<Owner<'_>> {
        self.matching_pattern(module).map(|(owner, _)| owner)
    }

    /// The service that owns `module`, by pattern; `None` for the shared kernel or the
    /// monolith.
    pub fn service_of(&self, module: &str) -> Option<&Service> {
        match self.owner_of(module)? {
            Owner::Service(service) => Some(service),
            Owner::SharedKernel => None,
        }
    }

    /// Whether `module` belongs to the shared kernel: a kernel pattern matches it and no
    /// service has a more specific one.
    pub fn shared_kernel_contains(&self, module: &str) -> bool {
        matches!(self.owner_of(module), Some(Owner::SharedKernel))
    }

    /// The owner of `module` and the pattern that decided it.
    pub fn matching_pattern(&self, module: &str) -> Option<(Owner<'_>, &ModulePattern)> {
        let services = self.services.iter().flat_map(|service| {
            service
                .modules
                .iter()
                .map(move |pattern| (Owner::Service(service), pattern))
        });
        let kernel = self
            .shared_kernel
            .modules
            .iter()
            .map(|pattern| (Owner::SharedKernel, pattern));
        let mut best: Option<(Owner<'_>, &ModulePattern)> = None;
        for (owner, pattern) in services.chain(kernel) {
            if !pattern.matches(module) {
                continue;
            }
            let better = best
                .is_none_or(|(_, best_pattern)| pattern.specificity() > best_pattern.specificity());
            if better {
                best = Some((owner, pattern));
            }
        }
        best
    }

    /// The service called `name`.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|service| service.name == name)
    }

    /// Every route of every service, services and routes in file order.
    pub fn routes(&self) -> impl Iterator<Item = (&Service, &Route)> {
        self.services
            .iter()
            .flat_map(|service| service.routes.iter().map(move |route| (service, route)))
    }

    /// The analysed folder, for a plan read from `plan_file`.
    pub fn source_dir(&self, plan_file: &Path) -> PathBuf {
        match plan_file.parent() {
            Some(folder) => folder.join(&self.monolith.source),
            None => self.monolith.source.clone(),
        }
    }
}

impl Service {
    /// A service with only a name, for `ficus plan` to fill in.
    pub fn new(name: impl Into<String>) -> Service {
        Service {
            name: name.into(),
            modules: Vec::new(),
            upstream: None,
            tables: Vec::new(),
            rank: None,
            routes: Vec::new(),
        }
    }

    /// The route with this key's shape (parameter names do not matter).
    pub fn route(&self, key: &RouteKey) -> Option<&Route> {
        let shape = key.shape();
        self.routes.iter().find(|route| route.key.shape() == shape)
    }
}

impl Default for Analysis {
    fn default() -> Analysis {
        Analysis {
            seed: 42,
            target: PartitionTarget::Resolution(Analysis::DEFAULT_RESOLUTION),
            all_targets: false,
        }
    }
}

impl Analysis {
    pub const DEFAULT_RESOLUTION: f64 = 1.0;
}

impl Plan {
    /// Reads and validates plan text. `file` names the text in problems (`ficus.toml:3:1:
    /// ...`); it is not opened.
    pub fn parse(text: &str, file: &Path) -> Result<Plan, crate::Error> {
        crate::validate::parse(text, file)
    }

    /// Reads and validates the plan file at `path`.
    pub fn load(path: &Path) -> Result<Plan, crate::Error> {
        let text = std::fs::read_to_string(path).map_err(|source| crate::Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Plan::parse(&text, path)
    }
}
