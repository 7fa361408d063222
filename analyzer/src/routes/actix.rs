//! actix-web specifics: `App::new()`, `web::scope(..)` and `web::resource(..)` as router bases,
//! `&mut web::ServiceConfig` parameters (configure fns), and route values such as
//! `web::get().to(h)`, `web::route().method(Method::POST).to(h)`, `web::to(h)`.
//!
//! Attribute routes (`#[get("/x")]`) live in `attribute.rs`. Not understood: guards other than
//! the method guards (`guard::Get()`, `guard::Method(Method::GET)`), which are ignored (a route
//! with a header guard is reported as if it had none); a route value held in a variable; and
//! several patterns for one resource (`web::resource(["/a", "/b"])`).

use syn::{Expr, Type};

use super::chain::{Chain, ends_with, last_ident, peel, segments};
use super::method_name;

/// Whether a call to `segments` makes an app: `App::new()`.
pub(super) fn is_app_new(segments: &[String]) -> bool {
    ends_with(segments, &["App", "new"])
}

/// Whether a call to `segments` makes a scope: `web::scope(..)`, `Scope::new(..)`.
pub(super) fn is_scope(segments: &[String]) -> bool {
    ends_with(segments, &["web", "scope"]) || ends_with(segments, &["Scope", "new"])
}

/// Whether a call to `segments` makes a resource: `web::resource(..)`, `Resource::new(..)`.
pub(super) fn is_resource(segments: &[String]) -> bool {
    ends_with(segments, &["web", "resource"]) || ends_with(segments, &["Resource", "new"])
}

/// Whether a parameter type is `&mut ServiceConfig` (any path to it).
pub(super) fn is_service_config(ty: &Type) -> bool {
    let Type::Reference(reference) = ty else {
        return false;
    };
    let Type::Path(path) = &*reference.elem else {
        return false;
    };
    reference.mutability.is_some()
        && path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "ServiceConfig")
}

/// A route value: its methods (`ANY` when unguarded) and its handler expression. `None` when
/// `expr` is not one, or sets no handler.
pub(super) fn route(expr: &Expr) -> Option<(Vec<String>, &Expr)> {
    let chain = Chain::of(peel(expr));
    let (callee, args) = chain.base_call()?;
    let callee = segments(callee);
    let mut methods = Vec::new();
    let mut handler = None;
    let name = callee.last()?;
    match (name.as_str(), args.as_slice()) {
        ("route", []) => {}
        ("new", []) if ends_with(&callee, &["Route", "new"]) => {}
        ("method", [method]) => methods.extend(method_ident(method)),
        ("to", [to]) => handler = Some(*to),
        (name, []) => methods.push(method_name(name)?),
        _ => return None,
    }
    for call in &chain.calls {
        let args: Vec<&Expr> = call.args.iter().collect();
        match (call.method.to_string().as_str(), args.as_slice()) {
            ("method", [method]) => methods.extend(method_ident(method)),
            ("guard", [guard]) => methods.extend(method_guard(guard)),
            ("to", [to]) => handler = Some(*to),
            _ => {}
        }
    }
    if methods.is_empty() {
        methods.push("ANY".to_string());
    }
    methods.sort();
    methods.dedup();
    Some((methods, handler?))
}

/// `Method::GET`, `http::Method::POST`.
fn method_ident(expr: &Expr) -> Option<String> {
    method_name(&last_ident(expr)?.to_ascii_lowercase())
}

/// `guard::Get()` or `guard::Method(Method::GET)`.
fn method_guard(expr: &Expr) -> Option<String> {
    let Expr::Call(call) = peel(expr) else {
        return None;
    };
    let name = last_ident(&call.func)?;
    if name == "Method" {
        return call.args.first().and_then(method_ident);
    }
    if !call.args.is_empty() {
        return None;
    }
    method_name(&name.to_ascii_lowercase())
}
