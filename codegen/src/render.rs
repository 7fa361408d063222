//! The embedded templates and how they render: one `tera` instance holding every template,
//! each rendered from a typed context, and generated Rust formatted with `prettyplease`
//! (which also proves it parses). A template error names the template and carries tera's
//! causes, which give the line and the variable.

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
];

pub struct Renderer {
    tera: tera::Tera,
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
        for (name, text) in TEMPLATES {
            let overridden = overrides.map(|dir| dir.join(format!("{name}.tera")));
            match overridden.filter(|path| path.is_file()) {
                Some(path) => {
                    let text = std::fs::read_to_string(&path).map_err(|error| Error::Read {
                        path: path.clone(),
                        message: error.to_string(),
                    })?;
                    tera.add_raw_template(name, &text).map_err(|error| {
                        template_error(&format!("{name} ({})", path.display()), &error)
                    })?;
                }
                None => tera
                    .add_raw_template(name, text)
                    .map_err(|error| template_error(name, &error))?,
            }
        }
        Ok(Renderer { tera })
    }

    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, Error> {
        let context =
            tera::Context::from_serialize(context).map_err(|error| template_error(name, &error))?;
        self.tera
            .render(name, &context)
            .map_err(|error| template_error(name, &error))
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
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Template {
        name: name.to_string(),
        message,
    }
}
