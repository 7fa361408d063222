//! diesel: `table!` definitions (several per macro, `#[sql_name = ".."]`, `schema.table`),
//! `joinable!(child -> parent (column))` foreign keys, and queries: paths through
//! `users::table` or `users::dsl::..`, and bare `users` where `users::dsl::*` (or
//! `users::dsl::users`) is imported in the same module, are reads; the first table named in
//! the argument of `insert_into`, `replace_into`, `insert_or_ignore_into`, `update` or
//! `delete` is written.
//!
//! Which identifiers are tables is only known once every file is collected (the tables of all
//! `table!` macros), so collection records candidates and [`accesses`] decides. One query
//! (one Rust statement) counts once per table and mode; a table written by a statement is not
//! also read by it (the `.filter()` of an update, columns in `.set()`). It deliberately does
//! not follow `into_boxed()` queries across statements, `diesel::sql_query` strings (those are
//! SQL, handled like any literal) or tables named through type aliases.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use super::{Mode, line_of};
use crate::site::Site;

/// Functions (`diesel::insert_into(..)`) whose first argument names the table they write.
pub(super) const WRITE_FUNCTIONS: [&str; 5] = [
    "insert_into",
    "replace_into",
    "insert_or_ignore_into",
    "update",
    "delete",
];

/// Methods (`new_row.insert_into(..)`) whose first argument names the table they write.
pub(super) const WRITE_METHODS: [&str; 3] =
    ["insert_into", "replace_into", "insert_or_ignore_into"];

#[derive(Debug, Clone, Default)]
pub(crate) struct DieselFacts {
    pub(super) tables: Vec<DieselTable>,
    pub(super) joinables: Vec<Joinable>,
    pub(super) mentions: Vec<Mention>,
}

/// One table of a `table!` macro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DieselTable {
    /// The Rust name, as queries write it.
    pub(super) ident: String,
    /// The SQL name: `#[sql_name]` or the Rust name.
    pub(super) sql_name: String,
    pub(super) line: u32,
}

/// `joinable!(child -> parent (column))`, with Rust names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Joinable {
    pub(super) child: String,
    pub(super) parent: String,
    pub(super) column: String,
    pub(super) line: u32,
}

/// A Rust name in a query that may be a diesel table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Mention {
    pub(super) site: Site,
    /// The Rust statement it is in (numbered per file).
    pub(super) unit: u32,
    /// Table name as Rust writes it (after `use .. as ..` renames).
    pub(super) ident: String,
    /// The write call (numbered per file) whose argument holds it, if any.
    pub(super) write_call: Option<u32>,
    /// Position among the file's mentions, in source order.
    pub(super) order: u32,
}

/// Tables of one `table!` body.
pub(super) fn tables(tokens: TokenStream) -> Vec<DieselTable> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut tables = Vec::new();
    let mut sql_name = None;
    let mut idx = 0;
    while idx < trees.len() {
        match &trees[idx] {
            TokenTree::Punct(punct) if punct.as_char() == '#' => {
                if let Some(TokenTree::Group(group)) = trees.get(idx + 1) {
                    if let Some(name) = sql_name_attribute(group.stream()) {
                        sql_name = Some(name);
                    }
                    idx += 2;
                    continue;
                }
            }
            TokenTree::Ident(ident) if ident == "use" => {
                // `use diesel::sql_types::*;` before the tables.
                while idx < trees.len()
                    && !matches!(&trees[idx], TokenTree::Punct(p) if p.as_char() == ';')
                {
                    idx += 1;
                }
            }
            TokenTree::Ident(first) => {
                // `name`, or `schema.name`, then an optional `(key)` group, then `{ columns }`.
                let mut name = first;
                let mut next = idx + 1;
                if let (Some(TokenTree::Punct(dot)), Some(TokenTree::Ident(second))) =
                    (trees.get(next), trees.get(next + 1))
                    && dot.as_char() == '.'
                {
                    name = second;
                    next += 2;
                }
                if let Some(TokenTree::Group(group)) = trees.get(next)
                    && group.delimiter() == Delimiter::Parenthesis
                {
                    next += 1;
                }
                if let Some(TokenTree::Group(group)) = trees.get(next)
                    && group.delimiter() == Delimiter::Brace
                {
                    let ident = unraw(&name.to_string());
                    tables.push(DieselTable {
                        sql_name: sql_name.take().unwrap_or_else(|| ident.clone()),
                        ident,
                        line: line_of(name.span()),
                    });
                    idx = next + 1;
                    continue;
                }
            }
            _ => {}
        }
        idx += 1;
    }
    tables
}

/// `child -> parent (column)`.
pub(super) fn joinable(tokens: TokenStream) -> Option<Joinable> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let [
        TokenTree::Ident(child),
        TokenTree::Punct(dash),
        TokenTree::Punct(arrow),
        TokenTree::Ident(parent),
        TokenTree::Group(column),
        ..,
    ] = trees.as_slice()
    else {
        return None;
    };
    if dash.as_char() != '-' || arrow.as_char() != '>' {
        return None;
    }
    let column = column.stream().into_iter().find_map(|tree| match tree {
        TokenTree::Ident(ident) => Some(unraw(&ident.to_string())),
        _ => None,
    })?;
    Some(Joinable {
        child: unraw(&child.to_string()),
        parent: unraw(&parent.to_string()),
        column,
        line: line_of(child.span()),
    })
}

/// The table a path goes through: `T` in `..::T::table` or `..::T::dsl::..`.
pub(super) fn table_in_path(path: &syn::Path) -> Option<String> {
    let segments = &path.segments;
    segments
        .iter()
        .zip(segments.iter().skip(1))
        .find(|(_, next)| next.ident == "table" || next.ident == "dsl")
        .map(|(table, _)| table.ident.to_string())
}

/// Accesses of one file's mentions, given every `table!` table (Rust name to SQL name):
/// `(site, unit, SQL table name, mode)`, one per statement, table and mode.
pub(super) fn accesses(
    facts: &DieselFacts,
    table_names: &HashMap<String, String>,
) -> Vec<(Site, u32, String, Mode)> {
    let mut write_targets: BTreeMap<u32, &Mention> = BTreeMap::new();
    for mention in &facts.mentions {
        if let Some(call) = mention.write_call
            && table_names.contains_key(&mention.ident)
        {
            write_targets.entry(call).or_insert(mention);
        }
    }
    let written: BTreeSet<(u32, &str)> = write_targets
        .values()
        .map(|mention| (mention.unit, mention.ident.as_str()))
        .collect();
    let mut seen = BTreeSet::new();
    let mut accesses = Vec::new();
    for mention in &facts.mentions {
        let Some(sql_name) = table_names.get(&mention.ident) else {
            continue;
        };
        let is_target = mention.write_call.is_some_and(|call| {
            write_targets
                .get(&call)
                .is_some_and(|target| std::ptr::eq(*target, mention))
        });
        let mode = if is_target { Mode::Write } else { Mode::Read };
        if mode == Mode::Read && written.contains(&(mention.unit, mention.ident.as_str())) {
            continue;
        }
        if seen.insert((mention.unit, sql_name.clone(), mode)) {
            accesses.push((mention.site.clone(), mention.unit, sql_name.clone(), mode));
        }
    }
    accesses
}

/// `sql_name = "name"` inside `#[..]`.
fn sql_name_attribute(tokens: TokenStream) -> Option<String> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let [
        TokenTree::Ident(key),
        TokenTree::Punct(eq),
        TokenTree::Literal(value),
    ] = trees.as_slice()
    else {
        return None;
    };
    if key != "sql_name" || eq.as_char() != '=' {
        return None;
    }
    match syn::Lit::new(value.clone()) {
        syn::Lit::Str(literal) => Some(literal.value()),
        _ => None,
    }
}

fn unraw(ident: &str) -> String {
    ident.strip_prefix("r#").unwrap_or(ident).to_owned()
}
