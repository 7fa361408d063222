//! Edits of `toml_edit` values that keep a person's formatting: arrays grow and shrink in
//! their own layout (one line, or one element per line with its indentation), a key moved to
//! another table keeps its comments, a table copied in carries no stale position.
//!
//! Knows nothing about plans: `merge.rs` decides what to change, this file only how.

use toml_edit::{Array, ArrayOfTables, Item, Key, Table, TableLike, Value};

/// Removes one element, giving its spacing to the next one when it was the first (so
/// `["a", "b"]` becomes `["b"]`, not `[ "b"]`).
pub(super) fn remove_from_array(array: &mut Array, idx: usize) {
    let removed = array.remove(idx);
    if idx != 0 {
        return;
    }
    let prefix = prefix_of(&removed);
    if let Some(next) = array.get_mut(0)
        && !prefix.contains('#')
        && !prefix_of(next).contains('#')
    {
        next.decor_mut().set_prefix(prefix);
    }
}

/// Appends strings in the array's own style: one per line when its last element is on its
/// own line (or when an empty array gets two or more), otherwise `, `-separated.
pub(super) fn extend_array(array: &mut Array, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let element_prefix = match array.iter().last() {
        Some(last) => {
            let prefix = prefix_of(last);
            match prefix.rfind('\n') {
                Some(newline) => format!("\n{}", &prefix[newline + 1..]),
                None => " ".to_string(),
            }
        }
        None if items.len() > 1 => {
            array.set_trailing("\n");
            array.set_trailing_comma(true);
            "\n    ".to_string()
        }
        None => String::new(),
    };
    for item in items {
        let mut value = Value::from(item.as_str());
        let prefix = if array.is_empty() && !element_prefix.contains('\n') {
            ""
        } else {
            element_prefix.as_str()
        };
        value.decor_mut().set_prefix(prefix);
        value.decor_mut().set_suffix("");
        array.push_formatted(value);
    }
}

/// Replaces every element, keeping the array's layout (one line or one per line).
pub(super) fn replace_array(array: &mut Array, items: &[String]) {
    let multi_line = array.iter().any(|value| prefix_of(value).contains('\n'));
    let indent = array
        .iter()
        .next()
        .map(|value| {
            let prefix = prefix_of(value);
            prefix[prefix.rfind('\n').map_or(0, |newline| newline + 1)..].to_string()
        })
        .unwrap_or_default();
    array.clear();
    if !multi_line {
        array.set_trailing("");
        array.set_trailing_comma(false);
        extend_array(array, &items[..items.len().min(1)]);
        for item in items.iter().skip(1) {
            let mut value = Value::from(item.as_str());
            value.decor_mut().set_prefix(" ");
            value.decor_mut().set_suffix("");
            array.push_formatted(value);
        }
        return;
    }
    for item in items {
        let mut value = Value::from(item.as_str());
        value.decor_mut().set_prefix(format!("\n{indent}"));
        value.decor_mut().set_suffix("");
        array.push_formatted(value);
    }
    if items.is_empty() {
        array.set_trailing("");
        array.set_trailing_comma(false);
    }
}

pub(super) fn prefix_of(value: &Value) -> String {
    value
        .decor()
        .prefix()
        .and_then(|prefix| prefix.as_str())
        .unwrap_or("")
        .to_string()
}

/// Inserts a route at the end of a routes table, keeping the key's formatting. In an inline
/// table the space before `}` moves from the old last value to the new one.
pub(super) fn insert_route(routes: &mut dyn TableLike, inline: bool, key: &Key, mut item: Item) {
    let last_key = routes
        .iter()
        .last()
        .map(|(last_key, _)| last_key.to_string());
    let closing =
        last_key
            .filter(|_| inline)
            .and_then(|last_key| match routes.get_mut(&last_key)? {
                Item::Value(value) => {
                    let suffix = value
                        .decor()
                        .suffix()
                        .and_then(|suffix| suffix.as_str())?
                        .to_string();
                    value.decor_mut().set_suffix("");
                    Some(suffix)
                }
                _ => None,
            });
    if let (Some(suffix), Item::Value(value)) = (closing, &mut item) {
        value.decor_mut().set_suffix(suffix);
    }
    if let toml_edit::Entry::Vacant(entry) = routes.entry_format(key) {
        entry.insert(item);
    }
}

/// A copy of `table` whose tables carry no document position, as if built by hand.
pub(super) fn without_positions(table: &Table) -> Table {
    let mut out = Table::new();
    *out.decor_mut() = table.decor().clone();
    out.set_implicit(table.is_implicit());
    out.set_dotted(table.is_dotted());
    for (key, item) in table.iter() {
        let formatted = table.key(key).cloned().unwrap_or_else(|| Key::new(key));
        let item = match item {
            Item::Table(child) => Item::Table(without_positions(child)),
            Item::ArrayOfTables(children) => {
                let mut array = ArrayOfTables::new();
                for child in children.iter() {
                    array.push(without_positions(child));
                }
                Item::ArrayOfTables(array)
            }
            other => other.clone(),
        };
        out.insert_formatted(&formatted, item);
    }
    out
}
