//! Joins every file's route facts into the final, sorted route list.
//!
//! 1. **Link.** Every mount names its target either as a fragment of the same file or as a
//!    path, resolved with `Resolve::resolve(file, site, path)` and matched to the items
//!    collected in the resolved file (see `assemble/matching.rs`). A mount that matches nothing
//!    is an info diagnostic, except `.nest_service` of a plain service, which answers every
//!    method at its prefix and below (`{prefix}` and `{prefix}/{*rest}`).
//! 2. **Expand.** Fragments nobody mounts are roots with prefix `""`, and so are local routers
//!    a branch wraps in a new one (`if c { app = Router::new().nest(p, app) }`), which the
//!    code serves as they are when the branch does not run. Each root is walked
//!    depth-first with an explicit stack, joining prefixes; a fragment reached along two paths
//!    yields routes under both, and a fragment already on the current path is a cycle: a
//!    warning, and that mount is not followed. Fragments only reachable from a cycle are
//!    walked as roots afterwards, so their routes are not lost.
//! 3. **Handlers.** A handler path is resolved at the site where it is written: the route gets
//!    `ResolvedItem::path` and `::module`; a closure, or a path that does not resolve, keeps
//!    `<closure>` or the path as written and gets `Resolve::module_at` of its site, and is
//!    skipped with a warning when that is `None` too.
//! 4. **OpenAPI.** `#[utoipa::path]` operations become `utoipa` routes unless a framework route
//!    has the same handler, method and path.
//!
//! Never follows more than `MAX_STEPS` mounts or emits more than `MAX_ROUTES` routes (a
//! warning says so), so a pathological mount graph cannot make the analysis explode.
//!
//! [`ResolvedItem`]: crate::site::ResolvedItem

mod evaluate;
mod matching;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use matching::Kind;

use super::Assembled;
use super::{
    Entry, FileRoutes, Framework, Handler, ItemKey, PathSpec, RouteFact, Target, pattern,
    placeholder,
};
use crate::model::{Diagnostic, Route, RouteCoverage, Severity};
use crate::site::{Resolve, ResolvedItem, Site};

/// Mount steps followed over all roots before giving up.
const MAX_STEPS: usize = 1_000_000;
/// Routes emitted before giving up.
const MAX_ROUTES: usize = 200_000;

pub(super) fn assemble(files: &[(&str, &FileRoutes)], resolve: &dyn Resolve) -> Assembled {
    let mut files = files.to_vec();
    files.sort_by(|left, right| left.0.cmp(right.0));
    let mut assembler = Assembler::new(&files, resolve);
    assembler.notes();
    assembler.link();
    assembler.expand_all();
    let mut routes = assembler.routes();
    routes.sort_by(|left, right| {
        (
            &left.path,
            &left.method,
            &left.handler,
            &left.file,
            left.line,
            &left.module,
            &left.framework,
        )
            .cmp(&(
                &right.path,
                &right.method,
                &right.handler,
                &right.file,
                right.line,
                &right.module,
                &right.framework,
            ))
    });
    routes.dedup();
    let coverage = coverage(&routes, &assembler.never_mounted);
    let mut diagnostics = assembler.diagnostics;
    diagnostics.sort();
    diagnostics.dedup();
    Assembled {
        routes,
        coverage,
        diagnostics,
    }
}

/// Handlers by how their routes are known: a handler with one route whose path is fully
/// known counts as mounted with full paths, one whose every route holds a placeholder as
/// under an unknown prefix. Closures count once per place they are written.
fn coverage(routes: &[Route], never_mounted: &BTreeSet<String>) -> RouteCoverage {
    let mut known_by_handler: BTreeMap<String, bool> = BTreeMap::new();
    for route in routes {
        let key = if route.handler.starts_with('<') {
            format!("{} {}:{}", route.handler, route.file, route.line)
        } else {
            route.handler.clone()
        };
        let known = route.computed_parts.is_empty();
        *known_by_handler.entry(key).or_insert(false) |= known;
    }
    let full_paths = known_by_handler.values().filter(|known| **known).count();
    let unknown_prefix = known_by_handler.len() - full_paths;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    RouteCoverage {
        handlers: count(known_by_handler.len() + never_mounted.len()),
        full_paths: count(full_paths),
        unknown_prefix: count(unknown_prefix),
        never_mounted: count(never_mounted.len()),
    }
}

struct Assembler<'a> {
    files: &'a [(&'a str, &'a FileRoutes)],
    resolve: &'a dyn Resolve,
    /// Global fragment id -> (file index, fragment index in the file).
    fragment_at: Vec<(usize, usize)>,
    /// Global id of each file's first fragment.
    first_fragment: Vec<usize>,
    /// Owners by file and name: (file index, owner index).
    owners: ItemIndex<'a>,
    /// String constants by file and name: (file index, const index).
    consts: ItemIndex<'a>,
    /// Struct-valued constants and struct-building fns by file and name.
    values: ItemIndex<'a>,
    /// (global fragment id, entry index) -> what that mount reaches.
    links: HashMap<(usize, usize), Link>,
    resolved: HashMap<(usize, Site, Vec<String>), Option<ResolvedItem>>,
    modules: HashMap<(usize, Site), Option<String>>,
    raw: Vec<RawRoute<'a>>,
    /// Attribute-routed fns no router mounts, by label.
    never_mounted: BTreeSet<String>,
    /// Routes of `.nest_service` mounts that are plain services, handlers already resolved.
    service_routes: Vec<Route>,
    steps: usize,
    gave_up: bool,
    diagnostics: Vec<Diagnostic>,
}

/// File path -> item name -> (file index, index of the item in that file's facts).
type ItemIndex<'a> = HashMap<&'a str, HashMap<&'a str, Vec<(usize, usize)>>>;

/// What a mount reaches.
enum Link {
    Fragments(Vec<usize>),
    /// `.nest_service(prefix, svc)` where `svc` is not a router of the analysed code.
    Service,
}

/// A route with its full path, before its handler is resolved.
struct RawRoute<'a> {
    file: usize,
    fact: &'a RouteFact,
    path: String,
    framework: Framework,
    /// Names of the parts of `path` only running the code gives (`{base}`).
    unknown: Vec<String>,
}

/// What a path being read is, for the words of its diagnostic.
#[derive(Debug, Clone, Copy)]
enum Role {
    /// A mount's prefix or a scope's own path: routes below it.
    Prefix,
    /// A route's own path.
    Route,
}

/// One fragment being walked.
struct Frame {
    fragment: usize,
    prefix: String,
    /// Names of the parts of `prefix` only running the code gives.
    unknown: Vec<String>,
    /// Next entry to look at.
    entry: usize,
    /// Next target of the current mount entry.
    child: usize,
    context: Option<Framework>,
}

impl<'a> Assembler<'a> {
    fn new(files: &'a [(&'a str, &'a FileRoutes)], resolve: &'a dyn Resolve) -> Assembler<'a> {
        let mut fragment_at = Vec::new();
        let mut first_fragment = Vec::with_capacity(files.len());
        let mut owners = ItemIndex::new();
        let mut consts = ItemIndex::new();
        let mut values = ItemIndex::new();
        for (file_idx, (path, facts)) in files.iter().enumerate() {
            first_fragment.push(fragment_at.len());
            fragment_at.extend((0..facts.fragments.len()).map(|local| (file_idx, local)));
            for (owner_idx, owner) in facts.owners.iter().enumerate() {
                owners
                    .entry(*path)
                    .or_default()
                    .entry(owner.key.name.as_str())
                    .or_default()
                    .push((file_idx, owner_idx));
            }
            for (const_idx, constant) in facts.consts.iter().enumerate() {
                consts
                    .entry(*path)
                    .or_default()
                    .entry(constant.key.name.as_str())
                    .or_default()
                    .push((file_idx, const_idx));
            }
            for (value_idx, value) in facts.values.iter().enumerate() {
                values
                    .entry(*path)
                    .or_default()
                    .entry(value.key.name.as_str())
                    .or_default()
                    .push((file_idx, value_idx));
            }
        }
        Assembler {
            files,
            resolve,
            fragment_at,
            first_fragment,
            owners,
            consts,
            values,
            links: HashMap::new(),
            resolved: HashMap::new(),
            modules: HashMap::new(),
            raw: Vec::new(),
            never_mounted: BTreeSet::new(),
            service_routes: Vec::new(),
            steps: 0,
            gave_up: false,
            diagnostics: Vec::new(),
        }
    }

    /// What collection noticed.
    fn notes(&mut self) {
        for (path, facts) in self.files {
            for note in &facts.notes {
                self.diagnostics.push(Diagnostic {
                    severity: note.severity,
                    file: path.to_string(),
                    line: note.site.line,
                    message: note.message.clone(),
                });
            }
        }
    }

    /// Step 1: what every mount reaches.
    fn link(&mut self) {
        let files = self.files;
        for (file_idx, (path, facts)) in files.iter().enumerate() {
            for (local, fragment) in facts.fragments.iter().enumerate() {
                let global = self.first_fragment[file_idx] + local;
                for (entry_idx, entry) in fragment.entries.iter().enumerate() {
                    let Entry::Mount(mount) = entry else {
                        continue;
                    };
                    let link = match &mount.target {
                        Target::Local(target) if *target < facts.fragments.len() => {
                            Some(Link::Fragments(vec![
                                self.first_fragment[file_idx] + target,
                            ]))
                        }
                        Target::Local(_) => None,
                        Target::Item {
                            path: item_path,
                            site,
                        } => {
                            let found =
                                self.owner_fragments(file_idx, site, item_path, mount.openapi);
                            if !found.is_empty() {
                                Some(Link::Fragments(found))
                            } else if mount.service {
                                Some(Link::Service)
                            } else {
                                self.diagnostics.push(Diagnostic {
                                    severity: Severity::Info,
                                    file: path.to_string(),
                                    line: mount.site.line,
                                    message: format!(
                                        "cannot find the routes of `{}` in the analysed code; they are missing under this mount",
                                        item_path.join("::")
                                    ),
                                });
                                None
                            }
                        }
                    };
                    if let Some(link) = link {
                        self.links.insert((global, entry_idx), link);
                    }
                }
            }
        }
    }

    /// Step 2: every root, then whatever only a cycle reaches.
    fn expand_all(&mut self) {
        let count = self.fragment_at.len();
        let mut referenced = vec![false; count];
        for link in self.links.values() {
            if let Link::Fragments(targets) = link {
                for &target in targets {
                    if let Some(flag) = referenced.get_mut(target) {
                        *flag = true;
                    }
                }
            }
        }
        // OpenAPI operations are served only where a `routes!(..)` mount names their fn.
        let mut visited: Vec<bool> = (0..count).map(|id| self.is_openapi(id)).collect();
        // Attribute routes are served only where a router mounts their fn. When the code
        // mounts none at all, the mounting is out of sight (a macro, code not analysed) and
        // each is its own root, as before.
        let attribute_mounted = (0..count).any(|id| referenced[id] && self.is_attribute(id));
        if attribute_mounted {
            for id in 0..count {
                if !referenced[id] && self.is_attribute(id) {
                    visited[id] = true;
                    self.unmounted(id);
                }
            }
        }
        let roots: Vec<usize> = (0..count)
            .filter(|&id| (!referenced[id] || self.is_kept(id)) && !visited[id])
            .collect();
        for root in roots {
            self.expand(root, &mut visited);
        }
        for root in 0..count {
            if !visited[root] {
                self.expand(root, &mut visited);
            }
        }
    }

    fn expand(&mut self, root: usize, visited: &mut [bool]) {
        if self.gave_up {
            return;
        }
        let files = self.files;
        let Some((prefix, unknown)) = self.own_prefix(root, "") else {
            return;
        };
        let mut stack = vec![Frame {
            fragment: root,
            prefix,
            unknown,
            entry: 0,
            child: 0,
            context: None,
        }];
        let mut on_path: HashSet<usize> = HashSet::from([root]);
        while let Some(frame) = stack.last_mut() {
            if let Some(flag) = visited.get_mut(frame.fragment) {
                *flag = true;
            }
            let (file_idx, local) = self.fragment_at[frame.fragment];
            let entries = &files[file_idx].1.fragments[local].entries;
            let Some(entry) = entries.get(frame.entry) else {
                on_path.remove(&frame.fragment);
                stack.pop();
                continue;
            };
            match entry {
                Entry::Route(route) => {
                    frame.entry += 1;
                    let (prefix, context) = (frame.prefix.clone(), frame.context);
                    let unknown = frame.unknown.clone();
                    self.emit(file_idx, route, (&prefix, &unknown), context);
                }
                Entry::Mount(mount) => {
                    let key = (frame.fragment, frame.entry);
                    let child = match self.links.get(&key) {
                        Some(Link::Fragments(targets)) => targets.get(frame.child).copied(),
                        Some(Link::Service) if frame.child == 0 => {
                            frame.child = 1;
                            let (prefix, unknown) = (frame.prefix.clone(), frame.unknown.clone());
                            self.emit_service(file_idx, mount, (&prefix, &unknown));
                            None
                        }
                        _ => None,
                    };
                    let Some(child) = child else {
                        frame.entry += 1;
                        frame.child = 0;
                        continue;
                    };
                    frame.child += 1;
                    let (parent_prefix, parent_unknown, context) = (
                        frame.prefix.clone(),
                        frame.unknown.clone(),
                        mount.context.or(frame.context),
                    );
                    if on_path.contains(&child) {
                        let cycle: Vec<String> = stack
                            .iter()
                            .skip_while(|frame| frame.fragment != child)
                            .map(|frame| self.label(frame.fragment))
                            .chain([self.label(child)])
                            .collect();
                        self.diagnostics.push(Diagnostic {
                            severity: Severity::Warning,
                            file: files[file_idx].0.to_string(),
                            line: mount.site.line,
                            message: format!(
                                "recursive router: {} mounts itself ({}); the cycle is not followed",
                                self.label(child),
                                cycle.join(" -> ")
                            ),
                        });
                        continue;
                    }
                    self.steps += 1;
                    if self.steps > MAX_STEPS {
                        self.give_up(file_idx, mount.site.line);
                        return;
                    }
                    let Some((mount_prefix, mount_unknown)) =
                        self.path_text(file_idx, &mount.prefix, mount.site.line, Role::Prefix)
                    else {
                        continue;
                    };
                    let joined = pattern::join(&parent_prefix, &mount_prefix);
                    let Some((prefix, own_unknown)) = self.own_prefix(child, &joined) else {
                        continue;
                    };
                    on_path.insert(child);
                    stack.push(Frame {
                        fragment: child,
                        prefix,
                        unknown: [parent_unknown, mount_unknown, own_unknown].concat(),
                        entry: 0,
                        child: 0,
                        context,
                    });
                }
            }
            if self.gave_up {
                return;
            }
        }
    }

    fn is_openapi(&self, fragment: usize) -> bool {
        self.fragment(fragment)
            .is_some_and(|fragment| fragment.openapi)
    }

    fn is_kept(&self, fragment: usize) -> bool {
        self.fragment(fragment)
            .is_some_and(|fragment| fragment.kept)
    }

    fn is_attribute(&self, fragment: usize) -> bool {
        self.fragment(fragment)
            .is_some_and(|fragment| fragment.attribute)
    }

    fn fragment(&self, fragment: usize) -> Option<&'a super::Fragment> {
        let files = self.files;
        let &(file_idx, local) = self.fragment_at.get(fragment)?;
        files[file_idx].1.fragments.get(local)
    }

    /// An attribute-routed fn that no router mounts: said, not counted as a route.
    fn unmounted(&mut self, fragment: usize) {
        let files = self.files;
        let Some(&(file_idx, local)) = self.fragment_at.get(fragment) else {
            return;
        };
        let facts = files[file_idx].1;
        let Some(first) = facts.fragments[local]
            .entries
            .iter()
            .find_map(|entry| match entry {
                Entry::Route(route) => Some(route),
                Entry::Mount(_) => None,
            })
        else {
            return;
        };
        let label = self.label(fragment);
        self.never_mounted
            .insert(format!("{}:{}", files[file_idx].0, label));
        self.diagnostics.push(Diagnostic {
            severity: Severity::Info,
            file: files[file_idx].0.to_string(),
            line: first.site.line,
            message: format!(
                "handler {label} has a route attribute but no router mounts it; it is not a route"
            ),
        });
    }

    /// `prefix` joined with the fragment's own scope/resource path; `None` (after a warning)
    /// when that path cannot be read, and (silently) for a fragment with no entries, which has
    /// nothing to contribute: an unused `web::scope(name)`, or a look-alike outside web code.
    /// The second value: the parts of the fragment's own path only running the code gives.
    fn own_prefix(&mut self, fragment: usize, prefix: &str) -> Option<(String, Vec<String>)> {
        let files = self.files;
        let (file_idx, local) = *self.fragment_at.get(fragment)?;
        let fragment = &files[file_idx].1.fragments[local];
        if fragment.entries.is_empty() {
            return None;
        }
        match &fragment.own_prefix {
            None => Some((prefix.to_string(), Vec::new())),
            Some(own) => {
                let (own, unknown) =
                    self.path_text(file_idx, own, fragment.site.line, Role::Prefix)?;
                Some((pattern::join(prefix, &own), unknown))
            }
        }
    }

    fn emit(
        &mut self,
        file_idx: usize,
        route: &'a RouteFact,
        (prefix, prefix_unknown): (&str, &[String]),
        context: Option<Framework>,
    ) {
        let Some((path, unknown)) =
            self.path_text(file_idx, &route.path, route.site.line, Role::Route)
        else {
            return;
        };
        let framework = route
            .framework
            .unwrap_or_else(|| self.attribute_framework(file_idx, context, &path));
        let path = pattern::finish(pattern::join(prefix, &path));
        self.raw.push(RawRoute {
            file: file_idx,
            fact: route,
            path,
            framework,
            unknown: [prefix_unknown, &unknown].concat(),
        });
        if self.raw.len() > MAX_ROUTES {
            self.give_up(file_idx, route.site.line);
        }
    }

    /// `.nest_service(prefix, svc)` of a plain service: every method at the prefix and below.
    fn emit_service(
        &mut self,
        file_idx: usize,
        mount: &super::MountFact,
        (prefix, prefix_unknown): (&str, &[String]),
    ) {
        let Target::Item { path, site } = &mount.target else {
            return;
        };
        let Some((mount_prefix, mount_unknown)) =
            self.path_text(file_idx, &mount.prefix, mount.site.line, Role::Prefix)
        else {
            return;
        };
        let unknown = [prefix_unknown, &mount_unknown].concat();
        let base = pattern::join(prefix, &mount_prefix);
        let handler = Handler::Path {
            segments: path.clone(),
            site: site.clone(),
        };
        let resolved = self.handler(file_idx, &handler);
        for tail in ["", "/{*rest}"] {
            let path = pattern::finish(pattern::join(&base, tail));
            match &resolved {
                Some((handler, module)) => {
                    let mut route = self.service_route(
                        file_idx,
                        mount.site.line,
                        path,
                        handler.clone(),
                        module.clone(),
                    );
                    route.computed_parts = unknown.clone();
                    self.service_routes.push(route);
                }
                None => {
                    let file = self.files[file_idx].0;
                    self.skip_without_module(file, mount.site.line, "ANY", &path);
                }
            }
        }
    }

    fn service_route(
        &self,
        file_idx: usize,
        line: u32,
        path: String,
        handler: String,
        module: String,
    ) -> Route {
        Route {
            method: "ANY".to_string(),
            path,
            handler,
            module,
            framework: Framework::Axum.as_str().to_string(),
            file: self.files[file_idx].0.to_string(),
            line,
            computed_parts: Vec::new(),
        }
    }

    /// Steps 3 and 4: handlers, then OpenAPI operations.
    fn routes(&mut self) -> Vec<Route> {
        let raw = std::mem::take(&mut self.raw);
        let mut routes = std::mem::take(&mut self.service_routes);
        for route in raw {
            let file = self.files[route.file].0;
            let Some((handler, module)) = self.handler(route.file, &route.fact.handler) else {
                self.skip_without_module(
                    file,
                    route.fact.site.line,
                    &route.fact.method,
                    &route.path,
                );
                continue;
            };
            routes.push(Route {
                method: route.fact.method.clone(),
                path: route.path,
                handler,
                module,
                framework: route.framework.as_str().to_string(),
                file: file.to_string(),
                line: route.fact.site.line,
                computed_parts: route.unknown,
            });
        }
        // An operation whose handler a router serves for that method documents that route
        // (its path may be written relative to a scope, or without the prefix it is nested
        // under): it is not a route of its own.
        let registered: HashSet<(String, String)> = routes
            .iter()
            .map(|route| (route.handler.clone(), route.method.clone()))
            .collect();
        let files = self.files;
        for (file_idx, (file, facts)) in files.iter().enumerate() {
            for operation in &facts.openapi {
                let path = pattern::finish(operation.path.clone());
                let Some((handler, module)) = self.handler(file_idx, &operation.handler) else {
                    for method in &operation.methods {
                        self.skip_without_module(file, operation.site.line, method, &path);
                    }
                    continue;
                };
                for method in &operation.methods {
                    if registered.contains(&(handler.clone(), method.clone())) {
                        continue;
                    }
                    routes.push(Route {
                        method: method.clone(),
                        path: path.clone(),
                        handler: handler.clone(),
                        module: module.clone(),
                        framework: Framework::Utoipa.as_str().to_string(),
                        file: file.to_string(),
                        line: operation.site.line,
                        computed_parts: Vec::new(),
                    });
                }
            }
        }
        routes
    }

    /// The handler's full path and module.
    fn handler(&mut self, file_idx: usize, handler: &Handler) -> Option<(String, String)> {
        match handler {
            Handler::Path { segments, site } => match self.resolve_cached(file_idx, site, segments)
            {
                Some(item) => Some((item.path, item.module)),
                None => Some((segments.join("::"), self.module_at(file_idx, site)?)),
            },
            Handler::Closure { site } => {
                Some(("<closure>".to_string(), self.module_at(file_idx, site)?))
            }
            Handler::Opaque { text, site } => Some((text.clone(), self.module_at(file_idx, site)?)),
        }
    }

    /// A path as text: a literal, the value of the constant it names, or its parts joined,
    /// each part only running the code gives marked `{name}` (with a diagnostic at `line`
    /// saying what it is computed from) and its name in the second value. `None` (after a warning)
    /// for something that is not a path at all.
    fn path_text(
        &mut self,
        file_idx: usize,
        spec: &PathSpec,
        line: u32,
        role: Role,
    ) -> Option<(String, Vec<String>)> {
        let mut text = String::new();
        let mut unknown = Vec::new();
        let parts = match spec {
            PathSpec::Parts(parts) => parts.as_slice(),
            single => std::slice::from_ref(single),
        };
        for part in parts {
            let (name, written) = match part {
                PathSpec::Literal(literal) => {
                    text.push_str(literal);
                    continue;
                }
                PathSpec::Const { path, site } => {
                    let files = self.files;
                    let found = self.find(file_idx, site, path, Kind::Const).first().map(
                        |&(const_file, const_idx)| {
                            files[const_file].1.consts[const_idx].value.clone()
                        },
                    );
                    match found {
                        Some(value) => {
                            text.push_str(&value);
                            continue;
                        }
                        None => (placeholder::name_of_segments(path), path.join("::")),
                    }
                }
                PathSpec::Field { path, fields, site } => {
                    match self.field_text(file_idx, site, path, fields) {
                        Some(value) => {
                            text.push_str(&value);
                            continue;
                        }
                        None => (
                            placeholder::name_of_segments(fields),
                            format!("{}.{}", path.join("::"), fields.join(".")),
                        ),
                    }
                }
                PathSpec::Unknown { name, written } => (name.clone(), written.clone()),
                PathSpec::Parts(_) | PathSpec::Invalid => {
                    self.diagnostics.push(Diagnostic {
                        severity: Severity::Warning,
                        file: self.files[file_idx].0.to_string(),
                        line,
                        message: "route path is not a string; skipped".to_string(),
                    });
                    return None;
                }
            };
            let placeholder = format!("{{{name}}}");
            let message = match role {
                Role::Prefix => format!(
                    "route prefix {placeholder} is computed at run time from `{written}`; routes below it are listed under `{placeholder}`"
                ),
                Role::Route => format!(
                    "route path {placeholder} is computed at run time from `{written}`; the route is listed under `{placeholder}`"
                ),
            };
            self.diagnostics.push(Diagnostic {
                severity: Severity::Warning,
                file: self.files[file_idx].0.to_string(),
                line,
                message,
            });
            text.push_str(&placeholder);
            unknown.push(name);
        }
        Some((text, unknown))
    }

    /// Which framework an attribute route belongs to: how it is mounted, else what its file
    /// uses, else its path syntax (`<id>` is rocket's).
    fn attribute_framework(
        &self,
        file_idx: usize,
        context: Option<Framework>,
        path: &str,
    ) -> Framework {
        if let Some(framework) = context {
            return framework;
        }
        let hints = self.files[file_idx].1.hints;
        match (hints.rocket, hints.actix) {
            (true, false) => Framework::Rocket,
            (false, true) => Framework::ActixWeb,
            _ if path.contains('<') => Framework::Rocket,
            _ => Framework::ActixWeb,
        }
    }

    /// A fragment's name for messages: the fn that owns it, else where it starts.
    fn label(&self, fragment: usize) -> String {
        let Some(&(file_idx, local)) = self.fragment_at.get(fragment) else {
            return "router".to_string();
        };
        let (file, facts) = self.files[file_idx];
        let owner = facts
            .owners
            .iter()
            .find(|owner| owner.fragments.contains(&local));
        match owner {
            Some(owner) => {
                let mut segments = owner.key.self_ty.clone();
                segments.push(owner.key.name.clone());
                format!("`{}`", segments.join("::"))
            }
            None => {
                let line = facts
                    .fragments
                    .get(local)
                    .map_or(0, |fragment| fragment.site.line);
                format!("the router at {file}:{line}")
            }
        }
    }

    fn skip_without_module(&mut self, file: &str, line: u32, method: &str, path: &str) {
        self.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            file: file.to_string(),
            line,
            message: format!(
                "route {method} {path} skipped: its handler is in no module of the analysed code"
            ),
        });
    }

    fn give_up(&mut self, file_idx: usize, line: u32) {
        if !self.gave_up {
            self.gave_up = true;
            self.diagnostics.push(Diagnostic {
                severity: Severity::Warning,
                file: self.files[file_idx].0.to_string(),
                line,
                message: format!(
                    "route extraction stopped: more than {MAX_ROUTES} routes or {MAX_STEPS} mounts; the route list is incomplete"
                ),
            });
        }
    }
}
