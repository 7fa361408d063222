//! Fixture crates (`analyzer/tests/fixtures/data-*`) and the example monolith, read from
//! disk: realistic code for each library, checked against an `expected-data.txt` beside it
//! or against the monolith's README.

use std::fs;
use std::path::{Path, PathBuf};

use super::{analyse, assert_lines, is_schema_file, render, schema_from_sql};

#[test]
fn diesel_fixture() {
    check_fixture("data-diesel");
}

#[test]
fn sqlx_fixture() {
    check_fixture("data-sqlx");
}

#[test]
fn seaorm_fixture() {
    check_fixture("data-seaorm");
}

#[test]
fn shop_monolith_migrations_define_the_tables_and_foreign_keys_its_readme_lists() {
    let root = monolith_root();
    let readme = fs::read_to_string(root.join("README.md")).expect("the monolith has a README");
    let mut actual = Vec::new();
    let mut n_files = 0;
    for (path, text) in read_tree(&root) {
        if !is_schema_file(&path) {
            continue;
        }
        n_files += 1;
        let schema = schema_from_sql(&path, &text);
        assert_eq!(schema.diagnostics, Vec::new(), "{path} does not parse");
        for table in schema.tables {
            actual.push(format!("table {} {}", table.name, table.file));
        }
        for key in schema.foreign_keys {
            actual.push(format!(
                "fk {}.{} -> {}",
                key.from_table, key.column, key.to_table
            ));
        }
    }
    assert_eq!(n_files, 8, "the monolith has one migration per domain");
    assert_lines(&actual.join("\n"), &readme_tables(&readme));
}

#[test]
fn shop_monolith_repository_sql_all_parses() {
    let root = monolith_root();
    let files: Vec<(String, String)> = read_tree(&root)
        .into_iter()
        .filter(|(path, _)| path.ends_with("/repository.rs"))
        .collect();
    assert_eq!(files.len(), 8, "one repository per domain");
    let model = analyse(&files);
    assert_eq!(
        model.diagnostics,
        Vec::new(),
        "all of the monolith's SQL parses"
    );
    assert_lines(
        &render(&model, false),
        "read addresses crate::customers::repository x2
         read addresses crate::shipping::repository
         read cart_items crate::cart::repository
         read carts crate::cart::repository x2
         read categories crate::catalog::repository x2
         read customers crate::customers::repository x3
         read customers crate::notifications::repository
         read notifications crate::notifications::repository x2
         read order_items crate::orders::repository
         read order_items crate::shipping::repository
         read orders crate::orders::repository x4
         read orders crate::shipping::repository
         read payments crate::payments::repository x2
         read products crate::cart::repository x2
         read products crate::catalog::repository x4
         read products crate::inventory::repository x2
         read refunds crate::payments::repository x3
         read shipments crate::shipping::repository x2
         read stock_levels crate::inventory::repository x2
         read stock_movements crate::inventory::repository
         write addresses crate::customers::repository x2
         write cart_items crate::cart::repository x4
         write carts crate::cart::repository
         write categories crate::catalog::repository
         write customers crate::customers::repository x2
         write notifications crate::notifications::repository x2
         write order_items crate::orders::repository
         write orders crate::orders::repository x2
         write orders crate::shipping::repository
         write payments crate::payments::repository x2
         write products crate::catalog::repository x3
         write refunds crate::payments::repository
         write shipments crate::shipping::repository x3
         write stock_levels crate::inventory::repository x5
         write stock_movements crate::inventory::repository",
    );
}

/// Compares the located rendering of a fixture crate with its `expected-data.txt`.
fn check_fixture(name: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let expected = fs::read_to_string(root.join("expected-data.txt"))
        .unwrap_or_else(|error| panic!("cannot read {name}/expected-data.txt: {error}"));
    let files = read_tree(&root);
    assert!(
        files.iter().any(|(path, _)| path.ends_with(".rs")),
        "{name} has no Rust files"
    );
    let model = analyse(&files);
    assert_lines(&render(&model, true), &expected);
}

fn monolith_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/shop-monolith")
}

/// `.rs` and `.sql` files below `root`, as (path relative to `root` with `/`, text), sorted.
fn read_tree(root: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    dirs.push(path);
                }
            } else if name.ends_with(".rs") || name.ends_with(".sql") {
                let relative = path.strip_prefix(root).expect("below the root");
                let relative: Vec<String> = relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let text = fs::read_to_string(&path).expect("a text file");
                files.push((relative.join("/"), text));
            }
        }
    }
    files.sort();
    files
}

/// The README's "Tables and foreign keys" table as `table name migrations/file.sql` and
/// `fk table.column -> table` lines.
fn readme_tables(readme: &str) -> String {
    let section = readme
        .split("## Tables and foreign keys")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a tables section");
    let mut lines = Vec::new();
    for row in section.lines().filter(|line| line.starts_with("| `")) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        let [table, migration, keys] = cells.as_slice() else {
            panic!("unexpected README row {row}");
        };
        let table = table.trim_matches('`');
        lines.push(format!(
            "table {table} migrations/{}",
            migration.trim_matches('`')
        ));
        for key in keys.split("`, `").filter(|key| !key.is_empty()) {
            let key = key
                .split('`')
                .find(|part| part.contains("->"))
                .unwrap_or(key);
            let (column, target) = key.split_once(" -> ").expect("`column -> table`");
            lines.push(format!("fk {table}.{} -> {}", column.trim(), target.trim()));
        }
    }
    assert!(
        lines.len() > 20,
        "could not read the README's tables: {lines:?}"
    );
    lines.join("\n")
}
