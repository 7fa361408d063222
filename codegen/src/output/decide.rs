//! What regeneration does with one file: the decision table of `docs/codegen.md`, as a pure
//! function of the new text, the last generated text (the base) and the file on disk, and the
//! three-way merge it calls (`diffy`, diff3 semantics, git's diff3 conflict style).
//!
//! It reads and writes nothing; `output.rs` gathers the inputs and applies the decisions.

use serde::Serialize;

use super::GeneratedFile;
use super::manifest::hash_hex;

/// What a run does, or would do, to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Written where there was none.
    Create,
    /// Rewritten: nobody had edited it since the last run.
    Update,
    /// Your edits and the generator's changes, merged without overlap.
    Merge,
    /// Left as it is.
    Skip,
    /// Your edits and the generator's changes overlap: written with conflict markers, or
    /// still holding the markers of an earlier run.
    Conflict,
    /// Removed: no longer generated, and unchanged since it was.
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Merge => "merge",
            Action::Skip => "skip",
            Action::Conflict => "conflict",
            Action::Delete => "delete",
        }
    }
}

/// What the manifest held for a file: the hash of its last generated text and, when its base
/// copy is there and matches, that text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Last<'a> {
    pub(crate) hash: &'a str,
    pub(crate) base: Option<&'a str>,
}

/// What the manifest records for the file after the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Record {
    /// The new generated text is the base of the next run.
    Generated,
    /// The entry stays as it was.
    Previous,
    /// The entry goes.
    Forget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) action: Action,
    pub(crate) reason: &'static str,
    /// The file's new text, for `create`, `update`, `merge` and a new `conflict`.
    pub(crate) text: Option<String>,
    pub(crate) record: Record,
}

/// The decision for one path: `generated` is this run's file (`None`: no longer generated),
/// `last` what the manifest held (`None`: not listed), `on_disk` the file's text (`None`:
/// missing).
pub(crate) fn decide(
    generated: Option<&GeneratedFile>,
    last: Option<Last<'_>>,
    on_disk: Option<&str>,
) -> Decision {
    let Some(file) = generated else {
        return decide_removed(last, on_disk);
    };
    let Some(disk) = on_disk else {
        return match last {
            None => decision(Action::Create, "new", Some(&file.text), Record::Generated),
            Some(_) if !file.once => decision(
                Action::Create,
                "deleted since the last run; the generator's files are written again",
                Some(&file.text),
                Record::Generated,
            ),
            Some(_) => decision(
                Action::Skip,
                "deleted since the last run; written once for people, so not written again",
                None,
                Record::Generated,
            ),
        };
    };
    if disk == file.text {
        return decision(Action::Skip, "up to date", None, Record::Generated);
    }
    let Some(last) = last else {
        // `check_output_folder` refuses such a folder before any decision; kept all the same.
        return decision(
            Action::Skip,
            "not written by ficus generate: kept as is",
            None,
            Record::Previous,
        );
    };
    if !edited(&last, disk) {
        return decision(
            Action::Update,
            "unchanged since the last run",
            Some(&file.text),
            Record::Generated,
        );
    }
    if has_conflict_markers(disk) {
        return decision(
            Action::Conflict,
            "still holds conflict markers of an earlier run: resolve them",
            None,
            Record::Previous,
        );
    }
    let Some(base) = last.base else {
        return decision(
            Action::Skip,
            "edited, and no copy of the last generated text to merge against: kept as is; later runs merge against this run's text",
            None,
            Record::Generated,
        );
    };
    if base == file.text {
        let reason = if file.once {
            "edited; the generator's text is the same as last time: kept"
        } else {
            "a generated file you edited; the generator's text is the same as last time: kept"
        };
        return decision(Action::Skip, reason, None, Record::Generated);
    }
    match merge3(base, disk, &file.text) {
        Ok(merged) => decision(
            Action::Merge,
            if file.once {
                "your edits and the generator's changes merged"
            } else {
                "a generated file you edited: your edits and the generator's changes merged"
            },
            Some(&merged),
            Record::Generated,
        ),
        Err(marked) => decision(
            Action::Conflict,
            "your edits and the generator's changes overlap: resolve the `<<<<<<< yours` markers",
            Some(&marked),
            Record::Generated,
        ),
    }
}

/// A listed file this run no longer generates.
fn decide_removed(last: Option<Last<'_>>, on_disk: Option<&str>) -> Decision {
    match (last, on_disk) {
        (Some(last), Some(disk)) if edited(&last, disk) => decision(
            Action::Skip,
            "no longer generated; edited, so kept: delete it or list it in .ficusignore",
            None,
            Record::Previous,
        ),
        (_, Some(_)) => decision(
            Action::Delete,
            "no longer generated; unchanged since the last run",
            None,
            Record::Forget,
        ),
        (_, None) => decision(
            Action::Skip,
            "no longer generated; already deleted",
            None,
            Record::Forget,
        ),
    }
}

fn decision(action: Action, reason: &'static str, text: Option<&str>, record: Record) -> Decision {
    Decision {
        action,
        reason,
        text: text.map(str::to_string),
        record,
    }
}

/// The file differs from the last generated text (compared with the base copy when there is
/// one, else by hash).
fn edited(last: &Last<'_>, disk: &str) -> bool {
    match last.base {
        Some(base) => base != disk,
        None => hash_hex(disk) != last.hash,
    }
}

/// The labels of the conflict markers, as git's diff3 style writes them.
const YOURS: &str = "yours";
const LAST: &str = "generated (last)";
const NEW: &str = "generated (new)";

/// Merges `yours` and `new`, both changed from `base`, line by line: the merged text, or
/// (`Err`) the text with each overlap between `<<<<<<< yours`, `||||||| generated (last)`,
/// `=======` and `>>>>>>> generated (new)`.
pub(crate) fn merge3(base: &str, yours: &str, new: &str) -> Result<String, String> {
    // diffy labels its markers `ours`, `original` and `theirs`; they are relabelled below,
    // with markers long enough that no line of the inputs reads as one.
    let mut length = 7;
    while [base, yours, new]
        .iter()
        .flat_map(|text| text.lines())
        .any(|line| diffy_labels(length).contains(&line.to_string()))
    {
        length += 1;
    }
    let mut options = diffy::MergeOptions::new();
    options
        .set_conflict_style(diffy::ConflictStyle::Diff3)
        .set_incomplete_hunk_style(diffy::IncompleteHunkStyle::Git)
        .set_conflict_marker_length(length);
    options.merge(base, yours, new).map_err(|marked| {
        let [ours, original, theirs] = diffy_labels(length);
        let mut text = String::with_capacity(marked.len());
        for line in marked.split_inclusive('\n') {
            let (content, end) = match line.strip_suffix('\n') {
                Some(content) => (content, "\n"),
                None => (line, ""),
            };
            let relabelled = if content == ours {
                format!("{} {YOURS}", "<".repeat(length))
            } else if content == original {
                format!("{} {LAST}", "|".repeat(length))
            } else if content == theirs {
                format!("{} {NEW}", ">".repeat(length))
            } else {
                content.to_string()
            };
            text.push_str(&relabelled);
            text.push_str(end);
        }
        text
    })
}

fn diffy_labels(length: usize) -> [String; 3] {
    [
        format!("{} ours", "<".repeat(length)),
        format!("{} original", "|".repeat(length)),
        format!("{} theirs", ">".repeat(length)),
    ]
}

/// A line `<<<<<<< yours` (seven or more `<`): a conflict of an earlier run not yet resolved.
fn has_conflict_markers(text: &str) -> bool {
    text.lines().any(|line| {
        line.strip_suffix(&format!(" {YOURS}"))
            .is_some_and(|marker| marker.len() >= 7 && marker.chars().all(|c| c == '<'))
    })
}
