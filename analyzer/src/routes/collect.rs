//! The one pass over a parsed file that records route facts (see `routes.rs` for the model):
//! the walk over items and fn bodies. Reading one router expression into a fragment is
//! `collect/router.rs`.
//!
//! A `syn` visitor tracks the inline modules, the fn being walked (its key, its local router
//! bindings, whether its signature returns a router) and how deep inside closures it is. It
//! records route and OpenAPI attributes of fns, string constants, `&mut ServiceConfig`
//! parameters (their fn owns the fragment they fill) and which frameworks the file names; a
//! fn's tail expression or `return` value makes the fragment it names owned by the fn.
//!
//! Deliberately not done: code a release build leaves out (`#[cfg(test)]` and
//! `#[cfg(debug_assertions)]` items and statements, `#[test]` fns) is skipped, other `#[cfg]`
//! alternatives are all read, control flow is ignored (`let` bindings shadow by statement
//! order, every `return` counts), and macro bodies other than `routes![..]` are not read.

mod router;

use std::collections::HashMap;

use proc_macro2::Span;
use syn::visit::{self, Visit};
use syn::{
    Attribute, Block, Expr, FnArg, ImplItemConst, ImplItemFn, ItemConst, ItemExternCrate, ItemFn,
    ItemImpl, ItemMod, ItemTrait, ItemUse, Lit, Local, Meta, Pat, Path, ReturnType, Signature,
    Stmt, TraitItemFn, Type, TypeParamBound, UseTree, Visibility,
};

use super::attribute::{self, line_of};
use super::chain::{peel, segments};
use super::{
    Entry, FileRoutes, Fragment, Framework, Handler, ItemKey, Note, OpenApiRoute, Owner, PathSpec,
    RouteFact, StrConst, ValueItem, actix, placeholder, utoipa, value,
};
use crate::model::Severity;
use crate::site::Site;

pub(super) fn collect(file: &syn::File) -> FileRoutes {
    let mut collector = Collector::default();
    collector.visit_file(file);
    collector.out
}

#[derive(Default)]
struct Collector {
    out: FileRoutes,
    /// Inline modules around the current position.
    mods: Vec<String>,
    /// Self types of the `impl`/`trait` blocks around the current position.
    self_tys: Vec<Vec<String>>,
    /// The fns being walked, innermost last (items nested in fn bodies push their own).
    scopes: Vec<Scope>,
    /// How many closures deep the current position is inside the innermost fn.
    closure_depth: u32,
    /// How many `if`/`match` branches deep the current position is.
    branch_depth: u32,
    /// Calls bound to a name whose result may be a router (`Binding::Call`): the callee's path
    /// as written and where it is written.
    deferred: Vec<(Vec<String>, Site)>,
}

struct Scope {
    key: ItemKey,
    /// Index into `FileRoutes::owners`, created with the first owned fragment.
    owner: Option<usize>,
    /// The signature returns a router type, so a tail call (`api()`) is a router too.
    returns_router: bool,
    bindings: HashMap<String, Binding>,
}

/// What a local name holds.
#[derive(Debug, Clone, Copy)]
enum Binding {
    /// A router value.
    Router(usize),
    /// A `&mut ServiceConfig` parameter: passing it to a fn (`users::config(cfg)`) mounts
    /// that fn here.
    Config(usize),
    /// The result of a call that may be a router (`let api = v1::router(cfg).with_state(s);`),
    /// an index into `Collector::deferred`. It becomes a mount of the callee only where it is
    /// used as a router: mounted, extended, or returned as one.
    Call(usize),
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_mod(&mut self, item: &'ast ItemMod) {
        if is_cfg_excluded(&item.attrs) {
            return;
        }
        let Some((_, items)) = &item.content else {
            return;
        };
        for attr in &item.attrs {
            self.visit_attribute(attr);
        }
        self.mods.push(item.ident.to_string());
        for item in items {
            self.visit_item(item);
        }
        self.mods.pop();
    }

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        if !is_cfg_excluded(stmt_attrs(stmt)) {
            visit::visit_stmt(self, stmt);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast ItemFn) {
        self.walk_fn(&item.attrs, &item.vis, &item.sig, &item.block, Vec::new());
    }

    fn visit_impl_item_fn(&mut self, item: &'ast ImplItemFn) {
        let self_ty = self.self_tys.last().cloned().unwrap_or_default();
        self.walk_fn(&item.attrs, &item.vis, &item.sig, &item.block, self_ty);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast TraitItemFn) {
        if let Some(block) = &item.default {
            let self_ty = self.self_tys.last().cloned().unwrap_or_default();
            self.walk_fn(
                &item.attrs,
                &Visibility::Inherited,
                &item.sig,
                block,
                self_ty,
            );
        }
    }

    fn visit_item_impl(&mut self, item: &'ast ItemImpl) {
        if is_cfg_excluded(&item.attrs) {
            return;
        }
        self.self_tys.push(type_segments(&item.self_ty));
        visit::visit_item_impl(self, item);
        self.self_tys.pop();
    }

    fn visit_item_trait(&mut self, item: &'ast ItemTrait) {
        if is_cfg_excluded(&item.attrs) {
            return;
        }
        self.self_tys.push(vec![item.ident.to_string()]);
        visit::visit_item_trait(self, item);
        self.self_tys.pop();
    }

    fn visit_item_const(&mut self, item: &'ast ItemConst) {
        if is_cfg_excluded(&item.attrs) {
            return;
        }
        let first_line = first_line(&item.attrs, &item.vis, line_of(item.const_token.span));
        self.string_const(&item.ident, &item.ty, &item.expr, Vec::new(), first_line);
        visit::visit_item_const(self, item);
    }

    fn visit_impl_item_const(&mut self, item: &'ast ImplItemConst) {
        let first_line = first_line(&item.attrs, &item.vis, line_of(item.const_token.span));
        let self_ty = self.self_tys.last().cloned().unwrap_or_default();
        self.string_const(&item.ident, &item.ty, &item.expr, self_ty, first_line);
        visit::visit_impl_item_const(self, item);
    }

    fn visit_item_use(&mut self, item: &'ast ItemUse) {
        let mut trees = vec![&item.tree];
        while let Some(tree) = trees.pop() {
            match tree {
                UseTree::Path(path) => self.hint(&path.ident.to_string()),
                UseTree::Name(name) => self.hint(&name.ident.to_string()),
                UseTree::Rename(rename) => self.hint(&rename.ident.to_string()),
                UseTree::Group(group) => trees.extend(group.items.iter()),
                UseTree::Glob(_) => {}
            }
        }
    }

    fn visit_item_extern_crate(&mut self, item: &'ast ItemExternCrate) {
        self.hint(&item.ident.to_string());
    }

    fn visit_path(&mut self, path: &'ast Path) {
        if let Some(first) = path.segments.first() {
            if first.ident == "rocket" {
                self.out.hints.rocket = true;
            } else if first.ident == "actix_web" {
                self.out.hints.actix = true;
            }
        }
        visit::visit_path(self, path);
    }

    fn visit_local(&mut self, local: &'ast Local) {
        if let (Some(name), Some(init)) = (pat_ident(&local.pat), &local.init) {
            let typed_router = matches!(&local.pat, Pat::Type(typed) if type_is_router(&typed.ty));
            if let Some(binding) = self.router_value(&init.expr, typed_router) {
                self.bind(name, binding);
                if let Some((_, diverge)) = &init.diverge {
                    self.visit_expr(diverge);
                }
                return;
            }
            // A value that is not a router shadows an older router of the same name; a call's
            // result may still be one.
            match self.deferred_call(&init.expr) {
                Some(call) => {
                    self.bind(name, Binding::Call(call));
                }
                None => self.unbind(&name),
            }
        } else if let (Some(name), Some(init)) = (split_router_name(&local.pat), &local.init)
            && let Expr::MethodCall(split) = peel(&init.expr)
            && split.method == "split_for_parts"
            && split.args.is_empty()
        {
            // utoipa-axum: `let (router, api) = api_router.split_for_parts();` gives the axum
            // router (first) and the OpenAPI document.
            let binding = self
                .router_value(&split.receiver, true)
                .or_else(|| self.deferred_call(&split.receiver).map(Binding::Call));
            match binding {
                Some(binding) => {
                    self.bind(name, binding);
                }
                None => self.unbind(&name),
            }
            return;
        }
        visit::visit_local(self, local);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Closure(closure) => {
                self.closure_depth += 1;
                visit::visit_expr_closure(self, closure);
                self.closure_depth -= 1;
            }
            Expr::Return(ret) if self.closure_depth == 0 => {
                if let Some(value) = &ret.expr {
                    self.tail(value);
                }
            }
            Expr::If(branch) => {
                self.visit_expr(&branch.cond);
                self.branch_depth += 1;
                self.visit_block(&branch.then_branch);
                if let Some((_, otherwise)) = &branch.else_branch {
                    self.visit_expr(otherwise);
                }
                self.branch_depth -= 1;
            }
            Expr::Match(branches) => {
                self.visit_expr(&branches.expr);
                self.branch_depth += 1;
                for arm in &branches.arms {
                    self.visit_arm(arm);
                }
                self.branch_depth -= 1;
            }
            Expr::Assign(assign) => {
                if let Some(name) = expr_ident(&assign.left)
                    && let Some(binding) = self.router_value(&assign.right, false)
                {
                    let previous = self.bind(name, binding);
                    if self.branch_depth > 0 {
                        match (previous, binding) {
                            (Some(Binding::Router(old)), Binding::Router(new)) if old != new => {
                                if let Some(fragment) = self.out.fragments.get_mut(old) {
                                    fragment.kept = true;
                                }
                            }
                            // The router a call returned, served as it is: a root of its own.
                            (Some(Binding::Call(call)), Binding::Router(_)) => {
                                self.deferred_fragment(call, &[]);
                            }
                            _ => {}
                        }
                    }
                } else {
                    visit::visit_expr_assign(self, assign);
                }
            }
            Expr::MethodCall(_) | Expr::Call(_) | Expr::Macro(_) => {
                if self.router_value(expr, false).is_none() {
                    self.walk_chain(expr);
                }
            }
            _ => visit::visit_expr(self, expr),
        }
    }
}

impl Collector {
    fn walk_fn(
        &mut self,
        attrs: &[Attribute],
        vis: &Visibility,
        sig: &Signature,
        block: &Block,
        self_ty: Vec<String>,
    ) {
        if is_cfg_excluded(attrs) || is_test_fn(attrs) {
            return;
        }
        for attr in attrs {
            self.visit_attribute(attr);
        }
        self.visit_signature(sig);
        let key = ItemKey {
            name: sig.ident.to_string(),
            self_ty,
            site: self.site(sig.ident.span()),
            first_line: first_line(attrs, vis, line_of(sig.fn_token.span)),
        };
        self.scopes.push(Scope {
            key,
            owner: None,
            returns_router: matches!(&sig.output, ReturnType::Type(_, ty) if type_is_router(ty)),
            bindings: HashMap::new(),
        });
        let closure_depth = std::mem::replace(&mut self.closure_depth, 0);
        let branch_depth = std::mem::replace(&mut self.branch_depth, 0);
        self.attribute_routes(attrs);
        if let Some(value) = value::fn_value(&block.stmts, &|span| self.site(span))
            && let Some(scope) = self.scopes.last()
        {
            self.out.values.push(ValueItem {
                key: scope.key.clone(),
                value,
            });
        }
        for input in &sig.inputs {
            if let FnArg::Typed(typed) = input
                && actix::is_service_config(&typed.ty)
                && let Some(name) = pat_ident(&typed.pat)
            {
                let site = self.site(sig.ident.span());
                let fragment = self.new_fragment(site);
                self.own(fragment);
                self.bind(name, Binding::Config(fragment));
            }
        }
        let last = block.stmts.len().checked_sub(1);
        for (idx, stmt) in block.stmts.iter().enumerate() {
            if is_cfg_excluded(stmt_attrs(stmt)) {
                continue;
            }
            match stmt {
                Stmt::Expr(expr, None) if Some(idx) == last => self.tail(expr),
                _ => self.visit_stmt(stmt),
            }
        }
        self.closure_depth = closure_depth;
        self.branch_depth = branch_depth;
        self.scopes.pop();
    }

    /// Route and OpenAPI attributes of the fn just entered.
    fn attribute_routes(&mut self, attrs: &[Attribute]) {
        let routes = attribute::route_attrs(attrs);
        let operations = utoipa::openapi_attrs(attrs);
        if routes.is_empty() && operations.is_empty() {
            return;
        }
        let Some(scope) = self.scopes.last() else {
            return;
        };
        let mut segments = scope.key.self_ty.clone();
        segments.push(scope.key.name.clone());
        let fn_site = scope.key.site.clone();
        let handler = Handler::Path {
            segments,
            site: fn_site.clone(),
        };
        if !routes.is_empty() {
            let fragment = self.new_fragment(fn_site.clone());
            if let Some(fragment) = self.out.fragments.get_mut(fragment) {
                fragment.attribute = true;
            }
            for route in routes {
                let site = self.site_at(route.line);
                for method in route.methods {
                    let path = self.attribute_path(&route.path, &site);
                    self.push(
                        fragment,
                        Entry::Route(RouteFact {
                            method,
                            path,
                            handler: handler.clone(),
                            framework: route.framework,
                            site: site.clone(),
                        }),
                    );
                }
            }
            self.own(fragment);
        }
        if !operations.is_empty() {
            let fragment = self.new_fragment(fn_site);
            if let Some(fragment) = self.out.fragments.get_mut(fragment) {
                fragment.openapi = true;
            }
            for operation in &operations {
                let site = self.site_at(operation.line);
                for method in &operation.methods {
                    self.push(
                        fragment,
                        Entry::Route(RouteFact {
                            method: method.clone(),
                            path: PathSpec::Literal(operation.path.clone()),
                            handler: handler.clone(),
                            framework: Some(Framework::Axum),
                            site: site.clone(),
                        }),
                    );
                }
            }
            if let Some(scope) = self.scopes.last() {
                self.out.owners.push(Owner {
                    key: scope.key.clone(),
                    fragments: vec![fragment],
                    openapi: true,
                });
            }
        }
        for operation in operations {
            let site = self.site_at(operation.line);
            self.out.openapi.push(OpenApiRoute {
                methods: operation.methods,
                path: operation.path,
                handler: handler.clone(),
                site,
            });
        }
    }

    /// The value a fn returns (its tail expression or a `return`).
    fn tail(&mut self, expr: &Expr) {
        let returns_router = self.scopes.last().is_some_and(|scope| scope.returns_router);
        match self.router_value(expr, returns_router) {
            Some(Binding::Router(fragment) | Binding::Config(fragment)) => self.own(fragment),
            Some(Binding::Call(call)) if returns_router => {
                let fragment = self.deferred_fragment(call, &[]);
                self.own(fragment);
            }
            Some(Binding::Call(_)) => {}
            None => self.visit_expr(expr),
        }
    }

    fn string_const(
        &mut self,
        ident: &syn::Ident,
        ty: &Type,
        expr: &Expr,
        self_ty: Vec<String>,
        first_line: u32,
    ) {
        let is_str = match ty {
            Type::Reference(reference) => {
                matches!(&*reference.elem, Type::Path(path) if path.path.is_ident("str"))
            }
            _ => false,
        };
        let key = ItemKey {
            name: ident.to_string(),
            self_ty,
            site: self.site(ident.span()),
            first_line,
        };
        if let Expr::Lit(lit) = peel(expr)
            && let (true, Lit::Str(value)) = (is_str, &lit.lit)
        {
            self.out.consts.push(StrConst {
                key,
                value: value.value(),
            });
            return;
        }
        // A constant of another type may hold route paths in its fields.
        let value = value::value_of(expr, &HashMap::new(), &|span| self.site(span));
        if matches!(
            value,
            value::Value::Call { .. } | value::Value::Struct(_) | value::Value::Path { .. }
        ) {
            self.out.values.push(ValueItem { key, value });
        }
    }

    /// The path of a route attribute: a URL pattern, or a Rust expression naming a constant
    /// (`path = "crate::ROUTES.auth.login"`), as some attribute macros take it.
    fn attribute_path(&self, text: &str, site: &Site) -> PathSpec {
        match value::field_path(text) {
            Some((path, fields)) if fields.is_empty() => PathSpec::Const {
                path,
                site: site.clone(),
            },
            Some((path, fields)) => PathSpec::Field {
                path,
                fields,
                site: site.clone(),
            },
            None if value::is_unreadable_expression(text) => placeholder::unknown_text(text),
            None => PathSpec::Literal(text.to_string()),
        }
    }

    fn new_fragment(&mut self, site: Site) -> usize {
        self.out.fragments.push(Fragment {
            site,
            own_prefix: None,
            is_resource: false,
            openapi: false,
            attribute: false,
            kept: false,
            entries: Vec::new(),
        });
        self.out.fragments.len() - 1
    }

    fn push(&mut self, fragment: usize, entry: Entry) {
        if let Some(fragment) = self.out.fragments.get_mut(fragment) {
            fragment.entries.push(entry);
        }
    }

    fn is_resource(&self, fragment: usize) -> bool {
        self.out
            .fragments
            .get(fragment)
            .is_some_and(|fragment| fragment.is_resource)
    }

    /// Makes the current fn own `fragment`.
    fn own(&mut self, fragment: usize) {
        let Some(scope) = self.scopes.last_mut() else {
            return;
        };
        let owner = match scope.owner {
            Some(owner) => owner,
            None => {
                self.out.owners.push(Owner {
                    key: scope.key.clone(),
                    fragments: Vec::new(),
                    openapi: false,
                });
                let owner = self.out.owners.len() - 1;
                scope.owner = Some(owner);
                owner
            }
        };
        if let Some(owner) = self.out.owners.get_mut(owner)
            && !owner.fragments.contains(&fragment)
        {
            owner.fragments.push(fragment);
        }
    }

    fn binding(&self, name: &str) -> Option<Binding> {
        self.scopes.last()?.bindings.get(name).copied()
    }

    /// Binds `name`, returning what it held before.
    fn bind(&mut self, name: String, binding: Binding) -> Option<Binding> {
        self.scopes.last_mut()?.bindings.insert(name, binding)
    }

    fn unbind(&mut self, name: &str) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.bindings.remove(name);
        }
    }

    fn hint(&mut self, crate_name: &str) {
        match crate_name {
            "rocket" => self.out.hints.rocket = true,
            "actix_web" => self.out.hints.actix = true,
            _ => {}
        }
    }

    fn note(&mut self, severity: Severity, site: Site, message: &str) {
        self.out.notes.push(Note {
            severity,
            site,
            message: message.to_string(),
        });
    }

    fn site(&self, span: Span) -> Site {
        self.site_at(line_of(span))
    }

    fn site_at(&self, line: u32) -> Site {
        Site {
            inline_mods: self.mods.clone(),
            line,
        }
    }

    /// Where a path is written: the line of its first segment.
    fn path_site(&self, path: &Path) -> Site {
        match path.segments.first() {
            Some(first) => self.site(first.ident.span()),
            None => self.site(Span::call_site()),
        }
    }
}

/// Whether a type is a router: `Router<S>`, `Scope`, `Resource`, `Rocket<Build>`,
/// `Vec<Route>`, `impl HttpServiceFactory`.
fn type_is_router(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            if last.ident == "Vec" {
                let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                    return false;
                };
                return args.args.iter().any(|arg| {
                    matches!(arg, syn::GenericArgument::Type(Type::Path(inner))
                        if inner.path.segments.last().is_some_and(|s| s.ident == "Route"))
                });
            }
            ["Router", "Scope", "Resource", "Rocket"]
                .iter()
                .any(|name| last.ident == name)
        }
        Type::ImplTrait(bounds) => bounds.bounds.iter().any(|bound| {
            matches!(bound, TypeParamBound::Trait(bound)
                if bound.path.segments.last().is_some_and(|s| s.ident == "HttpServiceFactory"))
        }),
        Type::Paren(inner) => type_is_router(&inner.elem),
        Type::Group(inner) => type_is_router(&inner.elem),
        _ => false,
    }
}

/// The segments of a self type (`Api`, `handlers::Api<S>` -> `["handlers", "Api"]`).
fn type_segments(ty: &Type) -> Vec<String> {
    match ty {
        Type::Path(path) if path.qself.is_none() => segments(&path.path),
        _ => Vec::new(),
    }
}

/// The first name of a tuple pattern (`(router, api)`, `(router, _): (Router, _)`).
fn split_router_name(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Tuple(tuple) => tuple.elems.first().and_then(pat_ident),
        Pat::Type(typed) => split_router_name(&typed.pat),
        _ => None,
    }
}

/// The name a simple pattern binds: `x`, `mut x`, `x: T`.
fn pat_ident(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(ident) if ident.subpat.is_none() => Some(ident.ident.to_string()),
        Pat::Type(typed) => pat_ident(&typed.pat),
        _ => None,
    }
}

fn expr_ident(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(path) if path.qself.is_none() => path.path.get_ident().map(ToString::to_string),
        _ => None,
    }
}

/// The first line of an item: its first attribute, else its visibility, else `keyword_line`.
fn first_line(attrs: &[Attribute], vis: &Visibility, keyword_line: u32) -> u32 {
    let vis_line = match vis {
        Visibility::Public(token) => Some(line_of(token.span)),
        Visibility::Restricted(restricted) => Some(line_of(restricted.pub_token.span)),
        _ => None,
    };
    attrs
        .iter()
        .map(|attr| line_of(attr.pound_token.spans[0]))
        .chain(vis_line)
        .fold(keyword_line, u32::min)
}

/// `#[cfg(test)]` or `#[cfg(debug_assertions)]`: code a release build of the server does not
/// contain, so its routes are not served in production.
fn is_cfg_excluded(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| match &attr.meta {
        Meta::List(list) if list.path.is_ident("cfg") => {
            let mut tokens = list.tokens.clone().into_iter();
            matches!((tokens.next(), tokens.next()), (Some(proc_macro2::TokenTree::Ident(ident)), None) if ident == "test" || ident == "debug_assertions")
        }
        _ => false,
    })
}

/// The attributes of a statement, for the common statement kinds.
fn stmt_attrs(stmt: &Stmt) -> &[Attribute] {
    match stmt {
        Stmt::Local(local) => &local.attrs,
        Stmt::Macro(mac) => &mac.attrs,
        Stmt::Expr(expr, _) => match expr {
            Expr::If(expr) => &expr.attrs,
            Expr::Block(expr) => &expr.attrs,
            Expr::Call(expr) => &expr.attrs,
            Expr::MethodCall(expr) => &expr.attrs,
            Expr::Assign(expr) => &expr.attrs,
            Expr::Macro(expr) => &expr.attrs,
            Expr::Return(expr) => &expr.attrs,
            _ => &[],
        },
        Stmt::Item(_) => &[],
    }
}

/// `#[test]`, `#[tokio::test]`, `#[actix_web::test]`, `#[rocket::async_test]`.
fn is_test_fn(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "test" || segment.ident == "async_test")
    })
}
