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
mod text;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ficus_plan::{Owner, Plan};
use serde::Serialize;

use crate::error::Error;
use crate::model::{CodeItem, CodeModel, ModuleSource};
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

/// Copies the port's modules and carries what they use. `root` is the monolith's folder.
pub fn move_boundary(
    model: &CodeModel,
    plan: &Plan,
    port: &Port,
    root: &Path,
) -> Result<Moved, Error> {
    let graph = Graph::new(model, plan, port)?;
    let carry = graph.carry();
    let crate_root = graph.modules[graph.crate_root];
    let root_file = root.join(&crate_root.file);
    let src_dir = root_file.parent().unwrap_or(root).to_path_buf();
    let (package_dir, deps) = cargo::package_of(&root_file)?;
    let service = &port.service;
    let service_dir = format!("{service}-service");
    let kernel_dir = format!("{service}-kernel");
    let kernel_crate = format!("{}_kernel", service.replace('-', "_"));
    let monolith_crate = crate_root.path.clone();
    let mut findings = carry.findings.clone();
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
    let carries = !carry.whole.is_empty() || carry.items.values().any(|items| !items.is_empty());
    let module_decls = graph.module_decls(
        &carry,
        carries.then_some(kernel_crate.as_str()),
        &mut sources,
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
                text,
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
    service_dependencies.sort();

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
            findings,
        },
    })
}

/// The last `::` segment of a path.
fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// `file` (absolute) relative to the crate's source folder, `/` separated.
fn relative_to(file: &Path, src_dir: &Path, shown: &str) -> Result<String, Error> {
    let relative = file.strip_prefix(src_dir).map_err(|_| Error::Move {
        message: format!(
            "{shown} is outside its crate's source folder {}",
            src_dir.display()
        ),
    })?;
    Ok(relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/"))
}

/// Files `tree` includes by a literal path, copied to the same place relative to the output
/// crate as they have relative to the monolith's package.
fn includes(
    tree: &syn::File,
    file: &Path,
    package_dir: &Path,
    crate_dir: &str,
    shown: &str,
    files: &mut Vec<GeneratedFile>,
    findings: &mut Vec<Finding>,
) {
    let dir = file.parent().unwrap_or(Path::new("."));
    for (included, line) in text::included_files(tree) {
        let path = normalise(&dir.join(&included));
        let relative = path.strip_prefix(package_dir).ok().map(|relative| {
            relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        });
        match (relative, std::fs::read_to_string(&path)) {
            (Some(relative), Ok(text)) => {
                files.push(GeneratedFile::once(format!("{crate_dir}/{relative}"), text))
            }
            (relative, read) => findings.push(Finding {
                class: Class::NeedsChange,
                what: format!(
                    "`{included}` is included but {}",
                    if relative.is_none() {
                        "lies outside the monolith's package".to_string()
                    } else {
                        format!(
                            "cannot be read as text ({})",
                            read.err().map(|e| e.to_string()).unwrap_or_default()
                        )
                    }
                ),
                fix: "copy it next to the generated crate and fix the path".to_string(),
                file: shown.to_string(),
                line,
            }),
        }
    }
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The SQL files under a `migrations` folder of the monolith that create one of `tables`,
/// relative to that folder.
fn migrations(root: &Path, tables: &[String]) -> Result<Vec<(String, String)>, Error> {
    let mut found = Vec::new();
    if tables.is_empty() {
        return Ok(found);
    }
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    let mut migration_dirs = Vec::new();
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !path.is_dir() || name.starts_with('.') || name == "target" {
                continue;
            }
            if name == "migrations" {
                migration_dirs.push(path);
            } else if depth < 3 {
                stack.push((path, depth + 1));
            }
        }
    }
    migration_dirs.sort();
    for dir in migration_dirs {
        let mut sql = Vec::new();
        collect_sql(&dir, &mut sql);
        sql.sort();
        for file in sql {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            if tables.iter().any(|table| creates_table(&text, table)) {
                let relative = file
                    .strip_prefix(&dir)
                    .unwrap_or(&file)
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                found.push((relative, text));
            }
        }
    }
    Ok(found)
}

fn collect_sql(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_sql(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "sql") {
            out.push(path);
        }
    }
}

/// Whether `sql` holds `CREATE TABLE [IF NOT EXISTS] table` (any case, quoted or not).
fn creates_table(sql: &str, table: &str) -> bool {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|word| !word.is_empty())
        .map(|word| {
            word.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']')
                .to_ascii_lowercase()
        })
        .collect();
    let table = table.to_ascii_lowercase();
    words.windows(2).enumerate().any(|(idx, pair)| {
        if pair[0] != "create" || pair[1] != "table" {
            return false;
        }
        let mut rest = words[idx + 2..].iter();
        let mut name = rest.next();
        if name.is_some_and(|word| word == "if") {
            // `if not exists name`
            name = rest.nth(2);
        }
        name.is_some_and(|name| name == &table || name.ends_with(&format!(".{table}")))
    })
}

/// `text` with `pub(crate) ` before every private `mod` item at its top level and before each
/// private handler function (`name`, line of its name).
fn open_up(text: &str, tree: &syn::File, handlers: &[(&str, u32)]) -> String {
    use syn::spanned::Spanned;
    let mut at = Vec::new();
    for item in &tree.items {
        match item {
            syn::Item::Mod(module) if matches!(module.vis, syn::Visibility::Inherited) => {
                at.push(text::offset(text, module.mod_token.span.start()));
            }
            _ => {}
        }
    }
    struct Handlers<'h> {
        wanted: &'h [(&'h str, u32)],
        found: Vec<proc_macro2::LineColumn>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Handlers<'_> {
        fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
            let line = item.sig.ident.span().start().line as u32;
            if matches!(item.vis, syn::Visibility::Inherited)
                && self
                    .wanted
                    .iter()
                    .any(|(name, at)| item.sig.ident == name && *at == line)
            {
                self.found.push(item.sig.span().start());
            }
        }
    }
    let mut finder = Handlers {
        wanted: handlers,
        found: Vec::new(),
    };
    syn::visit::Visit::visit_file(&mut finder, tree);
    at.extend(finder.found.iter().map(|&start| text::offset(text, start)));
    text::insert_at(text, &at, "pub(crate) ")
}

/// Source files read once each.
struct SourceFiles {
    root: PathBuf,
    texts: HashMap<String, String>,
}

impl SourceFiles {
    fn new(root: &Path) -> SourceFiles {
        SourceFiles {
            root: root.to_path_buf(),
            texts: HashMap::new(),
        }
    }

    fn text(&mut self, file: &str) -> Result<String, Error> {
        if let Some(text) = self.texts.get(file) {
            return Ok(text.clone());
        }
        let path = self.root.join(file);
        let text = std::fs::read_to_string(&path).map_err(|error| Error::Read {
            path: path.clone(),
            message: error.to_string(),
        })?;
        self.texts.insert(file.to_string(), text.clone());
        Ok(text)
    }

    fn tree(&mut self, file: &str) -> Result<syn::File, Error> {
        let text = self.text(file)?;
        syn::parse_file(&text).map_err(|error| Error::Read {
            path: self.root.join(file),
            message: format!("line {}: {error}", error.span().start().line),
        })
    }
}

/// Where a module's code belongs in the move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The service being moved.
    Moved,
    /// Another service: its code is reached through its client.
    Other,
    /// Kernel or unassigned: carried when used.
    Free,
}

/// What the move carries into the kernel crate.
struct Carry<'m> {
    /// Module indices carried whole (with their submodules).
    whole: BTreeSet<usize>,
    /// Module index -> item paths carried from it (empty: only the module itself, as the
    /// parent of something carried).
    items: BTreeMap<usize, BTreeSet<&'m str>>,
    /// (from, to, service) for each use of another service's code.
    cross: Vec<(String, String, String)>,
    /// Crate roots of the other crates of the monolith the carried code uses.
    other_crates: BTreeSet<usize>,
    findings: Vec<Finding>,
}

/// The modules and references of the monolith's crate, as the move reads them.
struct Graph<'m> {
    modules: Vec<&'m ModuleSource>,
    by_id: HashMap<&'m str, usize>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    side: Vec<Side>,
    /// Other services' names, by module index (empty for the rest).
    owner: Vec<String>,
    crate_root: usize,
    /// Each module's crate root.
    crate_of: Vec<usize>,
    /// The service's modules in the crate that moves.
    service: BTreeSet<usize>,
    /// The service's modules in other crates: they stay, used through a dependency.
    left_behind: BTreeSet<usize>,
    items: HashMap<&'m str, &'m CodeItem>,
    /// (from, to) of every reference, by the module `from` lies in.
    outgoing: Vec<Vec<(&'m str, &'m str)>>,
    /// (from, to) of the references that construct a value or call a function.
    builds: Vec<(&'m str, &'m str)>,
    /// Handler path -> the web framework of its route.
    frameworks: HashMap<&'m str, &'m str>,
}

impl<'m> Graph<'m> {
    fn new(model: &'m CodeModel, plan: &Plan, port: &Port) -> Result<Graph<'m>, Error> {
        let modules: Vec<&ModuleSource> = model.module_sources.iter().collect();
        let by_id: HashMap<&str, usize> = modules
            .iter()
            .enumerate()
            .map(|(idx, module)| (module.id.as_str(), idx))
            .collect();
        let parent: Vec<Option<usize>> = modules
            .iter()
            .map(|module| {
                module
                    .parent
                    .as_deref()
                    .and_then(|parent| by_id.get(parent).copied())
            })
            .collect();
        let mut children = vec![Vec::new(); modules.len()];
        for (idx, parent) in parent.iter().enumerate() {
            if let Some(parent) = parent {
                children[*parent].push(idx);
            }
        }
        let mut side = Vec::with_capacity(modules.len());
        let mut owner = Vec::with_capacity(modules.len());
        for module in &modules {
            match plan.owner_of(&module.id) {
                Some(Owner::Service(service)) if service.name == port.service => {
                    side.push(Side::Moved);
                    owner.push(String::new());
                }
                Some(Owner::Service(service)) => {
                    side.push(Side::Other);
                    owner.push(service.name.clone());
                }
                _ => {
                    side.push(Side::Free);
                    owner.push(String::new());
                }
            }
        }
        let service: BTreeSet<usize> = port
            .modules
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).copied())
            .collect();
        for &module in &service {
            side[module] = Side::Moved;
        }
        let crate_of: Vec<usize> = (0..modules.len())
            .map(|module| {
                let mut top = module;
                while let Some(up) = parent[top] {
                    top = up;
                }
                top
            })
            .collect();
        // The crate that moves: the one serving most of the service's routes, else the one
        // holding most of its modules. The service's modules in other crates stay there and
        // are used through a path dependency on their crate.
        let mut weight: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for &module in &service {
            weight.entry(crate_of[module]).or_default().1 += 1;
        }
        for route in &port.routes {
            let module = model
                .items
                .iter()
                .find(|item| item.path == route.handler)
                .and_then(|item| by_id.get(item.module.as_str()).copied());
            if let Some(module) = module {
                weight.entry(crate_of[module]).or_default().0 += 1;
            }
        }
        let Some((&crate_root, _)) = weight
            .iter()
            .max_by_key(|(root, count)| (**count, std::cmp::Reverse(**root)))
        else {
            return Err(Error::Move {
                message: format!("service `{}` has no module to move", port.service),
            });
        };
        let (service, left_behind): (BTreeSet<usize>, BTreeSet<usize>) = service
            .into_iter()
            .partition(|&module| crate_of[module] == crate_root);
        if service.contains(&crate_root) {
            return Err(Error::Move {
                message: format!(
                    "service `{}` holds its crate's root `{}`: move its other modules, or pin the root out of it in the plan",
                    port.service, modules[crate_root].id
                ),
            });
        }
        let items: HashMap<&str, &CodeItem> = model
            .items
            .iter()
            .map(|item| (item.path.as_str(), item))
            .collect();
        let mut graph = Graph {
            modules,
            by_id,
            parent,
            children,
            side,
            owner,
            crate_root,
            crate_of,
            service,
            left_behind,
            items,
            outgoing: Vec::new(),
            builds: model
                .references
                .iter()
                .filter(|reference| matches!(reference.kind.as_str(), "construct" | "call"))
                .map(|reference| (reference.from.as_str(), reference.to.as_str()))
                .collect(),
            frameworks: model
                .handlers
                .iter()
                .map(|handler| (handler.handler.as_str(), handler.framework.as_str()))
                .collect(),
        };
        let mut outgoing = vec![Vec::new(); graph.modules.len()];
        for reference in &model.references {
            if let Some(from) = graph.module_of(&reference.from) {
                outgoing[from].push((reference.from.as_str(), reference.to.as_str()));
            }
        }
        graph.outgoing = outgoing;
        Ok(graph)
    }

    /// The module a path (a module id or an item path) lies in.
    fn module_of(&self, path: &str) -> Option<usize> {
        if let Some(&module) = self.by_id.get(path) {
            return Some(module);
        }
        if let Some(item) = self.items.get(path) {
            return self.by_id.get(item.module.as_str()).copied();
        }
        let mut rest = path;
        while let Some((head, _)) = rest.rsplit_once("::") {
            if let Some(&module) = self.by_id.get(head) {
                return Some(module);
            }
            rest = head;
        }
        None
    }

    fn subtree(&self, module: usize) -> Vec<usize> {
        let mut out = vec![module];
        let mut idx = 0;
        while idx < out.len() {
            out.extend(self.children[out[idx]].iter().copied());
            idx += 1;
        }
        out
    }

    /// Whether `module` is in the crate that moves (the rest is reached through dependencies).
    fn in_moved_crate(&self, module: usize) -> bool {
        self.crate_of[module] == self.crate_root
    }

    fn is_inline(&self, module: usize) -> bool {
        self.parent[module]
            .is_some_and(|parent| self.modules[parent].file == self.modules[module].file)
    }

    fn handler_framework(&self, handler: &str) -> Option<&'m str> {
        self.frameworks.get(handler).copied()
    }

    fn handler_is_moved(&self, handler: &str) -> bool {
        self.module_of(handler)
            .is_some_and(|module| self.service.contains(&module))
    }

    /// Whether `module` and its submodules can be carried as written: nothing in them uses a
    /// service's code.
    fn whole_ok(&self, module: usize) -> bool {
        module != self.crate_root
            && self.subtree(module).iter().all(|&inner| {
                self.side[inner] == Side::Free
                    && self.outgoing[inner].iter().all(|(_, to)| {
                        self.module_of(to).is_none_or(|target| {
                            self.side[target] == Side::Free || !self.in_moved_crate(target)
                        })
                    })
            })
    }

    /// What the moved code needs, carried.
    fn carry(&self) -> Carry<'m> {
        let mut carry = Carry {
            whole: BTreeSet::new(),
            items: BTreeMap::new(),
            cross: Vec::new(),
            other_crates: BTreeSet::new(),
            findings: Vec::new(),
        };
        let mut queue: Vec<(&'m str, &'m str)> = Vec::new();
        for &module in &self.service {
            queue.extend(self.outgoing[module].iter().copied());
        }
        let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
        while let Some((from, to)) = queue.pop() {
            if !seen.insert((from, to)) {
                continue;
            }
            let Some(target) = self.module_of(to) else {
                continue;
            };
            let from_module = self.module_of(from);
            let from_moved = from_module.is_some_and(|module| self.service.contains(&module));
            if !self.in_moved_crate(target) {
                // Another crate of the monolith: a dependency of the moved crate already.
                carry.other_crates.insert(self.crate_of[target]);
                if self.side[target] != Side::Other {
                    continue;
                }
            }
            match self.side[target] {
                Side::Moved => {
                    if !from_moved {
                        let (file, line) = self.place_of(from);
                        carry.findings.push(Finding {
                            class: Class::Blocked,
                            what: format!(
                                "`{from}`, carried into the kernel crate, uses `{to}` of the service itself"
                            ),
                            fix: "move that code into the service, or the used item out of it"
                                .to_string(),
                            file,
                            line,
                        });
                    }
                }
                Side::Other => {
                    let (file, line) = self.place_of(from);
                    let service = &self.owner[target];
                    carry
                        .cross
                        .push((from.to_string(), to.to_string(), service.clone()));
                    carry.findings.push(Finding {
                        class: Class::Blocked,
                        what: format!("`{from}` uses `{to}` of service `{service}`"),
                        fix: format!(
                            "call it through the `{service}` client (`ficus generate {service}`), or move it first"
                        ),
                        file,
                        line,
                    });
                }
                Side::Free => {
                    if self.is_carried_whole(&carry, target) {
                        continue;
                    }
                    // The highest ancestor below the crate root that can go whole.
                    let mut chain = Vec::new();
                    let mut up = Some(target);
                    while let Some(module) = up {
                        if module == self.crate_root {
                            break;
                        }
                        chain.push(module);
                        up = self.parent[module];
                    }
                    if let Some(&whole) = chain.iter().rev().find(|&&module| self.whole_ok(module))
                    {
                        carry.whole.insert(whole);
                        self.shells(&mut carry, whole);
                        for inner in self.subtree(whole) {
                            queue.extend(self.outgoing[inner].iter().copied());
                        }
                        continue;
                    }
                    // Item by item.
                    self.shells(&mut carry, target);
                    carry.items.entry(target).or_default();
                    if self.by_id.contains_key(to) {
                        continue;
                    }
                    let item = self.items.get(to).map_or(to, |item| item.path.as_str());
                    if carry.items.entry(target).or_default().insert(item) {
                        // Its own uses, and those of its methods.
                        for &(ref_from, ref_to) in &self.outgoing[target] {
                            if ref_from == item
                                || ref_from
                                    .strip_prefix(item)
                                    .is_some_and(|rest| rest.starts_with("::"))
                            {
                                queue.push((ref_from, ref_to));
                            }
                        }
                    }
                }
            }
        }
        for &module in &self.left_behind {
            let source = self.modules[module];
            carry.findings.push(Finding {
                class: Class::NeedsChange,
                what: format!(
                    "`{}` belongs to the service but lies in crate `{}`, which does not move: the service uses it through a path dependency on that crate",
                    source.id, self.modules[self.crate_of[module]].path
                ),
                fix: "move that crate's part with a second `--move` of its own, or merge it into the moved crate".to_string(),
                file: source.file.clone(),
                line: source.line,
            });
        }
        // A whole module's shell entry is redundant.
        carry
            .items
            .retain(|module, _| !carry.whole.contains(module));
        carry
    }

    fn is_carried_whole(&self, carry: &Carry<'_>, module: usize) -> bool {
        let mut up = Some(module);
        while let Some(current) = up {
            if carry.whole.contains(&current) {
                return true;
            }
            up = self.parent[current];
        }
        false
    }

    /// Marks `module`'s ancestors as carried modules (holding at least their child).
    fn shells(&self, carry: &mut Carry<'m>, module: usize) {
        let mut up = self.parent[module];
        while let Some(current) = up {
            carry.items.entry(current).or_default();
            up = self.parent[current];
        }
    }

    /// File and line of an item (or module) path.
    fn place_of(&self, path: &str) -> (String, u32) {
        if let Some(item) = self.items.get(path) {
            return (item.file.clone(), item.line);
        }
        match self.module_of(path) {
            Some(module) => (self.modules[module].file.clone(), self.modules[module].line),
            None => (String::new(), 0),
        }
    }

    /// The files of `modules` and their submodules that are files of their own, sorted.
    fn files_of(&self, modules: impl Iterator<Item = usize>) -> Vec<String> {
        let mut files = BTreeSet::new();
        for module in modules {
            for inner in self.subtree(module) {
                if !self.is_inline(inner) {
                    files.insert(self.modules[inner].file.clone());
                }
            }
        }
        files.into_iter().collect()
    }

    /// Items of the service's `lib.rs` declaring the moved modules whose parent does not
    /// move. Modules above them that stay in the monolith are declared inline around them
    /// (so the files' layout matches); where the kernel crate has such a module, its content
    /// is re-exported inside. A moved inline module is copied as its `mod` block.
    fn module_decls(
        &self,
        carry: &Carry<'_>,
        kernel_crate: Option<&str>,
        sources: &mut SourceFiles,
    ) -> Result<Vec<String>, Error> {
        let tops: Vec<usize> = self
            .service
            .iter()
            .copied()
            .filter(|&module| {
                self.parent[module].is_some_and(|parent| !self.service.contains(&parent))
            })
            .collect();
        let mut children: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for &top in &tops {
            let mut current = top;
            while let Some(parent) = self.parent[current] {
                children.entry(parent).or_default().insert(current);
                if parent == self.crate_root {
                    break;
                }
                current = parent;
            }
        }
        let mut decls = Vec::new();
        for &child in children.get(&self.crate_root).into_iter().flatten() {
            decls.push(self.render_decl(child, &children, carry, kernel_crate, sources)?);
        }
        Ok(decls)
    }

    fn render_decl(
        &self,
        module: usize,
        children: &BTreeMap<usize, BTreeSet<usize>>,
        carry: &Carry<'_>,
        kernel_crate: Option<&str>,
        sources: &mut SourceFiles,
    ) -> Result<String, Error> {
        let name = last_segment(&self.modules[module].path);
        if self.service.contains(&module) {
            if !self.is_inline(module) {
                return Ok(format!("pub mod {name};"));
            }
            let source = self.modules[module];
            let text = sources.text(&source.file)?;
            let tree = sources.tree(&source.file)?;
            return Ok(match inline_module(&tree, name, source.line) {
                Some(block) => text::text_of(&text, block).to_string(),
                None => format!("pub mod {name} {{}}"),
            });
        }
        let mut out = format!("pub mod {name} {{\n");
        if let Some(kernel) = kernel_crate
            && carry.items.contains_key(&module)
        {
            let root = &self.modules[self.crate_root].path;
            let path = self.modules[module].path.replacen(root.as_str(), kernel, 1);
            out.push_str(&format!("#[allow(unused_imports)]\npub use {path}::*;\n"));
        }
        for &child in children.get(&module).into_iter().flatten() {
            out.push_str(&self.render_decl(child, children, carry, kernel_crate, sources)?);
            out.push('\n');
        }
        out.push('}');
        Ok(out)
    }

    /// The text of a module of which only `items` are carried: the `use` paths that still
    /// resolve, its carried submodules, the items and the impl blocks of carried types.
    fn carried_file(
        &self,
        module: usize,
        items: &BTreeSet<&str>,
        carry: &Carry<'_>,
        sources: &mut SourceFiles,
        findings: &mut Vec<Finding>,
    ) -> Result<String, Error> {
        let source = self.modules[module];
        let text = sources.text(&source.file)?;
        let tree = sources.tree(&source.file)?;
        let mut out = String::new();
        out.push_str(&format!(
            "// Carried by `ficus generate --move` from {}: only what the moved code uses.\n",
            source.file
        ));
        let names: BTreeMap<&str, &str> = items
            .iter()
            .map(|path| {
                let local = path
                    .strip_prefix(source.id.as_str())
                    .and_then(|rest| rest.strip_prefix("::"))
                    .unwrap_or(path);
                (local, *path)
            })
            .collect();
        // Uses whose target is carried, moved, or outside the crate.
        let mut uses = Vec::new();
        for item in &tree.items {
            let syn::Item::Use(item_use) = item else {
                continue;
            };
            let visibility = match &item_use.vis {
                syn::Visibility::Inherited => String::new(),
                other => format!("{} ", quote::ToTokens::to_token_stream(other)),
            };
            for leaf in text::use_leaves(&item_use.tree) {
                if self.use_resolves(module, &leaf, carry) {
                    uses.push(leaf.to_item(&visibility, item_use.leading_colon.is_some()));
                }
            }
        }
        if !uses.is_empty() {
            for item in uses {
                out.push_str("#[allow(unused_imports)]\n");
                out.push_str(&item);
                out.push('\n');
            }
            out.push('\n');
        }
        // Carried submodules.
        for &child in &self.children[module] {
            if carry.whole.contains(&child) || carry.items.contains_key(&child) {
                let name = last_segment(&self.modules[child].path);
                if self.is_inline(child) {
                    // Its `mod` block, as written, when it goes whole.
                    if carry.whole.contains(&child)
                        && let Some(block) = tree.items.iter().find(|item| {
                            matches!(item, syn::Item::Mod(m) if m.ident == name && m.content.is_some())
                        })
                    {
                        out.push_str(text::text_of(&text, block));
                        out.push_str("\n\n");
                    } else {
                        findings.push(Finding {
                            class: Class::NeedsChange,
                            what: format!(
                                "inline module `{}` is used in part; carrying part of an inline module is not supported",
                                self.modules[child].id
                            ),
                            fix: "move it to a file of its own, or copy what is used by hand"
                                .to_string(),
                            file: self.modules[child].file.clone(),
                            line: self.modules[child].line,
                        });
                    }
                } else {
                    out.push_str(&format!("pub mod {name};\n"));
                }
            }
        }
        // The items, and impl blocks of carried types.
        for item in &tree.items {
            match item {
                syn::Item::Impl(block) => {
                    let Some(self_name) = type_name(&block.self_ty) else {
                        continue;
                    };
                    if !names.contains_key(self_name.as_str()) {
                        continue;
                    }
                    out.push('\n');
                    out.push_str(&self.carried_impl(&text, block, source, &self_name, findings));
                    out.push('\n');
                }
                other => {
                    let Some(name) = item_name(other) else {
                        continue;
                    };
                    if names.contains_key(name.as_str()) {
                        out.push('\n');
                        out.push_str(text::text_of(&text, other));
                        out.push('\n');
                    }
                }
            }
        }
        Ok(out)
    }

    /// An impl block of a carried type, without the methods that use a service's code.
    fn carried_impl(
        &self,
        text: &str,
        block: &syn::ItemImpl,
        source: &ModuleSource,
        self_name: &str,
        findings: &mut Vec<Finding>,
    ) -> String {
        let whole = text::text_of(text, block);
        let mut dropped = Vec::new();
        for impl_item in &block.items {
            let syn::ImplItem::Fn(method) = impl_item else {
                continue;
            };
            let path = format!("{}::{self_name}::{}", source.id, method.sig.ident);
            let uses_service = self
                .by_id
                .get(source.id.as_str())
                .map(|&module| &self.outgoing[module])
                .into_iter()
                .flatten()
                .filter(|(from, _)| *from == path)
                .any(|(_, to)| {
                    self.module_of(to)
                        .is_some_and(|target| self.side[target] != Side::Free)
                });
            if uses_service {
                dropped.push(method);
            }
        }
        if dropped.is_empty() {
            return whole.to_string();
        }
        // Cut the dropped methods out of the block's text.
        let block_start = text::offset(text, syn::spanned::Spanned::span(block).start());
        let mut cuts: Vec<(usize, usize)> = dropped
            .iter()
            .map(|method| {
                let span = syn::spanned::Spanned::span(*method);
                (
                    text::offset(text, span.start()) - block_start,
                    text::offset(text, span.end()) - block_start,
                )
            })
            .collect();
        cuts.sort_unstable();
        let mut out = String::new();
        let mut last = 0;
        for (start, end) in cuts {
            out.push_str(&whole[last..start]);
            last = end;
        }
        out.push_str(&whole[last..]);
        for method in dropped {
            findings.push(Finding {
                class: Class::NeedsChange,
                what: format!(
                    "`{self_name}::{}` uses a service's code and was left out of the kernel crate",
                    method.sig.ident
                ),
                fix: "write what the service needs of it by hand".to_string(),
                file: source.file.clone(),
                line: method.sig.ident.span().start().line as u32,
            });
        }
        out
    }

    /// Whether a `use` path of `module` names something the kernel crate has, or something
    /// outside the monolith's crate.
    fn use_resolves(&self, module: usize, leaf: &text::UseLeaf, carry: &Carry<'_>) -> bool {
        let Some(first) = leaf.segments.first() else {
            return false;
        };
        let mut base: Vec<String> = match first.as_str() {
            "crate" => vec![self.modules[self.crate_root].path.clone()],
            "self" => vec![self.modules[module].path.clone()],
            "super" => {
                let mut current = module;
                for segment in &leaf.segments {
                    if segment != "super" {
                        break;
                    }
                    match self.parent[current] {
                        Some(up) => current = up,
                        None => return false,
                    }
                }
                vec![self.modules[current].path.clone()]
            }
            name => {
                // A name of the module's own scope (a child module), or another crate.
                let child = self.children[module]
                    .iter()
                    .find(|&&child| last_segment(&self.modules[child].path) == name);
                match child {
                    Some(_) => vec![self.modules[module].path.clone()],
                    None => return name != self.modules[self.crate_root].path,
                }
            }
        };
        let skip = leaf
            .segments
            .iter()
            .take_while(|segment| matches!(segment.as_str(), "crate" | "self" | "super"))
            .count();
        base.extend(leaf.segments[skip..].iter().cloned());
        let target = base.join("::");
        if target == self.modules[self.crate_root].path {
            return false;
        }
        // A module, or an item, the kernel crate has.
        if let Some(&target_module) = self.by_id.get(target.as_str()) {
            return self.is_carried_whole(carry, target_module)
                || carry.items.contains_key(&target_module);
        }
        let Some(target_module) = self.module_of(&target) else {
            return false;
        };
        if self.is_carried_whole(carry, target_module) {
            return true;
        }
        carry.items.get(&target_module).is_some_and(|items| {
            // An item, or an enum's variant: its type is carried.
            items.iter().any(|item| {
                *item == target
                    || target
                        .strip_prefix(*item)
                        .is_some_and(|rest| rest.starts_with("::"))
            })
        })
    }

    /// The type the moved handlers take as `State<T>`, as a monolith path.
    fn state_type(
        &self,
        handlers: &BTreeMap<String, String>,
        sources: &mut SourceFiles,
    ) -> Result<Option<String>, Error> {
        let mut found: BTreeSet<String> = BTreeSet::new();
        for handler in handlers.keys() {
            let Some(item) = self.items.get(handler.as_str()) else {
                continue;
            };
            let tree = sources.tree(&item.file)?;
            let name = last_segment(handler);
            let Some(state) = state_param(&tree, name, item.line) else {
                continue;
            };
            // The state type's path, as the handler's references resolve it.
            let module = self.module_of(handler);
            let resolved = module
                .into_iter()
                .flat_map(|module| self.outgoing[module].iter())
                .filter(|(from, _)| *from == handler.as_str())
                .map(|(_, to)| *to)
                .find(|to| last_segment(to) == state);
            if let Some(path) = resolved {
                found.insert(path.to_string());
            }
        }
        Ok(found.into_iter().next())
    }

    /// Where code outside the service constructs `state` or calls its functions (its
    /// constructors), not counting the state type's own code.
    fn built_at(&self, state: &str) -> Vec<String> {
        let within = |path: &str, base: &str| {
            path == base
                || path
                    .strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with("::"))
        };
        let mut places = BTreeSet::new();
        for &(from, to) in &self.builds {
            let outside = self
                .module_of(from)
                .is_some_and(|module| !self.service.contains(&module));
            if outside && within(to, state) && !within(from, state) {
                let (file, line) = self.place_of(from);
                places.insert(format!("`{from}` ({file}:{line})"));
            }
        }
        places.into_iter().collect()
    }
}

/// The first item of `tree`, at any depth, that `pick` takes.
fn find_item<'t, T: 't>(
    tree: &'t syn::File,
    pick: impl FnMut(&'t syn::Item) -> Option<&'t T>,
) -> Option<&'t T> {
    struct Finder<'t, T, P> {
        pick: P,
        found: Option<&'t T>,
    }
    impl<'t, T, P: FnMut(&'t syn::Item) -> Option<&'t T>> syn::visit::Visit<'t> for Finder<'t, T, P> {
        fn visit_item(&mut self, item: &'t syn::Item) {
            if self.found.is_none() {
                self.found = (self.pick)(item);
                syn::visit::visit_item(self, item);
            }
        }
    }
    let mut finder = Finder { pick, found: None };
    syn::visit::Visit::visit_file(&mut finder, tree);
    finder.found
}

/// The inline `mod` block named `name` whose `mod` item is on `line`, at any depth of `tree`.
fn inline_module<'t>(tree: &'t syn::File, name: &str, line: u32) -> Option<&'t syn::ItemMod> {
    find_item(tree, |item| match item {
        syn::Item::Mod(module) if module.content.is_some() && module.ident == name => {
            let lines = [
                module.ident.span().start().line as u32,
                module.mod_token.span.start().line as u32,
                syn::spanned::Spanned::span(module).start().line as u32,
            ];
            lines.contains(&line).then_some(module)
        }
        _ => None,
    })
}

/// The last name of a type's path (`AppState` for `crate::app::AppState<T>`).
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The name an item defines, for the items the move carries by name.
fn item_name(item: &syn::Item) -> Option<String> {
    Some(
        match item {
            syn::Item::Const(item) => &item.ident,
            syn::Item::Enum(item) => &item.ident,
            syn::Item::Fn(item) => &item.sig.ident,
            syn::Item::Static(item) => &item.ident,
            syn::Item::Struct(item) => &item.ident,
            syn::Item::Trait(item) => &item.ident,
            syn::Item::Type(item) => &item.ident,
            syn::Item::Union(item) => &item.ident,
            syn::Item::Macro(item) => item.ident.as_ref()?,
            _ => return None,
        }
        .to_string(),
    )
}

/// The `T` of a `State<T>` parameter of the function `name` whose name is on `line`.
fn state_param(tree: &syn::File, name: &str, line: u32) -> Option<String> {
    let function = find_item(tree, |item| match item {
        syn::Item::Fn(function)
            if function.sig.ident == name
                && function.sig.ident.span().start().line as u32 == line =>
        {
            Some(function)
        }
        _ => None,
    })?;
    function.sig.inputs.iter().find_map(|input| {
        let syn::FnArg::Typed(typed) = input else {
            return None;
        };
        let syn::Type::Path(path) = &*typed.ty else {
            return None;
        };
        let last = path.path.segments.last()?;
        if last.ident != "State" {
            return None;
        }
        match &last.arguments {
            syn::PathArguments::AngleBracketed(args) => match args.args.first() {
                Some(syn::GenericArgument::Type(inner)) => type_name(inner),
                _ => None,
            },
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_table_is_found_in_its_spellings() {
        assert!(creates_table(
            "CREATE TABLE products (id INTEGER);",
            "products"
        ));
        assert!(creates_table(
            "create table if not exists \"products\"(id int);",
            "products"
        ));
        assert!(creates_table(
            "CREATE TABLE shop.products (id int)",
            "products"
        ));
        assert!(!creates_table(
            "CREATE TABLE product_tags (id int)",
            "products"
        ));
        assert!(!creates_table("SELECT * FROM products", "products"));
    }

    #[test]
    fn private_modules_and_handlers_are_opened_up() {
        let text = "mod a;\npub mod b;\nasync fn list() {}\nfn helper() {}\n";
        let tree = syn::parse_file(text).unwrap();
        assert_eq!(
            open_up(text, &tree, &[("list", 3)]),
            "pub(crate) mod a;\npub mod b;\npub(crate) async fn list() {}\nfn helper() {}\n"
        );
    }
}
