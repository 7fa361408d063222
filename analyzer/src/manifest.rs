//! Reads `Cargo.toml` files: packages, their targets as Cargo discovers them, their
//! dependencies (with renames), and the workspaces they belong to.
//!
//! Only what the analysis needs; no `Cargo.lock`, no registry, no feature resolution. A
//! manifest that is not valid TOML becomes a diagnostic with its line, and the rest goes on.

use std::collections::{BTreeMap, HashSet};

use toml::{Table, Value};

use crate::load::{join_relative, parent_dir};
use crate::model::{Diagnostic, Severity};

/// One package found on disk.
#[derive(Debug, Clone)]
pub(crate) struct Package {
    pub name: String,
    pub version: Option<String>,
    /// Relative path of `Cargo.toml`.
    pub manifest: String,
    /// Folder of `Cargo.toml` (`""` for the analysed folder itself).
    pub dir: String,
    pub workspace: Option<String>,
    pub targets: Vec<TargetSpec>,
    pub dependencies: Vec<DependencySpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TargetSpec {
    pub kind: TargetKind,
    /// Crate name as code sees it.
    pub name: String,
    pub root: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum TargetKind {
    Lib,
    ProcMacro,
    Bin,
    Example,
    Test,
    Bench,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Lib => "lib",
            TargetKind::ProcMacro => "proc-macro",
            TargetKind::Bin => "bin",
            TargetKind::Example => "example",
            TargetKind::Test => "test",
            TargetKind::Bench => "bench",
        }
    }

    pub fn is_library(self) -> bool {
        matches!(self, TargetKind::Lib | TargetKind::ProcMacro)
    }

    /// Analysed unless `--all-targets` asks for more.
    pub fn is_primary(self) -> bool {
        matches!(
            self,
            TargetKind::Lib | TargetKind::ProcMacro | TargetKind::Bin
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct DependencySpec {
    /// Name in code (`-` as `_`).
    pub name: String,
    pub package: String,
    /// `normal`, `dev` or `build`.
    pub kind: &'static str,
}

/// A `[workspace]` table.
#[derive(Debug, Clone)]
struct Workspace {
    manifest: String,
    dir: String,
    members: Vec<String>,
    exclude: Vec<String>,
    /// `[workspace.dependencies]`: key -> package name.
    dependencies: BTreeMap<String, String>,
}

/// Reads every manifest. `text_of` returns a manifest's text (or a diagnostic);
/// `rust_files` is the set of `.rs` files found, to discover targets the way Cargo does.
pub(crate) fn read_packages(
    manifests: &[String],
    text_of: &dyn Fn(&str) -> Result<String, Diagnostic>,
    rust_files: &HashSet<&str>,
) -> (Vec<Package>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut parsed = Vec::new();
    for manifest in manifests {
        match text_of(manifest).and_then(|text| parse_toml(manifest, &text)) {
            Ok(table) => parsed.push((manifest.clone(), table)),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    let workspaces: Vec<Workspace> = parsed
        .iter()
        .filter_map(|(manifest, table)| workspace_of(manifest, table))
        .collect();
    let mut packages = Vec::new();
    for (manifest, table) in &parsed {
        let Some(package) = table.get("package").and_then(Value::as_table) else {
            continue;
        };
        let dir = parent_dir(manifest).to_string();
        let Some(name) = package.get("name").and_then(Value::as_str) else {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                file: manifest.clone(),
                line: 0,
                message: "`[package]` has no `name`".to_string(),
            });
            continue;
        };
        let workspace = find_workspace(&workspaces, manifest, &dir, package);
        let version = package
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_string);
        let targets = discover_targets(name, &dir, table, rust_files);
        let dependencies = dependencies_of(table, workspace);
        packages.push(Package {
            name: name.to_string(),
            version,
            manifest: manifest.clone(),
            dir,
            workspace: workspace.map(|workspace| workspace.manifest.clone()),
            targets,
            dependencies,
        });
    }
    let packages = within_root_workspace(packages, &workspaces, &mut diagnostics);
    (packages, diagnostics)
}

/// When the analysed folder is a workspace, its application is that workspace: its members,
/// the root package, and the packages they reach through dependencies. Other packages found
/// below it (a folder the workspace `exclude`s, a bundled client with examples of its own) are
/// left out with one info diagnostic each, as Cargo would not build them with the workspace.
/// A folder that is no workspace keeps every package.
fn within_root_workspace(
    packages: Vec<Package>,
    workspaces: &[Workspace],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Package> {
    let Some(root) = workspaces.iter().find(|workspace| workspace.dir.is_empty()) else {
        return packages;
    };
    let mut kept: Vec<bool> = packages
        .iter()
        .map(|package| {
            package.dir.is_empty() || package.workspace.as_deref() == Some(root.manifest.as_str())
        })
        .collect();
    // Dependencies of kept packages are kept, to a fixpoint.
    let mut changed = true;
    while changed {
        changed = false;
        let wanted: HashSet<&str> = packages
            .iter()
            .zip(&kept)
            .filter(|(_, kept)| **kept)
            .flat_map(|(package, _)| package.dependencies.iter())
            .map(|dependency| dependency.package.as_str())
            .collect();
        for (package, kept) in packages.iter().zip(kept.iter_mut()) {
            if !*kept && wanted.contains(package.name.as_str()) {
                *kept = true;
                changed = true;
            }
        }
    }
    let mut out = Vec::with_capacity(packages.len());
    for (package, kept) in packages.into_iter().zip(kept) {
        if kept {
            out.push(package);
        } else {
            diagnostics.push(Diagnostic {
                severity: Severity::Info,
                file: package.manifest.clone(),
                line: 0,
                message: format!(
                    "package `{}` is not part of the workspace in {} (not a member, nor a dependency of one); left out",
                    package.name, root.manifest
                ),
            });
        }
    }
    out
}

fn parse_toml(manifest: &str, text: &str) -> Result<Table, Diagnostic> {
    text.parse::<Table>().map_err(|error| {
        let line = error.span().map_or(0, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        Diagnostic {
            severity: Severity::Error,
            file: manifest.to_string(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            message: format!("invalid TOML: {}", error.message()),
        }
    })
}

fn workspace_of(manifest: &str, table: &Table) -> Option<Workspace> {
    let workspace = table.get("workspace")?.as_table()?;
    let strings = |key: &str| -> Vec<String> {
        workspace
            .get(key)
            .and_then(Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let dependencies = workspace
        .get("dependencies")
        .and_then(Value::as_table)
        .map(|deps| {
            deps.iter()
                .map(|(key, value)| {
                    let package = value.get("package").and_then(Value::as_str).unwrap_or(key);
                    (key.clone(), package.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Workspace {
        manifest: manifest.to_string(),
        dir: parent_dir(manifest).to_string(),
        members: strings("members"),
        exclude: strings("exclude"),
        dependencies,
    })
}

/// The workspace a package belongs to: `package.workspace` if set, else the nearest enclosing
/// workspace that lists it as a member (or is its own manifest).
fn find_workspace<'a>(
    workspaces: &'a [Workspace],
    manifest: &str,
    dir: &str,
    package: &Table,
) -> Option<&'a Workspace> {
    if let Some(explicit) = package.get("workspace").and_then(Value::as_str) {
        let target = join_relative(dir, explicit)?;
        return workspaces.iter().find(|workspace| workspace.dir == target);
    }
    workspaces
        .iter()
        .filter(|workspace| {
            workspace.manifest == manifest
                || (is_inside(dir, &workspace.dir) && {
                    let relative = strip_dir(dir, &workspace.dir);
                    workspace
                        .members
                        .iter()
                        .any(|pattern| glob_match(pattern.trim_end_matches('/'), relative))
                        && !workspace
                            .exclude
                            .iter()
                            .any(|pattern| glob_match(pattern.trim_end_matches('/'), relative))
                })
        })
        .max_by_key(|workspace| workspace.dir.len())
}

fn is_inside(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty() || dir == ancestor || dir.starts_with(&format!("{ancestor}/"))
}

fn strip_dir<'a>(dir: &'a str, ancestor: &str) -> &'a str {
    if ancestor.is_empty() {
        dir
    } else {
        dir.strip_prefix(ancestor)
            .map_or(dir, |rest| rest.trim_start_matches('/'))
    }
}

/// Glob matching for workspace member patterns: `*` and `?` within one path segment, `**`
/// across segments.
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let path: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    match_segments(&pattern, &path)
}

fn match_segments(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| match_segments(rest, &path[skip..])),
        Some((first, rest)) => path.split_first().is_some_and(|(head, tail)| {
            match_segment(first.as_bytes(), head.as_bytes()) && match_segments(rest, tail)
        }),
    }
}

fn match_segment(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| match_segment(rest, &text[skip..])),
        Some((b'?', rest)) => !text.is_empty() && match_segment(rest, &text[1..]),
        Some((byte, rest)) => text.first() == Some(byte) && match_segment(rest, &text[1..]),
    }
}

/// Targets as Cargo finds them: explicit `[lib]`, `[[bin]]`, ... tables, plus the
/// conventional files unless `autobins = false` (and likewise for examples, tests, benches).
fn discover_targets(
    package_name: &str,
    dir: &str,
    table: &Table,
    rust_files: &HashSet<&str>,
) -> Vec<TargetSpec> {
    let crate_name = |name: &str| name.replace('-', "_");
    let exists = |relative: &str| rust_files.contains(relative);
    let at = |path: &str| join_relative(dir, path).unwrap_or_else(|| path.to_string());
    let package = table.get("package").and_then(Value::as_table);
    let auto = |key: &str| {
        package
            .and_then(|package| package.get(key))
            .and_then(Value::as_bool)
            .unwrap_or(true)
    };
    let mut targets = Vec::new();

    let lib = table.get("lib").and_then(Value::as_table);
    let lib_root = lib
        .and_then(|lib| lib.get("path"))
        .and_then(Value::as_str)
        .map(at)
        .or_else(|| {
            let default = at("src/lib.rs");
            exists(&default).then_some(default)
        });
    if let Some(root) = lib_root {
        let name = lib
            .and_then(|lib| lib.get("name"))
            .and_then(Value::as_str)
            .map_or_else(|| crate_name(package_name), crate_name);
        let proc_macro = lib
            .and_then(|lib| lib.get("proc-macro").or_else(|| lib.get("proc_macro")))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        targets.push(TargetSpec {
            kind: if proc_macro {
                TargetKind::ProcMacro
            } else {
                TargetKind::Lib
            },
            name,
            root,
        });
    }

    let kinds = [
        ("bin", "autobins", "src/bin", TargetKind::Bin),
        ("example", "autoexamples", "examples", TargetKind::Example),
        ("test", "autotests", "tests", TargetKind::Test),
        ("bench", "autobenches", "benches", TargetKind::Bench),
    ];
    for (key, auto_key, folder, kind) in kinds {
        let mut found: Vec<TargetSpec> = Vec::new();
        for entry in table
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(entry) = entry.as_table() else {
                continue;
            };
            let Some(name) = entry.get("name").and_then(Value::as_str) else {
                continue;
            };
            let root = entry
                .get("path")
                .and_then(Value::as_str)
                .map(at)
                .or_else(|| {
                    let mut candidates = vec![
                        at(&format!("{folder}/{name}.rs")),
                        at(&format!("{folder}/{name}/main.rs")),
                    ];
                    if kind == TargetKind::Bin && name == package_name {
                        candidates.insert(0, at("src/main.rs"));
                    }
                    candidates.into_iter().find(|candidate| exists(candidate))
                });
            if let Some(root) = root {
                found.push(TargetSpec {
                    kind,
                    name: crate_name(name),
                    root,
                });
            }
        }
        if auto(auto_key) {
            let mut conventional = Vec::new();
            if kind == TargetKind::Bin && exists(&at("src/main.rs")) {
                conventional.push((crate_name(package_name), at("src/main.rs")));
            }
            let prefix = at(folder);
            for file in rust_files
                .iter()
                .filter(|file| file.starts_with(&format!("{prefix}/")))
            {
                let rest = &file[prefix.len() + 1..];
                match rest.split('/').collect::<Vec<_>>().as_slice() {
                    [single] => conventional.push((
                        crate_name(single.trim_end_matches(".rs")),
                        (*file).to_string(),
                    )),
                    [folder_name, "main.rs"] => {
                        conventional.push((crate_name(folder_name), (*file).to_string()))
                    }
                    _ => {}
                }
            }
            for (name, root) in conventional {
                if !found
                    .iter()
                    .any(|target| target.root == root || target.name == name)
                {
                    found.push(TargetSpec { kind, name, root });
                }
            }
        }
        targets.extend(found);
    }
    targets.sort();
    targets.dedup();
    targets
}

fn dependencies_of(table: &Table, workspace: Option<&Workspace>) -> Vec<DependencySpec> {
    let mut tables: Vec<(&Table, &'static str)> = Vec::new();
    let sections = [
        ("dependencies", "normal"),
        ("dev-dependencies", "dev"),
        ("build-dependencies", "build"),
    ];
    for (section, kind) in sections {
        if let Some(deps) = table.get(section).and_then(Value::as_table) {
            tables.push((deps, kind));
        }
    }
    for platform in table
        .get("target")
        .and_then(Value::as_table)
        .into_iter()
        .flat_map(|targets| targets.values())
    {
        for (section, kind) in sections {
            if let Some(deps) = platform.get(section).and_then(Value::as_table) {
                tables.push((deps, kind));
            }
        }
    }
    let mut dependencies = Vec::new();
    for (deps, kind) in tables {
        for (key, value) in deps {
            let package = match value.get("package").and_then(Value::as_str) {
                Some(package) => package.to_string(),
                None if value.get("workspace").and_then(Value::as_bool) == Some(true) => workspace
                    .and_then(|workspace| workspace.dependencies.get(key).cloned())
                    .unwrap_or_else(|| key.clone()),
                None => key.clone(),
            };
            dependencies.push(DependencySpec {
                name: key.replace('-', "_"),
                package,
                kind,
            });
        }
    }
    dependencies.sort();
    dependencies.dedup();
    dependencies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_member_globs() {
        assert!(glob_match("crates/*", "crates/api"));
        assert!(!glob_match("crates/*", "crates/api/sub"));
        assert!(glob_match("crates/**", "crates/api/sub"));
        assert!(glob_match("app", "app"));
        assert!(glob_match("svc-?", "svc-a"));
        assert!(!glob_match("svc-?", "svc-ab"));
    }

    #[test]
    fn issue_9_packages_outside_the_root_workspace_are_left_out() {
        let manifests: &[(&str, &str)] = &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"client\"]\n",
            ),
            (
                "crates/app/Cargo.toml",
                "[package]\nname = \"app\"\n[dependencies]\nshared = { path = \"../../shared\" }\n",
            ),
            ("shared/Cargo.toml", "[package]\nname = \"shared\"\n"),
            ("client/Cargo.toml", "[package]\nname = \"client\"\n"),
            (
                "client/examples/demo/Cargo.toml",
                "[package]\nname = \"demo\"\n[dependencies]\nclient = { path = \"../..\" }\n",
            ),
        ];
        let names: Vec<String> = manifests.iter().map(|(name, _)| name.to_string()).collect();
        let text_of = |manifest: &str| -> Result<String, Diagnostic> {
            Ok(manifests
                .iter()
                .find(|(name, _)| *name == manifest)
                .map(|(_, text)| text.to_string())
                .unwrap_or_default())
        };
        let (packages, diagnostics) = read_packages(&names, &text_of, &HashSet::new());
        let mut kept: Vec<&str> = packages
            .iter()
            .map(|package| package.name.as_str())
            .collect();
        kept.sort_unstable();
        assert_eq!(kept, ["app", "shared"]);
        let mut left_out: Vec<&str> = diagnostics
            .iter()
            .map(|diagnostic| diagnostic.file.as_str())
            .collect();
        left_out.sort_unstable();
        assert_eq!(
            left_out,
            ["client/Cargo.toml", "client/examples/demo/Cargo.toml"]
        );
        assert!(diagnostics[0].message.contains("left out"));
    }

    #[test]
    fn invalid_toml_names_the_line() {
        let error = parse_toml("Cargo.toml", "[package]\nname = \"x\"\nversion = \n").unwrap_err();
        assert_eq!(error.file, "Cargo.toml");
        assert_eq!(error.line, 3);
        assert!(
            error.message.starts_with("invalid TOML"),
            "{}",
            error.message
        );
    }
}
