//! How the monolith's own error types answer over HTTP, read from their code, so that an
//! error keeps its meaning when a call crosses a service boundary, both ways:
//!
//! - **out** (`monolith/local.rs`): an operation's error becomes an `ApiError::Rejected` with
//!   the status the monolith's routes answer for it (4xx), else `ApiError::Internal`;
//! - **in** (`failures.rs` of a moved service): a failed call through another service's client
//!   becomes a value of the moved code's error type, the variant the monolith answers that
//!   status with, holding the message.
//!
//! The rules, syntax only, general to any crate: in the `impl` blocks of the error type (its
//! own file, and every file holding one of its methods), each `match` arm whose pattern names
//! variants of the type (`Self::V`, `Type::V`, or `V` alone) and whose body names a status
//! (`StatusCode::NOT_FOUND`, `StatusCode::from_u16(404)`, `HttpResponse::NotFound()`,
//! `Status::NotFound`) gives those variants that status; the first arm without a guard wins,
//! and a `_` arm gives the rest. A variant holds a message when its one field is a `String`;
//! its `#[error("...{0}...")]` text (thiserror) says what the message is wrapped in, so the
//! wrapping is taken off on the way in and the error's text reads as it did.

use std::collections::BTreeMap;

use serde::Serialize;
use syn::visit::Visit;

use crate::error::Error;
use crate::model::{CodeModel, ModuleSource};
use crate::port::source::{Sources, Vis};

/// An error enum of the monolith and the status each of its variants answers with.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorShape {
    /// Item path (`shop::common::error::AppError`).
    pub path: String,
    /// How the crate root names it (`crate::common::AppError`).
    pub named: String,
    pub file: String,
    pub line: u32,
    /// `file:line` of the first arm that gave a variant its status.
    pub mapped_at: Option<String>,
    pub variants: Vec<VariantShape>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VariantShape {
    pub name: String,
    pub status: Option<u16>,
    /// How a message becomes this variant; `None` unless its one field is a `String`.
    pub message: Option<MessageField>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageField {
    /// The field's name; `None` for a tuple variant.
    pub field: Option<String>,
    /// What the variant's text puts before and after the message (`""` and `" not found"`
    /// for `#[error("{0} not found")]`).
    pub prefix: String,
    pub suffix: String,
}

/// A status a failed remote call stands for, and the variant that takes it (`in` direction).
#[derive(Debug, Clone, Serialize)]
pub struct StatusArm {
    pub status: u16,
    pub variant: String,
    pub field: Option<String>,
    pub prefix: String,
    pub suffix: String,
}

impl ErrorShape {
    /// The variants answering with a 4xx status, for the `out` direction.
    pub fn rejected(&self) -> Vec<(&str, u16)> {
        self.variants
            .iter()
            .filter_map(|variant| {
                variant
                    .status
                    .filter(|status| (400..500).contains(status))
                    .map(|status| (variant.name.as_str(), status))
            })
            .collect()
    }

    /// Per status, the first variant (in declaration order) that answers with it and holds a
    /// message, for the `in` direction.
    pub fn arms(&self) -> Vec<StatusArm> {
        let mut arms: BTreeMap<u16, StatusArm> = BTreeMap::new();
        for variant in &self.variants {
            let (Some(status), Some(message)) = (variant.status, &variant.message) else {
                continue;
            };
            arms.entry(status).or_insert_with(|| StatusArm {
                status,
                variant: variant.name.clone(),
                field: message.field.clone(),
                prefix: message.prefix.clone(),
                suffix: message.suffix.clone(),
            });
        }
        arms.into_values().collect()
    }

    /// The variant for everything else (an unreachable service, a bug on the other side): the
    /// one holding a message that answers 500, else another 5xx, else one with no status.
    pub fn fallback(&self) -> Option<StatusArm> {
        let pick = |keep: &dyn Fn(Option<u16>) -> bool| {
            self.variants.iter().find_map(|variant| {
                let message = variant.message.as_ref()?;
                keep(variant.status).then(|| StatusArm {
                    status: variant.status.unwrap_or(500),
                    variant: variant.name.clone(),
                    field: message.field.clone(),
                    // Its text is the failure's own: nothing to take off.
                    prefix: String::new(),
                    suffix: String::new(),
                })
            })
        };
        pick(&|status| status == Some(500))
            .or_else(|| pick(&|status| status.is_some_and(|status| status >= 500)))
            .or_else(|| pick(&|status| status.is_none()))
    }
}

/// Reads the shape of the enum `path` (declared at `file:line`); `None` when it is not an
/// enum or no arm gives any of its variants a status.
pub(crate) fn error_shape(
    sources: &mut Sources,
    model: &CodeModel,
    path: &str,
    file: &str,
    line: u32,
) -> Result<Option<ErrorShape>, Error> {
    let name = path.rsplit("::").next().unwrap_or(path).to_string();
    let Some(syn::Item::Enum(item)) = sources.item(file, &name, line)? else {
        return Ok(None);
    };
    let mut variants: Vec<VariantShape> = item
        .variants
        .iter()
        .map(|variant| VariantShape {
            name: variant.ident.to_string(),
            status: None,
            message: message_field(variant),
        })
        .collect();

    // Files holding its impl blocks: its own, and those of its methods.
    let prefix = format!("{path}::");
    let mut files: Vec<String> = vec![file.to_string()];
    for code in &model.items {
        if code.kind == "method" && code.path.starts_with(&prefix) && !files.contains(&code.file) {
            files.push(code.file.clone());
        }
    }
    let names: Vec<String> = variants
        .iter()
        .map(|variant| variant.name.clone())
        .collect();
    let mut found: Vec<Arm> = Vec::new();
    for file in &files {
        let mut finder = ArmFinder {
            type_name: &name,
            variants: &names,
            in_impl: 0,
            arms: Vec::new(),
        };
        finder.visit_file(sources.tree(file)?);
        found.extend(finder.arms.into_iter().map(|mut arm| {
            arm.file = file.clone();
            arm
        }));
    }
    let mut mapped_at = None;
    for arm in &found {
        for variant in &mut variants {
            if variant.status.is_none() && (arm.wildcard || arm.variants.contains(&variant.name)) {
                variant.status = Some(arm.status);
                mapped_at.get_or_insert_with(|| format!("{}:{}", arm.file, arm.line));
            }
        }
    }
    if variants.iter().all(|variant| variant.status.is_none()) {
        return Ok(None);
    }
    let Some(named) = visible_path(sources, model, path, &item.vis)? else {
        return Ok(None);
    };
    Ok(Some(ErrorShape {
        path: path.to_string(),
        named,
        file: file.to_string(),
        line,
        mapped_at,
        variants,
    }))
}

/// How the crate root names the item `path` (declared with `vis`): its own path when every
/// module on the way may be named from the root, else the nearest enclosing module that
/// re-exports it (`pub use error::AppError;`, `pub use error::*;`). `None` when neither.
pub(crate) fn visible_path(
    sources: &mut Sources,
    model: &CodeModel,
    path: &str,
    vis: &syn::Visibility,
) -> Result<Option<String>, Error> {
    let Some((module_path, name)) = path.rsplit_once("::") else {
        return Ok(None);
    };
    let by_path: BTreeMap<&str, &ModuleSource> = model
        .module_sources
        .iter()
        .map(|module| (module.path.as_str(), module))
        .collect();
    let by_id: BTreeMap<&str, &ModuleSource> = model
        .module_sources
        .iter()
        .map(|module| (module.id.as_str(), module))
        .collect();
    let Some(&home) = by_path.get(module_path) else {
        return Ok(None);
    };
    // The chain from the crate root down to the item's module.
    let mut chain = vec![home];
    while let Some(parent) = chain
        .last()
        .and_then(|module| module.parent.as_deref())
        .and_then(|parent| by_id.get(parent).copied())
    {
        chain.push(parent);
    }
    chain.reverse();
    let crate_name = chain[0].path.clone();
    let named = |module: &ModuleSource, name: &str| match module.path.strip_prefix(&crate_name) {
        Some("") => format!("crate::{name}"),
        Some(rest) => format!("crate{rest}::{name}"),
        None => format!("{}::{name}", module.path),
    };
    // How deep the chain is nameable from the root's modules: module k (k >= 2) needs
    // `pub`, `pub(crate)`, or `pub(super)` one level down.
    let mut open = 1;
    for (depth, pair) in chain.windows(2).enumerate() {
        let (parent, module) = (pair[0], pair[1]);
        let leaf = module.path.rsplit("::").next().unwrap_or_default();
        let declared = sources.module_visibility(&parent.file, leaf)?;
        let visible = depth == 0
            || match declared {
                Some(Vis::Crate) | None => true,
                Some(Vis::Super) => depth == 1,
                Some(Vis::Private | Vis::Restricted) => false,
            };
        if !visible {
            break;
        }
        open = depth + 2;
    }
    if open == chain.len() && matches!(Vis::of(vis), Vis::Crate) {
        return Ok(Some(named(home, name)));
    }
    // Re-exported by an enclosing module that the root can name.
    for idx in (0..chain.len().min(open)).rev() {
        let module = chain[idx];
        let below = chain.get(idx + 1).map(|child| {
            child
                .path
                .rsplit("::")
                .next()
                .unwrap_or_default()
                .to_string()
        });
        let tree = sources.tree(&module.file)?;
        let items: &[syn::Item] = if module.line > 1 {
            let leaf = module.path.rsplit("::").next().unwrap_or_default();
            inline_items(&tree.items, leaf, module.line).unwrap_or(&[])
        } else {
            &tree.items
        };
        let exported = items.iter().any(|item| match item {
            syn::Item::Use(item_use) if matches!(Vis::of(&item_use.vis), Vis::Crate) => {
                exports(&item_use.tree, name, below.as_deref(), false)
            }
            _ => false,
        });
        if exported {
            return Ok(Some(named(module, name)));
        }
    }
    Ok(None)
}

/// The items of the inline module `name` declared on `line`, searched recursively.
fn inline_items<'t>(items: &'t [syn::Item], name: &str, line: u32) -> Option<&'t [syn::Item]> {
    for item in items {
        if let syn::Item::Mod(module) = item
            && let Some((_, inner)) = &module.content
        {
            if module.ident == name && module.ident.span().start().line as u32 == line {
                return Some(inner);
            }
            if let Some(found) = inline_items(inner, name, line) {
                return Some(found);
            }
        }
    }
    None
}

/// Whether a `use` tree brings `name` in unrenamed, or all of a child module on the way to
/// it (`below`) by a glob.
fn exports(tree: &syn::UseTree, name: &str, below: Option<&str>, through_below: bool) -> bool {
    match tree {
        syn::UseTree::Path(path) => {
            let through = through_below || below.is_some_and(|below| path.ident == below);
            exports(&path.tree, name, below, through)
        }
        syn::UseTree::Name(leaf) => leaf.ident == name,
        syn::UseTree::Rename(_) => false,
        syn::UseTree::Glob(_) => through_below,
        syn::UseTree::Group(group) => group
            .items
            .iter()
            .any(|item| exports(item, name, below, through_below)),
    }
}

/// A variant's one `String` field and what its `#[error]` text wraps it in.
fn message_field(variant: &syn::Variant) -> Option<MessageField> {
    let fields: Vec<&syn::Field> = variant.fields.iter().collect();
    let [field] = fields.as_slice() else {
        return None;
    };
    let is_string = matches!(&field.ty, syn::Type::Path(path)
        if path.qself.is_none() && path.path.segments.last().is_some_and(|seg| seg.ident == "String" && seg.arguments.is_none()));
    if !is_string {
        return None;
    }
    let field_name = field.ident.as_ref().map(ToString::to_string);
    let placeholder = match &field_name {
        Some(name) => format!("{{{name}}}"),
        None => "{0}".to_string(),
    };
    let (prefix, suffix) = variant
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("error"))
        .find_map(|attr| attr.parse_args::<syn::LitStr>().ok())
        .map(|text| text.value())
        .and_then(|text| {
            let (before, after) = text.split_once(&placeholder)?;
            // Only a text with this one placeholder and no other braces is taken apart.
            let plain = |part: &str| !part.contains('{') && !part.contains('}');
            (plain(before) && plain(after)).then(|| (before.to_string(), after.to_string()))
        })
        .unwrap_or_default();
    Some(MessageField {
        field: field_name,
        prefix,
        suffix,
    })
}

/// A match arm naming variants of the error type and a status.
struct Arm {
    variants: Vec<String>,
    wildcard: bool,
    status: u16,
    file: String,
    line: u32,
}

struct ArmFinder<'n> {
    type_name: &'n str,
    variants: &'n [String],
    /// Depth of enclosing `impl` blocks of the type.
    in_impl: usize,
    arms: Vec<Arm>,
}

impl<'ast> Visit<'ast> for ArmFinder<'_> {
    fn visit_item_impl(&mut self, node: &'ast syn::ItemImpl) {
        let ours = match &*node.self_ty {
            syn::Type::Path(path) => path
                .path
                .segments
                .last()
                .is_some_and(|seg| seg.ident == self.type_name),
            _ => false,
        };
        if ours {
            self.in_impl += 1;
        }
        syn::visit::visit_item_impl(self, node);
        if ours {
            self.in_impl -= 1;
        }
    }

    fn visit_expr_match(&mut self, node: &'ast syn::ExprMatch) {
        if self.in_impl > 0 {
            for arm in &node.arms {
                // syn 3 keeps a guard in the pattern (`Pat::Guard`).
                if matches!(arm.pat, syn::Pat::Guard(_)) {
                    continue;
                }
                let mut variants = Vec::new();
                let mut wildcard = false;
                pattern_variants(
                    &arm.pat,
                    self.type_name,
                    self.variants,
                    &mut variants,
                    &mut wildcard,
                );
                if variants.is_empty() && !wildcard {
                    continue;
                }
                let mut status = StatusFinder { found: None };
                status.visit_expr(&arm.body);
                if let Some(code) = status.found {
                    self.arms.push(Arm {
                        variants,
                        wildcard,
                        status: code,
                        file: String::new(),
                        line: arm.fat_arrow_token.spans[0].start().line as u32,
                    });
                }
            }
        }
        syn::visit::visit_expr_match(self, node);
    }
}

fn pattern_variants(
    pat: &syn::Pat,
    type_name: &str,
    known: &[String],
    out: &mut Vec<String>,
    wildcard: &mut bool,
) {
    let from_path = |path: &syn::Path, out: &mut Vec<String>| {
        let segments: Vec<String> = path
            .segments
            .iter()
            .map(|seg| seg.ident.to_string())
            .collect();
        let name = match segments.as_slice() {
            [.., owner, variant] if owner == "Self" || owner == type_name => Some(variant),
            [variant] => Some(variant),
            _ => None,
        };
        if let Some(name) = name
            && known.contains(name)
        {
            out.push(name.clone());
        }
    };
    match pat {
        syn::Pat::Or(or) => {
            for case in &or.cases {
                pattern_variants(case, type_name, known, out, wildcard);
            }
        }
        syn::Pat::TupleStruct(tuple) => from_path(&tuple.path, out),
        syn::Pat::Struct(strukt) => from_path(&strukt.path, out),
        syn::Pat::Path(path) => from_path(&path.path, out),
        syn::Pat::Ident(ident) => match &ident.subpat {
            Some((_, sub)) => pattern_variants(sub, type_name, known, out, wildcard),
            None if known.contains(&ident.ident.to_string()) => out.push(ident.ident.to_string()),
            None => {}
        },
        syn::Pat::Reference(reference) => {
            pattern_variants(&reference.pat, type_name, known, out, wildcard);
        }
        syn::Pat::Paren(paren) => pattern_variants(&paren.pat, type_name, known, out, wildcard),
        syn::Pat::Wild(_) => *wildcard = true,
        _ => {}
    }
}

/// The first status an expression names.
struct StatusFinder {
    found: Option<u16>,
}

impl<'ast> Visit<'ast> for StatusFinder {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if self.found.is_none() {
            let segments: Vec<String> = path
                .segments
                .iter()
                .map(|seg| seg.ident.to_string())
                .collect();
            if let [.., owner, name] = segments.as_slice()
                && matches!(owner.as_str(), "StatusCode" | "Status" | "HttpResponse")
            {
                self.found = status_named(name);
            }
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if self.found.is_none()
            && let syn::Expr::Path(func) = &*call.func
            && func
                .path
                .segments
                .last()
                .is_some_and(|seg| seg.ident == "from_u16")
            && let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(code),
                ..
            })) = call.args.first()
            && let Ok(code) = code.base10_parse::<u16>()
            && (100..600).contains(&code)
        {
            self.found = Some(code);
        }
        syn::visit::visit_expr_call(self, call);
    }
}

/// HTTP statuses by their constant names (`NOT_FOUND`); builder and enum spellings are the
/// same words in camel case (`NotFound`).
const STATUSES: &[(u16, &str)] = &[
    (400, "BAD_REQUEST"),
    (401, "UNAUTHORIZED"),
    (402, "PAYMENT_REQUIRED"),
    (403, "FORBIDDEN"),
    (404, "NOT_FOUND"),
    (405, "METHOD_NOT_ALLOWED"),
    (406, "NOT_ACCEPTABLE"),
    (408, "REQUEST_TIMEOUT"),
    (409, "CONFLICT"),
    (410, "GONE"),
    (411, "LENGTH_REQUIRED"),
    (412, "PRECONDITION_FAILED"),
    (413, "PAYLOAD_TOO_LARGE"),
    (415, "UNSUPPORTED_MEDIA_TYPE"),
    (422, "UNPROCESSABLE_ENTITY"),
    (423, "LOCKED"),
    (424, "FAILED_DEPENDENCY"),
    (428, "PRECONDITION_REQUIRED"),
    (429, "TOO_MANY_REQUESTS"),
    (500, "INTERNAL_SERVER_ERROR"),
    (501, "NOT_IMPLEMENTED"),
    (502, "BAD_GATEWAY"),
    (503, "SERVICE_UNAVAILABLE"),
    (504, "GATEWAY_TIMEOUT"),
];

fn status_named(name: &str) -> Option<u16> {
    STATUSES.iter().find_map(|&(code, constant)| {
        let camel: String = constant
            .split('_')
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_string() + &chars.as_str().to_lowercase()
                })
            })
            .collect();
        (name == constant || name == camel).then_some(code)
    })
}

/// What templates see of an error type: how to tell its variants apart (out) and build them
/// (in).
#[derive(Debug, Clone, Serialize)]
pub struct ErrorContext {
    pub path: String,
    /// As the crate root names it.
    pub named: String,
    /// `file:line` of the match that says how it answers.
    pub mapped_at: String,
    /// Variants answering with a 4xx status.
    pub rejected: Vec<RejectedVariant>,
    /// Per status, the variant a failed call with that status becomes.
    pub arms: Vec<StatusArm>,
    /// The variant any other failure becomes; `None` when no variant holds a message.
    pub fallback: Option<StatusArm>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectedVariant {
    pub variant: String,
    pub status: u16,
}

impl ErrorShape {
    pub fn context(&self) -> ErrorContext {
        ErrorContext {
            path: self.path.clone(),
            named: self.named.clone(),
            mapped_at: self
                .mapped_at
                .clone()
                .unwrap_or_else(|| format!("{}:{}", self.file, self.line)),
            rejected: self
                .rejected()
                .into_iter()
                .map(|(variant, status)| RejectedVariant {
                    variant: variant.to_string(),
                    status,
                })
                .collect(),
            arms: self.arms(),
            fallback: self.fallback(),
        }
    }
}

/// The last segment's name and type arguments of a path type (`Result<T, E>`: `Result`,
/// `[T, E]`).
pub(crate) fn last_with_args(ty: &syn::Type) -> Option<(String, Vec<&syn::Type>)> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let args = match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((last.ident.to_string(), args))
}

pub(crate) fn last_name(ty: &syn::Type) -> Option<String> {
    last_with_args(ty).map(|(name, _)| name)
}

#[cfg(test)]
mod tests;
