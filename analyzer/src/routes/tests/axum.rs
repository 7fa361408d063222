//! axum routers: `.route` chains, method-router spellings, handler forms, nesting and merging
//! through helper fns and `let` bindings, axum 0.7 path syntax, pass-through methods, prefix
//! joining and `nest_service`. What is generic to assembly (cycles, roots, matching) is in
//! `assembly.rs`.

use super::check;

#[test]
fn axum_route_chain_with_chained_method_routers() {
    check(
        r#"
//- src/lib.rs
use axum::{Router, routing::get};
pub fn app() -> Router {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(show).put(update).delete(remove))
}
async fn list() {}
async fn create() {}
async fn show() {}
async fn update() {}
async fn remove() {}
"#,
        "
        GET / demo::list demo
        POST / demo::create demo
        DELETE /{id} demo::remove demo
        GET /{id} demo::show demo
        PUT /{id} demo::update demo
        ",
    );
}

#[test]
fn axum_method_router_spellings() {
    check(
        r#"
//- src/lib.rs
use axum::{Router, routing::{self, any, on, MethodFilter, get_service}};
use tower_http::services::ServeFile;
pub fn app() -> Router {
    Router::new()
        .route("/a", routing::get(a))
        .route("/b", axum::routing::post(b).patch(b))
        .route("/any", any(a))
        .route("/on", on(MethodFilter::GET, a).on(MethodFilter::PUT.or(MethodFilter::PATCH), b))
        .route("/file", get_service(ServeFile::new("x.txt")))
        .route_service("/svc", ServeFile::new("y.txt"))
        .route("/layered", routing::delete(b).layer(TimeoutLayer::new()).with_state(()))
}
async fn a() {}
async fn b() {}
"#,
        "
        GET /a demo::a demo
        ANY /any demo::a demo
        PATCH /b demo::b demo
        POST /b demo::b demo
        GET /file ServeFile::new demo
        DELETE /layered demo::b demo
        GET /on demo::a demo
        PATCH /on demo::b demo
        PUT /on demo::b demo
        ANY /svc ServeFile::new demo
        ",
    );
}

#[test]
fn axum_handlers_resolve_by_path_import_and_self() {
    check(
        r#"
//- src/lib.rs
pub mod app;
pub mod users;
//- src/app.rs
use axum::{Router, routing::get};
use crate::users::show;
use crate::users as people;
pub struct Api;
impl Api {
    pub fn routes() -> Router {
        Router::new()
            .route("/users", get(crate::users::list))
            .route("/users/{id}", get(show))
            .route("/people", get(people::list))
            .route("/me", get(Self::me))
            .route("/ping", get(ping))
    }
    async fn me() {}
}
async fn ping() {}
//- src/users.rs
pub async fn list() {}
pub async fn show() {}
"#,
        "
        GET /me demo::app::Api::me demo::app
        GET /people demo::users::list demo::users
        GET /ping demo::app::ping demo::app
        GET /users demo::users::list demo::users
        GET /users/{id} demo::users::show demo::users
        ",
    );
}

#[test]
fn axum_closures_and_unresolved_handlers_use_the_registration_module() {
    check(
        r#"
//- src/lib.rs
pub mod web;
//- src/web.rs
use axum::{Router, routing::get};
pub fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/state", get(move |state: State<S>| async move { state.0 }))
        .route("/metrics", get(metrics_exporter::handler))
        .route("/macro", get(handler!()))
}
"#,
        "
        GET /health <closure> demo::web
        GET /macro handler! demo::web
        GET /metrics metrics_exporter::handler demo::web
        GET /state <closure> demo::web
        ",
    );
}

#[test]
fn axum_nesting_three_levels_through_helper_fns_in_different_files() {
    check(
        r#"
//- src/main.rs
mod api;
use axum::{Router, routing::get};
fn main() {
    let app = Router::new().route("/", get(index)).nest("/api", api::routes());
    serve(app);
}
async fn index() {}
//- src/api.rs
pub mod v1;
pub fn routes() -> Router {
    Router::new().nest("/v1", v1::routes()).route("/status", get(status))
}
async fn status() {}
//- src/api/v1.rs
pub mod users;
use crate::api::v1::users::routes as user_routes;
pub fn routes() -> Router {
    Router::new().nest("/users", user_routes())
}
//- src/api/v1/users.rs
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(show))
}
async fn list() {}
async fn create() {}
async fn show() {}
"#,
        "
        GET / demo::index demo
        GET /api/status demo::api::status demo::api
        GET /api/v1/users demo::api::v1::users::list demo::api::v1::users
        POST /api/v1/users demo::api::v1::users::create demo::api::v1::users
        GET /api/v1/users/{id} demo::api::v1::users::show demo::api::v1::users
        ",
    );
}

#[test]
fn axum_merge_keeps_the_merged_paths() {
    check(
        r#"
//- src/lib.rs
pub mod catalog;
pub mod app {
    use axum::Router;
    pub fn router() -> Router {
        Router::new()
            .merge(crate::catalog::handlers::routes())
            .merge(super::catalog::handlers::admin())
            .route("/x", get(x))
    }
    async fn x() {}
}
//- src/catalog/mod.rs
pub mod handlers;
//- src/catalog/handlers.rs
pub fn routes() -> Router { Router::new().route("/products", get(list)) }
pub fn admin() -> Router { Router::new().route("/admin/products", post(create)) }
async fn list() {}
async fn create() {}
"#,
        "
        POST /admin/products demo::catalog::handlers::create demo::catalog::handlers
        GET /products demo::catalog::handlers::list demo::catalog::handlers
        GET /x demo::app::x demo::app
        ",
    );
}

#[test]
fn axum_let_bindings_and_rebinding() {
    check(
        r#"
//- src/main.rs
use axum::{Router, routing::get};
#[tokio::main]
async fn main() {
    let users = Router::new().route("/users", get(users));
    let api = Router::new().merge(users).route("/version", get(version));
    let mut app = Router::new();
    app = app.route("/", get(index));
    let app = app.nest("/api", api);
    let app = app.layer(TraceLayer::new_for_http()).with_state(state);
    axum::serve(listener, app).await.unwrap();
}
async fn users() {}
async fn version() {}
async fn index() {}
"#,
        "
        GET / demo::index demo
        GET /api/users demo::users demo
        GET /api/version demo::version demo
        ",
    );
}

#[test]
fn axum_binding_returned_from_a_helper_fn() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    Router::new().nest("/a", early(true)).nest("/b", late())
}
fn early(flag: bool) -> Router {
    let router = Router::new().route("/one", get(one));
    if flag {
        return router;
    }
    router.route("/two", get(two))
}
fn late() -> Router {
    let router: Router = early(false);
    router
}
async fn one() {}
async fn two() {}
"#,
        "
        GET /a/one demo::one demo
        GET /a/two demo::two demo
        GET /b/one demo::one demo
        GET /b/two demo::two demo
        ",
    );
}

#[test]
fn axum_07_path_syntax() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    Router::new()
        .route("/users/:id", get(show))
        .nest("/files/:bucket", Router::new().route("/*path", get(file)))
}
async fn show() {}
async fn file() {}
"#,
        "
        GET /files/{bucket}/{*path} demo::file demo
        GET /users/{id} demo::show demo
        ",
    );
}

#[test]
fn axum_pass_through_methods_do_not_change_routes() {
    check(
        r#"
//- src/lib.rs
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/a", get(a))
        .route_layer(middleware::from_fn(auth))
        .nest("/b", b().layer(CorsLayer::permissive()))
        .fallback(not_found)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
fn b() -> Router<AppState> { Router::new().route("/c", get(a)) }
async fn a() {}
async fn not_found() {}
"#,
        "
        GET /a demo::a demo
        GET /b/c demo::a demo
        ",
    );
}

#[test]
fn axum_prefixes_join_without_doubled_or_lost_slashes() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    Router::new()
        .nest("/api", Router::new().route("/", get(a)))
        .nest("/v1/", Router::new().route("/x", get(a)).route("y/", get(a)))
        .route("", get(a))
}
async fn a() {}
"#,
        "
        GET / demo::a demo
        GET /api demo::a demo
        GET /v1/x demo::a demo
        GET /v1/y/ demo::a demo
        ",
    );
}

#[test]
fn axum_nest_service_is_every_method_under_the_prefix() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    Router::new()
        .nest_service("/assets", ServeDir::new("assets"))
        .nest_service("/legacy", legacy())
}
fn legacy() -> Router { Router::new().route("/old", get(old)) }
async fn old() {}
"#,
        "
        ANY /assets ServeDir::new demo
        ANY /assets/{*rest} ServeDir::new demo
        GET /legacy/old demo::old demo
        ",
    );
}

#[test]
fn issue_9_openapi_router_extensions_read_as_axum() {
    // An `ApiRouter` per module with `api_route`/`api_route_with` and `*_with` method routers,
    // merged into one, bound to a name with `.with_state(..)` and nested with
    // `nest_api_service`.
    check(
        r#"
//- src/lib.rs
mod v1;
pub fn app(cfg: Config) -> Router {
    let api = v1::router(cfg.clone()).with_state::<()>(state());
    Router::new().nest_api_service("/api/v1", api).route("/health", get(v1::health))
}
//- src/v1.rs
pub fn router(cfg: Config) -> ApiRouter<State> {
    ApiRouter::new()
        .merge(items())
        .api_route("/ping", get(ping).head(ping))
        .layer(TraceLayer::new_for_http())
}
fn items() -> ApiRouter<State> {
    let tag = tag("Item");
    ApiRouter::new()
        .api_route_with("/item", post_with(create, create_docs).get_with(list, list_docs), &tag)
        .api_route_with(
            "/item/{id}",
            get_with(show, show_docs).delete_with(remove, remove_docs),
            &tag,
        )
}
pub async fn health() {}
async fn ping() {}
async fn create() {}
async fn list() {}
async fn show() {}
async fn remove() {}
"#,
        "
        GET /api/v1/item demo::v1::list demo::v1
        POST /api/v1/item demo::v1::create demo::v1
        DELETE /api/v1/item/{id} demo::v1::remove demo::v1
        GET /api/v1/item/{id} demo::v1::show demo::v1
        GET /api/v1/ping demo::v1::ping demo::v1
        HEAD /api/v1/ping demo::v1::ping demo::v1
        GET /health demo::v1::health demo::v1
        ",
    );
}

#[test]
fn issue_9_a_bound_call_is_a_router_only_where_it_is_used_as_one() {
    // `api` is mounted, `config` is not: only the mount is followed, and nothing is said
    // about `config`.
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    let config = Config::load().with_defaults();
    let api = api_routes().layer(CorsLayer::permissive());
    let admin = admin_routes();
    let admin = admin.route("/stats", get(stats));
    Router::new().nest("/api", api).nest("/admin", admin)
}
fn api_routes() -> Router {
    Router::new().route("/items", get(items))
}
fn admin_routes() -> Router {
    Router::new().route("/users", get(users))
}
async fn items() {}
async fn users() {}
async fn stats() {}
"#,
        "
        GET /admin/stats demo::stats demo
        GET /admin/users demo::users demo
        GET /api/items demo::items demo
        ",
    );
}

#[test]
fn issue_9_debug_only_routes_are_not_served_by_a_release_build() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    let router = Router::new().route("/items", get(items));
    #[cfg(debug_assertions)]
    let router = router.merge(development::router());
    #[cfg(debug_assertions)]
    if cfg!(debug_assertions) {
        return router.route("/echo", get(items));
    }
    router
}
#[cfg(debug_assertions)]
mod development {
    pub fn router() -> Router {
        Router::new().route("/dev", get(super::items))
    }
}
async fn items() {}
"#,
        "
        GET /items demo::items demo
        ",
    );
}
