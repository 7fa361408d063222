//! The analysis result: the public, versioned contract that `ficus analyze --format json`
//! prints and that `ficus plan`, CI scripts and dashboards read.
//!
//! Every path is relative to the analysed folder, with `/` separators; every line is 1-based.
//! Every list is sorted, so the same input always gives byte-identical output. The schema is
//! published in `docs/schema/analysis.schema.json`; bump `SCHEMA_VERSION` on any change that
//! could break a reader.

use serde::Serialize;

/// Version of the JSON contract. Readers should refuse a major they do not know.
pub const SCHEMA_VERSION: u32 = 3;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Analysis {
    pub schema_version: u32,
    /// `module` or `item`: what the ends of `edges` are (module ids or item paths).
    pub granularity: String,
    pub crates: Vec<Crate>,
    pub modules: Vec<Module>,
    pub items: Vec<Item>,
    /// Coupling between modules of the analysed code.
    pub edges: Vec<Edge>,
    /// Uses of crates outside the analysed code (std, crates.io). Not coupling.
    pub external_uses: Vec<ExternalUse>,
    pub routes: Vec<Route>,
    /// How completely route assembly placed the handlers it found.
    pub route_coverage: RouteCoverage,
    /// Functions run as tasks of their own: background jobs, workers, queue consumers.
    pub tasks: Vec<Task>,
    pub tables: Vec<Table>,
    pub foreign_keys: Vec<ForeignKey>,
    pub accesses: Vec<Access>,
    /// `.rs` files inside a crate that no target's module tree includes.
    pub orphans: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}

impl Analysis {
    /// Ids of the modules that are test code: the module or a module around it is
    /// `#[cfg(test)]`.
    pub fn test_modules(&self) -> std::collections::BTreeSet<&str> {
        let by_id: std::collections::HashMap<&str, &Module> = self
            .modules
            .iter()
            .map(|module| (module.id.as_str(), module))
            .collect();
        self.modules
            .iter()
            .filter(|module| {
                let mut current = Some(*module);
                while let Some(module) = current {
                    if module.cfg.as_deref() == Some("test") {
                        return true;
                    }
                    current = module
                        .parent
                        .as_deref()
                        .and_then(|id| by_id.get(id).copied());
                }
                false
            })
            .map(|module| module.id.as_str())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Crate {
    /// Package name as in `Cargo.toml`.
    pub name: String,
    /// Folder holding `Cargo.toml`.
    pub root: String,
    pub manifest: String,
    pub version: Option<String>,
    /// The workspace root manifest this crate belongs to, if any.
    pub workspace: Option<String>,
    pub targets: Vec<Target>,
    pub dependencies: Vec<Dependency>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Target {
    /// `lib`, `bin`, `proc-macro`, `example`, `test` or `bench`.
    pub kind: String,
    /// Crate name as code sees it (`-` becomes `_`).
    pub name: String,
    /// Root source file.
    pub root: String,
    /// Whether its modules are part of `modules` and `edges` (libraries and binaries by
    /// default; all targets with `--all-targets`).
    pub analysed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Dependency {
    /// The name code uses (`use name::...`): the key in `Cargo.toml` with `-` as `_`.
    pub name: String,
    /// The package it refers to (differs from `name` when renamed with `package = ".."`).
    pub package: String,
    /// `normal`, `dev` or `build`.
    pub kind: String,
    /// Whether the package is one of the analysed crates.
    pub internal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Module {
    /// Unique id used by `edges`, `items`, `routes` and `accesses`. Equal to `path` except
    /// where two targets would share a path (a binary named like its package's library gets
    /// `name[bin]` as its first segment).
    pub id: String,
    /// Rust path, `crate_name::a::b`.
    pub path: String,
    /// Package name of the crate it belongs to.
    #[serde(rename = "crate")]
    pub krate: String,
    /// The file that holds the module's items.
    pub file: String,
    /// Line of the `mod` item for inline modules, 1 for a file's top.
    pub line: u32,
    pub parent: Option<String>,
    /// `#[cfg(...)]` on the `mod` item, as written.
    pub cfg: Option<String>,
    /// Lines of code the module holds (its file, or its inline block).
    pub lines: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Item {
    pub path: String,
    /// `fn`, `struct`, `enum`, `union`, `trait`, `type`, `const`, `static`, `macro`, `impl`,
    /// `method`, `variant`.
    pub kind: String,
    /// `pub`, `pub(crate)`, `pub(super)`, `pub(in ..)` or `private`.
    pub visibility: String,
    pub module: String,
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, PartialOrd, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// `import`, `call`, `type`, `impl`, `construct`, `macro`, `method` (resolved by the
    /// receiver's type) or `inferred_method` (resolved by a unique method name only).
    pub kind: String,
    /// How many references of this kind go from `from` to `to`.
    pub count: u32,
    /// `count` times the kind's weight (see `docs/schema/README.md`).
    pub weight: f64,
    /// Lower for edges found by inference; 1.0 for resolved paths.
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ExternalUse {
    pub module: String,
    /// Crate name as code uses it (`std`, `serde`, ...).
    #[serde(rename = "crate")]
    pub krate: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Route {
    /// Upper-case HTTP method, or `ANY` for a route that takes every method.
    pub method: String,
    /// Full path as a client sends it; parameters written `{name}`, a trailing wildcard `{*name}`.
    pub path: String,
    /// Full path of the handler item, or `<closure>` for an inline closure.
    pub handler: String,
    /// Module id of the handler (of the registration for closures).
    pub module: String,
    /// `axum`, `actix-web`, `rocket` or `utoipa`.
    pub framework: String,
    /// Where the route is registered (the `.route(..)` call or the handler attribute).
    pub file: String,
    pub line: u32,
    /// Names of the `{name}` parts of `path` that the code computes at run time (a prefix
    /// built with `format!`, a variable), in path order; empty when the path is fully known.
    pub computed_parts: Vec<String>,
}

/// A function the code runs as a task of its own: handed to a spawn function
/// (`tokio::spawn(cleanup(db))`, `thread::spawn(move || consume(rx))`, `set.spawn(..)`), or
/// run concurrently with others in `join!`, `try_join!` or `select!`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Task {
    /// Full path of the function (or method).
    pub function: String,
    /// Module id of the function.
    pub module: String,
    /// The item (or module, for module-level code) whose code starts it.
    pub started_by: String,
    /// `spawn` or `join` (`join!`, `try_join!`, `select!`).
    pub how: String,
}

/// Handlers by how fully their routes are known. `handlers` is the sum of the other three.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RouteCoverage {
    /// Distinct handlers of `routes` plus attribute-routed fns that no router mounts.
    pub handlers: u32,
    /// Handlers with at least one route whose full path is known.
    pub full_paths: u32,
    /// Handlers whose every route holds a part the code computes at run time, written as a
    /// `{name}` segment (`{base}/users`), with a diagnostic saying what it is computed from.
    pub unknown_prefix: u32,
    /// Fns with a route attribute that no router mounts: not routes (each has a diagnostic).
    pub never_mounted: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Table {
    pub name: String,
    /// Where the table is defined: a migration, a diesel `table!`, a SeaORM entity.
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ForeignKey {
    pub from_table: String,
    pub to_table: String,
    /// Referencing column in `from_table`.
    pub column: String,
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Access {
    pub module: String,
    pub table: String,
    /// `read` or `write`.
    pub mode: String,
    /// How many statements or queries in the module access the table this way.
    pub count: u32,
    /// First place it happens.
    pub file: String,
    pub line: u32,
    /// Every line of `file` where it happens, ascending (a line with two statements once):
    /// which function accesses the table, for the code generator.
    pub lines: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    pub file: String,
    /// 0 when the problem is about the whole file.
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub files: u64,
    pub lines: u64,
    pub parse_errors: u64,
    /// Wall time of the analysis. The only field that varies between identical runs;
    /// `--deterministic` sets it to 0.
    pub elapsed_ms: u64,
}

/// The module holding `path`: `path` itself when `is_module` says it is a module id, else the
/// longest `::` prefix of it that is (an item path at item granularity,
/// `app::orders::Order::total` -> `app::orders`).
pub fn owning_module(path: &str, is_module: impl Fn(&str) -> bool) -> Option<&str> {
    let mut candidate = path;
    loop {
        if is_module(candidate) {
            return Some(candidate);
        }
        candidate = &candidate[..candidate.rfind("::")?];
    }
}
