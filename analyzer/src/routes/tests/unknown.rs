//! Paths the code builds at run time (issue #9): the parts that are known are kept, the rest
//! are marked `{name}` after the expression, with a diagnostic naming it; constants named
//! inside `format!` and `concat!` resolve as everywhere else.

use super::check;

#[test]
fn issue_9_rocket_mount_under_a_formatted_prefix() {
    check(
        r#"
//- src/main.rs
use rocket::{get, routes};
#[get("/ping")]
fn ping() {}
#[launch]
fn rocket() -> _ {
    let base = std::env::var("BASE").unwrap_or_default();
    rocket::build().mount(&format!("{}/api", base), routes![ping])
}
"#,
        "
        GET /{base}/api/ping demo::ping demo
        warning src/main.rs:7: route prefix {base} is computed at run time from `base`; routes below it are listed under `{base}`
        ",
    );
}

#[test]
fn issue_9_concat_and_text_conversions_are_fully_known() {
    check(
        r#"
//- src/lib.rs
pub fn app() -> Router {
    Router::new()
        .nest(concat!("/api", "/v1"), Router::new().route("/a", get(h)))
        .route(&String::from("/b"), get(h))
        .route(&"/c".to_string(), get(h))
        .route(&["/d", "/e"].concat(), get(h))
}
async fn h() {}
"#,
        "
        GET /api/v1/a demo::h demo
        GET /b demo::h demo
        GET /c demo::h demo
        GET /d/e demo::h demo
        ",
    );
}

#[test]
fn issue_9_axum_prefixes_built_from_a_variable() {
    check(
        r#"
//- src/lib.rs
pub fn app(base: &str) -> Router {
    Router::new()
        .nest(&[base, "/concat"].concat(), Router::new().route("/a", get(h)))
        .nest(&format!("{base}/inline"), Router::new().route("/b", get(h)))
        .nest(&(base.to_owned() + "/plus"), Router::new().route("/c", get(h)))
        .nest(base, Router::new().route("/d", get(h)))
}
async fn h() {}
"#,
        "
        GET /{base}/concat/a demo::h demo
        GET /{base}/d demo::h demo
        GET /{base}/inline/b demo::h demo
        GET /{base}/plus/c demo::h demo
        warning src/lib.rs:3: route prefix {base} is computed at run time from `base`; routes below it are listed under `{base}`
        warning src/lib.rs:4: route prefix {base} is computed at run time from `base`; routes below it are listed under `{base}`
        warning src/lib.rs:5: route prefix {base} is computed at run time from `base`; routes below it are listed under `{base}`
        warning src/lib.rs:6: route prefix {base} is computed at run time from `base`; routes below it are listed under `{base}`
        ",
    );
}

#[test]
fn issue_9_constants_inside_format_and_concat_resolve() {
    check(
        r#"
//- src/lib.rs
pub mod paths;
const API: &str = "/api";
pub fn app() -> Router {
    Router::new()
        .nest(&format!("{}/v1", API), Router::new().route("/a", get(h)))
        .nest(&format!("{API}/v2"), Router::new().route("/b", get(h)))
        .nest(&format!("{root}/v3", root = paths::ROOT), Router::new().route("/c", get(h)))
        .route(&format!("{{literal}}/{0}/{0}", "x"), get(h))
}
async fn h() {}
//- src/paths.rs
pub const ROOT: &str = "/root";
"#,
        "
        GET /api/v1/a demo::h demo
        GET /api/v2/b demo::h demo
        GET /root/v3/c demo::h demo
        GET /{literal}/x/x demo::h demo
        ",
    );
}

#[test]
fn issue_9_actix_scope_under_a_config_field() {
    check(
        r#"
//- src/main.rs
struct Settings { base_path: String }
fn main() {
    let cfg = load();
    let app = App::new().service(
        web::scope(&cfg.base_path)
            .service(web::resource("/users").route(web::get().to(users)))
            .route(&cfg.admin_path(), web::post().to(admin)),
    );
}
async fn users() {}
async fn admin() {}
"#,
        "
        GET /{base_path}/users demo::users demo
        POST /{base_path}/{admin_path} demo::admin demo
        warning src/main.rs:5: route prefix {base_path} is computed at run time from `cfg.base_path`; routes below it are listed under `{base_path}`
        warning src/main.rs:7: route path {admin_path} is computed at run time from `cfg.admin_path()`; the route is listed under `{admin_path}`
        ",
    );
}

#[test]
fn issue_9_a_router_wrapped_in_a_branch_is_also_served_as_it_is() {
    check(
        r#"
//- src/lib.rs
pub fn app(prefix: String) -> Router {
    let mut app = Router::new().route("/health", get(h));
    let mut api = api_routes();
    if prefix.len() > 1 {
        api = Router::new().nest(&prefix, api);
    }
    if !prefix.is_empty() {
        app = Router::new().nest(&prefix, app);
    }
    app.merge(api)
}
fn api_routes() -> Router { Router::new().route("/api", get(h)) }
async fn h() {}
"#,
        "
        GET /api demo::h demo
        GET /health demo::h demo
        GET /{prefix}/api demo::h demo
        GET /{prefix}/health demo::h demo
        warning src/lib.rs:5: route prefix {prefix} is computed at run time from `prefix`; routes below it are listed under `{prefix}`
        warning src/lib.rs:8: route prefix {prefix} is computed at run time from `prefix`; routes below it are listed under `{prefix}`
        ",
    );
}
