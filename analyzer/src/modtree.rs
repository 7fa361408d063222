//! Module trees as rustc builds them: from each target's root file, `mod foo;` leads to
//! `foo.rs` or `foo/mod.rs` (relative to the right folder for `mod.rs`-style and
//! non-`mod.rs`-style files), inline `mod foo { .. }` nests, `#[path = ".."]` overrides, and
//! `#[cfg(..)]`-gated modules are kept with their condition.
//!
//! Works on collected facts only; it reads no file. A declared file that was not collected
//! but exists is returned as wanted, so the caller can load it and build again. Missing files,
//! paths leaving the analysed folder and module cycles become diagnostics.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::ModFacts;
use crate::load::{join_relative, parent_dir};
use crate::manifest::{Package, TargetSpec};
use crate::model::{Diagnostic, Severity};

#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub package: usize,
    pub spec: TargetSpec,
    pub root_module: Option<usize>,
    pub analysed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct ModuleNode {
    /// Unique id (set by [`assign_ids`]).
    pub id: String,
    /// `crate_name::a::b`.
    pub path: String,
    pub target: usize,
    pub file: String,
    /// Inline `mod` blocks inside `file` that lead to this module (empty for a file module).
    pub inline: Vec<String>,
    pub line: u32,
    pub parent: Option<usize>,
    pub cfg: Option<String>,
    pub lines: u32,
    pub children: BTreeMap<String, usize>,
}

#[derive(Debug, Default)]
pub(crate) struct Forest {
    /// Package names, by package index.
    pub package_names: Vec<String>,
    pub targets: Vec<Target>,
    pub modules: Vec<ModuleNode>,
    /// Files that module declarations point to, exist on disk, but were not collected.
    pub wanted: BTreeSet<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Builds every target's module tree. `facts_of` gives a collected file's top-level facts;
/// `exists` says whether a relative path is a file on disk.
pub(crate) fn build<'f>(
    packages: &[Package],
    all_targets: bool,
    facts_of: &dyn Fn(&str) -> Option<&'f ModFacts>,
    exists: &dyn Fn(&str) -> bool,
) -> Forest {
    let mut forest = Forest {
        package_names: packages
            .iter()
            .map(|package| package.name.clone())
            .collect(),
        ..Forest::default()
    };
    for (package_idx, package) in packages.iter().enumerate() {
        for spec in &package.targets {
            let target_idx = forest.targets.len();
            let analysed = all_targets || spec.kind.is_primary();
            forest.targets.push(Target {
                package: package_idx,
                spec: spec.clone(),
                root_module: None,
                analysed,
            });
            let Some(facts) = facts_of(&spec.root) else {
                if exists(&spec.root) {
                    forest.wanted.insert(spec.root.clone());
                }
                continue;
            };
            let root = forest.modules.len();
            forest.modules.push(ModuleNode {
                id: String::new(),
                path: spec.name.clone(),
                target: target_idx,
                file: spec.root.clone(),
                inline: Vec::new(),
                line: 1,
                parent: None,
                cfg: None,
                lines: facts.lines,
                children: BTreeMap::new(),
            });
            forest.targets[target_idx].root_module = Some(root);
            let mut builder = Builder {
                forest: &mut forest,
                facts_of,
                exists,
            };
            builder.expand(root, facts, &mut vec![spec.root.clone()], FileStyle::ModRs);
        }
    }
    forest
}

/// Whether a file's child modules live beside it (`mod.rs`, crate roots, `#[path]` files) or
/// in a folder named after it (`foo.rs` -> `foo/`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileStyle {
    ModRs,
    NonModRs,
}

struct Builder<'a, 'f> {
    forest: &'a mut Forest,
    facts_of: &'a dyn Fn(&str) -> Option<&'f ModFacts>,
    exists: &'a dyn Fn(&str) -> bool,
}

impl<'f> Builder<'_, 'f> {
    /// Adds the children declared in `facts` (the scope of module `parent`). `files` is the
    /// chain of files from the crate root, to detect cycles.
    fn expand(
        &mut self,
        parent: usize,
        facts: &'f ModFacts,
        files: &mut Vec<String>,
        style: FileStyle,
    ) {
        for decl in &facts.mods {
            let node = &self.forest.modules[parent];
            let child_path = format!("{}::{}", node.path, decl.name);
            let (file, inline) = (node.file.clone(), node.inline.clone());
            let target = node.target;
            match &decl.inline {
                Some(body) => {
                    let mut child_inline = inline.clone();
                    child_inline.push(decl.name.clone());
                    let child = self.add(
                        parent,
                        child_path,
                        target,
                        file,
                        child_inline,
                        decl.line,
                        decl.cfg.clone(),
                        body.lines,
                    );
                    self.expand(child, body, files, style);
                }
                None => {
                    let Some(child_file) = self.locate(
                        &file,
                        &inline,
                        style,
                        &decl.name,
                        decl.path_attr.as_deref(),
                        decl.line,
                    ) else {
                        continue;
                    };
                    if files.contains(&child_file) {
                        self.diagnostic(
                            &file,
                            decl.line,
                            format!(
                                "module `{}` includes {child_file} again: a module cycle",
                                decl.name
                            ),
                        );
                        continue;
                    }
                    let Some(child_facts) = (self.facts_of)(&child_file) else {
                        if (self.exists)(&child_file) {
                            self.forest.wanted.insert(child_file);
                        }
                        continue;
                    };
                    let child = self.add(
                        parent,
                        child_path,
                        target,
                        child_file.clone(),
                        Vec::new(),
                        1,
                        decl.cfg.clone(),
                        child_facts.lines,
                    );
                    let child_style = if decl.path_attr.is_some()
                        || child_file.ends_with("/mod.rs")
                        || child_file == "mod.rs"
                    {
                        FileStyle::ModRs
                    } else {
                        FileStyle::NonModRs
                    };
                    files.push(child_file);
                    self.expand(child, child_facts, files, child_style);
                    files.pop();
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)] // a plain constructor of one node
    fn add(
        &mut self,
        parent: usize,
        path: String,
        target: usize,
        file: String,
        inline: Vec<String>,
        line: u32,
        cfg: Option<String>,
        lines: u32,
    ) -> usize {
        let idx = self.forest.modules.len();
        let name = path.rsplit("::").next().unwrap_or_default().to_string();
        self.forest.modules.push(ModuleNode {
            id: String::new(),
            path,
            target,
            file,
            inline,
            line,
            parent: Some(parent),
            cfg,
            lines,
            children: BTreeMap::new(),
        });
        self.forest.modules[parent].children.insert(name, idx);
        idx
    }

    /// The file a `mod name;` declared in `file` (inside inline modules `inline`) refers to.
    fn locate(
        &mut self,
        file: &str,
        inline: &[String],
        style: FileStyle,
        name: &str,
        path_attr: Option<&str>,
        line: u32,
    ) -> Option<String> {
        let file_dir = parent_dir(file);
        let stem = file
            .rsplit('/')
            .next()
            .unwrap_or(file)
            .trim_end_matches(".rs");
        let mut base = match style {
            FileStyle::ModRs => file_dir.to_string(),
            FileStyle::NonModRs => join_relative(file_dir, stem).unwrap_or_default(),
        };
        for part in inline {
            base = join_relative(&base, part).unwrap_or_default();
        }
        if let Some(path) = path_attr {
            // Outside inline blocks a `#[path]` is relative to the file's folder.
            let relative_to = if inline.is_empty() {
                file_dir.to_string()
            } else {
                base
            };
            return match join_relative(&relative_to, path) {
                Some(found) if (self.facts_of)(&found).is_some() || (self.exists)(&found) => {
                    Some(found)
                }
                Some(found) => {
                    self.diagnostic(
                        file,
                        line,
                        format!("file not found for module `{name}`: #[path] points to {found}"),
                    );
                    None
                }
                None => {
                    self.diagnostic(
                        file,
                        line,
                        format!("#[path = {path:?}] of module `{name}` leaves the analysed folder"),
                    );
                    None
                }
            };
        }
        let candidates = [
            join_relative(&base, &format!("{name}.rs")).unwrap_or_default(),
            join_relative(&base, &format!("{name}/mod.rs")).unwrap_or_default(),
        ];
        let found: Vec<&String> = candidates
            .iter()
            .filter(|candidate| (self.facts_of)(candidate).is_some() || (self.exists)(candidate))
            .collect();
        match found.as_slice() {
            [one] => Some((*one).clone()),
            [first, second] => {
                self.diagnostic(
                    file,
                    line,
                    format!("module `{name}` is both {first} and {second}; using {first}"),
                );
                Some((*first).clone())
            }
            _ => {
                self.diagnostic(
                    file,
                    line,
                    format!(
                        "file not found for module `{name}`: expected {} or {}",
                        candidates[0], candidates[1]
                    ),
                );
                None
            }
        }
    }

    fn diagnostic(&mut self, file: &str, line: u32, message: String) {
        self.forest.diagnostics.push(Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            line,
            message,
        });
    }
}

/// Gives every module a unique id: its path, except that a non-library target whose crate
/// name is also a library's gets `name[kind]` as its first segment, and any remaining clash
/// (packages of the same name in different workspaces) a `#2`, `#3`... suffix on the crate
/// segment, in manifest order.
pub(crate) fn assign_ids(forest: &mut Forest, packages: &[Package]) {
    let library_names: BTreeSet<&str> = forest
        .targets
        .iter()
        .filter(|target| target.spec.kind.is_library())
        .map(|target| target.spec.name.as_str())
        .collect();
    let mut crate_ids: Vec<String> = Vec::with_capacity(forest.targets.len());
    let mut taken: BTreeMap<String, u32> = BTreeMap::new();
    let mut order: Vec<usize> = (0..forest.targets.len()).collect();
    order.sort_by(|&a, &b| {
        let (ta, tb) = (&forest.targets[a], &forest.targets[b]);
        (&packages[ta.package].manifest, ta.spec.kind, &ta.spec.name).cmp(&(
            &packages[tb.package].manifest,
            tb.spec.kind,
            &tb.spec.name,
        ))
    });
    crate_ids.resize(forest.targets.len(), String::new());
    for target_idx in order {
        let target = &forest.targets[target_idx];
        let mut base = target.spec.name.clone();
        if !target.spec.kind.is_library() && library_names.contains(base.as_str()) {
            base = format!("{base}[{}]", target.spec.kind.as_str());
        }
        let count = taken.entry(base.clone()).or_insert(0);
        *count += 1;
        crate_ids[target_idx] = if *count == 1 {
            base
        } else {
            format!("{base}#{count}")
        };
    }
    for module in &mut forest.modules {
        let crate_id = &crate_ids[module.target];
        let rest = module.path.split_once("::").map(|(_, rest)| rest);
        module.id = match rest {
            Some(rest) => format!("{crate_id}::{rest}"),
            None => crate_id.clone(),
        };
    }
}
