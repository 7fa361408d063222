//! Name resolution over collected facts, the way rustc resolves paths in the common cases:
//! items per module, `use` trees with renames, groups and globs (resolved to a fixpoint, so
//! `pub use` chains and globs of globs work), `crate::`/`self::`/`super::`, other crates by
//! dependency name (renames included), function-local `use` and items, enum variants,
//! associated functions and methods of inherent and trait impls.
//!
//! It does not do type inference, macro expansion or trait selection. A path that leads into
//! an external crate resolves to that crate's name; one that cannot be resolved is dropped.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::facts::{ImplFact, ItemKind, ModFacts, UseFact, Visibility};
use crate::manifest::Package;
use crate::modtree::{Forest, ModuleNode};

/// What a name or path means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Def {
    Module(usize),
    Item(usize),
    /// Something in a crate outside the analysed code; the index is into `Index::externals`.
    External(usize),
}

/// An item of the analysed code: what the collector found, placed in its module.
#[derive(Debug, Clone)]
pub(crate) struct ItemEntry {
    /// `Type::method` for methods, `Enum::Variant` for variants.
    pub name: String,
    pub kind: EntryKind,
    pub module: usize,
    pub line: u32,
    pub visibility: Visibility,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Item(ItemKind),
    Method,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Item(kind) => kind.as_str(),
            EntryKind::Method => "method",
        }
    }

    fn is_type(self) -> bool {
        matches!(self, EntryKind::Item(kind) if kind.is_type())
    }

    fn is_value(self) -> bool {
        matches!(
            self,
            EntryKind::Method
                | EntryKind::Item(
                    ItemKind::Fn
                        | ItemKind::Const
                        | ItemKind::Static
                        | ItemKind::Variant
                        | ItemKind::Struct
                )
        )
    }
}

/// Which kind of thing a path in this position should name, to choose between a type and a
/// value (or module) of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    Any,
    Type,
    Value,
    Macro,
}

#[derive(Debug, Clone)]
struct Binding {
    def: Def,
    /// Visible outside the module's own subtree (not private).
    exported: bool,
}

/// What one name means in a scope. Nearly every name has one meaning, so it is kept inline:
/// a scope's table then allocates nothing per name, to fill or to free.
type Bindings = smallvec::SmallVec<[Binding; 1]>;

/// Names borrow from the facts and the module tree, which outlive the index, so that
/// placing items and copying globs allocates no strings.
#[derive(Debug, Default, Clone)]
struct Scope<'a> {
    /// Items, child modules and resolved imports.
    names: HashMap<&'a str, Bindings>,
    /// Names brought in by glob imports (shadowed by `names`).
    glob_names: HashMap<&'a str, Bindings>,
    /// Bumped whenever a name is added, so a glob of this scope is copied again only when
    /// there is something new to copy.
    version: u64,
}

/// A resolved `use source::*`, and the version of the source it was last copied at.
struct Glob {
    module: usize,
    local: Option<u32>,
    source: Def,
    exported: bool,
    copied_at: Option<u64>,
}

/// The resolved view of all analysed code.
pub(crate) struct Index<'a> {
    pub forest: &'a Forest,
    pub items: Vec<ItemEntry>,
    /// External crate names (`std`, `serde`, ...), indexed by `Def::External`.
    pub externals: Vec<String>,
    external_ids: HashMap<String, usize>,
    scopes: Vec<Scope<'a>>,
    /// `(module, local scope)` -> names declared in that function body.
    locals: HashMap<(usize, u32), Scope<'a>>,
    /// Per target: extern prelude (dependency name -> def).
    extern_prelude: Vec<HashMap<String, Def>>,
    /// Type item -> method name -> method items.
    methods_by_type: HashMap<usize, HashMap<String, Vec<usize>>>,
    /// Method name -> method items, across all analysed code.
    pub methods_by_name: HashMap<String, Vec<usize>>,
    /// Enum item -> variant name -> variant item.
    variants: HashMap<usize, HashMap<&'a str, usize>>,
    /// Per target: `#[macro_export]` and textual macros by name.
    macros: Vec<HashMap<String, Vec<usize>>>,
    /// Resolved `use` facts: (module, fact index in that module's facts) -> defs.
    pub resolved_uses: HashMap<(usize, usize), Vec<Def>>,
}

/// Names every Rust file sees without importing them (the std prelude and primitive types),
/// resolved as `std`.
const PRELUDE: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "ToString",
    "ToOwned",
    "Clone",
    "Copy",
    "Default",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "AsRef",
    "AsMut",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Debug",
    "Hash",
    "bool",
    "char",
    "str",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
];

/// Crates every crate can name without a dependency.
const SYSROOT: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

impl<'a> Index<'a> {
    /// Builds the index: places items, binds child modules, then resolves imports to a fixpoint.
    pub(crate) fn build(
        forest: &'a Forest,
        packages: &[Package],
        facts_of: &(dyn Fn(usize) -> Option<&'a ModFacts> + Sync),
    ) -> Index<'a> {
        let mut index = Index {
            forest,
            items: Vec::new(),
            externals: Vec::new(),
            external_ids: HashMap::default(),
            scopes: vec![Scope::default(); forest.modules.len()],
            locals: HashMap::default(),
            extern_prelude: Vec::new(),
            methods_by_type: HashMap::default(),
            methods_by_name: HashMap::default(),
            variants: HashMap::default(),
            macros: vec![HashMap::default(); forest.targets.len()],
            resolved_uses: HashMap::default(),
        };
        index.place_items(facts_of);
        index.build_extern_prelude(packages);
        index.resolve_imports(facts_of);
        index.index_impls(facts_of);
        index
    }

    /// Frees the index on every core of the current pool: its items and scopes are
    /// millions of small allocations.
    pub(crate) fn drop_in_parallel(self) {
        let Index {
            items,
            scopes,
            locals,
            ..
        } = self;
        rayon::join(
            || items.into_par_iter().for_each(drop),
            || {
                rayon::join(
                    || scopes.into_par_iter().for_each(drop),
                    || locals.into_par_iter().for_each(drop),
                )
            },
        );
    }

    fn external(&mut self, name: &str) -> Def {
        if let Some(&id) = self.external_ids.get(name) {
            return Def::External(id);
        }
        let id = self.externals.len();
        self.externals.push(name.to_string());
        self.external_ids.insert(name.to_string(), id);
        Def::External(id)
    }

    /// Places every module's items and child modules in its scope. Modules are placed in
    /// parallel (item indices are known up front from the item counts), then merged in module
    /// order, so every table is filled in the same order as a serial pass would.
    fn place_items(&mut self, facts_of: &(dyn Fn(usize) -> Option<&'a ModFacts> + Sync)) {
        let modules = &self.forest.modules;
        let mut first_idx = Vec::with_capacity(modules.len());
        let mut n_items = self.items.len();
        for module in 0..modules.len() {
            first_idx.push(n_items);
            n_items += facts_of(module).map_or(0, |facts| facts.items.len());
        }
        let placed: Vec<PlacedModule> = (0..modules.len())
            .into_par_iter()
            .map(|module| {
                place_module(
                    module,
                    &modules[module],
                    facts_of(module),
                    first_idx[module],
                )
            })
            .collect();
        self.items.reserve(n_items - self.items.len());
        let mut exported_macros: Vec<(usize, &'a str, usize)> = Vec::new();
        for (module, placed) in placed.into_iter().enumerate() {
            let target = modules[module].target;
            self.items.extend(placed.entries);
            self.scopes[module] = placed.scope;
            for (local, scope) in placed.locals {
                self.locals.insert((module, local), scope);
            }
            for (enum_idx, variant, idx) in placed.variants {
                self.variants
                    .entry(enum_idx)
                    .or_default()
                    .insert(variant, idx);
            }
            for (name, idx, exported) in placed.macros {
                if exported {
                    exported_macros.push((target, name, idx));
                }
                self.macros[target]
                    .entry(name.to_string())
                    .or_default()
                    .push(idx);
            }
        }
        for (target, name, idx) in exported_macros {
            if let Some(root) = self.forest.targets[target].root_module {
                let binding = Binding {
                    def: Def::Item(idx),
                    exported: true,
                };
                self.scopes[root]
                    .names
                    .entry(name)
                    .or_default()
                    .push(binding);
            }
        }
    }

    fn build_extern_prelude(&mut self, packages: &[Package]) {
        // Library root module of each package, by package name.
        let mut library_of: HashMap<&str, usize> = HashMap::default();
        for target in &self.forest.targets {
            if target.spec.kind.is_library()
                && let Some(root) = target.root_module
            {
                library_of
                    .entry(packages[target.package].name.as_str())
                    .or_insert(root);
            }
        }
        let mut preludes = Vec::with_capacity(self.forest.targets.len());
        for target in &self.forest.targets {
            let package = &packages[target.package];
            let mut prelude: HashMap<String, Def> = HashMap::default();
            for name in SYSROOT {
                let def = self.external(name);
                prelude.insert((*name).to_string(), def);
            }
            for dependency in &package.dependencies {
                let def = match library_of.get(dependency.package.as_str()) {
                    Some(&root) => Def::Module(root),
                    None => self.external(&dependency.name),
                };
                prelude.insert(dependency.name.clone(), def);
            }
            // Binaries, tests, examples and benches see their own package's library.
            if !target.spec.kind.is_library()
                && let Some(&root) = library_of.get(package.name.as_str())
            {
                let lib_name = self.forest.modules[root].path.clone();
                prelude.insert(lib_name, Def::Module(root));
            }
            preludes.push(prelude);
        }
        self.extern_prelude = preludes;
    }

    /// Resolves every `use` to a fixpoint: an import may depend on another import, a glob, or
    /// a re-export in another module.
    fn resolve_imports(&mut self, facts_of: &dyn Fn(usize) -> Option<&'a ModFacts>) {
        let mut pending: Vec<(usize, usize, &'a UseFact)> = Vec::new();
        for module in 0..self.forest.modules.len() {
            if let Some(facts) = facts_of(module) {
                pending.extend(
                    facts
                        .uses
                        .iter()
                        .enumerate()
                        .map(|(idx, fact)| (module, idx, fact)),
                );
            }
        }
        let mut globs: Vec<Glob> = Vec::new();
        // Each round resolves at least one import or stops; the bound is a safety net.
        for _round in 0..64 {
            let mut progress = false;
            let mut still_pending = Vec::with_capacity(pending.len());
            // Resolve against this round's scopes in parallel, then bind serially.
            let resolved: Vec<Option<Vec<Def>>> = pending
                .par_iter()
                .map(|&(module, _, fact)| self.resolve_use_path(module, fact))
                .collect();
            for ((module, idx, fact), defs) in pending.into_iter().zip(resolved) {
                let Some(defs) = defs else {
                    still_pending.push((module, idx, fact));
                    continue;
                };
                progress = true;
                let exported = fact.visibility != Visibility::Private;
                if fact.glob {
                    for &def in &defs {
                        let glob = Glob {
                            module,
                            local: fact.local_scope,
                            source: def,
                            exported,
                            copied_at: None,
                        };
                        globs.push(glob);
                    }
                } else if let Some(name) = fact.binding() {
                    let scope = match fact.local_scope {
                        Some(local) => self.locals.entry((module, local)).or_default(),
                        None => &mut self.scopes[module],
                    };
                    let bindings = scope.names.entry(name).or_default();
                    for &def in &defs {
                        if !bindings.iter().any(|binding| binding.def == def) {
                            bindings.push(Binding { def, exported });
                            scope.version += 1;
                        }
                    }
                }
                self.resolved_uses.insert((module, idx), defs);
            }
            pending = still_pending;
            progress |= self.apply_globs(&mut globs);
            if !progress {
                break;
            }
        }
    }

    /// Copies into each glob-importing scope the names its source makes visible to it.
    /// Returns whether anything new was added.
    fn apply_globs(&mut self, globs: &mut [Glob]) -> bool {
        let mut added = false;
        for glob in globs.iter_mut() {
            let source_version = match glob.source {
                Def::Module(source_module) => self.scopes[source_module].version,
                Def::Item(_) | Def::External(_) => 0,
            };
            if glob.copied_at == Some(source_version) {
                continue;
            }
            glob.copied_at = Some(source_version);
            let names: Vec<(&'a str, Def)> = match glob.source {
                Def::Module(source_module) => {
                    let visible_privately = self.is_descendant(glob.module, source_module);
                    let scope = &self.scopes[source_module];
                    scope
                        .names
                        .iter()
                        .chain(scope.glob_names.iter())
                        .flat_map(|(name, bindings)| {
                            bindings
                                .iter()
                                .filter(move |binding| binding.exported || visible_privately)
                                .map(move |binding| (*name, binding.def))
                        })
                        .collect()
                }
                Def::Item(enum_idx) => self
                    .variants
                    .get(&enum_idx)
                    .map(|variants| {
                        variants
                            .iter()
                            .map(|(&name, &idx)| (name, Def::Item(idx)))
                            .collect()
                    })
                    .unwrap_or_default(),
                Def::External(_) => Vec::new(),
            };
            let scope = match glob.local {
                Some(local) => self.locals.entry((glob.module, local)).or_default(),
                None => &mut self.scopes[glob.module],
            };
            for (name, def) in names {
                let bindings = scope.glob_names.entry(name).or_default();
                if !bindings.iter().any(|binding| binding.def == def) {
                    bindings.push(Binding {
                        def,
                        exported: glob.exported,
                    });
                    scope.version += 1;
                    added = true;
                }
            }
        }
        added
    }

    fn resolve_use_path(&self, module: usize, fact: &UseFact) -> Option<Vec<Def>> {
        let first = fact.path.first()?;
        self.resolve_all(module, fact.local_scope, &fact.path, fact.global)
            .or_else(|| {
                // Rust 2015 (the edition of a package that names none): a `use` path, with or
                // without a leading `::`, starts at the crate root (`use models::user;` in
                // any module). A later edition's path that failed above cannot compile, so
                // trying the root never changes what a 2018+ crate resolves to.
                if matches!(first.as_str(), "crate" | "self" | "super") {
                    return None;
                }
                let root = self.crate_root(module);
                if root == module && !fact.global {
                    return None;
                }
                self.resolve_all(root, None, &fact.path, false)
            })
    }

    /// Adds the methods of every `impl` as items and indexes them by type and by name. The
    /// self types are resolved and the entries built for all modules in parallel, against
    /// scopes that no longer change (methods are never types), then indexed in module order.
    fn index_impls(&mut self, facts_of: &(dyn Fn(usize) -> Option<&'a ModFacts> + Sync)) {
        let this = &*self;
        let per_module: Vec<Vec<(Option<usize>, Vec<ItemEntry>)>> = (0..this.forest.modules.len())
            .into_par_iter()
            .map(|module| {
                let Some(facts) = facts_of(module) else {
                    return Vec::new();
                };
                facts
                    .impls
                    .iter()
                    .map(|imp| {
                        (
                            this.impl_type_item(module, imp),
                            method_entries(module, imp),
                        )
                    })
                    .collect()
            })
            .collect();
        for (module, impls) in per_module.into_iter().enumerate() {
            let Some(facts) = facts_of(module) else {
                continue;
            };
            for (imp, (type_item, entries)) in facts.impls.iter().zip(impls) {
                for (method, entry) in imp.methods.iter().zip(entries) {
                    let idx = self.items.len();
                    self.items.push(entry);
                    if let Some(type_item) = type_item {
                        self.methods_by_type
                            .entry(type_item)
                            .or_default()
                            .entry(method.name.clone())
                            .or_default()
                            .push(idx);
                    }
                    self.methods_by_name
                        .entry(method.name.clone())
                        .or_default()
                        .push(idx);
                }
            }
        }
    }

    /// The type item an `impl` block is for, when its self type resolves to one.
    fn impl_type_item(&self, module: usize, imp: &ImplFact) -> Option<usize> {
        let path = imp.self_type.as_ref()?;
        match self.resolve(module, imp.local_scope, path, false, Want::Type) {
            Some(Def::Item(idx)) if self.items[idx].kind.is_type() => Some(idx),
            _ => None,
        }
    }

    fn is_descendant(&self, module: usize, ancestor: usize) -> bool {
        let mut current = Some(module);
        while let Some(idx) = current {
            if idx == ancestor {
                return true;
            }
            current = self.forest.modules[idx].parent;
        }
        false
    }

    fn crate_root(&self, module: usize) -> usize {
        let mut idx = module;
        while let Some(parent) = self.forest.modules[idx].parent {
            idx = parent;
        }
        idx
    }

    /// Everything a name can mean in a scope, most specific first: the function body, the
    /// module's items and imports, its glob imports, the extern prelude, the std prelude.
    fn lookup_name(&self, module: usize, local: Option<u32>, name: &str) -> Vec<Def> {
        if let Some(local) = local
            && let Some(scope) = self.locals.get(&(module, local))
        {
            let found = scope_lookup(scope, name);
            if !found.is_empty() {
                return found;
            }
        }
        let found = scope_lookup(&self.scopes[module], name);
        if !found.is_empty() {
            return found;
        }
        let target = self.forest.modules[module].target;
        if let Some(&def) = self
            .extern_prelude
            .get(target)
            .and_then(|prelude| prelude.get(name))
        {
            return vec![def];
        }
        if PRELUDE.contains(&name)
            && let Some(&id) = self.external_ids.get("std")
        {
            return vec![Def::External(id)];
        }
        Vec::new()
    }

    /// All meanings of a whole path (used for imports, which bind every namespace).
    pub(crate) fn resolve_all<S: AsRef<str>>(
        &self,
        module: usize,
        local: Option<u32>,
        path: &[S],
        global: bool,
    ) -> Option<Vec<Def>> {
        let (first, rest) = path.split_first()?;
        let mut current: Vec<Def> =
            self.first_segment(module, local, first.as_ref(), global, rest.is_empty())?;
        for (position, segment) in rest.iter().enumerate() {
            let last = position + 1 == rest.len();
            let mut next = Vec::new();
            for &def in &current {
                next.extend(self.step(def, segment.as_ref(), last));
            }
            next.dedup();
            if next.is_empty() {
                return None;
            }
            current = next;
        }
        Some(current)
    }

    /// The best meaning of a path for a position that wants `want`.
    pub(crate) fn resolve<S: AsRef<str>>(
        &self,
        module: usize,
        local: Option<u32>,
        path: &[S],
        global: bool,
        want: Want,
    ) -> Option<Def> {
        if want == Want::Macro
            && path.len() == 1
            && !global
            && let Some(def) = self.resolve_textual_macro(module, path[0].as_ref())
        {
            return Some(def);
        }
        let defs = self
            .resolve_all(module, local, path, global)
            .or_else(|| self.resolve_prefix(module, local, path, global))?;
        self.choose(&defs, want)
    }

    /// When a path cannot be followed to its end (an associated item of a type we cannot see,
    /// a trait method), the longest prefix that resolves to a type still tells the dependency.
    fn resolve_prefix<S: AsRef<str>>(
        &self,
        module: usize,
        local: Option<u32>,
        path: &[S],
        global: bool,
    ) -> Option<Vec<Def>> {
        for len in (1..path.len()).rev() {
            if let Some(defs) = self.resolve_all(module, local, &path[..len], global) {
                let useful: Vec<Def> = defs
                    .into_iter()
                    .filter(|def| match def {
                        Def::Item(idx) => self.items[*idx].kind.is_type(),
                        Def::External(_) => true,
                        Def::Module(_) => false,
                    })
                    .collect();
                return (!useful.is_empty()).then_some(useful);
            }
        }
        None
    }

    fn choose(&self, defs: &[Def], want: Want) -> Option<Def> {
        let score = |def: &Def| -> u8 {
            match (def, want) {
                (Def::Item(idx), Want::Type) if self.items[*idx].kind.is_type() => 0,
                (Def::Item(idx), Want::Value) if self.items[*idx].kind.is_value() => 0,
                (Def::Item(idx), Want::Macro)
                    if self.items[*idx].kind == EntryKind::Item(ItemKind::Macro) =>
                {
                    0
                }
                (Def::External(_), _) => 1,
                (Def::Item(_), Want::Any) => 0,
                (Def::Module(_), Want::Any | Want::Type) => 1,
                _ => 2,
            }
        };
        defs.iter().min_by_key(|def| score(def)).copied()
    }

    fn first_segment(
        &self,
        module: usize,
        local: Option<u32>,
        name: &str,
        global: bool,
        _last: bool,
    ) -> Option<Vec<Def>> {
        let target = self.forest.modules[module].target;
        if global {
            return self
                .extern_prelude
                .get(target)
                .and_then(|prelude| prelude.get(name))
                .map(|&def| vec![def]);
        }
        match name {
            "crate" => Some(vec![Def::Module(self.crate_root(module))]),
            "self" => Some(vec![Def::Module(module)]),
            "super" => self.forest.modules[module]
                .parent
                .map(|parent| vec![Def::Module(parent)]),
            _ => {
                let found = self.lookup_name(module, local, name);
                (!found.is_empty()).then_some(found)
            }
        }
    }

    /// One step along a path from `def` to the item named `segment`.
    fn step(&self, def: Def, segment: &str, _last: bool) -> Vec<Def> {
        match def {
            Def::Module(module) => match segment {
                "super" => self.forest.modules[module]
                    .parent
                    .map(Def::Module)
                    .into_iter()
                    .collect(),
                "self" => vec![Def::Module(module)],
                _ => scope_lookup(&self.scopes[module], segment),
            },
            Def::Item(idx) => {
                let mut found = Vec::new();
                if let Some(&variant) = self
                    .variants
                    .get(&idx)
                    .and_then(|variants| variants.get(segment))
                {
                    found.push(Def::Item(variant));
                }
                if let Some(methods) = self
                    .methods_by_type
                    .get(&idx)
                    .and_then(|methods| methods.get(segment))
                {
                    found.extend(methods.iter().map(|&method| Def::Item(method)));
                }
                found
            }
            Def::External(_) => vec![def],
        }
    }

    /// `name!` without a path: a `macro_rules!` of the same crate (textual scope is
    /// approximated by the whole crate), or a `#[macro_export]` one of a dependency.
    fn resolve_textual_macro(&self, module: usize, name: &str) -> Option<Def> {
        let target = self.forest.modules[module].target;
        let mut candidates: Vec<usize> = self.macros[target].get(name).cloned().unwrap_or_default();
        // Prefer the definition nearest in the module tree.
        candidates.sort_by_key(|&idx| !self.is_descendant(module, self.items[idx].module));
        candidates.first().map(|&idx| Def::Item(idx))
    }

    /// The module that defines a def (for externals: none).
    pub(crate) fn module_of(&self, def: Def) -> Option<usize> {
        match def {
            Def::Module(module) => Some(module),
            Def::Item(idx) => Some(self.items[idx].module),
            Def::External(_) => None,
        }
    }

    /// Full path of an item: its module's path, then its name.
    pub(crate) fn item_path(&self, idx: usize) -> String {
        let item = &self.items[idx];
        format!("{}::{}", self.forest.modules[item.module].id, item.name)
    }

    /// Methods named `method` of the type `type_def`.
    pub(crate) fn methods_of(&self, type_def: Def, method: &str) -> &[usize] {
        match type_def {
            Def::Item(idx) => self
                .methods_by_type
                .get(&idx)
                .and_then(|methods| methods.get(method))
                .map_or(&[], Vec::as_slice),
            _ => &[],
        }
    }
}

/// What [`Index::place_items`] finds in one module, with item indices already global.
#[derive(Default)]
struct PlacedModule<'a> {
    entries: Vec<ItemEntry>,
    scope: Scope<'a>,
    /// Function-body scopes, in the order their first item appears.
    locals: Vec<(u32, Scope<'a>)>,
    /// `(enum item, variant name, variant item)`.
    variants: Vec<(usize, &'a str, usize)>,
    /// `(name, item, #[macro_export])` of each `macro_rules!`.
    macros: Vec<(&'a str, usize, bool)>,
}

/// Places one module's child modules and items; its first item gets index `first_idx`.
fn place_module<'a>(
    module: usize,
    node: &'a ModuleNode,
    facts: Option<&'a ModFacts>,
    first_idx: usize,
) -> PlacedModule<'a> {
    let mut placed = PlacedModule::default();
    for (name, &child) in &node.children {
        placed
            .scope
            .names
            .entry(name.as_str())
            .or_default()
            .push(Binding {
                def: Def::Module(child),
                exported: true,
            });
    }
    let Some(facts) = facts else {
        return placed;
    };
    placed.entries.reserve(facts.items.len());
    let mut local_positions: HashMap<u32, usize> = HashMap::default();
    for fact in &facts.items {
        let idx = first_idx + placed.entries.len();
        placed.entries.push(ItemEntry {
            name: fact.name.clone(),
            kind: EntryKind::Item(fact.kind),
            module,
            line: fact.line,
            visibility: fact.visibility.clone(),
        });
        if fact.kind == ItemKind::Macro {
            placed
                .macros
                .push((fact.name.as_str(), idx, fact.macro_export));
        }
        if let Some((enum_name, variant)) = fact.name.split_once("::") {
            // Variants are reached through their enum, placed once the enum is known.
            let entries = &placed.entries[..placed.entries.len() - 1];
            let enum_position = entries.iter().rposition(|item| {
                item.name == enum_name && item.kind == EntryKind::Item(ItemKind::Enum)
            });
            if let Some(position) = enum_position {
                placed.variants.push((first_idx + position, variant, idx));
            }
            continue;
        }
        let binding = Binding {
            def: Def::Item(idx),
            exported: fact.visibility != Visibility::Private,
        };
        let scope = match fact.local_scope {
            Some(local) => {
                let position = *local_positions.entry(local).or_insert_with(|| {
                    placed.locals.push((local, Scope::default()));
                    placed.locals.len() - 1
                });
                &mut placed.locals[position].1
            }
            None => &mut placed.scope,
        };
        scope
            .names
            .entry(fact.name.as_str())
            .or_default()
            .push(binding);
    }
    placed
}

/// The item entries of an `impl` block's methods, named `Type::method`.
pub(crate) fn method_entries(module: usize, imp: &ImplFact) -> Vec<ItemEntry> {
    let type_name = imp
        .self_type
        .as_ref()
        .and_then(|path| path.last())
        .map_or("_", String::as_str);
    imp.methods
        .iter()
        .map(|method| ItemEntry {
            name: format!("{type_name}::{}", method.name),
            kind: EntryKind::Method,
            module,
            line: method.line,
            visibility: method.visibility.clone(),
        })
        .collect()
}

fn scope_lookup(scope: &Scope<'_>, name: &str) -> Vec<Def> {
    if let Some(bindings) = scope.names.get(name)
        && !bindings.is_empty()
    {
        return bindings.iter().map(|binding| binding.def).collect();
    }
    scope
        .glob_names
        .get(name)
        .map(|bindings| bindings.iter().map(|binding| binding.def).collect())
        .unwrap_or_default()
}
