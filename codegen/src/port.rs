//! The port of a boundary: what the rest of the monolith uses of one planned service, and
//! whether each use can become a network call as it is.
//!
//! An **operation** is a function or method in the service's modules that code outside them
//! calls (route handlers excluded: their routes move through the proxy, not a client). Its
//! signature is read from the source (`port/signature.rs`) and, with the code model, gives a
//! classification: **ready** (owned, serialisable inputs and outputs), **needs change**
//! (borrows, generics, `impl Trait`, closures, iterators, lifetimes, `&self` on a type with
//! state: each with what to change) or **blocked** (the caller's transaction, a handle, a
//! mutable global the rest also uses, a table the rest also writes). The **types** are every
//! monolith type reachable from the operations' signatures, with their fields; their own
//! findings count for every operation that reaches them.
//!
//! Database connections and pools among the parameters are left out of the operation: the
//! service opens its own. A table access belongs to the function whose body holds its line;
//! an operation reaches the tables of the service's functions it calls, a few calls deep.

mod signature;
pub(crate) mod source;

pub(crate) use signature::{pattern_name, type_text};
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use ficus_plan::{Owner, Plan};
use serde::Serialize;

use crate::error::Error;
use crate::model::{CodeItem, CodeModel, Reference};
use source::Sources;

/// The port of one service.
#[derive(Debug, Clone, Serialize)]
pub struct Port {
    pub service: String,
    /// Ids of the service's modules, sorted.
    pub modules: Vec<String>,
    /// Sorted by path.
    pub operations: Vec<Operation>,
    /// Monolith types the operations' signatures reach, sorted by path.
    pub types: Vec<TypeDef>,
    pub routes: Vec<PortRoute>,
    /// Tables the plan gives the service.
    pub tables: Vec<String>,
    /// Tables the service's modules access that modules outside it write.
    pub shared_tables: Vec<SharedTable>,
}

impl Port {
    /// The operations that are ready, in the port's order: the API's methods.
    pub fn ready(&self) -> Vec<&Operation> {
        self.operations
            .iter()
            .filter(|operation| operation.class == Class::Ready)
            .collect()
    }

    /// The types by path.
    pub fn types_by_path(&self) -> BTreeMap<&str, &TypeDef> {
        self.types
            .iter()
            .map(|def| (def.path.as_str(), def))
            .collect()
    }
}

/// A function or method of the service that the rest of the monolith calls.
#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// Function name (`get_product`), method name for methods.
    pub name: String,
    /// Item path (`shop::catalog::service::get_product`).
    pub path: String,
    pub module: String,
    pub file: String,
    pub line: u32,
    /// The signature as written, on one line.
    pub signature: String,
    pub is_async: bool,
    pub receiver: Option<String>,
    /// Parameters that cross the boundary, as written.
    pub inputs: Vec<Param>,
    /// What it returns on success (`T` of a `Result`); `None` for `()`.
    pub output: Option<String>,
    /// Parameters the service supplies itself (database connections and pools).
    pub supplied: Vec<String>,
    /// Modules outside the service that call it, sorted.
    pub callers: Vec<String>,
    /// Paths of the types in `Port::types` its signature reaches.
    pub types: Vec<String>,
    /// The monolith type each type name its signature writes means: name (`Self` for a
    /// method's type) to path.
    pub names: BTreeMap<String, String>,
    /// The type of the `impl` block, for methods.
    pub self_type: Option<String>,
    /// The monolith type its `Result` carries as the error (`Result<T, E>`, or an alias
    /// `XResult<T>` of `Result<T, E>`), by path.
    pub error: Option<String>,
    /// Tables it reads and writes, in its body or through the service's functions it calls.
    pub reads: Vec<String>,
    pub writes: Vec<String>,
    /// It writes no table: calling it twice does what calling it once does, as far as the
    /// analysis sees, so a client may retry it.
    pub idempotent: bool,
    pub class: Class,
    /// Why it is not ready, most severe first.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// How far an operation is from being a network call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Ready,
    NeedsChange,
    Blocked,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Ready => "ready",
            Class::NeedsChange => "needs change",
            Class::Blocked => "blocked",
        }
    }
}

/// One thing that keeps an operation (or a type) from crossing the network as it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub class: Class,
    pub what: String,
    /// What a person can change.
    pub fix: String,
    /// Where to look: the operation, the type, the global or the table access.
    pub file: String,
    pub line: u32,
}

/// A monolith type the port carries.
#[derive(Debug, Clone, Serialize)]
pub struct TypeDef {
    pub name: String,
    pub path: String,
    /// `struct`, `enum`, `union` or `type`.
    pub kind: String,
    pub module: String,
    pub file: String,
    pub line: u32,
    /// Derives both `Serialize` and `Deserialize` already.
    pub serde: bool,
    /// Derives `Serialize` (a value of it can become its API copy through serde).
    pub serialize: bool,
    /// Derives `Deserialize` (its API copy can become a value of it).
    pub deserialize: bool,
    /// Names of its type parameters.
    pub generics: Vec<String>,
    /// Doc comment lines.
    pub docs: Vec<String>,
    /// Named or positional (`0`, `1`) fields of a struct; an alias's target as `type`.
    pub fields: Vec<Param>,
    /// Variants of an enum, each as written without attributes.
    pub variants: Vec<String>,
    /// The monolith type each type name its fields write means: name to path.
    pub names: BTreeMap<String, String>,
    /// Who owns it in the plan: `service`, `shared kernel`, `monolith` or another service's
    /// name.
    pub owner: String,
    pub findings: Vec<Finding>,
}

/// A route the service serves.
#[derive(Debug, Clone, Serialize)]
pub struct PortRoute {
    pub method: String,
    pub path: String,
    pub handler: String,
    pub file: String,
    pub line: u32,
    /// Its state in the plan (`monolith`, `canary 10%`, ...), when the plan lists it.
    pub state: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SharedTable {
    pub table: String,
    /// Modules outside the service that write it, sorted.
    pub writers: Vec<String>,
}

/// The port of `service` in `plan`, from the code model of the monolith in `root`.
pub fn port_of(model: &CodeModel, plan: &Plan, service: &str, root: &Path) -> Result<Port, Error> {
    let Some(planned) = plan.service(service) else {
        let known: Vec<&str> = plan.services.iter().map(|s| s.name.as_str()).collect();
        return Err(Error::UnknownService {
            name: service.to_string(),
            known: if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            },
        });
    };
    let mut builder = Builder {
        model,
        plan,
        service,
        sources: Sources::new(root),
        items: model
            .items
            .iter()
            .map(|item| (item.path.as_str(), item))
            .collect(),
        modules: model.modules.iter().map(String::as_str).collect(),
        outgoing: {
            let mut outgoing: HashMap<&str, Vec<&Reference>> = HashMap::new();
            for reference in &model.references {
                outgoing
                    .entry(reference.from.as_str())
                    .or_default()
                    .push(reference);
            }
            outgoing
        },
        types: BTreeMap::new(),
        type_children: BTreeMap::new(),
    };
    let modules: BTreeSet<&str> = model
        .modules
        .iter()
        .map(String::as_str)
        .filter(|module| builder.in_service(module))
        .collect();
    let operations = builder.operations()?;
    let shared_tables = builder.shared_tables(&modules);
    let routes = builder.routes(planned);
    Ok(Port {
        service: service.to_string(),
        modules: modules.iter().map(|module| module.to_string()).collect(),
        operations,
        types: builder.types.into_values().collect(),
        routes,
        tables: planned.tables.clone(),
        shared_tables,
    })
}

struct Builder<'m> {
    model: &'m CodeModel,
    plan: &'m Plan,
    service: &'m str,
    sources: Sources,
    items: HashMap<&'m str, &'m CodeItem>,
    modules: HashSet<&'m str>,
    /// References by the item (or module) they start from.
    outgoing: HashMap<&'m str, Vec<&'m Reference>>,
    /// Reached types by path.
    types: BTreeMap<String, TypeDef>,
    /// The monolith types each reached type's fields name.
    type_children: BTreeMap<String, Vec<String>>,
}

impl<'m> Builder<'m> {
    fn in_service(&self, module: &str) -> bool {
        matches!(self.plan.owner_of(module), Some(Owner::Service(s)) if s.name == self.service)
    }

    fn owner_name(&self, module: &str) -> String {
        match self.plan.owner_of(module) {
            Some(Owner::Service(s)) if s.name == self.service => "service".to_string(),
            Some(Owner::Service(s)) => s.name.clone(),
            Some(Owner::SharedKernel) => "shared kernel".to_string(),
            None => "monolith".to_string(),
        }
    }

    /// Module of a reference's end: an item's module, or the module itself.
    fn module_of(&self, end: &str) -> Option<&'m str> {
        if let Some(item) = self.items.get(end) {
            return Some(item.module.as_str());
        }
        self.modules.get(end).copied()
    }

    /// The references that start from `from`.
    fn from(&self, from: &str) -> &[&'m Reference] {
        self.outgoing.get(from).map_or(&[], Vec::as_slice)
    }

    fn operations(&mut self) -> Result<Vec<Operation>, Error> {
        let handlers: BTreeSet<&str> = self
            .model
            .handlers
            .iter()
            .map(|handler| handler.handler.as_str())
            .collect();
        let tests: BTreeSet<&str> = self.model.test_modules.iter().map(String::as_str).collect();
        let mut callers: BTreeMap<&'m str, BTreeSet<&'m str>> = BTreeMap::new();
        for reference in &self.model.references {
            if !matches!(
                reference.kind.as_str(),
                "call" | "method" | "inferred_method"
            ) {
                continue;
            }
            let Some(target) = self.items.get(reference.to.as_str()).copied() else {
                continue;
            };
            if !matches!(target.kind.as_str(), "fn" | "method")
                || !self.in_service(&target.module)
                || tests.contains(target.module.as_str())
                || handlers.contains(target.path.as_str())
            {
                continue;
            }
            let Some(from) = self.module_of(&reference.from) else {
                continue;
            };
            if !self.in_service(from) && !tests.contains(from) {
                callers
                    .entry(target.path.as_str())
                    .or_default()
                    .insert(from);
            }
        }
        let mut operations = Vec::with_capacity(callers.len());
        for (path, from) in callers {
            let item = self.items[path];
            operations.extend(self.operation(item, from, &handlers)?);
        }
        Ok(operations)
    }

    /// `None` for a function that registers routes (a router or route list built for the
    /// application to mount): its routes move, not the function.
    fn operation(
        &mut self,
        item: &'m CodeItem,
        callers: BTreeSet<&str>,
        handlers: &BTreeSet<&str>,
    ) -> Result<Option<Operation>, Error> {
        let name = last_segment(&item.path).to_string();
        let found = self
            .sources
            .function(&item.file, &name, item.line)?
            .ok_or_else(|| Error::Read {
                path: PathBuf::from(&item.file),
                message: format!("no function `{name}` at line {}", item.line),
            })?;
        // A route registrar registers a route inside its body, or names a handler (a list of
        // handlers handed to a router macro registers them where the handler is annotated).
        let registers_routes = self.model.handlers.iter().any(|handler| {
            handler.file == item.file && (item.line..=found.last_line).contains(&handler.line)
        }) || self
            .from(&item.path)
            .iter()
            .any(|reference| handlers.contains(reference.to.as_str()));
        if registers_routes {
            return Ok(None);
        }
        let facts = signature::read_signature(&found.sig);
        if facts.middleware {
            return Ok(None);
        }
        let mut findings: Vec<Finding> = facts
            .findings
            .iter()
            .map(|(class, what, fix)| Finding {
                class: *class,
                what: what.clone(),
                fix: fix.clone(),
                file: item.file.clone(),
                line: item.line,
            })
            .collect();
        if !found.impl_generics.is_empty() {
            findings.push(Finding {
                class: Class::NeedsChange,
                what: format!(
                    "its `impl` block is generic over `{}`",
                    found.impl_generics.join("`, `")
                ),
                fix: "pick the concrete types callers use, one operation each".to_string(),
                file: item.file.clone(),
                line: item.line,
            });
        }
        if let (Some(receiver), Some(self_type)) = (&facts.receiver, &found.self_type) {
            self.receiver_finding(item, receiver, self_type, &mut findings)?;
        }
        let mut reached = Vec::new();
        let mut names = BTreeMap::new();
        for written in &facts.named_types {
            let named = match (written.as_str(), &found.self_type) {
                ("Self", Some(self_type)) => self_type.as_str(),
                ("Self", None) => continue,
                (other, _) => other,
            };
            match self.resolve_type(&item.path, named) {
                Resolved::One(path) => {
                    names.insert(written.clone(), path.clone());
                    reached.push(path);
                }
                unresolved => findings.extend(unresolved.finding("names", named, item)),
            }
        }
        let types = self.reach_types(reached)?;
        // A type's findings are listed once, with the type; the operation points at it.
        for path in &types {
            let Some(def) = self.types.get(path) else {
                continue;
            };
            let Some(class) = def.findings.iter().map(|finding| finding.class).max() else {
                continue;
            };
            findings.push(Finding {
                class,
                what: format!(
                    "its signature reaches `{}`, which {} as it stands ({} finding{}, listed with the type)",
                    def.name,
                    if class == Class::Blocked { "is blocked" } else { "needs change" },
                    def.findings.len(),
                    if def.findings.len() == 1 { "" } else { "s" }
                ),
                fix: format!("change `{}` first, or map it to a type that crosses", def.name),
                file: def.file.clone(),
                line: def.line,
            });
        }
        self.global_findings(item, &mut findings)?;
        let (reads, writes) = self.table_findings(item, &mut findings)?;
        let error = self.error_type(item, &found.sig)?;
        findings.sort_by(|a, b| b.class.cmp(&a.class).then_with(|| a.cmp(b)));
        findings.dedup();
        let class = findings
            .iter()
            .map(|finding| finding.class)
            .max()
            .unwrap_or(Class::Ready);
        Ok(Some(Operation {
            name,
            path: item.path.clone(),
            module: item.module.clone(),
            file: item.file.clone(),
            line: item.line,
            signature: signature::signature_text(&found.sig),
            is_async: facts.is_async,
            receiver: facts.receiver.clone(),
            inputs: facts
                .inputs
                .iter()
                .map(|(name, ty)| Param {
                    name: name.clone(),
                    ty: ty.clone(),
                })
                .collect(),
            output: facts.output.clone(),
            supplied: facts.supplied.clone(),
            callers: callers.iter().map(|caller| caller.to_string()).collect(),
            types,
            names,
            self_type: found.self_type.clone(),
            error,
            idempotent: writes.is_empty(),
            reads,
            writes,
            class,
            findings,
        }))
    }

    /// `&self` on a struct with fields: the state lives in the caller's process.
    fn receiver_finding(
        &mut self,
        item: &CodeItem,
        receiver: &str,
        self_type: &str,
        findings: &mut Vec<Finding>,
    ) -> Result<(), Error> {
        let Resolved::One(path) = self.resolve_type(&item.path, self_type) else {
            return Ok(());
        };
        let type_item = self.items[path.as_str()];
        let Some(def) = self
            .sources
            .type_def(&type_item.file, self_type, type_item.line)?
        else {
            return Ok(());
        };
        if def.fields.is_empty() {
            return Ok(());
        }
        findings.push(Finding {
            class: Class::NeedsChange,
            what: format!(
                "`{receiver}` is the state of `{self_type}` ({} fields), which lives in the caller's process",
                def.fields.len()
            ),
            fix: format!(
                "the service owns that state: make it a free operation that takes an id of the `{self_type}`, or the values it reads"
            ),
            file: item.file.clone(),
            line: item.line,
        });
        Ok(())
    }

    /// Statics with interior mutability (or `static mut`) that the operation uses and code
    /// outside the service uses too.
    fn global_findings(
        &mut self,
        item: &CodeItem,
        findings: &mut Vec<Finding>,
    ) -> Result<(), Error> {
        let statics: BTreeSet<&str> = self
            .from(&item.path)
            .iter()
            .filter_map(|reference| self.items.get(reference.to.as_str()).copied())
            .filter(|target| target.kind == "static")
            .map(|target| target.path.as_str())
            .collect();
        for path in statics {
            let target = self.items[path];
            let name = last_segment(path);
            if !self
                .sources
                .static_is_mutable(&target.file, name, target.line)?
            {
                continue;
            }
            let outside: BTreeSet<&str> = self
                .model
                .references
                .iter()
                .filter(|reference| reference.to == path)
                .filter_map(|reference| self.module_of(&reference.from))
                .filter(|module| !self.in_service(module))
                .collect();
            if outside.is_empty() {
                continue;
            }
            findings.push(Finding {
                class: Class::Blocked,
                what: format!(
                    "uses the mutable global `{name}`, which {} also {}",
                    quoted_list(&outside),
                    if outside.len() == 1 { "uses" } else { "use" }
                ),
                fix: "one process owns mutable state: give the service its own and have the monolith ask it, or keep the global in the monolith".to_string(),
                file: target.file.clone(),
                line: target.line,
            });
        }
        Ok(())
    }

    /// Tables the operation accesses, in its own body or in a function of the service it
    /// calls (up to [`TABLE_CALL_DEPTH`] calls deep), that modules outside the service write.
    /// Returns the tables it reads and writes that way, sorted.
    fn table_findings(
        &mut self,
        item: &'m CodeItem,
        findings: &mut Vec<Finding>,
    ) -> Result<(Vec<String>, Vec<String>), Error> {
        // (table, write) -> (through which function, file, line), the first one found.
        let mut reached: BTreeMap<(&'m str, bool), (&'m str, &'m str, u32)> = BTreeMap::new();
        let mut visited: BTreeSet<&'m str> = BTreeSet::new();
        let mut frontier = vec![item];
        for _ in 0..=TABLE_CALL_DEPTH {
            let mut next = Vec::new();
            for function in frontier {
                if !visited.insert(function.path.as_str()) {
                    continue;
                }
                for (access, line) in self.accesses_in(function)? {
                    reached
                        .entry((access.table.as_str(), access.write))
                        .or_insert((function.path.as_str(), access.file.as_str(), line));
                }
                next.extend(
                    self.from(&function.path)
                        .iter()
                        .filter(|reference| {
                            matches!(
                                reference.kind.as_str(),
                                "call" | "method" | "inferred_method"
                            )
                        })
                        .filter_map(|reference| self.items.get(reference.to.as_str()).copied())
                        .filter(|callee| {
                            matches!(callee.kind.as_str(), "fn" | "method")
                                && self.in_service(&callee.module)
                        }),
                );
            }
            frontier = next;
        }
        let tables = |write: bool| -> Vec<String> {
            reached
                .keys()
                .filter(|(_, writes)| *writes == write)
                .map(|(table, _)| table.to_string())
                .collect()
        };
        let tables = (tables(false), tables(true));
        for ((table, write), (through, file, line)) in reached {
            let writers: BTreeSet<&str> = self
                .model
                .accesses
                .iter()
                .filter(|other| other.table == table && other.write)
                .map(|other| other.module.as_str())
                .filter(|module| !self.in_service(module))
                .collect();
            if writers.is_empty() {
                continue;
            }
            let how = if through == item.path {
                String::new()
            } else {
                format!(" (through `{}`)", last_segments(through))
            };
            findings.push(Finding {
                class: Class::Blocked,
                what: format!(
                    "{} table `{table}`{how}, which {} also {}",
                    if write { "writes" } else { "reads" },
                    quoted_list(&writers),
                    if writers.len() == 1 { "writes" } else { "write" }
                ),
                fix: format!(
                    "one owner per table: move those writes behind this service's operations, or leave `{table}` in the monolith for now"
                ),
                file: file.to_string(),
                line,
            });
        }
        Ok(tables)
    }

    /// The table accesses inside a function's body, each with its first line there.
    fn accesses_in(
        &mut self,
        function: &'m CodeItem,
    ) -> Result<Vec<(&'m crate::model::TableAccess, u32)>, Error> {
        let model = self.model;
        let mut accesses: Vec<&crate::model::TableAccess> = model
            .accesses
            .iter()
            .filter(|access| access.module == function.module && access.file == function.file)
            .collect();
        if accesses.is_empty() {
            return Ok(Vec::new());
        }
        let name = last_segment(&function.path);
        let Some(found) = self.sources.function(&function.file, name, function.line)? else {
            return Ok(Vec::new());
        };
        let span = function.line..=found.last_line;
        accesses.retain(|access| access.lines.iter().any(|line| span.contains(line)));
        Ok(accesses
            .into_iter()
            .filter_map(|access| {
                let line = access
                    .lines
                    .iter()
                    .copied()
                    .find(|line| span.contains(line))?;
                Some((access, line))
            })
            .collect())
    }

    fn shared_tables(&self, modules: &BTreeSet<&str>) -> Vec<SharedTable> {
        let accessed: BTreeSet<&str> = self
            .model
            .accesses
            .iter()
            .filter(|access| modules.contains(access.module.as_str()))
            .map(|access| access.table.as_str())
            .collect();
        accessed
            .into_iter()
            .filter_map(|table| {
                let writers: BTreeSet<String> = self
                    .model
                    .accesses
                    .iter()
                    .filter(|access| access.table == table && access.write)
                    .filter(|access| !self.in_service(&access.module))
                    .map(|access| access.module.clone())
                    .collect();
                (!writers.is_empty()).then(|| SharedTable {
                    table: table.to_string(),
                    writers: writers.into_iter().collect(),
                })
            })
            .collect()
    }

    fn routes(&self, planned: &ficus_plan::Service) -> Vec<PortRoute> {
        let mut routes: Vec<PortRoute> = self
            .model
            .handlers
            .iter()
            .filter(|handler| self.in_service(&handler.module))
            .map(|handler| {
                let state = planned
                    .routes
                    .iter()
                    .find(|route| {
                        route.key.path() == handler.path
                            && route.key.method().to_string() == handler.method
                    })
                    .map(|route| route.state.to_string());
                PortRoute {
                    method: handler.method.clone(),
                    path: handler.path.clone(),
                    handler: handler.handler.clone(),
                    file: handler.file.clone(),
                    line: handler.line,
                    state,
                }
            })
            .collect();
        routes.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
        routes
    }

    /// The monolith error type of `sig`'s `Result`, through one alias at most.
    fn error_type(
        &mut self,
        item: &CodeItem,
        sig: &syn::Signature,
    ) -> Result<Option<String>, Error> {
        let syn::ReturnType::Type(_, ty) = &sig.output else {
            return Ok(None);
        };
        let Some((name, args)) = crate::failure::last_with_args(ty) else {
            return Ok(None);
        };
        let one = |resolved: Resolved| match resolved {
            Resolved::One(path) => Some(path),
            _ => None,
        };
        if let [_, error] = args.as_slice() {
            return Ok(crate::failure::last_name(error)
                .and_then(|error| one(self.resolve_type(&item.path, &error))));
        }
        if !name.ends_with("Result") {
            return Ok(None);
        }
        let Some(alias_path) = one(self.resolve_type(&item.path, &name)) else {
            return Ok(None);
        };
        let Some(alias) = self.items.get(alias_path.as_str()).copied() else {
            return Ok(None);
        };
        let Some(syn::Item::Type(def)) = self.sources.item(&alias.file, &name, alias.line)? else {
            return Ok(None);
        };
        let Some((_, args)) = crate::failure::last_with_args(&def.ty) else {
            return Ok(None);
        };
        Ok(args
            .get(1)
            .and_then(|error| crate::failure::last_name(error))
            .and_then(|error| one(self.resolve_type(&alias_path, &error))))
    }

    /// Which monolith type `name` means where `from` writes it: the one `from` references,
    /// else the only one so named.
    fn resolve_type(&self, from: &str, name: &str) -> Resolved {
        let candidates: Vec<&CodeItem> = self
            .model
            .items
            .iter()
            .filter(|item| matches!(item.kind.as_str(), "struct" | "enum" | "union" | "type"))
            .filter(|item| last_segment(&item.path) == name)
            .collect();
        let referenced: Vec<&CodeItem> = candidates
            .iter()
            .copied()
            .filter(|candidate| {
                self.from(from)
                    .iter()
                    .any(|reference| reference.to == candidate.path)
            })
            .collect();
        let chosen = if referenced.is_empty() {
            candidates
        } else {
            referenced
        };
        match chosen.as_slice() {
            [] => Resolved::None,
            [one] => Resolved::One(one.path.clone()),
            many => Resolved::Many(many.iter().map(|item| item.path.clone()).collect()),
        }
    }

    /// Adds `roots` and every type their fields reach to `self.types`; returns them all.
    fn reach_types(&mut self, roots: Vec<String>) -> Result<Vec<String>, Error> {
        let mut reached = BTreeSet::new();
        let mut queue = roots;
        while let Some(path) = queue.pop() {
            if !reached.insert(path.clone()) {
                continue;
            }
            if let Some(children) = self.type_children.get(&path) {
                queue.extend(children.iter().cloned());
                continue;
            }
            let item = self.items[path.as_str()];
            let name = last_segment(&path).to_string();
            let Some(found) = self.sources.type_def(&item.file, &name, item.line)? else {
                continue;
            };
            let mut findings = Vec::new();
            let mut children = Vec::new();
            let mut names = BTreeMap::new();
            for (field, facts) in &found.field_facts {
                for (class, what, fix) in &facts.findings {
                    findings.push(Finding {
                        class: *class,
                        what: format!("type `{name}`: {what}"),
                        fix: fix.clone(),
                        file: item.file.clone(),
                        line: item.line,
                    });
                }
                for named in &facts.named_types {
                    let named = if named == "Self" {
                        name.as_str()
                    } else {
                        named.as_str()
                    };
                    match self.resolve_type(&path, named) {
                        Resolved::One(child) => {
                            names.insert(named.to_string(), child.clone());
                            children.push(child);
                        }
                        unresolved => findings.extend(unresolved.finding(
                            &format!("type `{name}`: field `{field}` names"),
                            named,
                            item,
                        )),
                    }
                }
            }
            findings.sort();
            findings.dedup();
            children.sort();
            children.dedup();
            queue.extend(children.iter().cloned());
            let def = TypeDef {
                name,
                path: path.clone(),
                kind: item.kind.clone(),
                module: item.module.clone(),
                file: item.file.clone(),
                line: item.line,
                serde: found.serde,
                serialize: found.serialize,
                deserialize: found.deserialize,
                generics: found.generics,
                docs: found.docs,
                fields: found.fields,
                variants: found.variants,
                names,
                owner: self.owner_name(&item.module),
                findings,
            };
            self.type_children.insert(path.clone(), children);
            self.types.insert(path, def);
        }
        Ok(reached.into_iter().collect())
    }
}

enum Resolved {
    None,
    One(String),
    Many(Vec<String>),
}

impl Resolved {
    /// The finding for a name that is no single monolith type: "{names} `{named}`, which
    /// ..." at `item`.
    fn finding(self, names: &str, named: &str, item: &CodeItem) -> Option<Finding> {
        let (what, fix) = match self {
            Resolved::One(_) => return None,
            Resolved::None => (
                format!(
                    "{names} `{named}`, which is neither in the monolith nor a known serialisable type"
                ),
                format!(
                    "check that `{named}` implements `Serialize` and `Deserialize`, or map it to a type that does"
                ),
            ),
            Resolved::Many(paths) => (
                format!(
                    "{names} `{named}`, which is several types of the monolith ({})",
                    paths.join(", ")
                ),
                "use a path that says which".to_string(),
            ),
        };
        Some(Finding {
            class: Class::NeedsChange,
            what,
            fix,
            file: item.file.clone(),
            line: item.line,
        })
    }
}

/// How deep into the service's own calls an operation's table accesses are looked for.
const TABLE_CALL_DEPTH: usize = 4;

/// `Type::method` or `function`: a path's last two segments when the second last is a type.
fn last_segments(path: &str) -> &str {
    let mut parts = path.rsplitn(3, "::");
    let last = parts.next().unwrap_or(path);
    match parts.next() {
        Some(parent) if parent.starts_with(char::is_uppercase) => {
            &path[path.len() - last.len() - 2 - parent.len()..]
        }
        _ => last,
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

fn quoted_list(items: &BTreeSet<&str>) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    quoted.join(", ")
}
