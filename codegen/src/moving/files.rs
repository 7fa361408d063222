//! The files `--move` reads and writes besides the moved modules: source text read once,
//! paths relative to the crate's `src/`, files the code includes, the migrations of the
//! service's tables, and the visibility edits that let the router reach a moved handler.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::text;
use crate::error::Error;
use crate::output::GeneratedFile;
use crate::port::{Class, Finding};

/// `file` (absolute) relative to the crate's source folder, `/` separated.
pub(super) fn relative_to(file: &Path, src_dir: &Path, shown: &str) -> Result<String, Error> {
    let relative = file.strip_prefix(src_dir).map_err(|_| Error::Move {
        message: format!(
            "{shown} is outside its crate's source folder {}",
            src_dir.display()
        ),
    })?;
    Ok(relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/"))
}

/// Files `tree` includes by a literal path, copied to the same place relative to the output
/// crate as they have relative to the monolith's package.
pub(super) fn includes(
    tree: &syn::File,
    file: &Path,
    package_dir: &Path,
    crate_dir: &str,
    shown: &str,
    files: &mut Vec<GeneratedFile>,
    findings: &mut Vec<Finding>,
) {
    let dir = file.parent().unwrap_or(Path::new("."));
    for (included, line) in text::included_files(tree) {
        let path = normalise(&dir.join(&included));
        let relative = path.strip_prefix(package_dir).ok().map(|relative| {
            relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        });
        match (relative, std::fs::read_to_string(&path)) {
            (Some(relative), Ok(text)) => {
                files.push(GeneratedFile::once(format!("{crate_dir}/{relative}"), text))
            }
            (relative, read) => findings.push(Finding {
                class: Class::NeedsChange,
                what: format!(
                    "`{included}` is included but {}",
                    if relative.is_none() {
                        "lies outside the monolith's package".to_string()
                    } else {
                        format!(
                            "cannot be read as text ({})",
                            read.err().map(|e| e.to_string()).unwrap_or_default()
                        )
                    }
                ),
                fix: "copy it next to the generated crate and fix the path".to_string(),
                file: shown.to_string(),
                line,
            }),
        }
    }
}

/// `a/b/../c` as `a/c`, without touching the file system.
pub(super) fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The SQL files under a `migrations` folder of the monolith that create one of `tables`,
/// relative to that folder.
pub(super) fn migrations(root: &Path, tables: &[String]) -> Result<Vec<(String, String)>, Error> {
    let mut found = Vec::new();
    if tables.is_empty() {
        return Ok(found);
    }
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    let mut migration_dirs = Vec::new();
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !path.is_dir() || name.starts_with('.') || name == "target" {
                continue;
            }
            if name == "migrations" {
                migration_dirs.push(path);
            } else if depth < 3 {
                stack.push((path, depth + 1));
            }
        }
    }
    migration_dirs.sort();
    for dir in migration_dirs {
        let mut sql = Vec::new();
        collect_sql(&dir, &mut sql);
        sql.sort();
        for file in sql {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            if tables.iter().any(|table| creates_table(&text, table)) {
                let relative = file
                    .strip_prefix(&dir)
                    .unwrap_or(&file)
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                found.push((relative, text));
            }
        }
    }
    Ok(found)
}

pub(super) fn collect_sql(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_sql(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "sql") {
            out.push(path);
        }
    }
}

/// Whether `sql` holds `CREATE TABLE [IF NOT EXISTS] table` (any case, quoted or not).
pub(super) fn creates_table(sql: &str, table: &str) -> bool {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|word| !word.is_empty())
        .map(|word| {
            word.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']')
                .to_ascii_lowercase()
        })
        .collect();
    let table = table.to_ascii_lowercase();
    words.windows(2).enumerate().any(|(idx, pair)| {
        if pair[0] != "create" || pair[1] != "table" {
            return false;
        }
        let mut rest = words[idx + 2..].iter();
        let mut name = rest.next();
        if name.is_some_and(|word| word == "if") {
            // `if not exists name`
            name = rest.nth(2);
        }
        name.is_some_and(|name| name == &table || name.ends_with(&format!(".{table}")))
    })
}

/// `text` with `pub(crate) ` before every private `mod` item at its top level and before each
/// private handler function (`name`, line of its name).
pub(super) fn open_up(text: &str, tree: &syn::File, handlers: &[(&str, u32)]) -> String {
    use syn::spanned::Spanned;
    let mut at = Vec::new();
    for item in &tree.items {
        match item {
            syn::Item::Mod(module) if matches!(module.vis, syn::Visibility::Inherited) => {
                at.push(text::offset(text, module.mod_token.span.start()));
            }
            _ => {}
        }
    }
    struct Handlers<'h> {
        wanted: &'h [(&'h str, u32)],
        found: Vec<proc_macro2::LineColumn>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Handlers<'_> {
        fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
            let line = item.sig.ident.span().start().line as u32;
            if matches!(item.vis, syn::Visibility::Inherited)
                && self
                    .wanted
                    .iter()
                    .any(|(name, at)| item.sig.ident == name && *at == line)
            {
                self.found.push(item.sig.span().start());
            }
        }
    }
    let mut finder = Handlers {
        wanted: handlers,
        found: Vec::new(),
    };
    syn::visit::Visit::visit_file(&mut finder, tree);
    at.extend(finder.found.iter().map(|&start| text::offset(text, start)));
    text::insert_at(text, &at, "pub(crate) ")
}

/// Source files read and parsed once each: the move asks for the same file again per
/// handler, carried module and placeholder.
pub(super) struct SourceFiles {
    root: PathBuf,
    texts: HashMap<String, Rc<str>>,
    trees: HashMap<String, Rc<syn::File>>,
}

impl SourceFiles {
    pub(super) fn new(root: &Path) -> SourceFiles {
        SourceFiles {
            root: root.to_path_buf(),
            texts: HashMap::new(),
            trees: HashMap::new(),
        }
    }

    pub(super) fn text(&mut self, file: &str) -> Result<Rc<str>, Error> {
        if let Some(text) = self.texts.get(file) {
            return Ok(Rc::clone(text));
        }
        let path = self.root.join(file);
        let text: Rc<str> = std::fs::read_to_string(&path)
            .map_err(|error| Error::Read {
                path: path.clone(),
                message: error.to_string(),
            })?
            .into();
        self.texts.insert(file.to_string(), Rc::clone(&text));
        Ok(text)
    }

    pub(super) fn tree(&mut self, file: &str) -> Result<Rc<syn::File>, Error> {
        if let Some(tree) = self.trees.get(file) {
            return Ok(Rc::clone(tree));
        }
        let text = self.text(file)?;
        let tree = Rc::new(syn::parse_file(&text).map_err(|error| Error::Read {
            path: self.root.join(file),
            message: format!("line {}: {error}", error.span().start().line),
        })?);
        self.trees.insert(file.to_string(), Rc::clone(&tree));
        Ok(tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn create_table_is_found_in_its_spellings() {
        assert!(creates_table(
            "CREATE TABLE products (id INTEGER);",
            "products"
        ));
        assert!(creates_table(
            "create table if not exists \"products\"(id int);",
            "products"
        ));
        assert!(creates_table(
            "CREATE TABLE shop.products (id int)",
            "products"
        ));
        assert!(!creates_table(
            "CREATE TABLE product_tags (id int)",
            "products"
        ));
        assert!(!creates_table("SELECT * FROM products", "products"));
    }

    #[test]
    pub(super) fn private_modules_and_handlers_are_opened_up() {
        let text = "mod a;\npub mod b;\nasync fn list() {}\nfn helper() {}\n";
        let tree = syn::parse_file(text).unwrap();
        assert_eq!(
            open_up(text, &tree, &[("list", 3)]),
            "pub(crate) mod a;\npub mod b;\npub(crate) async fn list() {}\nfn helper() {}\n"
        );
    }
}
