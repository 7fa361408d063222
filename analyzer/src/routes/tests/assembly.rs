//! Assembly across fragments: a fragment reached twice, recursion, cycles nobody mounts,
//! constant paths, routers in methods and inline modules, matching despite doc comments, and the
//! diagnostics for what cannot be followed or placed in a module. Written with axum syntax; the
//! behaviour is the same for every framework.

use super::check;

#[test]
fn fragment_reached_along_two_paths_yields_both() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    Router::new().nest("/v1", shared()).nest("/v2", shared())
}
fn shared() -> Router { Router::new().route("/items", get(items)) }
async fn items() {}
"#,
        "
        GET /v1/items demo::items demo
        GET /v2/items demo::items demo
        ",
    );
}

#[test]
fn recursion_is_reported_and_not_followed() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    Router::new().nest("/x", a())
}
fn a() -> Router {
    Router::new().route("/a", get(h)).nest("/b", b())
}
fn b() -> Router {
    Router::new().nest("/c", a())
}
fn selfish() -> Router {
    Router::new().route("/s", get(h)).merge(selfish())
}
async fn h() {}
"#,
        "
        GET /s demo::h demo
        GET /x/a demo::h demo
        warning src/lib.rs:8: recursive router: `a` mounts itself (`a` -> `b` -> `a`); the cycle is not followed
        warning src/lib.rs:11: recursive router: `selfish` mounts itself (`selfish` -> `selfish`); the cycle is not followed
        ",
    );
}

#[test]
fn a_cycle_nobody_mounts_still_yields_its_routes() {
    check(
        r#"
//- src/lib.rs
fn a() -> Router { Router::new().route("/a", get(h)).nest("/b", b()) }
fn b() -> Router { Router::new().route("/bb", get(h)).nest("/c", a()) }
async fn h() {}
"#,
        "
        GET /a demo::h demo
        GET /b/bb demo::h demo
        warning src/lib.rs:2: recursive router: `a` mounts itself (`a` -> `b` -> `a`); the cycle is not followed
        ",
    );
}

#[test]
fn paths_from_constants_and_unreadable_paths() {
    check(
        r#"
//- src/lib.rs
pub mod paths;
const USERS: &str = "/users";
pub fn app() -> Router {
    Router::new()
        .route(USERS, get(h))
        .nest(paths::API, Router::new().route(crate::paths::ITEMS, get(h)))
        .route(&format!("/{}", 1), get(h))
        .route(42, get(h))
}
async fn h() {}
//- src/paths.rs
pub const API: &str = "/api";
pub const ITEMS: &'static str = "/items/{id}";
"#,
        "
        GET /1 demo::h demo
        GET /api/items/{id} demo::h demo
        GET /users demo::h demo
        warning src/lib.rs:8: route path is not a string; skipped
        ",
    );
}

#[test]
fn routers_in_methods_and_inline_modules() {
    check(
        r#"
//- src/lib.rs
pub struct Api;
impl Api {
    pub fn routes() -> Router {
        Router::new().nest("/v2", v2::routes()).merge(Self::extra())
    }
    fn extra() -> Router { Router::new().route("/extra", get(Self::handler)) }
    async fn handler() {}
}
pub mod v2 {
    pub fn routes() -> Router {
        Router::new().route("/things", get(things))
    }
    async fn things() {}
}
pub fn app() -> Router {
    Router::new().nest("/api", Api::routes())
}
"#,
        "
        GET /api/extra demo::Api::handler demo
        GET /api/v2/things demo::v2::things demo::v2
        ",
    );
}

#[test]
fn doc_comments_and_attributes_before_a_router_fn() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    Router::new().nest("/docs", documented())
}

/// The documented router.
///
/// It has several lines of docs.
#[allow(clippy::all)]
#[inline]
pub
fn
documented() -> Router {
    Router::new().route("/", get(h))
}
async fn h() {}
"#,
        "
        GET /docs demo::h demo
        ",
    );
}

#[test]
fn unresolvable_mounts_are_reported() {
    check(
        r#"
//- src/lib.rs
pub fn app(extra: Router) -> Router {
    Router::new()
        .merge(extra)
        .nest("/ext", external_crate::routes())
        .nest("/weird", if true { Router::new() } else { Router::new() })
}
"#,
        "
        info src/lib.rs:3: cannot find the routes of `extra` in the analysed code; they are missing under this mount
        info src/lib.rs:4: cannot find the routes of `external_crate::routes` in the analysed code; they are missing under this mount
        info src/lib.rs:5: cannot tell which router is mounted here; its routes are missing
        ",
    );
}

#[test]
fn routes_outside_any_module_tree_are_skipped_with_a_warning() {
    check(
        r#"
//- scripts/tool.rs
fn app() -> Router { Router::new().route("/tool", get(|| async {})) }
"#,
        "
        warning scripts/tool.rs:1: route GET /tool skipped: its handler is in no module of the analysed code
        ",
    );
}

#[test]
fn test_code_is_skipped() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router { Router::new().route("/real", get(h)) }
async fn h() {}
#[cfg(test)]
mod tests {
    fn app() -> Router { Router::new().route("/test-only", get(h)) }
}
#[tokio::test]
async fn smoke() {
    let app = Router::new().route("/smoke", get(h));
}
"#,
        "
        GET /real demo::h demo
        ",
    );
}
