//! Constant values that route paths may name: applications keep their paths as fields of a
//! constant struct (`pub const ROUTES: Routes = Routes::new();`, with `const fn new()`
//! returning `Routes { auth: Auth::new(), about: "/about" }`) and write
//! `#[get(path = "crate::ROUTES.auth.login")]` or `.route(ROUTES.about, ..)`.
//!
//! Collection turns an initialiser or a fn's struct-literal tail into a [`Value`] tree: string
//! literals, struct literals, calls and paths (resolved at assembly), field accesses, and
//! `let` bindings of the same fn substituted where they are used. Nothing is evaluated here and
//! nothing else is understood (arithmetic, `format!`, `concat!`, arguments of the calls, control
//! flow): those are `Value::Unknown`, and a route path that ends in one is reported unknown.

use std::collections::HashMap;

use syn::{Expr, Lit, Member, Stmt};

use super::chain::{peel, segments};
use crate::site::Site;

/// A value as written, paths and calls unresolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    Str(String),
    Struct(Vec<(String, Value)>),
    /// `Auth::new()`: the value the fn builds (its arguments are not read).
    Call {
        path: Vec<String>,
        site: Site,
    },
    /// A constant named by path.
    Path {
        path: Vec<String>,
        site: Site,
    },
    Field(Box<Value>, String),
    Unknown,
}

/// Reads `expr` written at `site_of(line)`, with `locals` substituted for plain names.
pub(super) fn value_of(
    expr: &Expr,
    locals: &HashMap<String, Value>,
    site_of: &dyn Fn(proc_macro2::Span) -> Site,
) -> Value {
    match peel(expr) {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(value) => Value::Str(value.value()),
            _ => Value::Unknown,
        },
        Expr::Struct(literal) => Value::Struct(
            literal
                .fields
                .iter()
                .filter_map(|field| match &field.member {
                    Member::Named(name) => {
                        Some((name.to_string(), value_of(&field.expr, locals, site_of)))
                    }
                    Member::Unnamed(_) => None,
                })
                .collect(),
        ),
        Expr::Call(call) => match peel(&call.func) {
            Expr::Path(callee) if callee.qself.is_none() => Value::Call {
                path: segments(&callee.path),
                site: site_of(first_span(&callee.path)),
            },
            _ => Value::Unknown,
        },
        Expr::Path(path) if path.qself.is_none() => {
            if let Some(ident) = path.path.get_ident()
                && let Some(local) = locals.get(&ident.to_string())
            {
                return local.clone();
            }
            Value::Path {
                path: segments(&path.path),
                site: site_of(first_span(&path.path)),
            }
        }
        Expr::Field(field) => match &field.member {
            Member::Named(name) => Value::Field(
                Box::new(value_of(&field.base, locals, site_of)),
                name.to_string(),
            ),
            Member::Unnamed(_) => Value::Unknown,
        },
        _ => Value::Unknown,
    }
}

/// The value a fn body builds, when its tail is a struct literal: its `let` bindings are read
/// in order and substituted. `None` for any other body, so ordinary fns cost one look.
pub(super) fn fn_value(
    stmts: &[Stmt],
    site_of: &dyn Fn(proc_macro2::Span) -> Site,
) -> Option<Value> {
    let Some(Stmt::Expr(tail, None)) = stmts.last() else {
        return None;
    };
    if !matches!(peel(tail), Expr::Struct(_)) {
        return None;
    }
    let mut locals = HashMap::new();
    for stmt in &stmts[..stmts.len() - 1] {
        if let Stmt::Local(local) = stmt
            && let syn::Pat::Ident(name) = &local.pat
            && let Some(init) = &local.init
        {
            let value = value_of(&init.expr, &locals, site_of);
            locals.insert(name.ident.to_string(), value);
        }
    }
    Some(value_of(tail, &locals, site_of))
}

/// A route path written as a Rust expression inside a string, as some attribute macros take
/// it (`path = "crate::ROUTES.auth.login"`): the constant's path and the fields after it.
/// `None` for an ordinary path (`"/users/{id}"`) or anything else.
/// A bare word (`"users"`) stays a path: it names a constant only when it has fields, more
/// than one segment, or is written in upper case like one.
pub(super) fn field_path(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    if text.is_empty() || text.starts_with('/') {
        return None;
    }
    let expr: Expr = syn::parse_str(text).ok()?;
    let (path, fields) = field_chain(&expr)?;
    let names_constant = !fields.is_empty()
        || path.len() > 1
        || path
            .iter()
            .all(|segment| !segment.chars().any(|ch| ch.is_ascii_lowercase()));
    names_constant.then_some((path, fields))
}

/// Whether a route path written in a string is a Rust expression that this module cannot
/// read (`"ROUTES.pow.verify()"`, `"&DOCS.home[1..]"`): it names a value only running the code
/// gives, so the route's path is unknown rather than that text.
pub(super) fn is_unreadable_expression(text: &str) -> bool {
    if text.is_empty() || text.starts_with('/') {
        return false;
    }
    matches!(
        syn::parse_str::<Expr>(text),
        Ok(Expr::MethodCall(_)
            | Expr::Index(_)
            | Expr::Reference(_)
            | Expr::Call(_)
            | Expr::Field(_))
    )
}

/// `a::B.c.d` -> (`["a", "B"]`, `["c", "d"]`); `None` unless the expression is a path
/// followed by named fields only.
pub(super) fn field_chain(expr: &Expr) -> Option<(Vec<String>, Vec<String>)> {
    let mut fields = Vec::new();
    let mut current = expr;
    loop {
        match peel(current) {
            Expr::Field(field) => {
                let Member::Named(name) = &field.member else {
                    return None;
                };
                fields.push(name.to_string());
                current = &field.base;
            }
            Expr::Path(path) if path.qself.is_none() => {
                fields.reverse();
                return Some((segments(&path.path), fields));
            }
            _ => return None,
        }
    }
}

fn first_span(path: &syn::Path) -> proc_macro2::Span {
    path.segments
        .first()
        .map_or_else(proc_macro2::Span::call_site, |segment| segment.ident.span())
}
