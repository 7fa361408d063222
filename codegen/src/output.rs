//! The output folder: the generator owns what it writes there and nothing else. A manifest,
//! `.ficus-generate.json`, lists each file written with a hash of its text; a folder holding
//! a file the manifest does not list is refused before anything is written, and each file is
//! written through a temporary sibling and a rename, so a failed run leaves no half file.
//!
//! Not yet: three-way merges of files a person changed, `.ficusignore` (issue
//! #10, point 4). The hash is recorded for them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// One file of the output: either the generator's (rewritten on every run) or written once
/// for people to edit (never rewritten once it exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to the output folder, `/` separators.
    pub path: String,
    pub text: String,
    pub once: bool,
}

impl GeneratedFile {
    pub fn owned(path: String, text: String) -> GeneratedFile {
        GeneratedFile {
            path,
            text,
            once: false,
        }
    }

    pub fn once(path: String, text: String) -> GeneratedFile {
        GeneratedFile {
            path,
            text,
            once: true,
        }
    }
}

/// The file in the output folder that lists what `ficus generate` wrote there.
pub const MANIFEST: &str = ".ficus-generate.json";

/// Refuses a folder that holds files the generator did not write: a missing or empty folder
/// is fine, and so is one whose files are all listed in its manifest. What building the
/// generated workspace leaves (`target/` folders, `Cargo.lock`) is not counted.
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
    let listed = read_manifest(out)?;
    for file in files_under(out)? {
        if file != MANIFEST && !listed.contains(&file) {
            return Err(Error::Output {
                path: out.to_path_buf(),
                message: format!(
                    "holds {file}, which ficus generate did not write (its manifest {MANIFEST} does not list it); choose another output folder or move the file away"
                ),
            });
        }
    }
    Ok(())
}

/// The files that `out` lacks, or holds with other text than this run would write (a file
/// written once for people counts only when missing): what `--check` reports.
pub fn stale_files(out: &Path, files: &[GeneratedFile]) -> Vec<String> {
    files
        .iter()
        .filter(|file| {
            let existing = std::fs::read_to_string(out.join(&file.path)).ok();
            match existing {
                None => true,
                Some(_) if file.once => false,
                Some(text) => text != file.text,
            }
        })
        .map(|file| file.path.clone())
        .collect()
}

/// Writes `files` into `out`, then the manifest; returns the paths of the files written
/// once for people that were kept as they are.
pub fn write_files(out: &Path, files: &[GeneratedFile]) -> Result<Vec<String>, Error> {
    std::fs::create_dir_all(out).map_err(|error| write_error(out, &error))?;
    let mut listed = Vec::new();
    let mut kept = Vec::new();
    for file in files {
        let path = out.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| write_error(parent, &error))?;
        }
        if file.once && path.exists() {
            kept.push(file.path.clone());
        } else {
            write_atomically(&path, &file.text)?;
        }
        listed.push(serde_json::json!({
            "path": file.path,
            "owner": if file.once { "people" } else { "generator" },
            "fnv1a64": format!("{:016x}", fnv1a64(file.text.as_bytes())),
        }));
    }
    let manifest = serde_json::json!({ "generator": "ficus generate", "files": listed });
    // A `json!` value always serialises.
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    write_atomically(&out.join(MANIFEST), &text)?;
    Ok(kept)
}

fn read_manifest(out: &Path) -> Result<BTreeSet<String>, Error> {
    let path = out.join(MANIFEST);
    if !path.exists() {
        return Ok(BTreeSet::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|error| Error::Read {
        path: path.clone(),
        message: error.to_string(),
    })?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| Error::Output {
            path: path.clone(),
            message: format!("not a manifest ficus generate wrote: {error}"),
        })?;
    let files = manifest["files"].as_array().ok_or_else(|| Error::Output {
        path: path.clone(),
        message: "field `files` is missing".to_string(),
    })?;
    Ok(files
        .iter()
        .filter_map(|file| file["path"].as_str().map(str::to_string))
        .collect())
}

/// Files under `dir`, relative to it with `/` separators.
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
    let temporary = path.with_extension("ficus-tmp");
    std::fs::write(&temporary, text).map_err(|error| write_error(&temporary, &error))?;
    std::fs::rename(&temporary, path).map_err(|error| write_error(path, &error))
}

fn write_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

/// FNV-1a, 64 bits: enough to notice that a file changed since it was written.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
