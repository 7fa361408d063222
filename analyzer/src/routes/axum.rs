//! axum specifics: which calls make an empty `Router`, and what a method router passed to
//! `.route(path, ..)` maps: `get(h)`, `get(h).post(h2)`, `any(h)`, `on(MethodFilter::GET, h)`,
//! `get_service(svc)`, with `routing::` or `axum::routing::` in front or not. The OpenAPI
//! extensions of axum (aide's `ApiRouter`, utoipa-axum's `OpenApiRouter`) wrap axum's router
//! with the same methods and a few of their own (`api_route`, `api_route_with`,
//! `nest_api_service`, `get_with(h, docs)`): they are read as the axum calls they stand for.
//!
//! Router methods themselves (`.route`, `.nest`, `.merge`, ...) are read by `collect.rs`
//! because actix-web and rocket share most of their names. Not understood: a method router
//! held in a variable or returned by a helper fn (`.route("/", users_methods())`), and
//! `MethodFilter` values other than the associated constants and `.or(..)` of them.

use syn::Expr;

use super::chain::{Chain, ends_with, last_ident, peel, segments};
use super::method_name;

/// Whether a call to `segments` without arguments makes an empty router: `Router::new()`,
/// `Router::default()`, `axum::Router::new()`, and the same on the router types of axum's
/// OpenAPI extensions, which wrap axum's and are named after it (`ApiRouter::new()`,
/// `OpenApiRouter::new()`). `MethodRouter` is not a router of paths.
pub(super) fn is_router_new(segments: &[String]) -> bool {
    let [.., ty, constructor] = segments else {
        return false;
    };
    is_router_type(ty) && matches!(constructor.as_str(), "new" | "default")
}

/// Whether a call to `segments` makes an empty router from a value that is not a route, such
/// as an OpenAPI document: `OpenApiRouter::with_openapi(doc)`.
pub(super) fn is_router_with(segments: &[String]) -> bool {
    let [.., ty, constructor] = segments else {
        return false;
    };
    is_router_type(ty) && constructor.starts_with("with_")
}

fn is_router_type(name: &str) -> bool {
    name.ends_with("Router") && name != "MethodRouter"
}

/// The methods and handler expressions of a method router, `None` if `expr` is not one.
pub(super) fn method_router(expr: &Expr) -> Option<Vec<(String, &Expr)>> {
    let chain = Chain::of(peel(expr));
    let (callee, args) = chain.base_call()?;
    let callee = segments(callee);
    let mut out = Vec::new();
    if ends_with(&callee, &["MethodRouter", "new"])
        || ends_with(&callee, &["MethodRouter", "default"])
    {
        // Starts empty.
    } else {
        let name = callee.last()?;
        if !add_methods(name, &args, &mut out) {
            return None;
        }
    }
    for call in &chain.calls {
        let args: Vec<&Expr> = call.args.iter().collect();
        add_methods(&call.method.to_string(), &args, &mut out);
    }
    Some(out)
}

/// Adds what `name(args)` registers (a free fn or a `MethodRouter` method); `false` if it is
/// not a method-routing call (then, on a chain, it passes through: `.layer(..)`). The
/// OpenAPI extensions' spellings take one more argument, the operation's documentation:
/// `get_with(handler, docs)`, `.post_with(handler, docs)`.
fn add_methods<'a>(name: &str, args: &[&'a Expr], out: &mut Vec<(String, &'a Expr)>) -> bool {
    let (name, args) = match (name.strip_suffix("_with"), args.split_last()) {
        (Some(base), Some((_, rest))) => (base, rest),
        _ => (name, args),
    };
    let base = name.strip_suffix("_service").unwrap_or(name);
    match (base, args) {
        ("any", [handler]) => out.push(("ANY".to_string(), handler)),
        ("on", [filter, handler]) => {
            for method in method_filters(filter) {
                out.push((method, handler));
            }
        }
        (method, [handler]) => match method_name(method) {
            Some(method) => out.push((method, handler)),
            None => return false,
        },
        _ => return false,
    }
    true
}

/// `MethodFilter::GET` or `MethodFilter::GET.or(MethodFilter::POST)`.
fn method_filters(expr: &Expr) -> Vec<String> {
    let chain = Chain::of(peel(expr));
    let mut methods: Vec<String> = last_ident(chain.base)
        .and_then(|name| method_name(&name.to_ascii_lowercase()))
        .into_iter()
        .collect();
    for call in &chain.calls {
        if call.method == "or" {
            for arg in &call.args {
                methods.extend(
                    last_ident(arg).and_then(|name| method_name(&name.to_ascii_lowercase())),
                );
            }
        }
    }
    methods
}
