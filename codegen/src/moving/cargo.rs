//! The monolith package's manifest as `--move` needs it: the dependencies the moved and
//! carried code was written against (with `workspace = true` entries resolved against the
//! workspace's `[workspace.dependencies]`, and `path` dependencies made absolute), and its
//! edition.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// What the package's manifest says about building its code.
#[derive(Debug, Clone)]
pub(super) struct PackageDeps {
    /// `[package] name`.
    pub package: String,
    /// The library target's root file (`[lib] path`, else `src/lib.rs`), when the package
    /// has one.
    pub lib_root: Option<PathBuf>,
    pub edition: String,
    /// By the name code uses; each a TOML table (`version`, `features`, `path`, ...).
    pub dependencies: BTreeMap<String, toml::Table>,
}

/// The manifest of the package holding `file` (absolute): the nearest `Cargo.toml` above it
/// with a `[package]`.
pub(super) fn package_of(file: &Path) -> Result<(PathBuf, PackageDeps), Error> {
    let mut dir = file.parent();
    while let Some(current) = dir {
        let manifest = current.join("Cargo.toml");
        if manifest.is_file() {
            let table = read(&manifest)?;
            if table.contains_key("package") {
                let deps = package_deps(&manifest, &table)?;
                return Ok((current.to_path_buf(), deps));
            }
        }
        dir = current.parent();
    }
    Err(Error::Read {
        path: file.to_path_buf(),
        message: "no Cargo.toml with a [package] above it".to_string(),
    })
}

fn read(manifest: &Path) -> Result<toml::Table, Error> {
    let text = std::fs::read_to_string(manifest).map_err(|error| Error::Read {
        path: manifest.to_path_buf(),
        message: error.to_string(),
    })?;
    text.parse::<toml::Table>().map_err(|error| Error::Read {
        path: manifest.to_path_buf(),
        message: error.to_string(),
    })
}

/// The workspace manifest above `package_dir` (itself included), if any.
fn workspace_of(package_dir: &Path) -> Result<Option<(PathBuf, toml::Table)>, Error> {
    let mut dir = Some(package_dir);
    while let Some(current) = dir {
        let manifest = current.join("Cargo.toml");
        if manifest.is_file() {
            let table = read(&manifest)?;
            if table.contains_key("workspace") {
                return Ok(Some((current.to_path_buf(), table)));
            }
        }
        dir = current.parent();
    }
    Ok(None)
}

fn package_deps(manifest: &Path, table: &toml::Table) -> Result<PackageDeps, Error> {
    let package_dir = manifest.parent().unwrap_or(Path::new("."));
    let workspace = workspace_of(package_dir)?;
    let workspace_table = |key: &str| -> Option<&toml::Table> {
        workspace
            .as_ref()
            .and_then(|(_, table)| table.get("workspace"))
            .and_then(|ws| ws.get(key))
            .and_then(toml::Value::as_table)
    };
    let package = table.get("package").and_then(toml::Value::as_table);
    let edition = match package.and_then(|package| package.get("edition")) {
        Some(toml::Value::String(edition)) => edition.clone(),
        Some(toml::Value::Table(inherit)) if inherit.contains_key("workspace") => {
            workspace_table("package")
                .and_then(|package| package.get("edition"))
                .and_then(toml::Value::as_str)
                .unwrap_or("2021")
                .to_string()
        }
        _ => "2015".to_string(),
    };
    let package_name = package
        .and_then(|package| package.get("name"))
        .and_then(toml::Value::as_str)
        .unwrap_or_default()
        .to_string();
    let lib_root = Some(
        package_dir.join(
            table
                .get("lib")
                .and_then(|lib| lib.get("path"))
                .and_then(toml::Value::as_str)
                .unwrap_or("src/lib.rs"),
        ),
    )
    .filter(|path| path.is_file());
    let mut dependencies = BTreeMap::new();
    let Some(declared) = table.get("dependencies").and_then(toml::Value::as_table) else {
        return Ok(PackageDeps {
            package: package_name,
            lib_root,
            edition,
            dependencies,
        });
    };
    for (name, spec) in declared {
        let mut resolved = as_table(spec);
        if resolved
            .get("workspace")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false)
        {
            resolved.remove("workspace");
            let inherited = workspace_table("dependencies")
                .and_then(|deps| deps.get(name))
                .ok_or_else(|| Error::Read {
                    path: manifest.to_path_buf(),
                    message: format!(
                        "dependency `{name}` says `workspace = true` but no workspace declares it"
                    ),
                })?;
            let mut base = as_table(inherited);
            if let Some((ws_dir, _)) = &workspace {
                absolute_path(&mut base, ws_dir);
            }
            merge_into(&mut base, &resolved);
            resolved = base;
        } else {
            absolute_path(&mut resolved, package_dir);
        }
        dependencies.insert(name.clone(), resolved);
    }
    Ok(PackageDeps {
        package: package_name,
        lib_root,
        edition,
        dependencies,
    })
}

/// A dependency as a table: `"1"` is `{ version = "1" }`.
fn as_table(spec: &toml::Value) -> toml::Table {
    match spec {
        toml::Value::Table(table) => table.clone(),
        other => {
            let mut table = toml::Table::new();
            table.insert("version".to_string(), other.clone());
            table
        }
    }
}

fn absolute_path(spec: &mut toml::Table, base: &Path) {
    if let Some(toml::Value::String(path)) = spec.get("path") {
        let joined = base.join(path);
        let absolute = joined.canonicalize().unwrap_or(joined);
        spec.insert(
            "path".to_string(),
            toml::Value::String(absolute.display().to_string()),
        );
    }
}

/// Adds `extra`'s keys to `spec`; `features` are united, other keys of `extra` win.
pub(super) fn merge_into(spec: &mut toml::Table, extra: &toml::Table) {
    for (key, value) in extra {
        if key == "features" {
            let mut features: Vec<toml::Value> = spec
                .get("features")
                .and_then(toml::Value::as_array)
                .cloned()
                .unwrap_or_default();
            for feature in value.as_array().into_iter().flatten() {
                if !features.contains(feature) {
                    features.push(feature.clone());
                }
            }
            features.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            spec.insert(key.clone(), toml::Value::Array(features));
        } else {
            spec.insert(key.clone(), value.clone());
        }
    }
}

/// `name = { ... }` on one line, keys sorted (deterministic output).
pub(super) fn dependency_line(name: &str, spec: &toml::Table) -> String {
    format!("{name} = {}", inline(&toml::Value::Table(spec.clone())))
}

fn inline(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => format!("{text:?}"),
        toml::Value::Table(table) => {
            let parts: Vec<String> = table
                .iter()
                .map(|(key, value)| format!("{key} = {}", inline(value)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        toml::Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", parts.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_dependencies_are_resolved_and_features_united() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"app\"]\n[workspace.package]\nedition = \"2024\"\n[workspace.dependencies]\naxum = { version = \"0.8\", features = [\"json\"] }\nlocal = { path = \"local\" }\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
        std::fs::create_dir_all(dir.path().join("local")).unwrap();
        std::fs::write(
            dir.path().join("app/Cargo.toml"),
            "[package]\nname = \"app\"\nedition.workspace = true\n[dependencies]\naxum = { workspace = true, features = [\"macros\"] }\nlocal.workspace = true\nserde = \"1\"\n",
        )
        .unwrap();
        let (package_dir, deps) = package_of(&dir.path().join("app/src/lib.rs")).unwrap();
        assert_eq!(package_dir, dir.path().join("app"));
        assert_eq!(deps.edition, "2024");
        assert_eq!(
            dependency_line("axum", &deps.dependencies["axum"]),
            r#"axum = { features = ["json", "macros"], version = "0.8" }"#
        );
        assert_eq!(
            dependency_line("serde", &deps.dependencies["serde"]),
            r#"serde = { version = "1" }"#
        );
        let local = deps.dependencies["local"]["path"].as_str().unwrap();
        assert!(Path::new(local).is_absolute(), "{local}");
    }
}
