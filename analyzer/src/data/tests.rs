//! Tests of data-access extraction. Every test goes through one of the `check*` helpers, which
//! are the only code here that calls the module's API: a small project in one string
//! (`//- src/repo.rs` markers, `.sql` files included) or an SQL text in, sorted text lines out.
//!
//! Lines read `table users`, `fk orders.customer_id -> customers`, `read users crate::repo`
//! (` x2` when counted twice), `warning src/repo.rs:4 cannot parse SQL statement `..``; the
//! `located` helpers add ` @ file:line` to tables, foreign keys and accesses. The fake resolver
//! maps `src/a/b.rs` to `crate::a::b` and knows modules, not items.

mod code;
mod diesel;
mod fixtures;
mod schema;
mod seaorm;
mod sql;

use std::collections::BTreeSet;

use super::{DataModel, FileData, SqlSchema, assemble, collect, is_schema_file, schema_from_sql};
use crate::model::Diagnostic;
use crate::site::{Resolve, ResolvedItem, Site};

#[test]
fn file_data_is_plain_data_that_crosses_threads() {
    fn assert_plain<T: Send + Sync + Default + std::fmt::Debug>() {}
    assert_plain::<FileData>();
}

/// Extracts data facts from a project and compares them, without locations, to `expected`.
fn check(project: &str, expected: &str) {
    let model = analyse(&split_project(project));
    assert_lines(&render(&model, false), expected);
}

/// Like [`check`], with ` @ file:line` on tables, foreign keys and accesses.
fn check_located(project: &str, expected: &str) {
    let model = analyse(&split_project(project));
    assert_lines(&render(&model, true), expected);
}

/// Accesses and diagnostics of one SQL text given to `conn.execute` in `src/repo.rs`.
fn check_sql_access(sql: &str, expected: &str) {
    let project = format!(
        "//- src/repo.rs\nfn run(conn: &Connection) {{\n    conn.execute(r##\"{sql}\"##, []);\n}}\n"
    );
    check(&project, expected);
}

/// Schema of one SQL file, `schema.sql`, with lines.
fn check_schema(sql: &str, expected: &str) {
    let schema = schema_from_sql("schema.sql", sql);
    let model = DataModel {
        tables: schema.tables,
        foreign_keys: schema.foreign_keys,
        accesses: Vec::new(),
        diagnostics: schema.diagnostics,
    };
    assert_lines(&render(&model, true), expected);
}

/// Which of `paths` hold schema.
fn check_schema_files(paths: &[&str], expected: &str) {
    let schema_files: Vec<&str> = paths
        .iter()
        .copied()
        .filter(|path| is_schema_file(path))
        .collect();
    assert_lines(&schema_files.join("\n"), expected);
}

/// `(path, text)` of each `//- path` section.
fn split_project(project: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in project.lines() {
        if let Some(path) = line.strip_prefix("//- ") {
            files.push((path.trim().to_owned(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    assert!(
        !files.is_empty(),
        "a project needs at least one `//- path` marker"
    );
    files
}

/// Runs collection on `.rs` files and schema reading on schema files, then assembly.
fn analyse(files: &[(String, String)]) -> DataModel {
    let mut collected: Vec<(&str, FileData)> = Vec::new();
    let mut schemas: Vec<SqlSchema> = Vec::new();
    for (path, text) in files {
        if path.ends_with(".rs") {
            let tree = syn::parse_file(text)
                .unwrap_or_else(|error| panic!("{path} does not parse: {error}"));
            collected.push((path, collect(&tree, text)));
        } else if is_schema_file(path) {
            schemas.push(schema_from_sql(path, text));
        }
    }
    let resolver = FakeResolve {
        modules: collected
            .iter()
            .filter_map(|(path, _)| file_module(path))
            .collect(),
    };
    let pairs: Vec<(&str, &FileData)> =
        collected.iter().map(|(path, data)| (*path, data)).collect();
    let model = assemble(&pairs, &schemas, &resolver);
    // Assembly is deterministic and does not depend on the order files come in.
    let reversed: Vec<(&str, &FileData)> = pairs.iter().rev().copied().collect();
    let mut reversed_schemas = schemas.clone();
    reversed_schemas.reverse();
    assert_eq!(
        model,
        assemble(&reversed, &reversed_schemas, &resolver),
        "assembly depends on input order"
    );
    model
}

fn render(model: &DataModel, located: bool) -> String {
    let at = |file: &str, line: u32| {
        if located {
            format!(" @ {file}:{line}")
        } else {
            String::new()
        }
    };
    let mut lines = Vec::new();
    for table in &model.tables {
        lines.push(format!(
            "table {}{}",
            table.name,
            at(&table.file, table.line)
        ));
    }
    for key in &model.foreign_keys {
        lines.push(format!(
            "fk {}.{} -> {}{}",
            key.from_table,
            key.column,
            key.to_table,
            at(&key.file, key.line)
        ));
    }
    for access in &model.accesses {
        let count = if access.count > 1 {
            format!(" x{}", access.count)
        } else {
            String::new()
        };
        lines.push(format!(
            "{} {} {}{count}{}",
            access.mode,
            access.table,
            access.module,
            at(&access.file, access.line)
        ));
    }
    for diagnostic in &model.diagnostics {
        lines.push(render_diagnostic(diagnostic));
    }
    lines.join("\n")
}

/// A diagnostic without the parser's own wording, which is the parser's business.
fn render_diagnostic(diagnostic: &Diagnostic) -> String {
    let message = match diagnostic.message.split_once("`: ") {
        Some((head, _)) => format!("{head}`"),
        None => diagnostic.message.clone(),
    };
    let severity = format!("{:?}", diagnostic.severity).to_lowercase();
    format!(
        "{severity} {}:{} {message}",
        diagnostic.file, diagnostic.line
    )
}

#[track_caller]
fn assert_lines(actual: &str, expected: &str) {
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines.join("\n")
    };
    assert_eq!(sorted(actual), sorted(expected));
}

/// `src/lib.rs` and `src/main.rs` are `crate`, `src/a/b.rs` and `src/a/b/mod.rs` are
/// `crate::a::b`; files elsewhere are in no module tree.
fn file_module(path: &str) -> Option<String> {
    let rest = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    let rest = rest.strip_suffix("/mod").unwrap_or(rest);
    if rest == "lib" || rest == "main" {
        return Some("crate".to_owned());
    }
    Some(format!("crate::{}", rest.replace('/', "::")))
}

/// Module attribution by file path plus inline modules; resolution of module paths only
/// (`crate::a`, `super::a`, `self::a`, child `a`), never of items.
struct FakeResolve {
    modules: BTreeSet<String>,
}

impl FakeResolve {
    fn is_module(&self, module: &str) -> bool {
        self.modules.contains(module)
            || self
                .modules
                .iter()
                .any(|known| known.starts_with(&format!("{module}::")))
    }
}

impl Resolve for FakeResolve {
    fn resolve(&self, file: &str, site: &Site, path: &[String]) -> Option<ResolvedItem> {
        let here = self.module_at(file, site)?;
        let mut module: Vec<&str> = here.split("::").collect();
        let mut rest = path;
        match rest.first()?.as_str() {
            "crate" => {
                module.truncate(1);
                rest = &rest[1..];
            }
            "self" => rest = &rest[1..],
            _ => {}
        }
        while rest.first().is_some_and(|segment| segment == "super") {
            module.pop()?;
            rest = &rest[1..];
        }
        module.extend(rest.iter().map(String::as_str));
        let target = module.join("::");
        if !self.is_module(&target) {
            return None;
        }
        let (parent, _) = target.rsplit_once("::")?;
        Some(ResolvedItem {
            path: target.clone(),
            module: parent.to_owned(),
            kind: "mod".to_owned(),
            file: file.to_owned(),
            line: 1,
        })
    }

    fn module_at(&self, file: &str, site: &Site) -> Option<String> {
        let mut module = file_module(file)?;
        for inline in &site.inline_mods {
            module.push_str("::");
            module.push_str(inline);
        }
        Some(module)
    }
}
