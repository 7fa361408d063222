//! actix-web: attribute routes under scopes, resources and route values, configure fns and
//! closures, scopes held in bindings.

use super::{check, check_sites};

#[test]
fn actix_attribute_routes_get_their_scope_prefixes() {
    check_sites(
        r#"
//- src/main.rs
mod users;
use actix_web::{web, App, HttpServer};
#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(|| {
        App::new()
            .service(index)
            .service(
                web::scope("/api")
                    .service(users::list)
                    .service(web::scope("/v1").service(users::show)),
            )
    })
    .bind(("127.0.0.1", 8080))?
    .run()
    .await
}
#[get("/")]
async fn index() -> &'static str { "hi" }
//- src/users.rs
use actix_web::{get, post, route};
#[get("/users")]
pub async fn list() {}
#[actix_web::get("/users/{id}")]
#[post("/users/{id}")]
pub async fn show() {}
#[route("/never", method = "GET", method = "HEAD")]
pub async fn unmounted() {}
"#,
        "
        GET / demo::index actix-web src/main.rs:18
        GET /api/users demo::users::list actix-web src/users.rs:2
        GET /api/v1/users/{id} demo::users::show actix-web src/users.rs:4
        POST /api/v1/users/{id} demo::users::show actix-web src/users.rs:5
        info src/users.rs:7: handler `unmounted` has a route attribute but no router mounts it; it is not a route
        ",
    );
}

#[test]
fn actix_resources_and_route_values() {
    check_sites(
        r#"
//- src/lib.rs
use actix_web::{guard, http::Method, web, App};
pub fn app() -> App<()> {
    App::new()
        .route("/health", web::get().to(health))
        .service(
            web::resource("/items/{id}")
                .route(web::get().to(show))
                .route(web::route().guard(guard::Put()).to(update))
                .route(web::method(Method::PATCH).to(update)),
        )
        .service(web::resource("/any").to(anything))
        .service(web::resource("/short").get(show).delete(remove))
        .route("/to", web::to(anything))
}
async fn health() {}
async fn show() {}
async fn update() {}
async fn anything() {}
async fn remove() {}
"#,
        "
        ANY /any demo::anything actix-web src/lib.rs:11
        GET /health demo::health actix-web src/lib.rs:4
        GET /items/{id} demo::show actix-web src/lib.rs:7
        PATCH /items/{id} demo::update actix-web src/lib.rs:9
        PUT /items/{id} demo::update actix-web src/lib.rs:8
        DELETE /short demo::remove actix-web src/lib.rs:12
        GET /short demo::show actix-web src/lib.rs:12
        ANY /to demo::anything actix-web src/lib.rs:13
        ",
    );
}

#[test]
fn actix_configure_fns_and_closures_take_the_scope_prefix() {
    check(
        r#"
//- src/main.rs
mod users;
mod orders;
fn main() {
    let app = App::new()
        .configure(orders::config)
        .service(web::scope("/api").configure(users::config))
        .configure(|cfg| {
            cfg.service(web::resource("/inline").route(web::get().to(inline)));
        });
}
async fn inline() {}
//- src/users.rs
use actix_web::web;
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope("/users").route("", web::get().to(list)).route("/{id}", web::get().to(show)));
    cfg.service(me);
    admin::config(cfg);
}
#[get("/me")]
async fn me() {}
async fn list() {}
async fn show() {}
pub mod admin {
    pub fn config(cfg: &mut actix_web::web::ServiceConfig) {
        cfg.route("/admin", web::post().to(admin));
    }
    async fn admin() {}
}
//- src/orders.rs
pub fn config(config: &mut ServiceConfig) {
    config.service((list, create));
}
#[get("/orders")]
async fn list() {}
#[post("/orders")]
async fn create() {}
"#,
        "
        POST /api/admin demo::users::admin::admin demo::users::admin
        GET /api/me demo::users::me demo::users
        GET /api/users demo::users::list demo::users
        GET /api/users/{id} demo::users::show demo::users
        GET /inline demo::inline demo
        GET /orders demo::orders::list demo::orders
        POST /orders demo::orders::create demo::orders
        ",
    );
}

#[test]
fn actix_scope_in_a_binding_keeps_its_prefix() {
    check(
        r#"
//- src/main.rs
fn main() {
    let scope = web::scope("/api");
    let scope = scope.service(list);
    let app = App::new().service(scope).service(api());
}
fn api() -> Scope {
    web::scope("/v2").service(web::resource("/x").route(web::get().to(x)))
}
#[get("/list")]
async fn list() {}
async fn x() {}
"#,
        "
        GET /api/list demo::list demo
        GET /v2/x demo::x demo
        ",
    );
}

#[test]
fn issue_9_route_paths_kept_in_fields_of_a_constant_struct() {
    // Attribute macros of a fork of the framework's codegen take the path as an expression in
    // a string; the paths are string fields of a constant built by `const fn new()`s, through
    // `let` bindings and field shorthand. A method call there is left unknown.
    check(
        r#"
//- src/lib.rs
pub mod api;

pub fn app() -> App {
    App::new().configure(api::services)
}
//- src/api.rs
pub mod paths;
use actix_web::web;
pub fn services(cfg: &mut web::ServiceConfig) {
    cfg.service(login);
    cfg.service(logout);
    cfg.service(profile);
    cfg.service(verify);
}
#[forked_codegen::post(path = "crate::api::paths::ROUTES.auth.login")]
async fn login() {}
#[forked_codegen::post(path = "crate::api::paths::ROUTES.auth.logout")]
async fn logout() {}
#[forked_codegen::get(path = "crate::api::paths::ROUTES.profile")]
async fn profile() {}
#[forked_codegen::post(path = "crate::api::paths::ROUTES.auth.verify_path()")]
async fn verify() {}
//- src/api/paths.rs
pub const ROUTES: Routes = Routes::new();
pub struct Routes {
    pub auth: Auth,
    pub profile: &'static str,
}
impl Routes {
    const fn new() -> Routes {
        let auth = Auth::new();
        Routes { auth, profile: "/api/profile" }
    }
}
pub struct Auth {
    pub login: &'static str,
    pub logout: &'static str,
}
impl Auth {
    const fn new() -> Auth {
        let login = "/api/auth/login";
        Auth { login, logout: "/api/auth/logout" }
    }
}
"#,
        "
        POST /api/auth/login demo::api::login demo::api
        POST /api/auth/logout demo::api::logout demo::api
        GET /api/profile demo::api::profile demo::api
        POST /{verify_path} demo::api::verify demo::api
        warning src/api.rs:15: route path {verify_path} is computed at run time from `crate::api::paths::ROUTES.auth.verify_path()`; the route is listed under `{verify_path}`
        ",
    );
}

#[test]
fn actix_builder_calls_pass_the_router_through() {
    check(
        r#"
//- src/main.rs
fn main() {
    let app = App::new()
        .wrap(Logger::default())
        .app_data(state.clone())
        .service(
            web::scope("/api")
                .wrap(cors())
                .guard(guard::Header("x", "y"))
                .service(list)
                .default_service(web::to(not_found)),
        )
        .default_service(web::to(not_found));
}
#[get("/list")]
async fn list() {}
async fn not_found() {}
"#,
        "
        GET /api/list demo::list demo
        ",
    );
}
