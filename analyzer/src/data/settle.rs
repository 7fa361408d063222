//! What the pass over a file leaves for afterwards, once the whole file is seen and the tree
//! is gone: SQL pieces get the file's consts filled into their `format!` templates and are
//! parsed into statement facts, and bare names become diesel mentions where a `use
//! ..::T::dsl::*` in the same module covers them.
//!
//! A const whose text a template splices in is counted with that template (each use is one
//! statement), not once more on its own. Lines of statements inside a literal are added to the
//! literal's line when the literal's lines match its source (no `\n` escapes or `\` line
//! continuations), otherwise the literal's line is used. Nothing here looks across files.

use std::collections::{HashMap, HashSet};

use super::diesel::{DieselFacts, Mention};
use super::literal::SqlSource;
use super::seaorm::SeaFacts;
use super::sql::{self, Certainty};
use super::{FileData, LocalDiagnostic, LocalForeignKey, LocalTable, Mode, SiteAccess};
use crate::model::Severity;
use crate::site::Site;

/// Everything the pass over one file found.
pub(super) struct Collected {
    pub(super) pieces: Vec<Piece>,
    /// Text of string consts and statics by name; `None` when two disagree.
    pub(super) consts: HashMap<String, Option<String>>,
    pub(super) diesel: DieselFacts,
    pub(super) bare_mentions: Vec<BareMention>,
    pub(super) diesel_imports: Vec<DieselImport>,
    pub(super) sea: SeaFacts,
    pub(super) diagnostics: Vec<LocalDiagnostic>,
}

/// SQL text found in the file, before consts are known.
pub(super) struct Piece {
    pub(super) site: Site,
    pub(super) source: SqlSource,
    pub(super) certainty: Certainty,
    /// Set when the text is a const's (or static's) value.
    pub(super) const_name: Option<String>,
}

/// A bare name that may be a diesel table imported with `use ..::T::dsl::*`.
pub(super) struct BareMention {
    pub(super) site: Site,
    pub(super) unit: u32,
    pub(super) name: String,
    pub(super) write_call: Option<u32>,
    /// Position among all diesel mentions of the file, in source order.
    pub(super) order: u32,
}

/// `use ..::T::dsl::*` (name `T`) or `use ..::T::dsl::T [as name]`.
pub(super) struct DieselImport {
    pub(super) inline_mods: Vec<String>,
    pub(super) name: String,
    pub(super) table: String,
}

pub(super) fn settle(mut collected: Collected) -> FileData {
    let consts: HashMap<String, String> = collected
        .consts
        .iter()
        .filter_map(|(name, value)| Some((name.clone(), value.clone()?)))
        .collect();
    let mut data = FileData::default();
    let mut spliced = HashSet::new();
    let (const_pieces, other_pieces): (Vec<Piece>, Vec<Piece>) = collected
        .pieces
        .into_iter()
        .partition(|piece| piece.const_name.is_some());
    for piece in other_pieces {
        let (text, lines_match, consts_used) = match &piece.source {
            SqlSource::Text(text) => (text.value.clone(), text.lines_match, Default::default()),
            SqlSource::Template(template) => {
                let expanded = template.expand(&consts);
                (expanded.text, expanded.lines_match, expanded.consts_used)
            }
        };
        if add_sql(&mut data, &piece, &text, lines_match) {
            spliced.extend(consts_used);
        }
    }
    for piece in const_pieces {
        if piece
            .const_name
            .as_ref()
            .is_some_and(|name| spliced.contains(name))
        {
            continue;
        }
        if let SqlSource::Text(text) = &piece.source {
            add_sql(&mut data, &piece, &text.value, text.lines_match);
        }
    }
    for mention in collected.bare_mentions {
        let import = collected.diesel_imports.iter().find(|import| {
            import.name == mention.name && import.inline_mods == mention.site.inline_mods
        });
        if let Some(import) = import {
            collected.diesel.mentions.push(Mention {
                site: mention.site,
                unit: mention.unit,
                ident: import.table.clone(),
                write_call: mention.write_call,
                order: mention.order,
            });
        }
    }
    // Paths and bare names back in source order: a write call writes its first table.
    collected
        .diesel
        .mentions
        .sort_by_key(|mention| mention.order);
    data.diesel = collected.diesel;
    data.seaorm = collected.sea;
    data.diagnostics.append(&mut collected.diagnostics);
    data
}

/// Adds the facts of one piece of SQL text. Returns whether it was SQL.
fn add_sql(data: &mut FileData, piece: &Piece, text: &str, lines_match: bool) -> bool {
    if piece.certainty == Certainty::LooksLikeSql && !sql::looks_like_sql(text) {
        return false;
    }
    let Some(facts) = sql::analyse(text, piece.certainty) else {
        return false;
    };
    let line_of_statement = |line: u32| {
        if lines_match {
            piece.site.line.saturating_add(line.saturating_sub(1))
        } else {
            piece.site.line
        }
    };
    for statement in &facts.statements {
        let line = line_of_statement(statement.line);
        let site = Site::new(&piece.site.inline_mods, line);
        for (tables, mode) in [
            (&statement.facts.reads, Mode::Read),
            (&statement.facts.writes, Mode::Write),
        ] {
            for table in tables {
                data.sql_accesses.push(SiteAccess {
                    site: site.clone(),
                    table: table.clone(),
                    mode,
                });
            }
        }
        for name in &statement.facts.creates {
            data.sql_tables.push(LocalTable {
                name: name.clone(),
                line,
            });
        }
        for key in &statement.facts.foreign_keys {
            data.sql_foreign_keys.push(LocalForeignKey {
                from_table: key.from_table.clone(),
                column: key.column.clone(),
                to_table: key.to_table.clone(),
                line,
            });
        }
    }
    for failure in facts.failures {
        data.diagnostics.push(LocalDiagnostic {
            severity: failure_severity(&failure),
            line: line_of_statement(failure.line),
            message: failure.message,
        });
    }
    true
}

/// A statement that does not parse is a warning, unless it is one that names no table.
pub(super) fn failure_severity(failure: &sql::Failure) -> Severity {
    if failure.names_no_table {
        Severity::Info
    } else {
        Severity::Warning
    }
}
