//! `MIGRATION.md`: the port as a to-do list for people, rendered from the embedded template
//! `templates/MIGRATION.md.tera` with a typed context ([`MigrationContext`]).

use serde::Serialize;

use crate::error::Error;
use crate::port::{Class, Port};

const TEMPLATE_NAME: &str = "MIGRATION.md";
const TEMPLATE: &str = include_str!("../templates/MIGRATION.md.tera");

/// What the template sees.
#[derive(Debug, Serialize)]
pub struct MigrationContext<'p> {
    pub port: &'p Port,
    pub counts: Counts,
}

/// Operations by class.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub ready: usize,
    pub needs_change: usize,
    pub blocked: usize,
}

/// The text of `MIGRATION.md` for `port`.
pub fn migration_md(port: &Port) -> Result<String, Error> {
    let mut counts = Counts::default();
    for operation in &port.operations {
        match operation.class {
            Class::Ready => counts.ready += 1,
            Class::NeedsChange => counts.needs_change += 1,
            Class::Blocked => counts.blocked += 1,
        }
    }
    let context = MigrationContext { port, counts };
    let mut tera = tera::Tera::default();
    tera.add_raw_template(TEMPLATE_NAME, TEMPLATE)
        .map_err(|error| template_error(&error))?;
    let context =
        tera::Context::from_serialize(&context).map_err(|error| template_error(&error))?;
    tera.render(TEMPLATE_NAME, &context)
        .map_err(|error| template_error(&error))
}

/// Tera's error with its causes, which hold the line and the variable.
fn template_error(error: &tera::Error) -> Error {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Template {
        name: TEMPLATE_NAME.to_string(),
        message,
    }
}
