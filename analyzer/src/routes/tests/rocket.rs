//! rocket: mounts with prefixes, `routes![..]` in fns and bindings, parameter and query syntax,
//! the generic `#[route]` attribute, unmounted routes.

use super::{check, check_sites};

#[test]
fn rocket_mounts_prefix_attribute_routes() {
    check_sites(
        r#"
//- src/main.rs
#[macro_use]
extern crate rocket;
mod books;
#[get("/")]
fn index() -> &'static str { "hi" }
#[launch]
fn rocket() -> _ {
    rocket::build()
        .mount("/", routes![index])
        .mount("/books", books::routes())
        .mount("/v2/books", books::routes())
}
//- src/books.rs
use rocket::{get, post, routes, Route};
pub fn routes() -> Vec<Route> {
    routes![show, search, files, create, generic]
}
#[get("/<id>")]
fn show(id: u32) {}
#[get("/search?<q>&<page>")]
fn search(q: &str, page: u32) {}
#[get("/files/<path..>")]
fn files(path: PathBuf) {}
#[post("/", data = "<book>", format = "json")]
fn create(book: Json<Book>) {}
#[route(PUT, uri = "/<id>/cover")]
fn generic(id: u32) {}
"#,
        "
        GET / demo::index rocket src/main.rs:4
        POST /books demo::books::create rocket src/books.rs:11
        GET /books/files/{*path} demo::books::files rocket src/books.rs:9
        GET /books/search demo::books::search rocket src/books.rs:7
        GET /books/{id} demo::books::show rocket src/books.rs:5
        PUT /books/{id}/cover demo::books::generic rocket src/books.rs:13
        POST /v2/books demo::books::create rocket src/books.rs:11
        GET /v2/books/files/{*path} demo::books::files rocket src/books.rs:9
        GET /v2/books/search demo::books::search rocket src/books.rs:7
        GET /v2/books/{id} demo::books::show rocket src/books.rs:5
        PUT /v2/books/{id}/cover demo::books::generic rocket src/books.rs:13
        ",
    );
}

#[test]
fn rocket_routes_in_a_binding_and_mount_on_any_expression() {
    check(
        r#"
//- src/main.rs
use rocket::{get, routes};
#[get("/ping")]
fn ping() {}
#[get("/unmounted/<x>")]
fn unmounted(x: u8) {}
#[rocket::main]
async fn main() {
    let api = routes![ping];
    let base = rocket::build();
    let _ = base.mount("/api", api).launch().await;
}
"#,
        "
        GET /api/ping demo::ping demo
        info src/main.rs:4: handler `unmounted` has a route attribute but no router mounts it; it is not a route
        ",
    );
}
#[test]
fn issue_9_route_lists_built_across_fns() {
    check(
        r#"
//- src/main.rs
mod api;
#[launch]
fn rocket() -> _ {
    rocket::build().mount("/api", api::routes())
}
//- src/api.rs
use rocket::{get, routes, Route};
pub fn routes() -> Vec<Route> {
    let mut all = routes![a];
    all.extend(other_routes());
    all.append(&mut more());
    all
}
fn other_routes() -> Vec<Route> {
    [routes![b], routes![c]].concat()
}
fn more() -> Vec<Route> {
    routes![d]
}
#[get("/a")]
fn a() {}
#[get("/b")]
fn b() {}
#[get("/c")]
fn c() {}
#[get("/d")]
fn d() {}
"#,
        "
        GET /api/a demo::api::a demo::api
        GET /api/b demo::api::b demo::api
        GET /api/c demo::api::c demo::api
        GET /api/d demo::api::d demo::api
        ",
    );
}
