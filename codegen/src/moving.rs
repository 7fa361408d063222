//! `ficus generate --move`: the boundary's code itself, not only stubs. The service's modules
//! are copied into the service crate at the paths they had in the monolith's crate, and what
//! they use outside the boundary is carried into a kernel crate of the output:
//!
//! - a module outside every service is carried **whole** (its file and its submodules' files,
//!   as written) when nothing in it uses a service's code; the highest such ancestor of what
//!   is needed is carried, so its re-exports (`crate::common::AppError`) stay valid;
//! - otherwise (the composition root, the crate root) only the **items** the moved code uses
//!   are carried, each with its impl blocks and the `use` paths that still resolve, into a
//!   file of the same path that says so;
//! - a use of another service's code cannot be carried: it is listed in `MIGRATION.md` with
//!   file and line, to be replaced by a call through that service's client.
//!
//! Paths need no rewriting: the kernel crate has the monolith's module layout, the service
//! crate re-exports it at its root (`pub use KERNEL::*`) next to the moved modules, and both
//! crates name themselves after the monolith's crate (`extern crate self as NAME`), so
//! `crate::..`, `super::..` and `NAME::..` resolve as they did. The only edits: a moved
//! handler and the `mod` items leading to it become `pub(crate)`, so the service's router
//! can mount it. Files named by `include_str!`, `include_bytes!` and `include!` come along;
//! the SQL migrations creating the tables the service owns are copied to `migrations/`.
//!
//! The handlers' state (`State<AppState>`) is built in `state.rs`, a file written once for
//! people: the monolith builds it from its configuration, which no rule can read.

mod cargo;
mod exported;
mod files;
mod graph;
mod remote;
pub(crate) mod text;

use files::{SourceFiles, includes, migrations, open_up, relative_to};
use graph::Graph;
pub use remote::{RemoteCall, RemoteService, Remotes, remote_clients};

use std::collections::BTreeMap;
use std::path::Path;

use ficus_plan::{KernelOnMove, Plan};
use serde::Serialize;

use crate::error::Error;
use crate::failure::ErrorContext;
use crate::model::CodeModel;
use crate::output::GeneratedFile;
use crate::port::{Class, Finding, Port};

/// What `--move` adds to the generated workspace.
#[derive(Debug)]
pub struct Moved {
    /// Copied and carried files, migrations and included files.
    pub files: Vec<GeneratedFile>,
    pub context: MoveContext,
    /// Monolith handler path -> the path the service's router mounts.
    pub handlers: BTreeMap<String, String>,
}

/// What the templates see of a move.
#[derive(Debug, Clone, Serialize)]
pub struct MoveContext {
    /// The kernel crate as Rust names it (`catalog_kernel`); `None` when nothing is carried.
    pub kernel_crate: Option<String>,
    /// The monolith crate's name in Rust (`shop_monolith`).
    pub monolith_crate: String,
    /// The service depends on the monolith's own crate for what the moved code uses
    /// (`[shared_kernel] on_move = "depend"`) instead of carrying it into a kernel crate.
    pub depends_on_monolith: bool,
    pub edition: String,
    /// Items of the service's `lib.rs` that declare the moved modules (`pub mod catalog;`).
    pub module_decls: Vec<String>,
    /// `[dependencies]` lines of the service crate.
    pub service_dependencies: Vec<String>,
    /// `[dependencies]` lines of the kernel crate.
    pub kernel_dependencies: Vec<String>,
    /// The moved handlers' state type, as the service names it (`crate::app::AppState`).
    pub state_type: Option<String>,
    /// Where the monolith builds that state: `item (file:line)`.
    pub state_built_at: Vec<String>,
    /// Modules carried whole into the kernel crate.
    pub carried_whole: Vec<String>,
    /// Modules of which only some items are carried, each with those items.
    pub carried_items: Vec<CarriedItems>,
    /// Files copied into the service crate.
    pub moved_files: Vec<String>,
    /// Migration files copied, relative to the service crate.
    pub migrations: Vec<String>,
    /// Other services the moved code calls through their clients (`ficus_remote.rs`).
    pub remotes: Vec<RemoteService>,
    /// Error types a failed call becomes, each `From<Failure>` in `failures.rs`.
    pub failures: Vec<ErrorContext>,
    /// Error types with no variant to hold a failure: `(name, file:line)`; their
    /// `From<Failure>` in `failures.rs` is left to a person.
    pub unbuilt_failures: Vec<(String, String)>,
    /// What a person must finish, with file and line.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CarriedItems {
    pub module: String,
    pub items: Vec<String>,
}

/// The dependencies the generated service code needs whatever the monolith uses.
const SERVICE_DEPENDENCIES: &[(&str, &str)] = &[
    ("axum", r#"{ version = "0.8" }"#),
    ("serde", r#"{ version = "1", features = ["derive"] }"#),
    ("serde_json", r#"{ version = "1" }"#),
    (
        "tokio",
        r#"{ version = "1", features = ["macros", "net", "rt-multi-thread", "signal"] }"#,
    ),
];

/// Copies the port's modules and carries what they use. `root` is the monolith's folder;
/// `remotes` the other services' clients the moved code may call ([`remote_clients`]).
pub fn move_boundary(
    model: &CodeModel,
    plan: &Plan,
    port: &Port,
    root: &Path,
    remotes: &Remotes,
) -> Result<Moved, Error> {
    let graph = Graph::new(model, plan, port)?;
    let carry = graph.carry();
    let remote = remote::plan(&graph, &carry, remotes, model, root)?;
    let crate_root = graph.modules[graph.crate_root];
    let root_file = root.join(&crate_root.file);
    let src_dir = root_file.parent().unwrap_or(root).to_path_buf();
    let (package_dir, deps) = cargo::package_of(&root_file)?;
    let service = &port.service;
    let service_dir = format!("{service}-service");
    let kernel_dir = format!("{service}-kernel");
    let kernel_crate = format!("{}_kernel", service.replace('-', "_"));
    let monolith_crate = crate_root.path.clone();
    let depend = plan.shared_kernel.on_move == KernelOnMove::Depend;
    let is_library = deps
        .lib_root
        .as_ref()
        .is_some_and(|lib| lib.canonicalize().ok() == root_file.canonicalize().ok());
    if depend && !is_library {
        return Err(Error::Move {
            message: format!(
                "the plan's `[shared_kernel] on_move = \"depend\"` needs the crate `{}` to be a library, and {} is the root of a binary: give the package a library target, or set `on_move = \"carry\"`",
                crate_root.path, crate_root.file
            ),
        });
    }
    let mut findings = cross_findings(&graph, &carry, &remote);
    if depend {
        findings.extend(exported::unexported(
            &graph,
            &mut crate::port::source::Sources::new(root),
        )?);
    }
    findings.extend(remote.findings.iter().cloned());
    let mut files: Vec<GeneratedFile> = Vec::new();
    let mut sources = SourceFiles::new(root);

    // The moved modules, with handlers made reachable from the service's router.
    let handlers: BTreeMap<String, String> = port
        .routes
        .iter()
        .filter(|route| graph.handler_is_moved(&route.handler))
        .filter(|route| {
            let axum = graph
                .handler_framework(&route.handler)
                .is_none_or(|framework| framework == "axum");
            if !axum {
                findings.push(Finding {
                    class: Class::NeedsChange,
                    what: format!(
                        "`{}` serves {} {} with another framework than axum; the service answers 501 there",
                        route.handler, route.method, route.path
                    ),
                    fix: "port the handler to axum in the service's `handlers.rs`".to_string(),
                    file: route.file.clone(),
                    line: route.line,
                });
            }
            axum
        })
        .map(|route| {
            let local = route
                .handler
                .strip_prefix(&monolith_crate)
                .map_or_else(|| route.handler.clone(), |rest| format!("crate{rest}"));
            (route.handler.clone(), local)
        })
        .collect();
    let mut moved_files = Vec::new();
    for file in graph.files_of(graph.service.iter().copied()) {
        let text = sources.text(&file)?;
        let tree = sources.tree(&file)?;
        let handler_lines: Vec<(&str, u32)> = handlers
            .keys()
            .filter_map(|handler| graph.items.get(handler.as_str()))
            .filter(|item| item.file == file)
            .map(|item| (last_segment(&item.path), item.line))
            .collect();
        let rewritten = open_up(&text, &tree, &handler_lines);
        let relative = relative_to(&root.join(&file), &src_dir, &file)?;
        moved_files.push(file.clone());
        files.push(GeneratedFile::once(
            format!("{service_dir}/src/{relative}"),
            rewritten,
        ));
        includes(
            &tree,
            &root.join(&file),
            &package_dir,
            &service_dir,
            &file,
            &mut files,
            &mut findings,
        );
    }
    let carries =
        !depend && (!carry.whole.is_empty() || carry.items.values().any(|items| !items.is_empty()));
    let module_decls = graph.module_decls(
        &carry,
        if depend {
            Some(monolith_crate.as_str())
        } else {
            carries.then_some(kernel_crate.as_str())
        },
        &remote,
        &mut sources,
        &mut findings,
    )?;

    // The kernel crate: whole modules as written, the rest item by item.
    let mut carried_whole = Vec::new();
    let mut carried_items = Vec::new();
    if carries {
        for file in graph.files_of(carry.whole.iter().copied()) {
            let text = sources.text(&file)?;
            let tree = sources.tree(&file)?;
            let relative = relative_to(&root.join(&file), &src_dir, &file)?;
            files.push(GeneratedFile::once(
                format!("{kernel_dir}/src/{relative}"),
                text.to_string(),
            ));
            includes(
                &tree,
                &root.join(&file),
                &package_dir,
                &kernel_dir,
                &file,
                &mut files,
                &mut findings,
            );
        }
        for &module in &carry.whole {
            carried_whole.push(graph.modules[module].id.clone());
        }
        for (&module, items) in &carry.items {
            let source = graph.modules[module];
            let text = graph.carried_file(module, items, &carry, &mut sources, &mut findings)?;
            let path = if module == graph.crate_root {
                "lib.rs".to_string()
            } else {
                relative_to(&root.join(&source.file), &src_dir, &source.file)?
            };
            let text = if module == graph.crate_root {
                format!(
                    "//! The monolith's crate root as `ficus generate --move` carried it: what the\n//! moved code of `{service}` uses, under the paths it uses.\n\nextern crate self as {monolith_crate};\n\n{text}"
                )
            } else {
                text
            };
            if let Ok(tree) = syn::parse_file(&text) {
                includes(
                    &tree,
                    &root.join(&source.file),
                    &package_dir,
                    &kernel_dir,
                    &source.file,
                    &mut files,
                    &mut findings,
                );
            }
            files.push(GeneratedFile::once(
                format!("{kernel_dir}/src/{path}"),
                text,
            ));
            carried_items.push(CarriedItems {
                module: source.id.clone(),
                items: items.iter().map(|item| item.to_string()).collect(),
            });
        }
    }

    // Migrations of the tables the service owns.
    let migrations = migrations(root, &port.tables)?;
    for (relative, text) in &migrations {
        files.push(GeneratedFile::once(
            format!("{service_dir}/migrations/{relative}"),
            text.clone(),
        ));
    }

    // The state the moved handlers take.
    let state = graph.state_type(&handlers, &mut sources)?;
    let state_built_at = match &state {
        Some(path) => graph.built_at(path),
        None => Vec::new(),
    };
    let state_type = state.map(|path| {
        path.strip_prefix(&monolith_crate)
            .map_or(path.clone(), |rest| format!("crate{rest}"))
    });
    if let Some(state_type) = &state_type {
        findings.push(Finding {
            class: Class::NeedsChange,
            what: format!(
                "the moved handlers take `State<{state_type}>`, which the monolith builds in {}",
                if state_built_at.is_empty() {
                    "code the analysis did not find".to_string()
                } else {
                    state_built_at.join(", ")
                }
            ),
            fix: format!(
                "build it in `{service_dir}/src/state.rs` from the service's own configuration"
            ),
            file: format!("{service_dir}/src/state.rs"),
            line: 1,
        });
    }

    // Dependencies: the monolith's, plus what the generated code needs.
    let mut kernel_dependencies = Vec::new();
    let mut service_specs = deps.dependencies.clone();
    for (name, spec) in SERVICE_DEPENDENCIES {
        let extra: toml::Table = format!("x = {spec}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|table| table.get("x").and_then(toml::Value::as_table).cloned())
            .unwrap_or_default();
        match service_specs.get_mut(*name) {
            // The monolith's version wins (its code is what moves); features are united.
            Some(existing) => {
                if let Some(features) = extra.get("features") {
                    let mut only_features = toml::Table::new();
                    only_features.insert("features".to_string(), features.clone());
                    cargo::merge_into(existing, &only_features);
                }
            }
            None => {
                service_specs.insert((*name).to_string(), extra);
            }
        }
    }
    for (name, spec) in &deps.dependencies {
        kernel_dependencies.push(cargo::dependency_line(name, spec));
    }
    let mut service_dependencies: Vec<String> = service_specs
        .iter()
        .map(|(name, spec)| cargo::dependency_line(name, spec))
        .collect();
    service_dependencies.push(format!("{service}-api = {{ path = \"../{service}-api\" }}"));
    if carries {
        service_dependencies.push(format!(
            "{service}-kernel = {{ path = \"../{service}-kernel\" }}"
        ));
    }
    for other in &remote.services {
        service_dependencies.push(other.dependency.clone());
    }
    if depend {
        let path = package_dir.canonicalize().unwrap_or(package_dir.clone());
        service_dependencies.push(format!(
            "{monolith_crate} = {{ package = \"{}\", path = \"{}\" }}",
            deps.package,
            path.display()
        ));
    }
    service_dependencies.sort();
    for (named, at) in &remote.unbuilt_errors {
        findings.push(Finding {
            class: Class::NeedsChange,
            what: format!(
                "no variant of `{named}` ({at}) holds a message, so `{service_dir}/src/failures.rs` cannot say which one a failed call to another service becomes"
            ),
            fix: format!("write `From<Failure> for {named}` in `{service_dir}/src/failures.rs`"),
            file: format!("{service_dir}/src/failures.rs"),
            line: 1,
        });
    }
    for error in &remote.errors {
        findings.push(Finding {
            class: Class::NeedsChange,
            what: format!(
                "a failed call to another service becomes a `{}` as `{service_dir}/src/failures.rs` says, written from how it answers over HTTP ({})",
                error.named, error.mapped_at
            ),
            fix: "check the mapping; edit it there (the file is yours)".to_string(),
            file: format!("{service_dir}/src/failures.rs"),
            line: 1,
        });
    }

    findings.sort_by(|a, b| (&a.file, a.line, &a.what).cmp(&(&b.file, b.line, &b.what)));
    findings.dedup_by(|a, b| a.file == b.file && a.line == b.line && a.what == b.what);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    Ok(Moved {
        files,
        handlers,
        context: MoveContext {
            kernel_crate: carries.then_some(kernel_crate),
            monolith_crate,
            depends_on_monolith: depend,
            edition: deps.edition,
            module_decls,
            service_dependencies,
            kernel_dependencies,
            state_type,
            state_built_at,
            carried_whole,
            carried_items,
            moved_files,
            migrations: migrations.into_iter().map(|(path, _)| path).collect(),
            remotes: remote.services.clone(),
            failures: remote.errors.clone(),
            unbuilt_failures: remote.unbuilt_errors.clone(),
            findings,
        },
    })
}

/// The move's findings about other services' code: a use reached through a client (a
/// function it calls, or a type or module of a service whose client is there) needs nothing
/// more; a function the client cannot stand for says why.
fn cross_findings(
    graph: &Graph<'_>,
    carry: &graph::Carry<'_>,
    remote: &remote::RemotePlan,
) -> Vec<Finding> {
    let mut dropped: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (from, to, service) in &carry.cross {
        let what = format!("`{from}` uses `{to}` of service `{service}`");
        let function = graph
            .items
            .get(to.as_str())
            .is_some_and(|item| matches!(item.kind.as_str(), "fn" | "method"));
        if remote.bodies.contains_key(to) || (!function && remote.has_client(service)) {
            dropped.insert(what, None);
        } else if let Some(why) = remote.not_called.get(to) {
            dropped.insert(
                what,
                Some(format!(
                    "the `{service}` client cannot stand for it: {why}; until then the service crate holds a placeholder that panics with \"unimplemented\""
                )),
            );
        }
    }
    carry
        .findings
        .iter()
        .filter_map(|finding| match dropped.get(&finding.what) {
            None => Some(finding.clone()),
            Some(None) => None,
            Some(Some(fix)) => Some(Finding {
                fix: fix.clone(),
                ..finding.clone()
            }),
        })
        .collect()
}

/// The last `::` segment of a path.
fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}
