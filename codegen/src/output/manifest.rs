//! The record of the last run: `.ficus-generate.json` lists each file with its owner, the
//! template it came from and a hash of the text the generator produced for it, and
//! `.ficus-generate/base/PATH` holds that text, the base of the next three-way merge.
//!
//! The manifest holds hashes only, so it stays small and diffs readably; the base copies are
//! plain files a person can diff against (`diff .ficus-generate/base/X X` shows their edits).
//! A base copy whose hash is not the manifest's is not trusted. This module reads and writes
//! these records; it decides nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The file in the output folder that lists what `ficus generate` wrote there.
pub const MANIFEST: &str = ".ficus-generate.json";

/// The folder, beside the manifest, that holds the last generated text of each file.
pub const BASE_DIR: &str = ".ficus-generate/base";

/// What the manifest records of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(crate) path: String,
    /// `generator` (rewritten) or `people` (written once, then merged).
    pub(crate) owner: String,
    /// The template it was rendered from; absent for files written from Rust (`openapi.json`)
    /// and in manifests written before templates were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) template: Option<String>,
    /// FNV-1a, 64 bits, hex, of the text the generator produced (the base copy), which is
    /// not the file's text after a merge.
    pub(crate) fnv1a64: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ManifestFile {
    generator: String,
    /// 2 since base copies are kept; absent (1) before.
    #[serde(default = "version_one")]
    version: u32,
    files: Vec<Entry>,
}

fn version_one() -> u32 {
    1
}

/// The manifest of `out`, by path; empty when there is none.
pub(crate) fn read_manifest(out: &Path) -> Result<BTreeMap<String, Entry>, Error> {
    let path = out.join(MANIFEST);
    let Some(text) = read_if_present(&path)? else {
        return Ok(BTreeMap::new());
    };
    let manifest: ManifestFile = serde_json::from_str(&text).map_err(|error| Error::Output {
        path: path.clone(),
        message: format!("not a manifest ficus generate wrote: {error}"),
    })?;
    Ok(manifest
        .files
        .into_iter()
        .map(|entry| (entry.path.clone(), entry))
        .collect())
}

/// The manifest's text for `entries`, sorted by path.
pub(crate) fn manifest_text(entries: &BTreeMap<String, Entry>) -> String {
    let manifest = ManifestFile {
        generator: "ficus generate".to_string(),
        version: 2,
        files: entries.values().cloned().collect(),
    };
    // Strings and numbers only: always serialises.
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    text
}

/// The last generated text of `entry`, when its base copy is there and has the recorded hash.
pub(crate) fn read_base(out: &Path, entry: &Entry) -> Result<Option<String>, Error> {
    let text = read_if_present(&base_path(out, &entry.path))?;
    Ok(text.filter(|text| hash_hex(text) == entry.fnv1a64))
}

pub(crate) fn base_path(out: &Path, path: &str) -> PathBuf {
    out.join(BASE_DIR).join(path)
}

/// `path`'s text, `None` when it does not exist.
pub(crate) fn read_if_present(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(Error::Read {
            path: path.to_path_buf(),
            message: error.to_string(),
        }),
    }
}

pub(crate) fn hash_hex(text: &str) -> String {
    format!("{:016x}", fnv1a64(text.as_bytes()))
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
