//! The error shape read from code written the ways web crates write it.

use std::path::Path;

use super::{ErrorShape, error_shape};
use crate::model::{CodeItem, CodeModel, ModuleSource};
use crate::port::source::Sources;

fn module(id: &str, file: &str, parent: Option<&str>, line: u32) -> ModuleSource {
    ModuleSource {
        id: id.to_string(),
        path: id.to_string(),
        file: file.to_string(),
        line,
        parent: parent.map(str::to_string),
    }
}

/// `app::web::errors` (private to `web`, which re-exports the type) holding `text`.
fn shape_of(dir: &Path, text: &str, extra: &[(&str, &str)]) -> Option<ErrorShape> {
    std::fs::write(dir.join("lib.rs"), "pub mod web;\n").unwrap();
    std::fs::write(
        dir.join("web.rs"),
        "mod errors;\npub use errors::{ApiFailure, Other};\n",
    )
    .unwrap();
    std::fs::write(dir.join("errors.rs"), text).unwrap();
    let mut model = CodeModel {
        module_sources: vec![
            module("app", "lib.rs", None, 1),
            module("app::web", "web.rs", Some("app"), 1),
            module("app::web::errors", "errors.rs", Some("app::web"), 1),
        ],
        ..CodeModel::default()
    };
    for (file, body) in extra {
        std::fs::write(dir.join(file), body).unwrap();
        model.items.push(CodeItem {
            path: "app::web::errors::ApiFailure::status".to_string(),
            kind: "method".to_string(),
            module: "app::other".to_string(),
            file: file.to_string(),
            line: 2,
        });
    }
    let line = text
        .lines()
        .position(|line| line.contains("enum ApiFailure"))
        .unwrap() as u32
        + 1;
    let mut sources = Sources::new(dir);
    error_shape(
        &mut sources,
        &model,
        "app::web::errors::ApiFailure",
        "errors.rs",
        line,
    )
    .unwrap()
}

fn statuses(shape: &ErrorShape) -> Vec<(&str, Option<u16>)> {
    shape
        .variants
        .iter()
        .map(|variant| (variant.name.as_str(), variant.status))
        .collect()
}

#[test]
fn axum_status_arms_give_each_variant_its_status_and_guards_do_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let shape = shape_of(
        dir.path(),
        r#"
#[derive(Debug, thiserror::Error)]
pub enum ApiFailure {
    #[error("{0} not found")]
    Missing(String),
    #[error("invalid: {reason}")]
    Invalid { reason: String },
    #[error("taken")]
    Taken,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Unexpected(String),
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiFailure::Missing(_) => StatusCode::NOT_FOUND,
            Self::Invalid { .. } => axum::http::StatusCode::from_u16(422).unwrap(),
            ApiFailure::Store(error) if error.is_unique() => StatusCode::CONFLICT,
            Taken => http::StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, self.to_string()).into_response()
    }
}
"#,
        &[],
    )
    .expect("a shape");
    assert_eq!(shape.named, "crate::web::ApiFailure");
    assert_eq!(
        statuses(&shape),
        [
            ("Missing", Some(404)),
            ("Invalid", Some(422)),
            ("Taken", Some(409)),
            ("Store", Some(500)),
            ("Unexpected", Some(500)),
        ]
    );
    assert_eq!(
        shape.rejected(),
        [("Missing", 404), ("Invalid", 422), ("Taken", 409)]
    );
    let arms = shape.arms();
    let missing = arms.iter().find(|arm| arm.status == 404).unwrap();
    assert_eq!(
        (
            missing.variant.as_str(),
            missing.prefix.as_str(),
            missing.suffix.as_str()
        ),
        ("Missing", "", " not found")
    );
    let invalid = arms.iter().find(|arm| arm.status == 422).unwrap();
    assert_eq!(invalid.field.as_deref(), Some("reason"));
    assert_eq!(invalid.prefix, "invalid: ");
    // `Taken` holds no message: no arm for 409.
    assert!(arms.iter().all(|arm| arm.status != 409));
    assert_eq!(shape.fallback().unwrap().variant, "Unexpected");
}

#[test]
fn actix_status_methods_in_another_file_count() {
    let dir = tempfile::tempdir().unwrap();
    let shape = shape_of(
        dir.path(),
        "pub enum ApiFailure {\n    Gone(String),\n    Broken(String),\n}\n",
        &[(
            "respond.rs",
            r#"
impl ResponseError for crate::web::ApiFailure {
    fn error_response(&self) -> HttpResponse {
        match self {
            crate::web::ApiFailure::Gone(message) => HttpResponse::NotFound().body(message.clone()),
            crate::web::ApiFailure::Broken(_) => HttpResponse::InternalServerError().finish(),
        }
    }
}
"#,
        )],
    )
    .expect("a shape");
    assert_eq!(
        statuses(&shape),
        [("Gone", Some(404)), ("Broken", Some(500))]
    );
    assert_eq!(shape.fallback().unwrap().variant, "Broken");
}

#[test]
fn no_status_anywhere_gives_no_shape() {
    let dir = tempfile::tempdir().unwrap();
    let shape = shape_of(
        dir.path(),
        "pub enum ApiFailure {\n    A(String),\n}\nimpl ApiFailure {\n    fn code(&self) -> &str {\n        match self {\n            ApiFailure::A(_) => \"a\",\n        }\n    }\n}\n",
        &[],
    );
    assert!(shape.is_none());
}
