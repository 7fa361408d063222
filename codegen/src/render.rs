//! The embedded templates and how they render: one `tera` instance holding every template,
//! each rendered from a typed context, and generated Rust formatted with `prettyplease`
//! (which also proves it parses). A template error names the template (and the override's
//! file) and carries tera's causes: at parse time they give the line and column; at render
//! time they name the variable (or filter, function, test) but no line, so the line is found
//! by searching the template's tags for that name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Error;

/// Every template, by the name it renders under.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "MIGRATION.md",
        include_str!("../templates/MIGRATION.md.tera"),
    ),
    (
        "workspace/Cargo.toml",
        include_str!("../templates/workspace/Cargo.toml.tera"),
    ),
    (
        "api/Cargo.toml",
        include_str!("../templates/api/Cargo.toml.tera"),
    ),
    ("api/lib.rs", include_str!("../templates/api/lib.rs.tera")),
    (
        "kernel/Cargo.toml",
        include_str!("../templates/kernel/Cargo.toml.tera"),
    ),
    (
        "service/Cargo.toml",
        include_str!("../templates/service/Cargo.toml.tera"),
    ),
    (
        "service/lib.rs",
        include_str!("../templates/service/lib.rs.tera"),
    ),
    (
        "service/main.rs",
        include_str!("../templates/service/main.rs.tera"),
    ),
    (
        "service/handlers.rs",
        include_str!("../templates/service/handlers.rs.tera"),
    ),
    (
        "service/operations.rs",
        include_str!("../templates/service/operations.rs.tera"),
    ),
    (
        "service/state.rs",
        include_str!("../templates/service/state.rs.tera"),
    ),
    (
        "service/ficus_remote.rs",
        include_str!("../templates/service/ficus_remote.rs.tera"),
    ),
    (
        "service/failures.rs",
        include_str!("../templates/service/failures.rs.tera"),
    ),
    (
        "service/contract.rs",
        include_str!("../templates/service/contract.rs.tera"),
    ),
    (
        "service/Dockerfile",
        include_str!("../templates/service/Dockerfile.tera"),
    ),
    (
        "service/kubernetes.yaml",
        include_str!("../templates/service/kubernetes.yaml.tera"),
    ),
    (
        "service/ficus-plan.toml",
        include_str!("../templates/service/ficus-plan.toml.tera"),
    ),
    (
        "client/Cargo.toml",
        include_str!("../templates/client/Cargo.toml.tera"),
    ),
    (
        "client/lib.rs",
        include_str!("../templates/client/lib.rs.tera"),
    ),
    (
        "monolith/local.rs",
        include_str!("../templates/monolith/local.rs.tera"),
    ),
];

pub struct Renderer {
    tera: tera::Tera,
    /// Each template's text and, for an override, its file: to place render errors.
    sources: BTreeMap<&'static str, Source>,
}

struct Source {
    text: String,
    file: Option<PathBuf>,
}

/// The names of the embedded templates, in rendering order.
pub fn template_names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(name, _)| *name)
}

/// Writes every embedded template into `dir` as `NAME.tera`; refuses to overwrite a file.
pub fn eject_templates(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let paths: Vec<PathBuf> = TEMPLATES
        .iter()
        .map(|(name, _)| dir.join(format!("{name}.tera")))
        .collect();
    if let Some(existing) = paths.iter().find(|path| path.exists()) {
        return Err(Error::Output {
            path: existing.clone(),
            message: "exists already; eject into an empty folder".to_string(),
        });
    }
    for (path, (_, text)) in paths.iter().zip(TEMPLATES) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| Error::Output {
                path: parent.to_path_buf(),
                message: error.to_string(),
            })?;
        }
        std::fs::write(path, text).map_err(|error| Error::Output {
            path: path.clone(),
            message: error.to_string(),
        })?;
    }
    Ok(paths)
}

impl Renderer {
    /// The embedded templates, each checked for syntax.
    pub fn embedded() -> Result<Renderer, Error> {
        Renderer::with_overrides(None)
    }

    /// The embedded templates, with each `NAME.tera` under `overrides` in place of the
    /// embedded `NAME`. A file there that names no template is an error, so a typo does not
    /// silently leave the embedded one in use.
    pub fn with_overrides(overrides: Option<&Path>) -> Result<Renderer, Error> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(Vec::new());
        if let Some(dir) = overrides {
            check_override_names(dir)?;
        }
        let mut sources = BTreeMap::new();
        for (name, text) in TEMPLATES {
            let overridden = overrides.map(|dir| dir.join(format!("{name}.tera")));
            let source = match overridden.filter(|path| path.is_file()) {
                Some(path) => Source {
                    text: std::fs::read_to_string(&path).map_err(|error| Error::Read {
                        path: path.clone(),
                        message: error.to_string(),
                    })?,
                    file: Some(path),
                },
                None => Source {
                    text: (*text).to_string(),
                    file: None,
                },
            };
            tera.add_raw_template(name, &source.text)
                .map_err(|error| template_error(&source.label(name), &error))?;
            sources.insert(*name, source);
        }
        Ok(Renderer { tera, sources })
    }

    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, Error> {
        let context =
            tera::Context::from_serialize(context).map_err(|error| template_error(name, &error))?;
        self.tera
            .render(name, &context)
            .map_err(|error| self.render_error(name, &error))
    }

    /// A render error with the template's file, and the line where the template first uses
    /// the name tera's innermost cause gives.
    fn render_error(&self, name: &str, error: &tera::Error) -> Error {
        let message = with_causes(error);
        let source = self.sources.get(name);
        let label = source.map_or_else(|| name.to_string(), |source| source.label(name));
        let subject = innermost(error).and_then(|cause| named_in(&cause.to_string()));
        let line = match (&subject, source) {
            (Some((_, used)), Some(source)) => line_in_tags(&source.text, used),
            _ => None,
        };
        Error::TemplateRender {
            name: label,
            line,
            subject: subject.map(|(kind, used)| format!("{kind} `{used}`")),
            message,
        }
    }

    /// `text`, rendered by template `name`, as `prettyplease` writes it, with the
    /// `@generated` line kept on top.
    pub fn format_rust(&self, name: &str, text: &str) -> Result<String, Error> {
        let file = syn::parse_file(text).map_err(|error| Error::Template {
            name: name.to_string(),
            message: format!(
                "renders Rust that does not parse, at line {}: {error}",
                error.span().start().line
            ),
        })?;
        let mut formatted = String::from(GENERATED);
        formatted.push_str(&prettyplease::unparse(&file));
        Ok(formatted)
    }
}

impl Source {
    /// `NAME`, or `NAME (FILE)` for an override.
    fn label(&self, name: &str) -> String {
        match &self.file {
            Some(file) => format!("{name} ({})", file.display()),
            None => name.to_string(),
        }
    }
}

/// Every `.tera` file under `dir` must name an embedded template.
fn check_override_names(dir: &Path) -> Result<(), Error> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|error| Error::Read {
            path: folder.clone(),
            message: error.to_string(),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(name) = path
                .strip_prefix(dir)
                .ok()
                .and_then(|relative| relative.to_str())
                .and_then(|relative| relative.strip_suffix(".tera"))
            else {
                continue;
            };
            let name = name.replace('\\', "/");
            if !template_names().any(|known| known == name) {
                return Err(Error::Template {
                    name: path.display().to_string(),
                    message: format!(
                        "overrides no template (the templates: {})",
                        template_names().collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
    }
    Ok(())
}

/// First line of every file the generator owns and rewrites.
pub const GENERATED: &str = "// @generated by ficus generate; do not edit\n";

/// Tera's error with its causes, which hold the line and the variable.
fn template_error(name: &str, error: &tera::Error) -> Error {
    Error::Template {
        name: name.to_string(),
        message: with_causes(error),
    }
}

/// `error: cause: cause...`, the whole chain on one line.
fn with_causes(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn innermost(error: &tera::Error) -> Option<&(dyn std::error::Error + 'static)> {
    let mut cause = std::error::Error::source(error)?;
    while let Some(next) = cause.source() {
        cause = next;
    }
    Some(cause)
}

/// What a tera render message names, as (kind, name): ``Variable `a.b` not found``,
/// `Filter 'f' not found`, `Function 'f' not found`, `Test 't' not found`, and the messages
/// about a variable that is not what a tag needs (``Tried to iterate ... `a.b` ...``).
fn named_in(message: &str) -> Option<(&'static str, String)> {
    for (kind, prefix) in [
        ("filter", "Filter '"),
        ("function", "Function '"),
        ("test", "Test '"),
    ] {
        if let Some(rest) = message.strip_prefix(prefix) {
            return rest
                .split_once('\'')
                .map(|(name, _)| (kind, name.to_string()));
        }
    }
    let (_, rest) = message.split_once('`')?;
    let (name, _) = rest.split_once('`')?;
    Some(("variable", name.to_string()))
}

/// The line (from 1) where `name` first appears as a whole name inside a `{{ }}` or `{% %}`
/// tag of `template`.
fn line_in_tags(template: &str, name: &str) -> Option<usize> {
    let is_name_char = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let mut offset = 0;
    while let Some(open) = template[offset..]
        .find("{{")
        .into_iter()
        .chain(template[offset..].find("{%"))
        .min()
    {
        let start = offset + open + 2;
        let closer = if template[offset + open..].starts_with("{{") {
            "}}"
        } else {
            "%}"
        };
        let end = template[start..]
            .find(closer)
            .map_or(template.len(), |close| start + close);
        let tag = &template[start..end];
        let mut from = 0;
        while let Some(found) = tag[from..].find(name) {
            let at = from + found;
            let before = tag[..at].chars().next_back();
            let after = tag[at + name.len()..].chars().next();
            if !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char) {
                return Some(template[..start + at].matches('\n').count() + 1);
            }
            from = at + name.len();
        }
        offset = end;
    }
    None
}

#[cfg(test)]
mod tests;
