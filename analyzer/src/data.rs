//! Database tables and data access: which tables exist, how they reference each other, and
//! which module reads or writes which table.
//!
//! Three steps, matching the analyzer's pipeline. [`collect`] runs on one parsed file on a
//! worker thread and keeps owned facts ([`FileData`]): SQL written in string literals
//! (rusqlite, postgres, sqlx, `format!` templates, consts), diesel `table!` / `joinable!` and
//! query paths, SeaORM entities and calls. [`schema_from_sql`] reads one migration file.
//! [`assemble`] runs once at the end: it decides which paths name diesel tables or SeaORM
//! entities, attributes every access to a module through [`Resolve`], and deduplicates.
//!
//! It deliberately does not infer types: a method call on a value (`active_model.insert(db)`,
//! `pool.fetch_all(query)`) is only understood when the value is written where it is used or
//! bound by a `let` in the same function. SQL built at run time from pieces that are not
//! string literals or same-file consts is not analysed. Each submodule's header says what
//! it covers and what it leaves out.

mod assemble;
mod collect;
mod diesel;
mod literal;
mod seaorm;
mod settle;
mod sql;
mod statement;

#[cfg(test)]
mod tests;

use crate::model::{Access, Diagnostic, ForeignKey, Severity, Table};
use crate::site::{Resolve, Site};

/// Per-file facts. Owns no syn types (the tree is dropped after collection).
#[derive(Debug, Clone, Default)]
pub(crate) struct FileData {
    /// SQL statements' table accesses, one per statement, table and mode.
    sql_accesses: Vec<SiteAccess>,
    /// Tables and foreign keys created by SQL written in the file.
    sql_tables: Vec<LocalTable>,
    sql_foreign_keys: Vec<LocalForeignKey>,
    diesel: diesel::DieselFacts,
    seaorm: seaorm::SeaFacts,
    diagnostics: Vec<LocalDiagnostic>,
}

/// Tables and foreign keys defined by one SQL file, with what could not be parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SqlSchema {
    pub(crate) tables: Vec<Table>,
    pub(crate) foreign_keys: Vec<ForeignKey>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Everything about data in the analysed code, each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DataModel {
    pub(crate) tables: Vec<Table>,
    pub(crate) foreign_keys: Vec<ForeignKey>,
    pub(crate) accesses: Vec<Access>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Runs on one parsed file on a worker thread, in parallel with other files. One pass over
/// the tree; what needs the whole file (consts used by `format!`, `use` imports) is settled
/// on the collected facts afterwards.
pub(crate) fn collect(file: &syn::File, text: &str) -> FileData {
    collect::collect(file, text)
}

/// Whether a `.sql` file (path relative to the analysed folder, `/` separators) holds schema:
/// any `.sql` file below a `migrations` folder at any depth, and diesel's `up.sql` anywhere;
/// never `down.sql` or sqlx's reversible `*.down.sql`.
pub(crate) fn is_schema_file(path: &str) -> bool {
    let mut components: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    let Some(name) = components.pop() else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    if !name.ends_with(".sql") || name == "down.sql" || name.ends_with(".down.sql") {
        return false;
    }
    name == "up.sql" || components.contains(&"migrations")
}

/// Tables and foreign keys defined by one SQL file. `file` is the path reported in the
/// results. Data statements in it (seed rows) are not accesses and are ignored.
pub(crate) fn schema_from_sql(file: &str, text: &str) -> SqlSchema {
    let mut schema = SqlSchema::default();
    let Some(facts) = sql::analyse(text, sql::Certainty::Sql) else {
        return schema;
    };
    for statement in &facts.statements {
        for name in &statement.facts.creates {
            schema.tables.push(Table {
                name: name.clone(),
                file: file.to_owned(),
                line: statement.line,
            });
        }
        for key in &statement.facts.foreign_keys {
            schema.foreign_keys.push(ForeignKey {
                from_table: key.from_table.clone(),
                to_table: key.to_table.clone(),
                column: key.column.clone(),
                file: file.to_owned(),
                line: statement.line,
            });
        }
    }
    for failure in facts.failures {
        schema.diagnostics.push(Diagnostic {
            severity: settle::failure_severity(&failure),
            file: file.to_owned(),
            line: failure.line,
            message: failure.message,
        });
    }
    schema.tables.sort();
    schema.foreign_keys.sort();
    schema.diagnostics.sort();
    schema
}

/// Runs once, after every file is collected. `files` pairs each file's path (relative to the
/// analysed folder) with its facts. Calls `resolve.module_at` for every access and SeaORM
/// entity, and `resolve.resolve` for SeaORM entity paths only.
pub(crate) fn assemble(
    files: &[(&str, &FileData)],
    schemas: &[SqlSchema],
    resolve: &dyn Resolve,
) -> DataModel {
    assemble::assemble(files, schemas, resolve)
}

/// Whether an access reads or writes its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Mode {
    Read,
    Write,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Read => "read",
            Mode::Write => "write",
        }
    }
}

/// A table access at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SiteAccess {
    site: Site,
    table: String,
    mode: Mode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct LocalTable {
    name: String,
    line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct LocalForeignKey {
    from_table: String,
    column: String,
    to_table: String,
    line: u32,
}

/// A diagnostic before it knows its file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LocalDiagnostic {
    severity: Severity,
    line: u32,
    message: String,
}

/// 1-based line of a span (0 when spans carry no location).
fn line_of(span: proc_macro2::Span) -> u32 {
    u32::try_from(span.start().line).unwrap_or(u32::MAX)
}
