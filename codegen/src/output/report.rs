//! How a run's changes to the output folder are told: one line per file with its action and
//! why, unified diffs for `--dry-run`, the stale list of `--check`, and the same as JSON.
//! Text only; it writes nothing.

use super::{Action, OutputPlan};

/// Width of the action column: the longest action (`conflict`) and a space.
const ACTION_WIDTH: usize = 9;

impl OutputPlan {
    /// After a run, or before it with `dry_run` (then with each diff): a count line, then
    /// `action  path: reason` per file.
    pub fn report_text(&self, dry_run: bool) -> String {
        let mut counts: Vec<(Action, usize)> = Vec::new();
        for change in &self.changes {
            match counts
                .iter_mut()
                .find(|(action, _)| *action == change.action)
            {
                Some((_, count)) => *count += 1,
                None => counts.push((change.action, 1)),
            }
        }
        counts.sort_by_key(|(action, _)| *action as u8);
        let counts: Vec<String> = counts
            .iter()
            .map(|(action, count)| format!("{count} {}", action.as_str()))
            .collect();
        let mut text = if dry_run {
            format!(
                "\nDry run, nothing written to {}: {}\n",
                self.out.display(),
                counts.join(", ")
            )
        } else {
            format!("\nOutput {}: {}\n", self.out.display(), counts.join(", "))
        };
        for change in &self.changes {
            text.push_str(&format!(
                "  {:<ACTION_WIDTH$} {}: {}\n",
                change.action.as_str(),
                change.path,
                change.reason
            ));
            if dry_run && !change.diff.is_empty() {
                text.push_str(&change.diff);
            }
        }
        let conflicts = self.conflicts().count();
        let files = if conflicts == 1 { "file" } else { "files" };
        if conflicts > 0 && dry_run {
            text.push_str(&format!(
                "{conflicts} {files} would hold conflict markers\n"
            ));
        } else if conflicts > 0 {
            text.push_str(&format!(
                "{conflicts} {files} with conflict markers: resolve them, then run again\n"
            ));
        }
        text
    }

    /// What `--check` prints when the output is stale: a line per file a run would change.
    pub fn stale_text(&self) -> String {
        let mut text = format!("{} is stale:\n", self.out.display());
        for change in &self.changes {
            if change.action != Action::Skip {
                text.push_str(&format!(
                    "  {:<ACTION_WIDTH$} {}\n",
                    change.action.as_str(),
                    change.path
                ));
            }
        }
        text
    }

    /// The changes as JSON: `[{path, action, reason, owner, template, diff}]`.
    pub fn report_json(&self) -> serde_json::Value {
        // Strings only: always serialises.
        serde_json::to_value(&self.changes).unwrap_or_default()
    }
}

/// `before` to `after` as a unified diff with `a/PATH` and `b/PATH` headers, empty when they
/// are equal.
pub(crate) fn unified_diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    diffy::DiffOptions::new()
        .set_original_filename(format!("a/{path}"))
        .set_modified_filename(format!("b/{path}"))
        .create_patch(before, after)
        .to_string()
}
