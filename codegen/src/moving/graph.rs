//! The monolith's modules and references as `--move` reads them: which crate moves, which
//! modules are the service's, and what the moved code needs carried (`Graph::carry`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ficus_plan::{Owner, Plan};

use super::files::SourceFiles;
use super::remote::RemotePlan;
use super::{last_segment, text};
use crate::error::Error;
use crate::model::{CodeItem, CodeModel, ModuleSource};
use crate::port::{Class, Finding, Port};

/// Where a module's code belongs in the move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// The service being moved.
    Moved,
    /// Another service: its code is reached through its client.
    Other,
    /// Kernel or unassigned: carried when used.
    Free,
}

/// Where a reference being followed comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// The moved code.
    Moved,
    /// Code carried into the kernel crate.
    Kernel,
    /// A placeholder for another service's code.
    Placeholder,
}

/// What the move carries into the kernel crate.
pub(super) struct Carry<'m> {
    /// Module indices carried whole (with their submodules).
    pub(super) whole: BTreeSet<usize>,
    /// Module index -> item paths carried from it (empty: only the module itself, as the
    /// parent of something carried).
    pub(super) items: BTreeMap<usize, BTreeSet<&'m str>>,
    /// (from, to, service) for each use of another service's code.
    pub(super) cross: Vec<(String, String, String)>,
    /// Crate roots of the other crates of the monolith the carried code uses.
    pub(super) other_crates: BTreeSet<usize>,
    /// Modules of other services in the moved crate that the moved code uses -> the items
    /// it uses there: placeholders in the service crate until calls go through clients.
    pub(super) placeholders: BTreeMap<usize, BTreeSet<&'m str>>,
    pub(super) findings: Vec<Finding>,
}

/// The modules and references of the monolith's crate, as the move reads them.
pub(super) struct Graph<'m> {
    pub(super) modules: Vec<&'m ModuleSource>,
    pub(super) by_id: HashMap<&'m str, usize>,
    pub(super) parent: Vec<Option<usize>>,
    pub(super) children: Vec<Vec<usize>>,
    pub(super) side: Vec<Side>,
    /// Other services' names, by module index (empty for the rest).
    pub(super) owner: Vec<String>,
    pub(super) crate_root: usize,
    /// Each module's crate root.
    pub(super) crate_of: Vec<usize>,
    /// The service's modules in the crate that moves.
    pub(super) service: BTreeSet<usize>,
    /// The service's modules in other crates: they stay, used through a dependency.
    pub(super) left_behind: BTreeSet<usize>,
    pub(super) items: HashMap<&'m str, &'m CodeItem>,
    /// (from, to) of every reference, by the module `from` lies in.
    pub(super) outgoing: Vec<Vec<(&'m str, &'m str)>>,
    /// (from, to) of the references that name a type.
    pub(super) type_refs: HashSet<(&'m str, &'m str)>,
    /// (from, to) of the references that construct a value or call a function.
    pub(super) builds: Vec<(&'m str, &'m str)>,
    /// Handler path -> the web framework of its route.
    pub(super) frameworks: HashMap<&'m str, &'m str>,
}

impl<'m> Graph<'m> {
    pub(super) fn new(model: &'m CodeModel, plan: &Plan, port: &Port) -> Result<Graph<'m>, Error> {
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
            type_refs: refs_of_kind(model, &["type", "impl"]).collect(),
            builds: refs_of_kind(model, &["construct", "call"]).collect(),
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
    pub(super) fn module_of(&self, path: &str) -> Option<usize> {
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

    pub(super) fn subtree(&self, module: usize) -> Vec<usize> {
        let mut out = vec![module];
        let mut idx = 0;
        while idx < out.len() {
            out.extend(self.children[out[idx]].iter().copied());
            idx += 1;
        }
        out
    }

    /// Whether `module` or one of its ancestors is in `set`.
    fn within(&self, set: &BTreeSet<usize>, module: usize) -> bool {
        let mut up = Some(module);
        while let Some(current) = up {
            if set.contains(&current) {
                return true;
            }
            up = self.parent[current];
        }
        false
    }

    /// Whether `module` moves, or lies inside a module that does.
    fn in_service(&self, module: usize) -> bool {
        self.within(&self.service, module)
    }

    /// Whether `module` is in the crate that moves (the rest is reached through dependencies).
    pub(super) fn in_moved_crate(&self, module: usize) -> bool {
        self.crate_of[module] == self.crate_root
    }

    pub(super) fn is_inline(&self, module: usize) -> bool {
        self.parent[module]
            .is_some_and(|parent| self.modules[parent].file == self.modules[module].file)
    }

    pub(super) fn handler_framework(&self, handler: &str) -> Option<&'m str> {
        self.frameworks.get(handler).copied()
    }

    pub(super) fn handler_is_moved(&self, handler: &str) -> bool {
        self.module_of(handler)
            .is_some_and(|module| self.service.contains(&module))
    }

    /// Whether `module` and its submodules can be carried as written: nothing in them uses a
    /// service's code.
    pub(super) fn whole_ok(&self, module: usize) -> bool {
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
    pub(super) fn carry(&self) -> Carry<'m> {
        let mut carry = Carry {
            whole: BTreeSet::new(),
            items: BTreeMap::new(),
            cross: Vec::new(),
            other_crates: BTreeSet::new(),
            placeholders: BTreeMap::new(),
            findings: Vec::new(),
        };
        let mut queue: Vec<(&'m str, &'m str, Origin)> = Vec::new();
        for &module in &self.service {
            queue.extend(
                self.outgoing[module]
                    .iter()
                    .map(|&(from, to)| (from, to, Origin::Moved)),
            );
        }
        let mut seen: BTreeSet<(&str, &str, Origin)> = BTreeSet::new();
        while let Some((from, to, origin)) = queue.pop() {
            if !seen.insert((from, to, origin)) {
                continue;
            }
            let Some(target) = self.module_of(to) else {
                continue;
            };
            if !self.in_moved_crate(target) {
                // Another crate of the monolith: a dependency of the moved crate already.
                carry.other_crates.insert(self.crate_of[target]);
                if self.side[target] != Side::Other {
                    continue;
                }
            }
            match self.side[target] {
                Side::Moved => {
                    if origin == Origin::Kernel {
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
                    let service = &self.owner[target];
                    if origin != Origin::Placeholder {
                        let (file, line) = self.place_of(from);
                        carry
                            .cross
                            .push((from.to_string(), to.to_string(), service.clone()));
                        carry.findings.push(Finding {
                            class: Class::Blocked,
                            what: format!("`{from}` uses `{to}` of service `{service}`"),
                            fix: format!(
                                "call it through the `{service}` client (`ficus generate {service}`), or move it first; until then the service crate holds a placeholder that panics with \"unimplemented\""
                            ),
                            file,
                            line,
                        });
                    }
                    if !self.in_moved_crate(target) {
                        continue;
                    }
                    // A placeholder in the service crate: data definitions as written,
                    // functions as their signatures, with what their text names.
                    carry.placeholders.entry(target).or_default();
                    if self.by_id.contains_key(to) {
                        continue;
                    }
                    let item = self.items.get(to).map_or(to, |item| item.path.as_str());
                    if carry.placeholders.entry(target).or_default().insert(item) {
                        let data = self
                            .items
                            .get(item)
                            .is_some_and(|item| !matches!(item.kind.as_str(), "fn" | "method"));
                        for &(ref_from, ref_to) in &self.outgoing[target] {
                            let own = ref_from == item
                                || ref_from
                                    .strip_prefix(item)
                                    .is_some_and(|rest| rest.starts_with("::"));
                            if own && (data || self.type_refs.contains(&(ref_from, ref_to))) {
                                queue.push((ref_from, ref_to, Origin::Placeholder));
                            }
                        }
                    }
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
                            queue.extend(
                                self.outgoing[inner]
                                    .iter()
                                    .map(|&(from, to)| (from, to, Origin::Kernel)),
                            );
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
                                queue.push((ref_from, ref_to, Origin::Kernel));
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

    pub(super) fn is_carried_whole(&self, carry: &Carry<'_>, module: usize) -> bool {
        self.within(&carry.whole, module)
    }

    /// Marks `module`'s ancestors as carried modules (holding at least their child).
    pub(super) fn shells(&self, carry: &mut Carry<'m>, module: usize) {
        let mut up = self.parent[module];
        while let Some(current) = up {
            carry.items.entry(current).or_default();
            up = self.parent[current];
        }
    }

    /// File and line of an item (or module) path.
    pub(super) fn place_of(&self, path: &str) -> (String, u32) {
        if let Some(item) = self.items.get(path) {
            return (item.file.clone(), item.line);
        }
        match self.module_of(path) {
            Some(module) => (self.modules[module].file.clone(), self.modules[module].line),
            None => (String::new(), 0),
        }
    }

    /// The files of `modules` and their submodules that are files of their own, sorted.
    pub(super) fn files_of(&self, modules: impl Iterator<Item = usize>) -> Vec<String> {
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
    pub(super) fn module_decls(
        &self,
        carry: &Carry<'_>,
        kernel_crate: Option<&str>,
        remote: &RemotePlan,
        sources: &mut SourceFiles,
        findings: &mut Vec<Finding>,
    ) -> Result<Vec<String>, Error> {
        let tops: Vec<usize> = self
            .service
            .iter()
            .copied()
            .filter(|&module| {
                self.parent[module].is_some_and(|parent| !self.service.contains(&parent))
            })
            .chain(carry.placeholders.keys().copied())
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
            decls.push(self.render_decl(
                child,
                &children,
                carry,
                kernel_crate,
                remote,
                sources,
                findings,
            )?);
        }
        Ok(decls)
    }

    #[allow(clippy::too_many_arguments)]
    fn render_decl(
        &self,
        module: usize,
        children: &BTreeMap<usize, BTreeSet<usize>>,
        carry: &Carry<'_>,
        kernel_crate: Option<&str>,
        remote: &RemotePlan,
        sources: &mut SourceFiles,
        findings: &mut Vec<Finding>,
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
        let mut out = String::new();
        let placeholder = carry.placeholders.get(&module);
        if placeholder.is_some() {
            out.push_str("#[allow(dead_code, unused_imports, unused_variables, clippy::all)]\n");
        }
        out.push_str(&format!("pub mod {name} {{\n"));
        if let Some(items) = placeholder {
            out.push_str(&self.placeholder_text(module, items, carry, remote, sources, findings)?);
        }
        if let Some(kernel) = kernel_crate
            && carry.items.contains_key(&module)
        {
            let root = &self.modules[self.crate_root].path;
            let path = self.modules[module].path.replacen(root.as_str(), kernel, 1);
            out.push_str(&format!("#[allow(unused_imports)]\npub use {path}::*;\n"));
        }
        for &child in children.get(&module).into_iter().flatten() {
            out.push_str(&self.render_decl(
                child,
                children,
                carry,
                kernel_crate,
                remote,
                sources,
                findings,
            )?);
            out.push('\n');
        }
        out.push('}');
        Ok(out)
    }

    /// The placeholder of another service's module: the `use` paths that resolve in the
    /// service crate, its data definitions as written (structs, enums, aliases, constants,
    /// traits), and its functions and methods as their signatures with a body that panics
    /// with "unimplemented", naming the service to call instead.
    fn placeholder_text(
        &self,
        module: usize,
        items: &BTreeSet<&str>,
        carry: &Carry<'_>,
        remote: &RemotePlan,
        sources: &mut SourceFiles,
        findings: &mut Vec<Finding>,
    ) -> Result<String, Error> {
        let source = self.modules[module];
        let service = &self.owner[module];
        let text = sources.text(&source.file)?;
        let tree = sources.tree(&source.file)?;
        // The module's own items: its file's, or its block's when it is inline.
        let own: &[syn::Item] = if self.is_inline(module) {
            match inline_module(&tree, last_segment(&source.path), source.line)
                .and_then(|block| block.content.as_ref())
            {
                Some((_, items)) => items,
                None => &[],
            }
        } else {
            &tree.items
        };
        let mut out = if remote.has_client(service) {
            format!(
                "// Placeholder by `ficus generate --move`: `{}` belongs to service `{service}`.\n// Its functions call that service through its client (`ficus_remote.rs`), those the\n// client cannot stand for panic with \"unimplemented\" (see MIGRATION.md).\n",
                source.id
            )
        } else {
            format!(
                "// Placeholder by `ficus generate --move`: `{}` belongs to service `{service}`.\n// Its functions panic with \"unimplemented\" until calls go through that service's client.\n",
                source.id
            )
        };
        for item in self.resolved_uses(module, own, carry, true) {
            out.push_str(&item);
            out.push('\n');
        }
        let wanted: BTreeSet<&str> = items
            .iter()
            .map(|path| {
                // A variant stands for its enum.
                match self.items.get(path) {
                    Some(item) if item.kind == "variant" => {
                        path.rsplit_once("::").map_or(*path, |(head, _)| head)
                    }
                    _ => *path,
                }
            })
            .collect();
        let local = |path: &str| {
            path.strip_prefix(source.id.as_str())
                .and_then(|rest| rest.strip_prefix("::"))
                .map(str::to_string)
        };
        let names: BTreeSet<String> = wanted.iter().filter_map(|path| local(path)).collect();
        let body = |path: String| match remote.bodies.get(&path) {
            Some(call) => call.clone(),
            None => format!(
                "{{\n    unimplemented!(\"`{path}` belongs to service `{service}`: call it through its client (see MIGRATION.md)\")\n}}"
            ),
        };
        for item in own {
            match item {
                syn::Item::Fn(function) => {
                    let name = function.sig.ident.to_string();
                    if names.contains(&name) {
                        out.push_str(&format!(
                            "\npub {} {}\n",
                            text::text_of(&text, &function.sig),
                            body(format!("{}::{name}", source.id))
                        ));
                    }
                }
                syn::Item::Impl(block) => {
                    let Some(self_name) = type_name(&block.self_ty) else {
                        continue;
                    };
                    let methods: Vec<&syn::ImplItemFn> = block
                        .items
                        .iter()
                        .filter_map(|impl_item| match impl_item {
                            syn::ImplItem::Fn(method)
                                if names
                                    .contains(&format!("{self_name}::{}", method.sig.ident)) =>
                            {
                                Some(method)
                            }
                            _ => None,
                        })
                        .collect();
                    if methods.is_empty() {
                        continue;
                    }
                    if block.trait_.is_some() {
                        for method in methods {
                            findings.push(Finding {
                                class: Class::NeedsChange,
                                what: format!(
                                    "`{}::{self_name}::{}` implements a trait in service `{service}`: no placeholder is written for it",
                                    source.id, method.sig.ident
                                ),
                                fix: "call it through that service's client".to_string(),
                                file: source.file.clone(),
                                line: method.sig.ident.span().start().line as u32,
                            });
                        }
                        continue;
                    }
                    let start = text::offset(&text, block.impl_token.span.start());
                    let end = text::offset(&text, block.brace_token.span.open().start());
                    out.push_str(&format!("\n{} {{\n", text[start..end].trim_end()));
                    for method in methods {
                        out.push_str(&format!(
                            "pub {} {}\n",
                            text::text_of(&text, &method.sig),
                            body(format!("{}::{self_name}::{}", source.id, method.sig.ident))
                        ));
                    }
                    out.push_str("}\n");
                }
                other => {
                    if let Some(name) = item_name(other).filter(|name| names.contains(name)) {
                        out.push('\n');
                        // The derives the client calls' conversions need.
                        if let Some(derives) = remote.derives.get(&format!("{}::{name}", source.id))
                        {
                            for derive in derives {
                                out.push_str(&format!("#[derive(::serde::{derive})]\n"));
                            }
                        }
                        out.push_str(text::text_of(&text, other));
                        out.push('\n');
                    }
                }
            }
        }
        Ok(out)
    }

    /// The text of a module of which only `items` are carried: the `use` paths that still
    /// resolve, its carried submodules, the items and the impl blocks of carried types.
    pub(super) fn carried_file(
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
        let uses = self.resolved_uses(module, &tree.items, carry, false);
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
    pub(super) fn carried_impl(
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
    /// The `use` paths among `items` (of `module`) that resolve, one `use` item each, with
    /// their visibility: in the kernel crate, or in the service crate (`service_side`).
    fn resolved_uses(
        &self,
        module: usize,
        items: &[syn::Item],
        carry: &Carry<'_>,
        service_side: bool,
    ) -> Vec<String> {
        let mut uses = Vec::new();
        for item in items {
            let syn::Item::Use(item_use) = item else {
                continue;
            };
            let visibility = match &item_use.vis {
                syn::Visibility::Inherited => String::new(),
                other => format!("{} ", quote::ToTokens::to_token_stream(other)),
            };
            for leaf in text::use_leaves(&item_use.tree) {
                if self.use_resolves(module, &leaf, carry, service_side) {
                    uses.push(leaf.to_item(&visibility, item_use.leading_colon.is_some()));
                }
            }
        }
        uses
    }

    /// `service_side`: resolved in the service crate, which also has the moved modules and
    /// the placeholders.
    pub(super) fn use_resolves(
        &self,
        module: usize,
        leaf: &text::UseLeaf,
        carry: &Carry<'_>,
        service_side: bool,
    ) -> bool {
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
        let has_item = |items: &BTreeSet<&str>| {
            // An item, or an enum's variant: its type is there.
            items.iter().any(|item| {
                *item == target
                    || target
                        .strip_prefix(*item)
                        .is_some_and(|rest| rest.starts_with("::"))
            })
        };
        // A module, or an item, the kernel crate (or the service crate) has.
        if let Some(&target_module) = self.by_id.get(target.as_str()) {
            return self.is_carried_whole(carry, target_module)
                || carry.items.contains_key(&target_module)
                || (service_side
                    && (self.in_service(target_module)
                        || carry.placeholders.contains_key(&target_module)));
        }
        let Some(target_module) = self.module_of(&target) else {
            return false;
        };
        if self.is_carried_whole(carry, target_module)
            || (service_side && self.in_service(target_module))
        {
            return true;
        }
        carry.items.get(&target_module).is_some_and(has_item)
            || (service_side && carry.placeholders.get(&target_module).is_some_and(has_item))
    }

    /// The type the moved handlers take as `State<T>`, as a monolith path.
    pub(super) fn state_type(
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
    pub(super) fn built_at(&self, state: &str) -> Vec<String> {
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

/// (from, to) of the references of one of `kinds`.
fn refs_of_kind<'m>(
    model: &'m CodeModel,
    kinds: &'m [&'m str],
) -> impl Iterator<Item = (&'m str, &'m str)> + 'm {
    model
        .references
        .iter()
        .filter(|reference| kinds.contains(&reference.kind.as_str()))
        .map(|reference| (reference.from.as_str(), reference.to.as_str()))
}

/// The first item of `tree`, at any depth, that `pick` takes.
pub(super) fn find_item<'t, T: 't>(
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
pub(super) fn inline_module<'t>(
    tree: &'t syn::File,
    name: &str,
    line: u32,
) -> Option<&'t syn::ItemMod> {
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
pub(super) fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The name an item defines, for the items the move carries by name.
pub(super) fn item_name(item: &syn::Item) -> Option<String> {
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
pub(super) fn state_param(tree: &syn::File, name: &str, line: u32) -> Option<String> {
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
