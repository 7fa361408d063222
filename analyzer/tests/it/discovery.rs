//! Crates, targets, module trees and the diagnostics of broken input.

use crate::support::{
    analyze_dir, analyze_spec, assert_text, diagnostics_text, modules_text, project,
};

const PACKAGE: &str =
    "//- Cargo.toml\n[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

fn with_package(files: &str) -> String {
    format!("{PACKAGE}{files}")
}

#[test]
fn module_files_in_both_layouts_and_inline_modules() {
    let analysis = analyze_spec(&with_package(
        "
//- src/lib.rs
pub mod orders;
mod billing;
pub mod util {
    pub mod text {
        pub fn slug() {}
    }
    mod files;
}
//- src/orders.rs
mod repository;
pub fn place() {}
//- src/orders/repository.rs
pub fn save() {}
//- src/billing/mod.rs
mod invoice;
//- src/billing/invoice.rs
//- src/util/files.rs
",
    ));
    assert_text(
        &modules_text(&analysis),
        "
        app src/lib.rs:1
        app::billing src/billing/mod.rs:1
        app::billing::invoice src/billing/invoice.rs:1
        app::orders src/orders.rs:1
        app::orders::repository src/orders/repository.rs:1
        app::util src/lib.rs:3
        app::util::files src/util/files.rs:1
        app::util::text src/lib.rs:4
        ",
    );
    assert_text(&diagnostics_text(&analysis), "");
}

#[test]
fn path_attributes_are_relative_to_the_right_folder() {
    let analysis = analyze_spec(&with_package(
        r#"
//- src/lib.rs
#[path = "generated/api_v2.rs"]
mod api;
mod outer {
    #[path = "deep.rs"]
    mod deep;
}
mod shop;
//- src/generated/api_v2.rs
mod nested;
//- src/generated/nested.rs
//- src/outer/deep.rs
//- src/shop.rs
#[path = "other.rs"]
mod other;
//- src/other.rs
"#,
    ));
    assert_text(
        &modules_text(&analysis),
        "
        app src/lib.rs:1
        app::api src/generated/api_v2.rs:1
        app::api::nested src/generated/nested.rs:1
        app::outer src/lib.rs:3
        app::outer::deep src/outer/deep.rs:1
        app::shop src/shop.rs:1
        app::shop::other src/other.rs:1
        ",
    );
}

#[test]
fn cfg_gated_modules_are_kept_with_their_condition() {
    let analysis = analyze_spec(&with_package(
        r#"
//- src/lib.rs
#[cfg(test)]
mod tests;
#[cfg(feature = "postgres")]
mod pg {}
//- src/tests.rs
"#,
    ));
    assert_text(
        &modules_text(&analysis),
        r#"
        app src/lib.rs:1
        app::pg src/lib.rs:4 cfg(feature = "postgres")
        app::tests src/tests.rs:1 cfg(test)
        "#,
    );
}

#[test]
fn files_outside_every_module_tree_are_orphans() {
    let analysis = analyze_spec(&with_package(
        "
//- src/lib.rs
mod used;
//- src/used.rs
//- src/forgotten.rs
//- src/old/legacy.rs
//- build.rs
fn main() {}
//- tests/api.rs
//- examples/demo.rs
fn main() {}
",
    ));
    assert_eq!(analysis.orphans, ["src/forgotten.rs", "src/old/legacy.rs"]);
}

#[test]
fn targets_are_discovered_as_cargo_does() {
    let analysis = analyze_spec(
        r#"
//- Cargo.toml
[package]
name = "shop-app"
version = "1.2.0"

[[bin]]
name = "admin"
path = "tools/admin.rs"
//- src/lib.rs
//- src/main.rs
fn main() {}
//- src/bin/import.rs
fn main() {}
//- src/bin/export/main.rs
fn main() {}
//- tools/admin.rs
fn main() {}
//- tests/http.rs
//- benches/speed.rs
"#,
    );
    let krate = &analysis.crates[0];
    assert_eq!(krate.name, "shop-app");
    assert_eq!(krate.version.as_deref(), Some("1.2.0"));
    let targets: Vec<String> = krate
        .targets
        .iter()
        .map(|target| {
            format!(
                "{} {} {} {}",
                target.kind, target.name, target.root, target.analysed
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            "bench speed benches/speed.rs false",
            "bin admin tools/admin.rs true",
            "bin export src/bin/export/main.rs true",
            "bin import src/bin/import.rs true",
            "bin shop_app src/main.rs true",
            "lib shop_app src/lib.rs true",
            "test http tests/http.rs false",
        ]
    );
    // The binary named like the library gets its own id.
    assert_text(
        &modules_text(&analysis),
        "
        admin tools/admin.rs:1
        export src/bin/export/main.rs:1
        import src/bin/import.rs:1
        shop_app src/lib.rs:1
        shop_app[bin] src/main.rs:1
        ",
    );
}

#[test]
fn workspaces_side_by_side_with_renamed_dependencies() {
    let analysis = analyze_spec(
        r#"
//- shop/Cargo.toml
[workspace]
members = ["crates/*"]

[workspace.dependencies]
store = { package = "shop-db", path = "crates/db" }
//- shop/crates/db/Cargo.toml
[package]
name = "shop-db"
//- shop/crates/db/src/lib.rs
pub fn connect() {}
//- shop/crates/api/Cargo.toml
[package]
name = "shop-api"

[dependencies]
store.workspace = true
serde = "1"
//- shop/crates/api/src/lib.rs
pub fn start() { store::connect(); }
//- blog/Cargo.toml
[package]
name = "blog"

[dependencies]
database = { package = "blog-db", path = "db" }
//- blog/src/main.rs
fn main() { database::open(); }
//- blog/db/Cargo.toml
[package]
name = "blog-db"
//- blog/db/src/lib.rs
pub fn open() {}
"#,
    );
    let crates: Vec<String> = analysis
        .crates
        .iter()
        .map(|krate| {
            format!(
                "{} {} {}",
                krate.name,
                krate.root,
                krate.workspace.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        crates,
        [
            "blog blog -",
            "blog-db blog/db -",
            "shop-api shop/crates/api shop/Cargo.toml",
            "shop-db shop/crates/db shop/Cargo.toml"
        ]
    );
    let api = analysis
        .crates
        .iter()
        .find(|krate| krate.name == "shop-api")
        .unwrap();
    let deps: Vec<String> = api
        .dependencies
        .iter()
        .map(|dep| format!("{} {} {}", dep.name, dep.package, dep.internal))
        .collect();
    assert_eq!(deps, ["serde serde false", "store shop-db true"]);
    let edges: Vec<String> = analysis
        .edges
        .iter()
        .map(|edge| format!("{} -> {} {}", edge.from, edge.to, edge.kind))
        .collect();
    assert_eq!(edges, ["blog -> blog_db call", "shop_api -> shop_db call"]);
}

#[test]
fn broken_input_gives_diagnostics_and_the_rest_is_analysed() {
    let dir = project(
        r#"
//- good/Cargo.toml
[package]
name = "good"
//- good/src/lib.rs
mod fine;
mod broken;
mod missing;
//- good/src/fine.rs
pub fn ok() {}
//- good/src/broken.rs
pub fn ok() {}

fn broken( {
//- bad/Cargo.toml
[package
name = "bad"
"#,
    );
    std::fs::write(
        dir.path().join("good/src/binary.rs"),
        b"\x7fELF\x00\x00\x01",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("good/src/latin1.rs"),
        b"// caf\xe9\nfn f() {}\n",
    )
    .unwrap();
    let analysis = analyze_dir(dir.path());
    let text = diagnostics_text(&analysis);
    assert!(
        text.contains("error bad/Cargo.toml:1 invalid TOML"),
        "{text}"
    );
    assert!(
        text.contains("error good/src/broken.rs:3 cannot parse: unbalanced delimiters"),
        "{text}"
    );
    assert!(
        text.contains("error good/src/lib.rs:3 file not found for module `missing`"),
        "{text}"
    );
    assert!(
        text.contains("error good/src/binary.rs:0 skipped: a binary file"),
        "{text}"
    );
    assert!(
        text.contains("error good/src/latin1.rs:1 skipped: invalid UTF-8"),
        "{text}"
    );
    assert_eq!(
        analysis.stats.parse_errors, 3,
        "broken.rs, binary.rs and latin1.rs"
    );
    // The module of the broken file exists; its sibling is analysed.
    assert_text(
        &modules_text(&analysis),
        "
        good good/src/lib.rs:1
        good::broken good/src/broken.rs:1
        good::fine good/src/fine.rs:1
        ",
    );
    assert!(
        analysis
            .items
            .iter()
            .any(|item| item.path == "good::fine::ok")
    );
}

#[test]
fn module_cycles_through_path_attributes_are_diagnosed() {
    let analysis = analyze_spec(&with_package(
        r#"
//- src/lib.rs
mod a;
//- src/a.rs
#[path = "lib.rs"]
mod again;
"#,
    ));
    let text = diagnostics_text(&analysis);
    assert!(
        text.contains("src/a.rs:2 module `again` includes src/lib.rs again: a module cycle"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_do_not_hang() {
    let dir = project(&with_package("//- src/lib.rs\nmod a;\n//- src/a.rs\n"));
    std::os::unix::fs::symlink(dir.path().join("src"), dir.path().join("src/loop")).unwrap();
    let analysis = analyze_dir(dir.path());
    assert!(
        diagnostics_text(&analysis).contains("symbolic link loop"),
        "{}",
        diagnostics_text(&analysis)
    );
    assert_eq!(analysis.modules.len(), 2);
}

#[test]
fn gitignored_files_and_target_folders_are_skipped() {
    let analysis = analyze_spec(&with_package(
        "
//- .gitignore
/generated
//- src/lib.rs
//- generated/junk.rs
fn broken( {
//- target/debug/build/out.rs
fn broken( {
",
    ));
    assert_text(&diagnostics_text(&analysis), "");
    assert!(analysis.orphans.is_empty(), "{:?}", analysis.orphans);
}

#[test]
fn the_same_input_gives_identical_output() {
    let dir = project(&with_package(
        "
//- src/lib.rs
pub mod a; pub mod b; pub mod c;
//- src/a.rs
pub fn f() { crate::b::g(); crate::c::h(); }
//- src/b.rs
pub fn g() { crate::c::h(); }
//- src/c.rs
pub fn h() {}
",
    ));
    let render = |mut analysis: ficus_analyzer::model::Analysis| {
        analysis.stats.elapsed_ms = 0;
        serde_json::to_string(&analysis).unwrap()
    };
    let first = render(analyze_dir(dir.path()));
    for _ in 0..3 {
        assert_eq!(render(analyze_dir(dir.path())), first);
    }
}

#[test]
fn a_source_file_of_tens_of_megabytes_is_reported_not_parsed() {
    let dir = project(&with_package(
        "//- src/lib.rs\nmod generated;\nmod small;\n//- src/small.rs\npub fn f() {}\n",
    ));
    let line = "pub const X: u32 = 1;\n";
    std::fs::write(
        dir.path().join("src/generated.rs"),
        line.repeat(24 * 1024 * 1024 / line.len()),
    )
    .unwrap();
    let analysis = analyze_dir(dir.path());
    let text = diagnostics_text(&analysis);
    assert!(
        text.contains("error src/generated.rs:0 skipped:") && text.contains("over the limit"),
        "{text}"
    );
    assert!(
        analysis
            .items
            .iter()
            .any(|item| item.path == "app::small::f")
    );
}
