//! `#[utoipa::path]` operations and their dedupe against framework routes: an operation whose
//! handler a router serves for that method documents that route, whatever path it writes.

use super::check_sites;

#[test]
fn utoipa_operations_dedupe_against_framework_routes() {
    check_sites(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    Router::new().route("/users/{id}", get(show)).route("/users", get(list))
}
#[utoipa::path(get, path = "/users/{id}", responses((status = 200, body = User)))]
async fn show() {}
#[utoipa::path(get, path = "/api/users", params(("q" = String, Query)), responses((status = 200, body = Vec<User>)))]
async fn list() {}
#[utoipa::path(post, path = "/undocumented-elsewhere", context_path = "/v1")]
async fn only_documented() {}
#[utoipa::path(method(get, head), path = "/both")]
async fn both() {}
"#,
        "
        GET /both demo::both utoipa src/lib.rs:10
        HEAD /both demo::both utoipa src/lib.rs:10
        GET /users demo::list axum src/lib.rs:2
        GET /users/{id} demo::show axum src/lib.rs:2
        POST /v1/undocumented-elsewhere demo::only_documented utoipa src/lib.rs:8
        ",
    );
}

#[test]
fn issue_9_utoipa_axum_routes_take_their_paths_from_the_operations() {
    // utoipa-axum: `OpenApiRouter` built from `routes!(..)` of handlers whose paths and
    // methods are in their `#[utoipa::path]`, nested under prefixes in another module.
    check_sites(
        r#"
//- src/lib.rs
mod handlers;
mod routes;
pub fn app() -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1/users", routes::users())
        .split_for_parts();
    router.merge(SwaggerUi::new("/docs").url("/openapi.json", api))
}
//- src/routes.rs
pub fn users() -> OpenApiRouter<State> {
    OpenApiRouter::new()
        .routes(routes!(crate::handlers::users::list, crate::handlers::users::create))
        .routes(routes!(crate::handlers::users::show))
}
//- src/handlers/users.rs
#[utoipa::path(get, path = "/", tag = "users")]
pub async fn list() {}
#[utoipa::path(post, path = "/", tag = "users")]
pub async fn create() {}
#[utoipa::path(get, path = "/{id}", tag = "users")]
pub async fn show() {}
#[utoipa::path(delete, path = "/{id}", tag = "users")]
pub async fn not_mounted() {}
//- src/handlers.rs
pub mod users;
"#,
        "
        GET /api/v1/users demo::handlers::users::list axum src/handlers/users.rs:1
        POST /api/v1/users demo::handlers::users::create axum src/handlers/users.rs:3
        GET /api/v1/users/{id} demo::handlers::users::show axum src/handlers/users.rs:5
        DELETE /{id} demo::handlers::users::not_mounted utoipa src/handlers/users.rs:7
        info src/lib.rs:7: cannot find the routes of `SwaggerUi::new` in the analysed code; they are missing under this mount
        ",
    );
}
