//! `#[utoipa::path]` operations and their dedupe against framework routes.

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
        GET /api/users demo::list utoipa src/lib.rs:6
        GET /both demo::both utoipa src/lib.rs:10
        HEAD /both demo::both utoipa src/lib.rs:10
        GET /users demo::list axum src/lib.rs:2
        GET /users/{id} demo::show axum src/lib.rs:2
        POST /v1/undocumented-elsewhere demo::only_documented utoipa src/lib.rs:8
        ",
    );
}
