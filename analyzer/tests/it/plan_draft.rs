//! The seam between the analysis and the plan file: a draft is always consistent whatever the
//! routes are (several handlers on one key, in one service or two), the plan file's settings
//! are layered under the flags, and what drafting decided comes back as diagnostics.

use std::path::Path;

use ficus_analyzer::boundary::{PlanOverrides, draft, plan, resolve_settings};
use ficus_analyzer::model::Analysis;
use ficus_analyzer::{Granularity, NoProgress, Settings, analyze};
use ficus_plan::{Draft, Plan, PlanDocument};

use crate::support::project;

/// The plan file the tests place modules with, so that which service a handler is in does
/// not depend on clustering: `email` and `web`, each taking its folder.
const PLAN: &str = r#"
version = 1
[monolith]
name = "app"
source = "."
[[service]]
name = "email"
modules = ["app::email", "app::email::**"]
[[service]]
name = "web"
modules = ["app::web", "app::web::**"]
"#;

/// A crate `app` with two domains, `email` and `web`, each a handlers module and a helper it
/// calls; `handlers` is each domain's handler code (written into `handlers.rs`), `root` is
/// appended to `src/lib.rs`.
fn app(email_handlers: &str, web_handlers: &str, root: &str) -> String {
    format!(
        r#"
//- Cargo.toml
[package]
name = "app"
//- src/lib.rs
pub mod email;
pub mod web;
{root}
//- src/email.rs
pub mod handlers;
pub mod store;
//- src/email/store.rs
pub fn find(name: &str) -> String {{ name.to_string() }}
//- src/email/handlers.rs
use super::store;
{email_handlers}
//- src/web.rs
pub mod handlers;
pub mod render;
//- src/web/render.rs
pub fn page(name: &str) -> String {{ name.to_string() }}
//- src/web/handlers.rs
use super::render;
{web_handlers}
"#
    )
}

/// Analyses `spec`, proposes with [`PLAN`] (plus `plan_extra`) as the plan file, drafts, and
/// checks the diagnostics as displayed; the draft must be consistent and make a plan file.
fn check(spec: &str, plan_extra: &str, expected: &[&str]) -> Draft {
    let dir = project(spec);
    let analysis = analyze_item_level(dir.path());
    let plan = Plan::parse(&format!("{PLAN}{plan_extra}"), Path::new("ficus.toml"))
        .unwrap_or_else(|error| panic!("{error}"));
    let settings = resolve_settings(&PlanOverrides::default(), Some(&plan), &analysis);
    let proposal = plan_of(&analysis, &settings);
    let (draft, diagnostics) = draft(&analysis, &proposal, Some(&plan));
    let actual: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(actual, expected, "routes: {:#?}", analysis.routes);
    draft
        .check()
        .unwrap_or_else(|error| panic!("inconsistent draft: {error}"));
    // The draft makes a first plan, and re-plans the file it came from.
    let meta = ficus_plan::Analysis::default();
    PlanDocument::from_draft(plan.monolith.clone(), meta, &draft, Path::new("new.toml"))
        .unwrap_or_else(|error| panic!("{error}"));
    let mut document =
        PlanDocument::parse(&format!("{PLAN}{plan_extra}"), Path::new("ficus.toml")).unwrap();
    document
        .apply(&draft)
        .unwrap_or_else(|error| panic!("{error}"));
    draft
}

fn analyze_item_level(root: &Path) -> Analysis {
    let mut settings = Settings::new(root);
    settings.granularity = Granularity::Item;
    analyze(&settings, &NoProgress).expect("analysis runs")
}

fn plan_of(
    analysis: &Analysis,
    settings: &ficus_analyzer::boundary::PlanSettings,
) -> ficus_analyzer::boundary::Proposal {
    plan(analysis, settings).expect("proposal")
}

/// `service: METHOD /path [handlers]` per drafted route.
fn routes_text(draft: &Draft) -> Vec<String> {
    draft
        .services
        .iter()
        .flat_map(|service| {
            service.routes.iter().map(move |route| {
                format!(
                    "{}: {} [{}]",
                    service.name,
                    route.key,
                    route.handlers.join(", ")
                )
            })
        })
        .collect()
}

const ROCKET_ROOT: &str = r#"
#[macro_use]
extern crate rocket;

#[launch]
fn rocket() -> _ {
    rocket::build()
        .mount("/", email::handlers::routes())
        .mount("/", web::handlers::routes())
}
"#;

#[test]
fn issue_9_rocket_rank_fallbacks_in_one_service_are_one_route() {
    let email = r#"
use rocket::Route;
pub fn routes() -> Vec<Route> { routes![profile, profile_by_id] }
#[get("/@/<name>", rank = 2)]
fn profile(name: &str) -> String { store::find(name) }
#[get("/@/<id>", rank = 1)]
fn profile_by_id(id: u64) -> String { store::find(&id.to_string()) }
"#;
    let web = r#"
use rocket::Route;
pub fn routes() -> Vec<Route> { routes![home] }
#[get("/")]
fn home() -> String { render::page("home") }
"#;
    let draft = check(
        &app(email, web, ROCKET_ROOT),
        "",
        &[
            "route GET /@/{id} has 2 handlers: app::email::handlers::profile_by_id, \
             app::email::handlers::profile; drafted once in service \"email\"",
        ],
    );
    assert_eq!(
        routes_text(&draft),
        [
            "email: GET /@/{id} [app::email::handlers::profile_by_id, app::email::handlers::profile]",
            "web: GET / []",
        ]
    );
}

/// `email` and `web` both serve `GET /@/<name>`, web's first by rank.
const SPLIT_EMAIL: &str = r#"
use rocket::Route;
pub fn routes() -> Vec<Route> { routes![profile] }
#[get("/@/<name>", rank = 2)]
fn profile(name: &str) -> String { store::find(name) }
"#;
const SPLIT_WEB: &str = r#"
use rocket::Route;
pub fn routes() -> Vec<Route> { routes![profile_page] }
#[get("/@/<name>", rank = 1)]
fn profile_page(name: &str) -> String { render::page(name) }
"#;

#[test]
fn issue_9_one_route_key_in_two_services_goes_to_the_first_handler_s() {
    let draft = check(
        &app(SPLIT_EMAIL, SPLIT_WEB, ROCKET_ROOT),
        "",
        &[
            "route GET /@/{name} has 2 handlers: app::email::handlers::profile, \
             app::web::handlers::profile_page (service \"web\"); drafted once in service \
             \"email\", the first handler's",
        ],
    );
    assert_eq!(
        routes_text(&draft),
        [
            "email: GET /@/{name} [app::email::handlers::profile, app::web::handlers::profile_page (service \"web\")]"
        ]
    );
}

#[test]
fn issue_9_one_route_key_in_two_services_stays_where_the_plan_file_has_it() {
    let draft = check(
        &app(SPLIT_EMAIL, SPLIT_WEB, ROCKET_ROOT),
        "[service.routes]\n\"GET /@/{name}\" = \"monolith\"\n",
        &[
            "route GET /@/{name} has 2 handlers: app::email::handlers::profile (service \
             \"email\"), app::web::handlers::profile_page; drafted once in service \"web\", \
             where the plan file has it",
        ],
    );
    assert_eq!(
        routes_text(&draft),
        [
            "web: GET /@/{name} [app::email::handlers::profile (service \"email\"), app::web::handlers::profile_page]"
        ]
    );
}

#[test]
fn issue_9_actix_guards_on_one_resource_are_one_route() {
    let email = r#"
use actix_web::{guard, web, HttpResponse};
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/inbox")
            .route(web::get().guard(guard::Header("accept", "text/html")).to(inbox_page))
            .route(web::get().to(inbox_json)),
    );
}
async fn inbox_page() -> HttpResponse { store::find("page"); HttpResponse::Ok().finish() }
async fn inbox_json() -> HttpResponse { store::find("json"); HttpResponse::Ok().finish() }
"#;
    let web = r#"
use actix_web::{web, HttpResponse};
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home));
}
async fn home() -> HttpResponse { render::page("home"); HttpResponse::Ok().finish() }
"#;
    let root = r#"
use actix_web::{App, HttpServer};
#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(|| App::new().configure(email::handlers::config).configure(web::handlers::config))
        .bind(("127.0.0.1", 8080))?
        .run()
        .await
}
"#;
    let draft = check(
        &app(email, web, root),
        "",
        &[
            "route GET /inbox has 2 handlers: app::email::handlers::inbox_json, \
             app::email::handlers::inbox_page; drafted once in service \"email\"",
        ],
    );
    assert_eq!(routes_text(&draft).len(), 2, "{:?}", routes_text(&draft));
}

#[test]
fn issue_9_axum_routes_whose_prefix_was_lost_are_one_route() {
    // Two routers both serve `/{id}` once nested; the nesting is built at run time from a
    // value the analysis cannot read, so both are listed under the same `{prefixes}` mark.
    let email = r#"
use axum::{routing::get, Router};
pub fn router() -> Router { Router::new().route("/{id}", get(message)) }
async fn message() -> String { store::find("m") }
"#;
    let web = r#"
use axum::{routing::get, Router};
pub fn router() -> Router { Router::new().route("/{id}", get(page)) }
async fn page() -> String { render::page("p") }
"#;
    let root = r#"
use axum::Router;
pub fn app(prefixes: &[String]) -> Router {
    Router::new()
        .nest(&prefixes[0], email::handlers::router())
        .nest(&prefixes[1], web::handlers::router())
}
"#;
    let draft = check(
        &app(email, web, root),
        "",
        &[
            "route GET /{prefixes}/{id} has 2 handlers: app::email::handlers::message, \
             app::web::handlers::page (service \"web\"); drafted once in service \"email\", \
             the first handler's",
        ],
    );
    assert_eq!(routes_text(&draft).len(), 1, "{:?}", routes_text(&draft));
}

#[test]
fn flags_win_over_the_plan_file_which_wins_over_the_defaults() {
    let dir = project(&app("", "", ""));
    let analysis = analyze_item_level(dir.path());
    let file = |analysis_table: &str| {
        Plan::parse(
            &format!("{PLAN}[analysis]\n{analysis_table}"),
            Path::new("f.toml"),
        )
        .unwrap()
    };
    let seven = file("seed = 7\nservices = 3\n");
    let none = PlanOverrides::default();
    // Defaults.
    let settings = resolve_settings(&none, None, &analysis);
    assert_eq!(
        (settings.seed, settings.resolution, settings.target_services),
        (42, 1.0, None)
    );
    // The file.
    let settings = resolve_settings(&none, Some(&seven), &analysis);
    assert_eq!((settings.seed, settings.target_services), (7, Some(3)));
    // Flags, even when they say what the defaults say.
    let flags = PlanOverrides {
        seed: Some(42),
        resolution: Some(1.0),
        services: None,
    };
    let settings = resolve_settings(&flags, Some(&seven), &analysis);
    assert_eq!(
        (settings.seed, settings.resolution, settings.target_services),
        (42, 1.0, None)
    );
    let flags = PlanOverrides {
        services: Some(2),
        ..PlanOverrides::default()
    };
    // A file without a seed: the same default as without a file.
    let settings = resolve_settings(&flags, Some(&file("resolution = 2.5\n")), &analysis);
    assert_eq!(
        (settings.seed, settings.resolution, settings.target_services),
        (42, 1.0, Some(2))
    );
    // The file's placements are pins.
    assert_eq!(
        settings.pinned.get("app::email::store").map(String::as_str),
        Some("email")
    );
}
