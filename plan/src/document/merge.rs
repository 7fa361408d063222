//! Applying a re-plan [`Draft`] to an existing plan document while keeping every human edit.
//!
//! The file is authoritative for every module a pattern of it matches: only modules that no
//! pattern matches are added, where the draft proposes. Exact entries for modules gone from
//! the code are removed; wildcards stay. Routes are added in state `monolith`, follow their
//! handler to another service only while in `monolith`, and are removed only in that state.
//! `tables` and `rank` are redrafted. Nothing else is touched: names, upstreams, constraints,
//! weights, comments and order stay byte for byte. The rules are written out in `docs/plan.md`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Key, Table, TableLike, Value};

use crate::document::edit::{
    extend_array, insert_route, remove_from_array, replace_array, without_positions,
};
use crate::document::layout::{check_shapes, modules_array, routes_table, service_table};
use crate::document::render;
use crate::draft::{Change, Draft, DraftRoute, ModuleOwner, fold_patterns, route_notes};
use crate::error::Error;
use crate::pattern::{ModulePattern, PatternKind};
use crate::plan::{Owner, Plan, Service};
use crate::route::{RouteKey, RouteState};

/// Where a module or route goes in the edited file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Target {
    /// The file's service at this index.
    File(usize),
    /// The draft's service at this index, added to the file.
    New(usize),
    SharedKernel,
}

/// Edits `document` (whose validated content is `plan`) to take in `draft`; returns the
/// changes, in the order: modules, routes, tables and ranks, services.
pub(crate) fn apply(
    document: &mut DocumentMut,
    plan: &Plan,
    draft: &Draft,
    file: &Path,
) -> Result<Vec<Change>, Error> {
    check_shapes(document, plan, file)?;
    let mut merge = Merge {
        plan,
        draft,
        known: draft.modules.iter().map(String::as_str).collect(),
        targets: match_services(plan, draft),
        changes: Vec::new(),
        new_tables: Vec::new(),
    };
    let additions = merge.module_additions();
    merge.remove_vanished(document);
    merge.add_modules(document, &additions)?;
    merge.routes(document);
    merge.tables_and_ranks(document);
    merge.finish_new_services(document);
    Ok(merge.changes)
}

struct Merge<'a> {
    plan: &'a Plan,
    draft: &'a Draft,
    known: HashSet<&'a str>,
    /// For each draft service, where it goes: a file service, a new one, or nowhere (a new
    /// service under `fixed_services`, or one none of whose modules is new).
    targets: Vec<Option<Target>>,
    changes: Vec<Change>,
    /// Tables of the services being added, pushed to the document at the end.
    new_tables: Vec<(usize, Table)>,
}

impl Merge<'_> {
    /// New modules (no pattern of the file matches them) grouped by where they go; reports
    /// modules the file places elsewhere than the draft.
    fn module_additions(&mut self) -> HashMap<Target, Vec<String>> {
        let mut additions: HashMap<Target, Vec<String>> = HashMap::new();
        let proposals = self
            .draft
            .services
            .iter()
            .enumerate()
            .flat_map(|(idx, service)| {
                service
                    .modules
                    .iter()
                    .map(move |module| (Some(idx), module))
            })
            .chain(self.draft.shared_kernel.iter().map(|module| (None, module)));
        let mut unplaced: HashMap<usize, Vec<String>> = HashMap::new();
        for (draft_idx, module) in proposals {
            let proposed = match draft_idx {
                Some(idx) => self.targets[idx],
                None => Some(Target::SharedKernel),
            };
            match self.plan.owner_of(module) {
                None => match proposed {
                    Some(target) => additions.entry(target).or_default().push(module.clone()),
                    None => {
                        if let Some(idx) = draft_idx {
                            unplaced.entry(idx).or_default().push(module.clone());
                        }
                    }
                },
                Some(owner) => {
                    let owner_target = self.target_of_owner(owner);
                    if proposed != Some(owner_target) {
                        let proposed = match draft_idx {
                            Some(idx) => ModuleOwner::Service(self.name_of_draft(idx)),
                            None => ModuleOwner::SharedKernel,
                        };
                        self.changes.push(Change::ModuleProposedElsewhere {
                            module: module.clone(),
                            owner: self.owner_name(owner_target),
                            proposed,
                        });
                    }
                }
            }
        }
        // A proposed service with no new module is not added: every module it would take is
        // already placed by the file.
        for (idx, target) in self.targets.iter_mut().enumerate() {
            if *target == Some(Target::New(idx)) && !additions.contains_key(&Target::New(idx)) {
                *target = None;
            }
        }
        let mut unplaced: Vec<(usize, Vec<String>)> = unplaced.into_iter().collect();
        unplaced.sort();
        for (idx, modules) in unplaced {
            self.changes.push(Change::ServiceNotAdded {
                service: self.draft.services[idx].name.clone(),
                modules,
            });
        }
        additions
    }

    /// Removes exact entries for modules gone from the code; reports wildcards matching none.
    fn remove_vanished(&mut self, document: &mut DocumentMut) {
        let owners: Vec<Target> = (0..self.plan.services.len())
            .map(Target::File)
            .chain([Target::SharedKernel])
            .collect();
        for target in owners {
            let Some(array) = modules_array(document, target, false) else {
                continue;
            };
            let mut idx = 0;
            while idx < array.len() {
                let text = array.get(idx).and_then(Value::as_str).unwrap_or_default();
                let Ok(pattern) = ModulePattern::parse(text) else {
                    idx += 1;
                    continue;
                };
                let owner = self.owner_name(target);
                if pattern.kind() == PatternKind::Exact {
                    if !self.known.contains(pattern.prefix()) {
                        self.changes.push(Change::ModuleVanished {
                            module: pattern.to_string(),
                            owner,
                        });
                        remove_from_array(array, idx);
                        continue;
                    }
                } else if !self.known.iter().any(|module| pattern.matches(module)) {
                    self.changes.push(Change::PatternMatchesNothing {
                        pattern: pattern.to_string(),
                        owner,
                    });
                }
                idx += 1;
            }
        }
    }

    /// Appends new modules to their owners' lists, folded into `m` plus `m::**` where a whole
    /// new subtree goes to one place; prepares the tables of new services.
    fn add_modules(
        &mut self,
        document: &mut DocumentMut,
        additions: &HashMap<Target, Vec<String>>,
    ) -> Result<(), Error> {
        let mut order: Vec<&Target> = additions.keys().collect();
        order.sort_by_key(|target| match target {
            Target::File(idx) => (0, *idx),
            Target::New(idx) => (1, *idx),
            Target::SharedKernel => (2, 0),
        });
        for target in order {
            let modules = &additions[target];
            let patterns: Vec<String> = fold_patterns(modules, &self.draft.modules)
                .iter()
                .map(ModulePattern::to_string)
                .collect();
            let mut sorted = modules.clone();
            sorted.sort();
            for module in sorted {
                self.changes.push(Change::ModuleAdded {
                    module,
                    owner: self.owner_name(*target),
                });
            }
            if let Target::New(idx) = *target {
                let proposed = &self.draft.services[idx];
                let mut service = Service::new(proposed.name.clone());
                service.modules = patterns
                    .iter()
                    .filter_map(|pattern| ModulePattern::parse(pattern).ok())
                    .collect();
                service.tables = proposed.tables.clone();
                service.rank = proposed.rank;
                let file_idx = self.plan.services.len() + self.new_tables.len();
                self.new_tables
                    .push((idx, new_service_table(&service, file_idx)?));
                continue;
            }
            // Present: `check_shapes` accepted the owner, and `create` makes the list.
            if let Some(array) = modules_array(document, *target, true) {
                extend_array(array, &patterns);
            }
        }
        Ok(())
    }

    /// Adds, moves and removes routes; see the module comment for the rules.
    fn routes(&mut self, document: &mut DocumentMut) {
        let mut in_file: HashMap<String, (usize, RouteKey, RouteState)> = HashMap::new();
        for (service_idx, service) in self.plan.services.iter().enumerate() {
            for route in &service.routes {
                in_file.insert(
                    route.key.shape(),
                    (service_idx, route.key.clone(), route.state),
                );
            }
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut moves: Vec<(usize, RouteKey, Target)> = Vec::new();
        let mut adds: Vec<(RouteKey, Target)> = Vec::new();
        for (draft_idx, proposed) in self.draft.services.iter().enumerate() {
            let Some(target) = self.targets[draft_idx] else {
                continue;
            };
            for DraftRoute { key, .. } in &proposed.routes {
                let shape = key.shape();
                match in_file.get(&shape) {
                    Some((file_idx, file_key, state)) => {
                        seen.insert(shape);
                        if target == Target::File(*file_idx) {
                            continue;
                        }
                        let from = self.plan.services[*file_idx].name.clone();
                        let to = self.target_name(target);
                        if *state == RouteState::Monolith {
                            self.changes.push(Change::RouteMoved {
                                route: file_key.clone(),
                                from,
                                to,
                            });
                            moves.push((*file_idx, file_key.clone(), target));
                        } else {
                            self.changes.push(Change::RouteOwnerDiffers {
                                route: file_key.clone(),
                                service: from,
                                proposed: to,
                                state: *state,
                            });
                        }
                    }
                    None => {
                        self.changes.push(Change::RouteAdded {
                            route: key.clone(),
                            service: self.target_name(target),
                        });
                        adds.push((key.clone(), target));
                    }
                }
            }
        }
        // Routes of a file service the draft does not match are left alone: the draft says
        // nothing about them.
        let matched: HashSet<usize> = self.matched_file_services();
        let mut removals: Vec<(usize, RouteKey)> = Vec::new();
        for (service_idx, service) in self.plan.services.iter().enumerate() {
            if !matched.contains(&service_idx) {
                continue;
            }
            for route in &service.routes {
                if seen.contains(&route.key.shape()) {
                    continue;
                }
                if route.state == RouteState::Monolith {
                    self.changes.push(Change::RouteRemoved {
                        route: route.key.clone(),
                        service: service.name.clone(),
                    });
                    removals.push((service_idx, route.key.clone()));
                } else {
                    self.changes.push(Change::RouteKept {
                        route: route.key.clone(),
                        service: service.name.clone(),
                        state: route.state,
                    });
                }
            }
        }
        let mut emptied: Vec<usize> = removals
            .iter()
            .map(|(service_idx, _)| *service_idx)
            .chain(moves.iter().map(|(service_idx, _, _)| *service_idx))
            .collect();
        emptied.sort_unstable();
        emptied.dedup();
        for (service_idx, key) in removals {
            if let Some((routes, _)) = routes_table(
                document,
                &mut self.new_tables,
                Target::File(service_idx),
                false,
            ) {
                routes.remove(&key.to_string());
            }
        }
        for (service_idx, key, target) in moves {
            let text = key.to_string();
            let Some((routes, inline)) = routes_table(
                document,
                &mut self.new_tables,
                Target::File(service_idx),
                false,
            ) else {
                continue;
            };
            let formatted = routes.key(&text).cloned();
            let Some(mut item) = routes.remove(&text) else {
                continue;
            };
            if let (true, Item::Value(value)) = (inline, &mut item) {
                value.decor_mut().set_suffix("");
            }
            let formatted = formatted.unwrap_or_else(|| Key::new(text.as_str()));
            if let Some((routes, inline)) =
                routes_table(document, &mut self.new_tables, target, true)
            {
                insert_route(routes, inline, &formatted, item);
            }
        }
        let notes = route_notes(self.draft);
        for (key, target) in adds {
            if let Some((routes, inline)) =
                routes_table(document, &mut self.new_tables, target, true)
            {
                let mut formatted = Key::new(key.to_string());
                // An inline table cannot hold a comment.
                if let (Some(note), false) = (notes.get(&key.shape()), inline) {
                    formatted.leaf_decor_mut().set_prefix(format!("{note}\n"));
                }
                let item = toml_edit::value(RouteState::Monolith.name());
                insert_route(routes, inline, &formatted, item);
            }
        }
        // A routes table this re-plan emptied goes too, rather than stay as a bare header.
        for service_idx in emptied {
            if let Some(table) = service_table(document, service_idx)
                && table
                    .get("routes")
                    .and_then(Item::as_table_like)
                    .is_some_and(TableLike::is_empty)
            {
                table.remove("routes");
            }
        }
    }

    /// Redrafts `tables` and `rank` of the file services the draft matched.
    fn tables_and_ranks(&mut self, document: &mut DocumentMut) {
        self.release_claimed_tables(document);
        for (draft_idx, proposed) in self.draft.services.iter().enumerate() {
            let Some(Target::File(file_idx)) = self.targets[draft_idx] else {
                continue;
            };
            let service = &self.plan.services[file_idx];
            let Some(table) = service_table(document, file_idx) else {
                continue;
            };
            let before: HashSet<&String> = service.tables.iter().collect();
            let after: HashSet<&String> = proposed.tables.iter().collect();
            if before != after {
                for table_name in &proposed.tables {
                    if !before.contains(table_name) {
                        self.changes.push(Change::TableAdded {
                            table: table_name.clone(),
                            service: service.name.clone(),
                        });
                    }
                }
                for table_name in &service.tables {
                    if !after.contains(table_name) {
                        self.changes.push(Change::TableRemoved {
                            table: table_name.clone(),
                            service: service.name.clone(),
                        });
                    }
                }
                match table.get_mut("tables").and_then(Item::as_array_mut) {
                    Some(array) => replace_array(array, &proposed.tables),
                    None => {
                        let mut array = Array::new();
                        extend_array(&mut array, &proposed.tables);
                        table.insert("tables", Item::Value(Value::Array(array)));
                    }
                }
            }
            if service.rank != proposed.rank {
                self.changes.push(Change::RankChanged {
                    service: service.name.clone(),
                    from: service.rank,
                    to: proposed.rank,
                });
                match (proposed.rank, table.get_mut("rank")) {
                    (Some(rank), Some(Item::Value(old))) => {
                        let mut value = Value::from(i64::from(rank));
                        *value.decor_mut() = old.decor().clone();
                        *old = value;
                    }
                    (Some(rank), _) => {
                        table.insert("rank", toml_edit::value(i64::from(rank)));
                    }
                    (None, _) => {
                        table.remove("rank");
                    }
                }
            }
        }
    }

    /// A file service the draft does not match keeps its tables, except those the draft gives
    /// to another service: a table has one owner.
    fn release_claimed_tables(&mut self, document: &mut DocumentMut) {
        let claimed: HashSet<&str> = self
            .draft
            .services
            .iter()
            .zip(&self.targets)
            .filter(|(_, target)| target.is_some())
            .flat_map(|(proposed, _)| proposed.tables.iter().map(String::as_str))
            .collect();
        let matched = self.matched_file_services();
        for (file_idx, service) in self.plan.services.iter().enumerate() {
            if matched.contains(&file_idx) {
                continue;
            }
            let released: Vec<String> = service
                .tables
                .iter()
                .filter(|table_name| claimed.contains(table_name.as_str()))
                .cloned()
                .collect();
            if released.is_empty() {
                continue;
            }
            let kept: Vec<String> = service
                .tables
                .iter()
                .filter(|table_name| !released.contains(table_name))
                .cloned()
                .collect();
            if let Some(array) = service_table(document, file_idx)
                .and_then(|table| table.get_mut("tables"))
                .and_then(Item::as_array_mut)
            {
                replace_array(array, &kept);
            }
            for table in released {
                self.changes.push(Change::TableRemoved {
                    table,
                    service: service.name.clone(),
                });
            }
        }
    }

    /// Pushes the new services after the last one, and reports file services the draft did
    /// not mention.
    fn finish_new_services(&mut self, document: &mut DocumentMut) {
        let new_tables = std::mem::take(&mut self.new_tables);
        for (idx, table) in new_tables {
            self.changes.push(Change::ServiceAdded {
                service: self.draft.services[idx].name.clone(),
            });
            let services = document
                .as_table_mut()
                .entry("service")
                .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
            if let Some(services) = services.as_array_of_tables_mut() {
                services.push(table);
            }
        }
        let matched = self.matched_file_services();
        for (idx, service) in self.plan.services.iter().enumerate() {
            if !matched.contains(&idx) {
                self.changes.push(Change::ServiceNotInDraft {
                    service: service.name.clone(),
                });
            }
        }
    }

    /// Indices of the file services some draft service matched.
    fn matched_file_services(&self) -> HashSet<usize> {
        self.targets
            .iter()
            .filter_map(|target| match target {
                Some(Target::File(idx)) => Some(*idx),
                _ => None,
            })
            .collect()
    }

    fn target_of_owner(&self, owner: Owner<'_>) -> Target {
        match owner {
            Owner::Service(service) => Target::File(
                self.plan
                    .services
                    .iter()
                    .position(|candidate| std::ptr::eq(candidate, service))
                    .unwrap_or(0),
            ),
            Owner::SharedKernel => Target::SharedKernel,
        }
    }

    fn target_name(&self, target: Target) -> String {
        match target {
            Target::File(idx) => self.plan.services[idx].name.clone(),
            Target::New(idx) => self.draft.services[idx].name.clone(),
            Target::SharedKernel => "shared kernel".to_string(),
        }
    }

    fn owner_name(&self, target: Target) -> ModuleOwner {
        match target {
            Target::SharedKernel => ModuleOwner::SharedKernel,
            _ => ModuleOwner::Service(self.target_name(target)),
        }
    }

    fn name_of_draft(&self, idx: usize) -> String {
        match self.targets[idx] {
            Some(Target::File(file_idx)) => self.plan.services[file_idx].name.clone(),
            _ => self.draft.services[idx].name.clone(),
        }
    }
}

/// For each draft service, the file service it is: the one with its name, else the one that
/// already owns most of its modules (more than half), else a new one.
fn match_services(plan: &Plan, draft: &Draft) -> Vec<Option<Target>> {
    let mut targets: Vec<Option<Target>> = vec![None; draft.services.len()];
    let mut taken: HashSet<usize> = HashSet::new();
    for (draft_idx, proposed) in draft.services.iter().enumerate() {
        if let Some(file_idx) = plan
            .services
            .iter()
            .position(|service| service.name == proposed.name)
        {
            targets[draft_idx] = Some(Target::File(file_idx));
            taken.insert(file_idx);
        }
    }
    for (draft_idx, proposed) in draft.services.iter().enumerate() {
        if targets[draft_idx].is_some() {
            continue;
        }
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for module in &proposed.modules {
            if let Some(service) = plan.service_of(module)
                && let Some(file_idx) = plan
                    .services
                    .iter()
                    .position(|candidate| std::ptr::eq(candidate, service))
            {
                *counts.entry(file_idx).or_default() += 1;
            }
        }
        let best = counts
            .into_iter()
            .filter(|(file_idx, _)| !taken.contains(file_idx))
            .max_by_key(|&(file_idx, count)| (count, std::cmp::Reverse(file_idx)));
        targets[draft_idx] = match best {
            Some((file_idx, count)) if count * 2 > proposed.modules.len() => {
                taken.insert(file_idx);
                Some(Target::File(file_idx))
            }
            _ if plan.constraints.fixed_services => None,
            _ => Some(Target::New(draft_idx)),
        };
    }
    targets
}

/// The table of a service being added, from the same rendering a new plan uses; positions
/// are cleared so that it lands after the services already there.
fn new_service_table(service: &Service, file_idx: usize) -> Result<Table, Error> {
    let text = render::render_service(service, file_idx, &HashMap::new());
    let parsed = text.parse::<DocumentMut>().map_err(|error| Error::Draft {
        reason: format!(
            "service \"{}\" does not render: {}",
            service.name,
            error.message()
        ),
    })?;
    let table = parsed
        .get("service")
        .and_then(Item::as_array_of_tables)
        .and_then(|services| services.get(0))
        .ok_or_else(|| Error::Draft {
            reason: format!("service \"{}\" does not render", service.name),
        })?;
    let mut table = without_positions(table);
    table.decor_mut().set_prefix(
        "\n# Added by `ficus plan`: a service the analysis proposes. Rename it freely.\n",
    );
    Ok(table)
}
