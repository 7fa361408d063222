//! The in-process adapter, `monolith/local.rs` in the output: a file for the **monolith's**
//! crate that gives the client's `Local` one function per ready operation, each calling the
//! monolith's own function the operation stands for. With it the monolith holds a
//! `Switch<Local>` and moves operations to the service one at a time by configuration.
//!
//! It is rendered from `templates/monolith/local.rs.tera` with a typed context
//! ([`LocalContext`]). What the functions take beyond the API's values (connections, pools)
//! comes from a `Supply` trait the monolith implements once: a sync function's handle is
//! lent to a closure (`fn connection(&self, call)`), an async function's is handed over
//! (`fn pool(&self)`); how the monolith's errors become `ApiError`s is `Supply::failure`.
//! Values cross between the monolith's types and the API's copies through their serde form,
//! which the copies reproduce, so a type the conversion needs must derive `Serialize` (out)
//! or `Deserialize` (in).
//!
//! An operation the file cannot call is left out of it and listed with why in `MIGRATION.md`
//! (a method called on a value, a function its crate root cannot name, a missing derive, an
//! operation in another crate than the others): `Local` answers it with an error until the
//! monolith gives it with `Local::with_NAME`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use quote::ToTokens;
use serde::Serialize;

use crate::api::{ApiOperation, api_context};
use crate::error::Error;
use crate::failure::{self, ErrorContext};
use crate::model::{CodeModel, ModuleSource};
use crate::moving::text::use_leaves;
use crate::output::GeneratedFile;
use crate::port::source::{Sources, Vis};
use crate::port::{Operation, Port, TypeDef};
use crate::render::Renderer;

/// Where the adapter is written, relative to the output folder.
pub const LOCAL_FILE: &str = "monolith/local.rs";

/// What the adapter's template sees.
#[derive(Debug, Serialize)]
pub struct LocalContext {
    pub service: String,
    pub trait_name: String,
    /// The client crate as Rust names it (`catalog_client`).
    pub client_crate: String,
    /// The client package (`catalog-client`).
    pub client_package: String,
    /// The crate the file belongs in, as Rust names it; empty when no operation is wired.
    pub monolith_crate: String,
    /// Its root file, relative to the monolith's folder (`src/lib.rs`).
    pub crate_root: String,
    /// The module to declare in the crate root (`catalog_local`).
    pub module: String,
    /// `#[path]` of that declaration: the adapter from the crate root's folder.
    pub include_path: String,
    /// The client package from the monolith package's folder, for its `Cargo.toml`.
    pub client_path: String,
    pub supplies: Vec<SupplyMethod>,
    pub operations: Vec<LocalOperation>,
    pub unwired: Vec<Unwired>,
    /// The wired operations' error types whose HTTP answers the code says: `Supply::failure`
    /// answers their 4xx variants as `ApiError::Rejected` with that status by default.
    pub errors: Vec<ErrorContext>,
}

/// A method of the `Supply` trait: one per handle type (and per way of lending it).
#[derive(Debug, Clone, Serialize)]
pub struct SupplyMethod {
    /// `connection` for `&Connection`.
    pub name: String,
    /// The parameter's type as the crate root names it (`&rusqlite::Connection`).
    pub ty: String,
    /// Handed over (`fn name(&self) -> Future<Result<Owned>>`) rather than lent to a closure:
    /// for async functions, and for handles taken by value.
    pub owned: bool,
    /// The type handed over: `ty` without its reference.
    pub owned_ty: String,
    /// The operations using it.
    pub used_by: Vec<String>,
}

/// One operation the adapter calls.
#[derive(Debug, Serialize)]
pub struct LocalOperation {
    #[serde(flatten)]
    pub api: ApiOperation,
    /// The function as the crate root names it (`crate::catalog::service::product_summary`).
    pub call: String,
    pub is_async: bool,
    /// Arguments in the function's order: a parameter's name, or `handle`.
    pub arguments: Vec<String>,
    /// Parameters converted from their API copy before the call.
    pub converted: Vec<String>,
    /// The `Supply` method giving its handle, if it takes one.
    pub supply: Option<String>,
    /// The handle is handed over (see [`SupplyMethod::owned`]).
    pub supply_owned: bool,
    /// How the handle is passed when handed over: `&`, `&mut ` or nothing.
    pub borrow: String,
    /// It returns a `Result`: its error goes through `Supply::failure`.
    pub fallible: bool,
    /// It returns nothing.
    pub unit: bool,
    /// Its answer is converted to the API's copy.
    pub convert_output: bool,
}

/// A ready operation the adapter does not call, and why.
#[derive(Debug, Serialize)]
pub struct Unwired {
    pub name: String,
    pub path: String,
    pub file: String,
    pub line: u32,
    pub why: String,
}

/// The adapter for `port`. `root`: the monolith's folder; `out`: the output folder (both as
/// the user gave them; made absolute to relate them).
pub fn local_files(
    port: &Port,
    model: &CodeModel,
    root: &Path,
    out: &Path,
    renderer: &Renderer,
) -> Result<(LocalContext, Vec<GeneratedFile>), Error> {
    let context = local_context(port, model, root, out)?;
    let text = renderer.render("monolith/local.rs", &context)?;
    let file = GeneratedFile::owned(
        LOCAL_FILE.to_string(),
        renderer.format_rust("monolith/local.rs", &text)?,
    )
    .from_template("monolith/local.rs");
    Ok((context, vec![file]))
}

pub fn local_context(
    port: &Port,
    model: &CodeModel,
    root: &Path,
    out: &Path,
) -> Result<LocalContext, Error> {
    let api = api_context(port);
    let ready = port.ready();
    let modules: HashMap<&str, &ModuleSource> = model
        .module_sources
        .iter()
        .map(|module| (module.id.as_str(), module))
        .collect();
    let types = port.types_by_path();
    let mut reader = Reader {
        sources: Sources::new(root),
        modules: &modules,
        model,
    };
    // The crate the adapter belongs in: the one holding most ready operations.
    let mut per_crate: BTreeMap<&str, usize> = BTreeMap::new();
    for operation in &ready {
        if let Some(top) = reader.crate_root(&operation.module) {
            *per_crate.entry(top.id.as_str()).or_default() += 1;
        }
    }
    let home = per_crate
        .iter()
        .max_by_key(|(id, count)| (**count, std::cmp::Reverse(**id)))
        .and_then(|(id, _)| modules.get(id).copied());

    let mut supplies: Vec<SupplyMethod> = Vec::new();
    let mut operations = Vec::new();
    let mut unwired = Vec::new();
    let mut error_types = BTreeSet::new();
    for (operation, api) in ready.iter().zip(api.operations) {
        let wired = match home {
            Some(home) => reader.wire(operation, &api, home, &types, &mut supplies)?,
            None => Err("its crate root is not in the analysis".to_string()),
        };
        match wired {
            Ok(wired) => {
                if wired.fallible
                    && let Some(error) = &operation.error
                {
                    error_types.insert(error.clone());
                }
                operations.push(wired);
            }
            Err(why) => unwired.push(Unwired {
                name: api.name.clone(),
                path: operation.path.clone(),
                file: operation.file.clone(),
                line: operation.line,
                why,
            }),
        }
    }
    let mut errors = Vec::new();
    for path in &error_types {
        let Some(def) = model.items.iter().find(|item| &item.path == path) else {
            continue;
        };
        if let Some(shape) =
            failure::error_shape(&mut reader.sources, model, path, &def.file, def.line)?
        {
            let context = shape.context();
            if !context.rejected.is_empty() {
                errors.push(context);
            }
        }
    }
    for supply in &mut supplies {
        supply.used_by.sort();
        supply.used_by.dedup();
    }
    let service = &port.service;
    let (monolith_crate, crate_root, include_path, client_path) = match home {
        Some(home) => {
            let root_file = root.join(&home.file);
            let root_dir = root_file.parent().unwrap_or(root);
            let package_dir = package_dir(&root_file).unwrap_or_else(|| root.to_path_buf());
            (
                home.path.clone(),
                home.file.clone(),
                relative(root_dir, &out.join(LOCAL_FILE)),
                relative(&package_dir, &out.join(format!("{service}-client"))),
            )
        }
        None => Default::default(),
    };
    Ok(LocalContext {
        service: service.clone(),
        trait_name: api.trait_name,
        client_crate: format!("{}_client", service.replace('-', "_")),
        client_package: format!("{service}-client"),
        monolith_crate,
        crate_root,
        module: format!("{}_local", service.replace('-', "_")),
        include_path,
        client_path,
        supplies,
        operations,
        unwired,
        errors,
    })
}

struct Reader<'m> {
    sources: Sources,
    modules: &'m HashMap<&'m str, &'m ModuleSource>,
    model: &'m CodeModel,
}

impl<'m> Reader<'m> {
    fn crate_root(&self, module: &str) -> Option<&'m ModuleSource> {
        let mut current = *self.modules.get(module)?;
        while let Some(parent) = current.parent.as_deref() {
            current = *self.modules.get(parent)?;
        }
        Some(current)
    }

    /// The adapter's call of `operation`, or why there is none.
    fn wire(
        &mut self,
        operation: &Operation,
        api: &ApiOperation,
        home: &ModuleSource,
        types: &BTreeMap<&str, &TypeDef>,
        supplies: &mut Vec<SupplyMethod>,
    ) -> Result<Result<LocalOperation, String>, Error> {
        if operation.receiver.is_some() {
            return Ok(Err(format!(
                "it is a method called on a value (`{}`) the caller holds: give it with `Local::with_{}`, building the value from the arguments",
                operation.receiver.as_deref().unwrap_or("self"),
                api.name
            )));
        }
        let Some(top) = self.crate_root(&operation.module) else {
            return Ok(Err("its module is not in the analysis".to_string()));
        };
        if top.id != home.id {
            return Ok(Err(format!(
                "it is in crate `{}`, the adapter in `{}`: give it with `Local::with_{}`",
                top.path, home.path, api.name
            )));
        }
        let name = operation
            .path
            .rsplit("::")
            .next()
            .unwrap_or(&operation.name);
        let Some(found) = self
            .sources
            .function(&operation.file, name, operation.line)?
        else {
            return Ok(Err("its source was not found again".to_string()));
        };
        if let Some(why) = self.hidden(operation, found.vis)? {
            return Ok(Err(why));
        }
        if let Some(tr) = &found.impl_trait
            && !PRELUDE_TRAITS.contains(&tr.as_str())
        {
            return Ok(Err(format!(
                "it implements trait `{tr}`, which the adapter does not import: give it with `Local::with_{}`",
                api.name
            )));
        }
        let module_path = &self.modules[operation.module.as_str()].path;
        // Item paths start with the module's id (`app[bin]::...` in a binary); Rust names
        // it by the module's path.
        let item = operation
            .path
            .strip_prefix(operation.module.as_str())
            .unwrap_or(&operation.path);
        let call = crate_relative(&format!("{module_path}{item}"), &home.path);

        // Arguments in order; the one handle it takes, if any.
        let mut arguments = Vec::new();
        let mut converted = Vec::new();
        let mut handle: Option<(String, syn::Type)> = None;
        let inputs: BTreeMap<&str, &str> = operation
            .inputs
            .iter()
            .map(|param| (param.name.as_str(), param.ty.as_str()))
            .collect();
        for (idx, input) in found.sig.inputs.iter().enumerate() {
            let syn::FnArg::Typed(typed) = input else {
                continue;
            };
            let name = crate::port::pattern_name(&typed.pat, idx);
            if operation.supplied.contains(&name) {
                if handle.is_some() {
                    return Ok(Err(format!(
                        "it takes more than one handle ({}): give it with `Local::with_{}`",
                        operation.supplied.join(", "),
                        api.name
                    )));
                }
                handle = Some((name, (*typed.ty).clone()));
                arguments.push("handle".to_string());
                continue;
            }
            let Some(written) = inputs.get(name.as_str()) else {
                return Ok(Err(format!("parameter `{name}` is not in the port")));
            };
            if let Some(missing) =
                missing_derive(written, &operation.names, types, false, &api.name)
            {
                return Ok(Err(missing));
            }
            if converts(written, &operation.names) {
                converted.push(name.clone());
            }
            arguments.push(name);
        }
        let output = operation.output.as_deref();
        if let Some(output) = output
            && let Some(missing) = missing_derive(output, &operation.names, types, true, &api.name)
        {
            return Ok(Err(missing));
        }
        let fallible = match &found.sig.output {
            syn::ReturnType::Type(_, ty) => is_result(ty),
            syn::ReturnType::Default => false,
        };

        let (supply, supply_owned, borrow) = match handle {
            None => (None, false, String::new()),
            Some((_, ty)) => {
                let (borrow, inner) = match &ty {
                    syn::Type::Reference(reference) => (
                        if reference.mutability.is_some() {
                            "&mut "
                        } else {
                            "&"
                        },
                        (*reference.elem).clone(),
                    ),
                    other => ("", other.clone()),
                };
                let inner = self.resolve_type(&inner, operation, module_path, &home.path)?;
                let owned = operation.is_async || borrow.is_empty();
                let ty_text = format!("{borrow}{inner}");
                let base = snake_case(&last_ident(&inner));
                let existing = supplies
                    .iter()
                    .position(|supply| supply.ty == ty_text && supply.owned == owned);
                let index = match existing {
                    Some(index) => index,
                    None => {
                        // `connection` lends a `&Connection`, `connection_mut` a
                        // `&mut Connection`; a handed-over one is `owned_...` when its name is
                        // taken.
                        let mut method = match (owned, borrow) {
                            (false, "&mut ") => format!("{base}_mut"),
                            _ => base.clone(),
                        };
                        if owned && supplies.iter().any(|supply| supply.name == method) {
                            method = format!("owned_{base}");
                        }
                        while supplies.iter().any(|supply| supply.name == method)
                            || method == "failure"
                        {
                            method.push('_');
                        }
                        supplies.push(SupplyMethod {
                            name: method,
                            ty: ty_text,
                            owned,
                            owned_ty: inner,
                            used_by: Vec::new(),
                        });
                        supplies.len() - 1
                    }
                };
                supplies[index].used_by.push(api.name.clone());
                (
                    Some(supplies[index].name.clone()),
                    owned,
                    borrow.to_string(),
                )
            }
        };
        Ok(Ok(LocalOperation {
            api: api.clone(),
            call,
            is_async: operation.is_async,
            arguments,
            converted,
            supply,
            supply_owned,
            borrow,
            fallible,
            unit: output.is_none(),
            convert_output: output.is_some_and(|output| converts(output, &operation.names)),
        }))
    }

    /// Why the crate root cannot name the operation: a module on its path, or the function,
    /// is private to where it is.
    fn hidden(&mut self, operation: &Operation, vis: Vis) -> Result<Option<String>, Error> {
        let mut chain = Vec::new();
        let mut current = self.modules.get(operation.module.as_str()).copied();
        while let Some(module) = current {
            chain.push(module);
            current = module
                .parent
                .as_deref()
                .and_then(|parent| self.modules.get(parent).copied());
        }
        chain.reverse();
        // chain[0] is the crate root; the adapter is a module of the root. Module k (k >= 1)
        // is declared in module k-1: the first level is always visible from the root's
        // modules; deeper ones need `pub`, `pub(crate)`, or `pub(super)` one level down.
        for (depth, pair) in chain.windows(2).enumerate() {
            let (parent, module) = (pair[0], pair[1]);
            if depth == 0 {
                continue;
            }
            let name = module.path.rsplit("::").next().unwrap_or_default();
            let declared = self.sources.module_visibility(&parent.file, name)?;
            let visible = match declared {
                Some(Vis::Crate) | None => true,
                Some(Vis::Super) => depth == 1,
                Some(Vis::Private | Vis::Restricted) => false,
            };
            if !visible {
                return Ok(Some(format!(
                    "module `{}` is private to `{}` ({}): the crate root cannot name `{}`; make the module `pub(crate)`, or give it with `Local::with_{}`",
                    name, parent.path, parent.file, operation.name, operation.name
                )));
            }
        }
        let depth = chain.len().saturating_sub(1);
        let visible = match vis {
            Vis::Crate => true,
            Vis::Super => depth <= 1,
            Vis::Private | Vis::Restricted => depth == 0,
        };
        Ok((!visible).then(|| {
            format!(
                "`{}` is private to its module: make it `pub(crate)`, or give it with `Local::with_{}`",
                operation.name, operation.name
            )
        }))
    }

    /// `ty` as the crate root names it: its paths resolved through the `use` items of the
    /// operation's file and the items of its module.
    fn resolve_type(
        &mut self,
        ty: &syn::Type,
        operation: &Operation,
        module_path: &str,
        crate_name: &str,
    ) -> Result<String, Error> {
        let syn::Type::Path(type_path) = ty else {
            return Ok(crate::port::type_text(ty));
        };
        if type_path.qself.is_some() {
            return Ok(crate::port::type_text(ty));
        }
        let segments: Vec<String> = type_path
            .path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        let arguments: String = type_path
            .path
            .segments
            .last()
            .map(|segment| segment.arguments.to_token_stream().to_string())
            .unwrap_or_default();
        let Some(first) = segments.first().cloned() else {
            return Ok(crate::port::type_text(ty));
        };
        let tree = self.sources.tree(&operation.file)?;
        let mut from_use: Option<Vec<String>> = None;
        for item in &tree.items {
            if let syn::Item::Use(item_use) = item {
                for leaf in use_leaves(&item_use.tree) {
                    let visible_name = leaf.alias.clone().or_else(|| leaf.segments.last().cloned());
                    if !leaf.glob && visible_name.as_deref() == Some(first.as_str()) {
                        from_use = Some(leaf.segments.clone());
                    }
                }
            }
        }
        let mut resolved: Vec<String> = match from_use {
            Some(mut leaf) => {
                leaf.extend(segments[1..].iter().cloned());
                self.absolute(&leaf, module_path, crate_name)
            }
            None => {
                let own = format!("{module_path}::{first}");
                let declared_here = self.model.items.iter().any(|item| item.path == own)
                    || self.modules.values().any(|module| module.path == own);
                if declared_here {
                    let mut path: Vec<String> =
                        module_path.split("::").map(str::to_string).collect();
                    path.extend(segments.iter().cloned());
                    path
                } else {
                    self.absolute(&segments, module_path, crate_name)
                }
            }
        };
        if resolved.first().map(String::as_str) == Some(crate_name) {
            resolved[0] = "crate".to_string();
        }
        let mut text = resolved.join("::");
        if type_path.path.leading_colon.is_some() {
            text.insert_str(0, "::");
        }
        text.push_str(&arguments.replace(' ', ""));
        Ok(text)
    }

    /// A path as written in `module_path` made absolute (`crate`, `self`, `super` resolved;
    /// a first segment naming a child module of the module's own made its child's path).
    fn absolute(&self, segments: &[String], module_path: &str, crate_name: &str) -> Vec<String> {
        let mut base: Vec<String> = module_path.split("::").map(str::to_string).collect();
        let mut rest = segments;
        match segments.first().map(String::as_str) {
            Some("crate") => {
                base = vec![crate_name.to_string()];
                rest = &segments[1..];
            }
            Some("self") => rest = &segments[1..],
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
            }
            Some(first) => {
                let child = format!("{module_path}::{first}");
                if !self.modules.values().any(|module| module.path == child) {
                    return segments.to_vec();
                }
            }
            None => return Vec::new(),
        }
        base.extend(rest.iter().cloned());
        base
    }
}

/// Traits whose methods a path names without importing them.
const PRELUDE_TRAITS: &[&str] = &[
    "Default",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "Clone",
    "ToString",
    "ToOwned",
    "FromIterator",
];

/// `shop::catalog::f` as `crate::catalog::f` from inside crate `shop`.
fn crate_relative(path: &str, crate_name: &str) -> String {
    match path.strip_prefix(crate_name) {
        Some(rest) if rest.starts_with("::") => format!("crate{rest}"),
        _ => path.to_string(),
    }
}

/// Whether a type as written names a monolith type (it then crosses through serde).
pub(crate) fn converts(written: &str, names: &BTreeMap<String, String>) -> bool {
    idents(written)
        .iter()
        .any(|ident| names.contains_key(ident))
}

/// The first monolith type a conversion of `written` needs that lacks the derive:
/// `Serialize` for a value going out, `Deserialize` for one coming in.
fn missing_derive(
    written: &str,
    names: &BTreeMap<String, String>,
    types: &BTreeMap<&str, &TypeDef>,
    out: bool,
    operation: &str,
) -> Option<String> {
    let derive = if out { "Serialize" } else { "Deserialize" };
    lacking_derive(written, names, types, out).first().map(|def| {
        format!(
            "`{}` ({}:{}) does not derive `{derive}`, and the adapter converts through serde: derive it, or give it with `Local::with_{operation}`",
            def.path, def.file, def.line
        )
    })
}

/// The monolith types (not aliases) a conversion of `written` reaches, through the types'
/// fields, that lack the derive it needs: `Serialize` when `out`, else `Deserialize`.
pub(crate) fn lacking_derive<'t>(
    written: &str,
    names: &BTreeMap<String, String>,
    types: &BTreeMap<&str, &'t TypeDef>,
    out: bool,
) -> Vec<&'t TypeDef> {
    let mut pending: Vec<&str> = idents(written)
        .iter()
        .filter_map(|ident| names.get(ident).map(String::as_str))
        .collect();
    let mut seen = BTreeSet::new();
    let mut lacking = Vec::new();
    while let Some(path) = pending.pop() {
        if !seen.insert(path) {
            continue;
        }
        let Some(&def) = types.get(path) else {
            continue;
        };
        pending.extend(def.names.values().map(String::as_str));
        let has = if out { def.serialize } else { def.deserialize };
        if def.kind != "type" && !has {
            lacking.push(def);
        }
    }
    lacking
}

fn idents(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

fn is_result(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().is_some_and(|segment| {
            segment.ident.to_string().ends_with("Result")
                && matches!(segment.arguments, syn::PathArguments::AngleBracketed(_))
        }),
        _ => false,
    }
}

fn last_ident(path: &str) -> String {
    let without_args = path.split('<').next().unwrap_or(path);
    without_args
        .rsplit("::")
        .next()
        .unwrap_or(without_args)
        .to_string()
}

/// `PgConnection` as `pg_connection`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (idx, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if idx > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        "handle".to_string()
    } else {
        out
    }
}

/// The folder of the `Cargo.toml` nearest above `file`.
fn package_dir(file: &Path) -> Option<PathBuf> {
    file.ancestors()
        .skip(1)
        .find(|dir| dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// `to` from the folder `from`, `/`-separated; both made absolute first.
fn relative(from: &Path, to: &Path) -> String {
    let absolute =
        |path: &Path| normalise(&std::path::absolute(path).unwrap_or(path.to_path_buf()));
    let (from, to) = (absolute(from), absolute(to));
    let from: Vec<Component<'_>> = from.components().collect();
    let to_parts: Vec<Component<'_>> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to.display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|part| part.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        assert_eq!(
            relative(
                Path::new("/a/b/src"),
                Path::new("/a/b/services/x/monolith/local.rs")
            ),
            "../services/x/monolith/local.rs"
        );
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/c/./d")), "../c/d");
    }

    #[test]
    fn handle_methods_are_named_after_their_type() {
        assert_eq!(
            snake_case(&last_ident("diesel::PgConnection")),
            "pg_connection"
        );
        assert_eq!(snake_case(&last_ident("crate::db::Pool<Postgres>")), "pool");
    }
}
