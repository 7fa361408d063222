//! Name resolution and the edges it yields: every construct that links one module to another.

use crate::support::{analyze_spec, assert_text, edges_text};

/// Analyses a one-package project (`app`) and compares its edges.
#[track_caller]
fn check_edges(files: &str, expected: &str) {
    let spec = format!("//- Cargo.toml\n[package]\nname = \"app\"\n{files}");
    let analysis = analyze_spec(&spec);
    assert_text(&edges_text(&analysis), expected);
}

#[test]
fn use_with_renames_groups_and_self() {
    check_edges(
        "
//- src/lib.rs
pub mod db;
pub mod orders;
//- src/db.rs
pub struct Pool;
pub fn connect() -> Pool { Pool }
pub mod migrate { pub fn run() {} }
//- src/orders.rs
use crate::db::{self, Pool as Connection, connect as open, migrate::run};
pub fn place(pool: &Connection) { open(); run(); db::connect(); }
",
        "
        app::orders -> app::db call x2
        app::orders -> app::db import x3
        app::orders -> app::db type x1
        app::orders -> app::db::migrate call x1
        app::orders -> app::db::migrate import x1
        ",
    );
}

#[test]
fn glob_imports_of_modules_and_enum_variants() {
    check_edges(
        "
//- src/lib.rs
pub mod model;
pub mod service;
//- src/model.rs
pub enum Status { Open, Closed }
pub struct Order { pub status: Status }
//- src/service.rs
use crate::model::*;
use crate::model::Status::*;
pub fn close(order: Order) -> bool { matches!(order.status, Closed) }
",
        "
        app::service -> app::model construct x1
        app::service -> app::model import x2
        app::service -> app::model type x1
        ",
    );
}

#[test]
fn re_export_chains_lead_to_the_defining_module() {
    check_edges(
        "
//- src/lib.rs
pub mod api;
pub mod catalog;
pub mod orders;
//- src/catalog/mod.rs
mod service;
pub use service::summary;
//- src/catalog/service.rs
pub fn summary() {}
//- src/api.rs
pub use crate::catalog::summary as product_summary;
//- src/orders.rs
pub fn place() { crate::api::product_summary(); }
",
        "
        app::api -> app::catalog::service import x1
        app::catalog -> app::catalog::service import x1
        app::orders -> app::catalog::service call x1
        ",
    );
}

#[test]
fn self_super_and_crate_paths() {
    check_edges(
        "
//- src/lib.rs
pub mod shop;
pub fn root_fn() {}
//- src/shop/mod.rs
pub mod cart;
pub fn shop_fn() {}
//- src/shop/cart.rs
pub mod line { pub fn total() { super::super::shop_fn(); super::add(); self::inner::f(); crate::root_fn(); }
  pub mod inner { pub fn f() {} } }
pub fn add() {}
",
        "
        app::shop::cart::line -> app call x1
        app::shop::cart::line -> app::shop call x1
        app::shop::cart::line -> app::shop::cart call x1
        app::shop::cart::line -> app::shop::cart::line::inner call x1
        ",
    );
}

#[test]
fn other_crates_by_dependency_name_and_external_crates_apart() {
    let spec = r#"
//- Cargo.toml
[workspace]
members = ["api", "db"]
//- db/Cargo.toml
[package]
name = "shop-db"
//- db/src/lib.rs
pub struct Pool;
impl Pool { pub fn get(&self) {} pub fn open() -> Pool { Pool } }
//- api/Cargo.toml
[package]
name = "api"
[dependencies]
storage = { package = "shop-db", path = "../db" }
serde_json = "1"
//- api/src/lib.rs
use std::collections::HashMap;
use storage::Pool;
pub fn handler(_cache: HashMap<String, String>) {
    let pool = Pool::open();
    let _value = serde_json::json!({"ok": true});
    let _again = ::storage::Pool::open();
    drop(pool);
}
"#;
    let analysis = analyze_spec(spec);
    assert_text(
        &edges_text(&analysis),
        "
        api -> shop_db call x2
        api -> shop_db import x1
        ",
    );
    let external: Vec<String> = analysis
        .external_uses
        .iter()
        .map(|use_| format!("{} {} x{}", use_.module, use_.krate, use_.count))
        .collect();
    assert_eq!(external, ["api serde_json x1", "api std x4"]);
}

#[test]
fn function_local_imports_and_items() {
    check_edges(
        "
//- src/lib.rs
pub mod a;
pub mod b;
pub mod c;
//- src/a.rs
pub fn f() {
    use crate::b::helper;
    helper();
    fn local() {}
    local();
}
pub fn g() { c(); }
fn c() {}
//- src/b.rs
pub fn helper() {}
//- src/c.rs
pub fn helper() {}
",
        "
        app::a -> app::b call x1
        app::a -> app::b import x1
        ",
    );
}

#[test]
fn enum_variants_associated_functions_and_trait_impls() {
    check_edges(
        "
//- src/lib.rs
pub mod model;
pub mod service;
pub mod display;
//- src/model.rs
pub enum Status { Open, Paid(u32) }
pub struct Order { pub id: u32 }
impl Order { pub fn new(id: u32) -> Order { Order { id } } }
pub trait Describe { fn describe(&self) -> String; }
//- src/service.rs
use crate::model::{Order, Status};
pub fn pay(id: u32) -> Status {
    let order = Order::new(id);
    let _copy = Order { id: order.id };
    if id == 0 { Status::Open } else { Status::Paid(id) }
}
//- src/display.rs
impl crate::model::Describe for crate::model::Order {
    fn describe(&self) -> String { String::new() }
}
",
        "
        app::display -> app::model impl x1
        app::display -> app::model type x1
        app::service -> app::model call x1
        app::service -> app::model construct x3
        app::service -> app::model import x2
        app::service -> app::model type x1
        ",
    );
}

#[test]
fn method_calls_by_receiver_type_and_by_unique_name() {
    check_edges(
        "
//- src/lib.rs
pub mod repo;
pub mod service;
//- src/repo.rs
pub struct Repo;
impl Repo {
    pub fn new() -> Repo { Repo }
    pub fn save(&self) {}
    pub fn archive_everything(&self) {}
    pub fn len(&self) -> usize { 0 }
}
//- src/service.rs
use crate::repo::Repo;
pub struct Service { repo: Repo }
impl Service {
    pub fn run(&self, other: &Repo) {
        other.save();
        let fresh = Repo::new();
        fresh.save();
        self.helper();
        self.repo.archive_everything();
        self.repo.len();
    }
    fn helper(&self) {}
}
",
        "
        app::service -> app::repo call x1
        app::service -> app::repo import x1
        app::service -> app::repo inferred_method x1
        app::service -> app::repo method x2
        app::service -> app::repo type x2
        ",
    );
}

#[test]
fn macros_and_paths_inside_macro_arguments() {
    check_edges(
        r#"
//- src/lib.rs
#[macro_use]
pub mod macros;
pub mod money;
pub mod report;
//- src/macros.rs
#[macro_export]
macro_rules! cents { ($value:expr) => { $value * 100 } }
//- src/money.rs
pub fn format(value: i64) -> String { value.to_string() }
pub const CURRENCY: &str = "EUR";
//- src/report.rs
pub fn line(total: i64) -> String {
    let _values = vec![crate::money::format(total)];
    let _cents = cents!(total);
    let _also = crate::cents!(1);
    format!("{} {}", crate::money::format(total), crate::money::CURRENCY)
}
"#,
        "
        app::report -> app::macros macro x2
        app::report -> app::money call x3
        ",
    );
}

#[test]
fn item_granularity_connects_items() {
    let spec = "//- Cargo.toml\n[package]\nname = \"app\"\n//- src/lib.rs\npub mod a;\npub mod b;\n//- src/a.rs\npub fn caller() { crate::b::callee(); }\npub struct Holder { pub value: crate::b::Value }\n//- src/b.rs\npub fn callee() {}\npub struct Value;\n";
    let dir = crate::support::project(spec);
    let mut settings = ficus_analyzer::Settings::new(dir.path());
    settings.granularity = ficus_analyzer::Granularity::Item;
    let analysis = ficus_analyzer::analyze(&settings, &ficus_analyzer::NoProgress).unwrap();
    assert_eq!(analysis.granularity, "item");
    assert_text(
        &edges_text(&analysis),
        "
        app::a::Holder -> app::b::Value type x1
        app::a::caller -> app::b::callee call x1
        ",
    );
}

#[test]
fn rust_2015_use_paths_start_at_the_crate_root() {
    // A package that names no edition is Rust 2015: `use models::user;` in any module, with
    // or without a leading `::`, is a path from the crate root.
    check_edges(
        "
//- src/lib.rs
pub mod models;
pub mod api;
//- src/models.rs
pub mod user { pub fn find() {} }
pub fn pool() {}
//- src/api.rs
pub mod users {
    use models::user;
    use ::models::pool;
    pub fn show() { user::find(); pool(); }
}
",
        "
        app::api::users -> app::models call x1
        app::api::users -> app::models import x1
        app::api::users -> app::models::user call x1
        app::api::users -> app::models::user import x1
        ",
    );
}
