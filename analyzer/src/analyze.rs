//! The analysis pipeline: load -> parse in parallel -> module trees -> name resolution ->
//! graph -> the output model.
//!
//! Partial success is normal: every problem with one file or manifest becomes a diagnostic in
//! the result and the rest goes on. Only a missing root or a thread pool that cannot start
//! stop the run.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::Error;
use crate::facts::{ModFacts, Visibility};
use crate::manifest::{self, Package};
use crate::model::{self, Analysis, Diagnostic, Stats};
use crate::modtree::{self, Forest};
use crate::parse::{self, FileFacts};
use crate::resolve::{self, Def, EntryKind, Index, Want};
use crate::settings::{Progress, Settings};
use crate::site::{Resolve, ResolvedItem, Site};
use crate::{data, graph, load, routes};

/// Analyses the folder `settings.root`.
pub fn analyze(settings: &Settings, progress: &dyn Progress) -> Result<Analysis, Error> {
    let started = Instant::now();
    let root = settings.root.as_path();
    if !root.exists() {
        return Err(Error::RootNotFound {
            path: root.to_path_buf(),
        });
    }
    if !root.is_dir() {
        return Err(Error::RootNotADirectory {
            path: root.to_path_buf(),
        });
    }
    let threads = settings.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(parse::PARSE_STACK_BYTES)
        .thread_name(|idx| format!("ficus-parse-{idx}"))
        .build()
        .map_err(|source| Error::ThreadPool { threads, source })?;

    let mut phase = PhaseTimer::start();
    let (inventory, mut diagnostics) = load::walk(root);
    phase.done("walk");
    progress.files_found(inventory.rust_files.len() as u64);
    // Manifests are read while the sources are parsed: on few cores a serial step after
    // the parallel parse would add its whole time to the run.
    let rust_set: HashSet<&str> = inventory.rust_files.iter().map(String::as_str).collect();
    let mut parse_diagnostics = Vec::new();
    let (mut files, (packages, manifest_diagnostics)): (HashMap<String, FileFacts>, _) = pool
        .install(|| {
            rayon::join(
                || {
                    parse_all(
                        &pool,
                        root,
                        &inventory.rust_files,
                        progress,
                        &mut parse_diagnostics,
                    )
                },
                || {
                    manifest::read_packages(
                        &inventory.manifests,
                        &|relative| load::read_text(root, relative),
                        &rust_set,
                    )
                },
            )
        });
    diagnostics.append(&mut parse_diagnostics);
    diagnostics.extend(manifest_diagnostics);
    phase.done("parse and manifests");

    // Module declarations can point at files the walk did not collect (`#[path]` into an
    // ignored folder): load those and build again. Each round adds files, so it ends.
    let mut forest = loop {
        let forest = modtree::build(
            &packages,
            settings.all_targets,
            &|relative| files.get(relative).map(|file| &file.facts),
            &|relative| load::is_file(root, relative),
        );
        let missing: Vec<String> = forest
            .wanted
            .iter()
            .filter(|file| !files.contains_key(*file))
            .cloned()
            .collect();
        if missing.is_empty() {
            break forest;
        }
        let extra = parse_all(&pool, root, &missing, progress, &mut diagnostics);
        files.extend(extra);
    };
    modtree::assign_ids(&mut forest, &packages);
    phase.done("module trees");
    diagnostics.append(&mut forest.diagnostics);

    let module_facts: Vec<Option<&ModFacts>> = forest
        .modules
        .iter()
        .map(|module| {
            files
                .get(&module.file)
                .and_then(|file| descend(&file.facts, &module.inline))
        })
        .collect();
    let facts_of = |module: usize| module_facts.get(module).copied().flatten();
    let analysed = |module: usize| forest.targets[forest.modules[module].target].analysed;
    // The item list is built from the facts while names are resolved, so that its work
    // fills the serial steps of name resolution (the import fixpoint, indexing impls).
    let (index, items) = pool.install(|| {
        rayon::join(
            || Index::build(&forest, &packages, &facts_of),
            || items(&forest, &facts_of, &analysed),
        )
    });
    phase.done("name resolution and items");
    let (edges, external_uses, tasks) =
        pool.install(|| graph::edges(&index, &facts_of, &analysed, settings.granularity));
    phase.done("edges");

    let crates = crates(&packages, &forest);
    let modules = modules(&forest, &analysed);
    let orphans = orphans(&packages, &forest, &inventory.rust_files);
    let mut analysis = Analysis {
        schema_version: model::SCHEMA_VERSION,
        granularity: settings.granularity.as_str().to_string(),
        crates,
        modules,
        items,
        edges,
        external_uses,
        tasks,
        orphans,
        ..Analysis::default()
    };
    phase.done("modules and orphans");
    let resolver = SiteResolver::new(&index, &module_facts, &analysed);
    let analysed_files: BTreeSet<&str> = forest
        .modules
        .iter()
        .enumerate()
        .filter(|(idx, _)| analysed(*idx))
        .map(|(_, module)| module.file.as_str())
        .collect();
    let route_inputs: Vec<(&str, &routes::FileRoutes)> = analysed_files
        .iter()
        .filter_map(|file| Some((*file, &files.get(*file)?.routes)))
        .collect();
    let assembled = routes::assemble(&route_inputs, &resolver);
    analysis.routes = assembled.routes;
    analysis.route_coverage = assembled.coverage;
    diagnostics.extend(assembled.diagnostics);
    phase.done("routes");

    let schemas = read_schemas(&pool, root, &inventory.sql_files, &mut diagnostics);
    let data_inputs: Vec<(&str, &data::FileData)> = analysed_files
        .iter()
        .filter_map(|file| Some((*file, &files.get(*file)?.data)))
        .collect();
    let data = data::assemble(&data_inputs, &schemas, &resolver);
    analysis.tables = data.tables;
    analysis.foreign_keys = data.foreign_keys;
    analysis.accesses = data.accesses;
    diagnostics.extend(data.diagnostics);
    phase.done("data access");

    diagnostics.sort();
    diagnostics.dedup();
    analysis.stats = Stats {
        files: (files.len() + inventory.sql_files.len()) as u64,
        lines: files.values().map(|file| u64::from(file.lines)).sum(),
        parse_errors: files.values().filter(|file| file.failed).count() as u64,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    analysis.diagnostics = diagnostics;
    // Facts are millions of small allocations, and freeing them took a twentieth of the
    // analysis. The index borrows them, so it goes first, on every core; the facts are freed
    // on a thread of their own, so that the caller has the analysis meanwhile (the CLI writes
    // its output while they go).
    drop(resolver);
    drop(module_facts);
    pool.install(|| index.drop_in_parallel());
    free_in_background(files);
    phase.done("free");
    Ok(analysis)
}

/// Drops `value` on a new thread. If no thread can be started, `spawn` drops it here.
fn free_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("ficus-free".to_string())
        .spawn(move || drop(value));
}

/// Logs how long each phase took (`-v` shows them).
struct PhaseTimer {
    last: Instant,
}

impl PhaseTimer {
    fn start() -> PhaseTimer {
        PhaseTimer {
            last: Instant::now(),
        }
    }

    fn done(&mut self, phase: &str) {
        let now = Instant::now();
        tracing::info!(
            phase,
            elapsed_ms = (now - self.last).as_millis() as u64,
            "analysis phase done"
        );
        self.last = now;
    }
}

fn parse_all(
    pool: &rayon::ThreadPool,
    root: &Path,
    relative_paths: &[String],
    progress: &dyn Progress,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashMap<String, FileFacts> {
    let parsed: Vec<(String, FileFacts, Option<Diagnostic>)> = pool.install(|| {
        relative_paths
            .par_iter()
            .map(|relative| {
                let (facts, diagnostic) = parse::parse_file(root, relative);
                progress.file_parsed();
                (relative.clone(), facts, diagnostic)
            })
            .collect()
    });
    let mut files = HashMap::with_capacity(parsed.len());
    for (relative, facts, diagnostic) in parsed {
        diagnostics.extend(diagnostic);
        files.insert(relative, facts);
    }
    files
}

/// Tables and foreign keys from the SQL files that hold schema (migrations).
fn read_schemas(
    pool: &rayon::ThreadPool,
    root: &Path,
    sql_files: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<data::SqlSchema> {
    let results: Vec<Result<data::SqlSchema, Diagnostic>> = pool.install(|| {
        sql_files
            .par_iter()
            .filter(|file| data::is_schema_file(file))
            .map(|file| load::read_text(root, file).map(|text| data::schema_from_sql(file, &text)))
            .collect()
    });
    let mut schemas = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(schema) => schemas.push(schema),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    schemas
}

/// The facts of the inline module `inline` inside a file's top-level facts.
fn descend<'a>(facts: &'a ModFacts, inline: &[String]) -> Option<&'a ModFacts> {
    let mut current = facts;
    for name in inline {
        current = current
            .mods
            .iter()
            .find(|decl| &decl.name == name)?
            .inline
            .as_deref()?;
    }
    Some(current)
}

fn crates(packages: &[Package], forest: &Forest) -> Vec<model::Crate> {
    let internal: HashSet<&str> = packages
        .iter()
        .map(|package| package.name.as_str())
        .collect();
    let mut crates: Vec<model::Crate> = packages
        .iter()
        .enumerate()
        .map(|(package_idx, package)| {
            let mut targets: Vec<model::Target> = forest
                .targets
                .iter()
                .filter(|target| target.package == package_idx)
                .map(|target| model::Target {
                    kind: target.spec.kind.as_str().to_string(),
                    name: target.spec.name.clone(),
                    root: target.spec.root.clone(),
                    analysed: target.analysed,
                })
                .collect();
            targets.sort();
            let dependencies = package
                .dependencies
                .iter()
                .map(|dependency| model::Dependency {
                    name: dependency.name.clone(),
                    package: dependency.package.clone(),
                    kind: dependency.kind.to_string(),
                    internal: internal.contains(dependency.package.as_str()),
                })
                .collect();
            model::Crate {
                name: package.name.clone(),
                root: if package.dir.is_empty() {
                    ".".to_string()
                } else {
                    package.dir.clone()
                },
                manifest: package.manifest.clone(),
                version: package.version.clone(),
                workspace: package.workspace.clone(),
                targets,
                dependencies,
            }
        })
        .collect();
    crates.sort();
    crates
}

fn modules(forest: &Forest, analysed: &dyn Fn(usize) -> bool) -> Vec<model::Module> {
    let package_of = |module: &modtree::ModuleNode| forest.targets[module.target].package;
    let mut modules: Vec<model::Module> = forest
        .modules
        .iter()
        .enumerate()
        .filter(|(idx, _)| analysed(*idx))
        .map(|(_, module)| model::Module {
            id: module.id.clone(),
            path: module.path.clone(),
            krate: package_name(forest, package_of(module)),
            file: module.file.clone(),
            line: module.line,
            parent: module
                .parent
                .map(|parent| forest.modules[parent].id.clone()),
            cfg: module.cfg.clone(),
            lines: module.lines,
        })
        .collect();
    modules.sort();
    modules.dedup_by(|a, b| a.id == b.id);
    modules
}

fn package_name(forest: &Forest, package: usize) -> String {
    forest
        .package_names
        .get(package)
        .cloned()
        .unwrap_or_default()
}

/// The analysed code's items outside function bodies, sorted by path: the entries name
/// resolution indexes (`Index::items`), read from the same facts, so that the list is built
/// while names are resolved rather than after.
fn items<'f>(
    forest: &Forest,
    facts_of: &(dyn Fn(usize) -> Option<&'f ModFacts> + Sync),
    analysed: &(dyn Fn(usize) -> bool + Sync),
) -> Vec<model::Item> {
    let mut items: Vec<model::Item> = (0..forest.modules.len())
        .into_par_iter()
        .filter(|&module| analysed(module))
        .filter_map(|module| Some((module, facts_of(module)?)))
        .flat_map_iter(|(module, facts)| {
            let node = &forest.modules[module];
            let item = move |name: &str, kind: EntryKind, visibility: &Visibility, line: u32| {
                model::Item {
                    path: format!("{}::{name}", node.id),
                    kind: kind.as_str().to_string(),
                    visibility: visibility.as_str(),
                    module: node.id.clone(),
                    file: node.file.clone(),
                    line,
                }
            };
            let own = facts
                .items
                .iter()
                .filter(|fact| fact.local_scope.is_none())
                .map(move |fact| {
                    item(
                        &fact.name,
                        EntryKind::Item(fact.kind),
                        &fact.visibility,
                        fact.line,
                    )
                });
            let methods = facts
                .impls
                .iter()
                .filter(|imp| imp.local_scope.is_none())
                .flat_map(move |imp| resolve::method_entries(module, imp))
                .map(move |entry| item(&entry.name, entry.kind, &entry.visibility, entry.line));
            own.chain(methods)
        })
        .collect();
    items.par_sort_unstable();
    items.dedup();
    items
}

/// `.rs` files inside a package folder that no target's module tree includes. Build scripts
/// and files of nested packages are not orphans of the outer one.
fn orphans(packages: &[Package], forest: &Forest, rust_files: &[String]) -> Vec<String> {
    let included: HashSet<&str> = forest
        .modules
        .iter()
        .map(|module| module.file.as_str())
        .collect();
    // Package folders as prefixes (`""` for the root), longest first: the first match owns.
    let mut prefixes: Vec<String> = packages
        .iter()
        .map(|package| {
            if package.dir.is_empty() {
                String::new()
            } else {
                format!("{}/", package.dir)
            }
        })
        .collect();
    prefixes.sort_by_key(|prefix| std::cmp::Reverse(prefix.len()));
    rust_files
        .iter()
        .filter(|file| !included.contains(file.as_str()))
        .filter(|file| {
            match prefixes
                .iter()
                .find(|prefix| file.starts_with(prefix.as_str()))
            {
                // A package's build script is not in a module tree, and not an orphan.
                Some(prefix) => file[prefix.len()..] != *"build.rs",
                None => false,
            }
        })
        .cloned()
        .collect()
}

/// Name resolution as the route and data-access collectors see it.
pub(crate) struct SiteResolver<'a, 'i> {
    index: &'a Index<'i>,
    /// Each module's own facts, by module index.
    facts_of: &'a [Option<&'a ModFacts>],
    /// `(file, inline modules)` -> module, preferring analysed targets.
    modules: HashMap<(&'a str, &'a [String]), usize>,
}

impl<'a, 'i> SiteResolver<'a, 'i> {
    pub(crate) fn new(
        index: &'a Index<'i>,
        facts_of: &'a [Option<&'a ModFacts>],
        analysed: &dyn Fn(usize) -> bool,
    ) -> SiteResolver<'a, 'i> {
        let mut modules: HashMap<(&'a str, &'a [String]), usize> = HashMap::new();
        for (idx, module) in index.forest.modules.iter().enumerate() {
            let key = (module.file.as_str(), module.inline.as_slice());
            match modules.get(&key) {
                Some(&existing) if analysed(existing) || !analysed(idx) => {}
                _ => {
                    modules.insert(key, idx);
                }
            }
        }
        SiteResolver {
            index,
            facts_of,
            modules,
        }
    }

    fn module(&self, file: &str, site: &Site) -> Option<usize> {
        self.modules
            .get(&(file, site.inline_mods.as_slice()))
            .copied()
    }

    /// The self type of the innermost `impl` block around `line` in a module.
    fn self_type_at(&self, module: usize, line: u32) -> Option<&'a Vec<String>> {
        let facts = self.facts_of.get(module).copied().flatten()?;
        facts
            .impls
            .iter()
            .filter(|imp| imp.lines.0 <= line && line <= imp.lines.1)
            .min_by_key(|imp| imp.lines.1 - imp.lines.0)?
            .self_type
            .as_ref()
    }
}

impl Resolve for SiteResolver<'_, '_> {
    fn resolve(&self, file: &str, site: &Site, path: &[String]) -> Option<ResolvedItem> {
        let module = self.module(file, site)?;
        let expanded;
        let path = match path.split_first() {
            // `Self` is the type of the innermost `impl` block around the line.
            Some((first, rest)) if first == "Self" => {
                let self_type = self.self_type_at(module, site.line)?;
                expanded = self_type
                    .iter()
                    .chain(rest)
                    .cloned()
                    .collect::<Vec<String>>();
                expanded.as_slice()
            }
            _ => path,
        };
        let def = self.index.resolve(module, None, path, false, Want::Any)?;
        let index = self.index;
        match def {
            Def::Item(idx) => {
                let item = &index.items[idx];
                let module = &index.forest.modules[item.module];
                Some(ResolvedItem {
                    path: index.item_path(idx),
                    module: module.id.clone(),
                    kind: item.kind.as_str().to_string(),
                    file: module.file.clone(),
                    line: item.line,
                })
            }
            Def::Module(idx) => {
                let module = &index.forest.modules[idx];
                Some(ResolvedItem {
                    path: module.id.clone(),
                    module: module.id.clone(),
                    kind: "mod".to_string(),
                    file: module.file.clone(),
                    line: module.line,
                })
            }
            Def::External(_) => None,
        }
    }

    fn module_at(&self, file: &str, site: &Site) -> Option<String> {
        self.module(file, site)
            .map(|module| self.index.forest.modules[module].id.clone())
    }
}
