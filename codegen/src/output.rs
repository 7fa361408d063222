//! The output folder: the generator owns what it writes there and nothing else, and a second
//! run does not clobber what people changed.
//!
//! The manifest, `.ficus-generate.json`, lists each file with its owner, its template and a
//! hash of the text the generator produced; `.ficus-generate/base/PATH` keeps that text
//! (`manifest.rs`). A folder holding a file the manifest does not list is refused before
//! anything is written, unless `.ficusignore` (`ignore.rs`) matches it. [`plan_output`]
//! compares each new file with the last generated text and the file on disk and decides
//! create, update, merge (three-way, line based), skip, conflict or delete (`decide.rs`, the
//! table of `docs/codegen.md`); [`OutputPlan::write`] applies that, each file through a
//! temporary sibling and a rename, the manifest last; `report.rs` prints it, with diffs for
//! `--dry-run`. Nothing here renders templates or knows what the files hold.

mod decide;
mod ignore;
mod manifest;
mod report;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use decide::Action;
pub use ignore::IGNORE_FILE;
pub use manifest::{BASE_DIR, MANIFEST};

use crate::error::Error;
use decide::{Last, Record, decide};
use ignore::FicusIgnore;
use manifest::{Entry, base_path, hash_hex, manifest_text, read_base, read_if_present};

/// One file of the output: either the generator's (rewritten on every run, merged when a
/// person edited it anyway) or written once for people to edit (merged when the template's
/// output for it changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to the output folder, `/` separators.
    pub path: String,
    pub text: String,
    pub once: bool,
    /// The template it was rendered from, recorded in the manifest; `None` for a file
    /// written from Rust.
    pub template: Option<String>,
}

impl GeneratedFile {
    pub fn owned(path: String, text: String) -> GeneratedFile {
        GeneratedFile {
            path,
            text,
            once: false,
            template: None,
        }
    }

    pub fn once(path: String, text: String) -> GeneratedFile {
        GeneratedFile {
            path,
            text,
            once: true,
            template: None,
        }
    }

    /// The same file, recorded as rendered from template `name`.
    pub fn from_template(mut self, name: &str) -> GeneratedFile {
        self.template = Some(name.to_string());
        self
    }

    fn owner(&self) -> &'static str {
        if self.once { "people" } else { "generator" }
    }
}

/// What one run does, or would do, to one file of the output folder.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub path: String,
    pub action: Action,
    pub reason: &'static str,
    /// `generator` or `people`.
    pub owner: &'static str,
    pub template: Option<String>,
    /// Unified diff from the file on disk to what is written; empty for `skip`.
    pub diff: String,
    /// The text written (`create`, `update`, `merge`, a new `conflict`).
    #[serde(skip)]
    text: Option<String>,
}

/// The changes one run makes to an output folder, decided before anything is written.
#[derive(Debug)]
pub struct OutputPlan {
    out: PathBuf,
    changes: Vec<FileChange>,
    /// The manifest after the run.
    entries: BTreeMap<String, Entry>,
    /// Base copies to write: path and the generated text.
    bases: Vec<(String, String)>,
}

/// Refuses a folder that holds files the generator did not write: a missing or empty folder
/// is fine, and so is one whose files are all listed in its manifest. What building the
/// generated workspace leaves (`target/` folders, `Cargo.lock`), the manifest's base copies,
/// `.ficusignore` and the files it matches are not counted.
pub fn check_output_folder(out: &Path) -> Result<(), Error> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::Output {
            path: out.to_path_buf(),
            message: "not a folder".to_string(),
        });
    }
    let listed = manifest::read_manifest(out)?;
    let ignore = FicusIgnore::read(out)?;
    for file in files_under(out)? {
        let ours = file == MANIFEST || file == IGNORE_FILE || file.starts_with(".ficus-generate/");
        if !ours && !listed.contains_key(&file) && !ignore.excludes(&file) {
            return Err(Error::Output {
                path: out.to_path_buf(),
                message: format!(
                    "holds {file}, which ficus generate did not write (its manifest {MANIFEST} does not list it); choose another output folder, move the file away or list it in {IGNORE_FILE}"
                ),
            });
        }
    }
    Ok(())
}

/// Compares `files` with what `out` holds and what the last run generated, and decides what
/// to do with each file: writes nothing. The files come first, in their order, then the
/// files of the last run this one no longer generates, by path.
pub fn plan_output(out: &Path, files: &[GeneratedFile]) -> Result<OutputPlan, Error> {
    check_output_folder(out)?;
    let last = manifest::read_manifest(out)?;
    let ignore = FicusIgnore::read(out)?;
    let mut plan = OutputPlan {
        out: out.to_path_buf(),
        changes: Vec::with_capacity(files.len()),
        entries: BTreeMap::new(),
        bases: Vec::new(),
    };
    for file in files {
        if ignore.excludes(&file.path) {
            plan.changes.push(FileChange {
                path: file.path.clone(),
                action: Action::Skip,
                reason: "listed in .ficusignore",
                owner: file.owner(),
                template: file.template.clone(),
                diff: String::new(),
                text: None,
            });
            continue;
        }
        let entry = last.get(&file.path);
        let decided = decide_with_disk(out, Some(file), entry)?;
        match decided.0.record {
            Record::Generated => {
                plan.entries.insert(
                    file.path.clone(),
                    Entry {
                        path: file.path.clone(),
                        owner: file.owner().to_string(),
                        template: file.template.clone(),
                        fnv1a64: hash_hex(&file.text),
                    },
                );
                plan.bases.push((file.path.clone(), file.text.clone()));
            }
            Record::Previous => {
                if let Some(entry) = entry {
                    plan.entries.insert(file.path.clone(), entry.clone());
                }
            }
            Record::Forget => {}
        }
        plan.changes.push(change(
            &file.path,
            file.owner(),
            file.template.clone(),
            decided,
        ));
    }
    for (path, entry) in &last {
        if files.iter().any(|file| &file.path == path) || ignore.excludes(path) {
            continue;
        }
        let decided = decide_with_disk(out, None, Some(entry))?;
        if decided.0.record == Record::Previous {
            plan.entries.insert(path.clone(), entry.clone());
        }
        let owner = if entry.owner == "people" {
            "people"
        } else {
            "generator"
        };
        plan.changes
            .push(change(path, owner, entry.template.clone(), decided));
    }
    Ok(plan)
}

impl OutputPlan {
    pub fn changes(&self) -> &[FileChange] {
        &self.changes
    }

    /// A run would change a file: what `--check` reports. A file still holding conflict
    /// markers counts.
    pub fn is_stale(&self) -> bool {
        self.changes
            .iter()
            .any(|change| change.action != Action::Skip)
    }

    /// The files a run leaves with conflict markers.
    pub fn conflicts(&self) -> impl Iterator<Item = &FileChange> {
        self.changes
            .iter()
            .filter(|change| change.action == Action::Conflict)
    }

    /// Applies the plan: files written, merged or deleted, then the base copies, then the
    /// manifest. Files are written through a temporary sibling and a rename.
    pub fn write(&self) -> Result<(), Error> {
        let out = &self.out;
        std::fs::create_dir_all(out).map_err(|error| write_error(out, &error))?;
        for change in &self.changes {
            let path = out.join(&change.path);
            if let Some(text) = &change.text {
                write_atomically(&path, text)?;
            } else if change.action == Action::Delete {
                remove_file(out, &path)?;
            }
        }
        for (path, text) in &self.bases {
            let base = base_path(out, path);
            if read_if_present(&base)?.as_deref() != Some(text.as_str()) {
                write_atomically(&base, text)?;
            }
        }
        let base_dir = out.join(BASE_DIR);
        if base_dir.is_dir() {
            for path in files_under(&base_dir)? {
                if !self.entries.contains_key(&path) {
                    remove_file(&base_dir, &base_dir.join(&path))?;
                }
            }
        }
        write_atomically(&out.join(MANIFEST), &manifest_text(&self.entries))
    }
}

/// The decision for `file` (or for `entry`, no longer generated) and the text on disk,
/// reading the file and its base copy.
fn decide_with_disk(
    out: &Path,
    file: Option<&GeneratedFile>,
    entry: Option<&Entry>,
) -> Result<(decide::Decision, Option<String>), Error> {
    let path = match (file, entry) {
        (Some(file), _) => file.path.as_str(),
        (None, Some(entry)) => entry.path.as_str(),
        (None, None) => return Ok((decide(None, None, None), None)),
    };
    let on_disk = read_if_present(&out.join(path))?;
    let base = match entry {
        Some(entry) => read_base(out, entry)?,
        None => None,
    };
    let last = entry.map(|entry| Last {
        hash: &entry.fnv1a64,
        base: base.as_deref(),
    });
    Ok((decide(file, last, on_disk.as_deref()), on_disk))
}

/// The change to report for `path`, with its diff from `on_disk`.
fn change(
    path: &str,
    owner: &'static str,
    template: Option<String>,
    (decision, on_disk): (decide::Decision, Option<String>),
) -> FileChange {
    let before = on_disk.unwrap_or_default();
    let diff = match (decision.action, &decision.text) {
        (Action::Skip, _) => String::new(),
        (Action::Delete, _) => report::unified_diff(path, &before, ""),
        (_, Some(after)) => report::unified_diff(path, &before, after),
        // A conflict left from an earlier run: nothing changes.
        (_, None) => String::new(),
    };
    FileChange {
        path: path.to_string(),
        action: decision.action,
        reason: decision.reason,
        owner,
        template,
        diff,
        text: decision.text,
    }
}

/// Files under `dir`, relative to it with `/` separators, sorted. `target/` folders and
/// `Cargo.lock` (what building the workspace leaves) are left out.
fn files_under(dir: &Path) -> Result<Vec<String>, Error> {
    let read_error = |path: &Path, error: std::io::Error| Error::Read {
        path: path.to_path_buf(),
        message: error.to_string(),
    };
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let folder = dir.join(&relative);
        for entry in std::fs::read_dir(&folder).map_err(|error| read_error(&folder, error))? {
            let entry = entry.map_err(|error| read_error(&folder, error))?;
            let path = relative.join(entry.file_name());
            let kind = entry
                .file_type()
                .map_err(|error| read_error(&entry.path(), error))?;
            if entry.file_name() == "target" && kind.is_dir() || entry.file_name() == "Cargo.lock" {
                continue;
            }
            if kind.is_dir() {
                stack.push(path);
            } else {
                files.push(path.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    Ok(files)
}

fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| write_error(parent, &error))?;
    }
    let temporary = path.with_extension("ficus-tmp");
    std::fs::write(&temporary, text).map_err(|error| write_error(&temporary, &error))?;
    std::fs::rename(&temporary, path).map_err(|error| write_error(path, &error))
}

/// Removes `path`, then its folders up to `root` that it leaves empty.
fn remove_file(root: &Path, path: &Path) -> Result<(), Error> {
    std::fs::remove_file(path).map_err(|error| write_error(path, &error))?;
    let mut folder = path.parent();
    while let Some(dir) = folder.filter(|dir| *dir != root && dir.starts_with(root)) {
        // Fails, and stops the walk, on a folder that still holds something.
        if std::fs::remove_dir(dir).is_err() {
            break;
        }
        folder = dir.parent();
    }
    Ok(())
}

fn write_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}
