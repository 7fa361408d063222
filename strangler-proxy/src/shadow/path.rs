//! Field paths of the comparison rules (`id`, `items[*].created_at`, `**.updated_at`) and the
//! concrete paths of the differences found (`items[2].created_at`). A rule is parsed once, at
//! validation; matching walks both paths with no allocation. Keys holding `.`, `[` or `]`
//! cannot be named (no quoting); `*` and `**` are never literal keys.

use std::fmt;

/// A parsed rule path: keys and indexes from the body's root, with wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// As written, for error messages and the admin API.
    pub text: String,
    steps: Vec<Step>,
}

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `name`: this key of an object.
    Key(String),
    /// `*`: any key of an object.
    AnyKey,
    /// `**`: zero or more steps of any kind.
    AnyDepth,
    /// `[3]`: this index of an array.
    Index(usize),
    /// `[*]`: any index of an array.
    AnyIndex,
}

/// One step of a concrete path inside a JSON value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathItem {
    Key(String),
    Index(usize),
}

/// A concrete path inside a JSON body, rendered as `items[2].created_at` (`$` for the root).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValuePath(pub Vec<PathItem>);

impl FieldPath {
    /// Parses `text`; the error says what is wrong, for a field problem.
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        if text.trim().is_empty() {
            return Err(
                "names no field; write a key such as \"id\" or \"items[*].created_at\"".to_owned(),
            );
        }
        let mut steps = Vec::new();
        for (segment_idx, segment) in text.split('.').enumerate() {
            let (name, mut brackets) = match segment.find('[') {
                Some(open) => segment.split_at(open),
                None => (segment, ""),
            };
            match name {
                "" if segment_idx == 0 && !brackets.is_empty() => {}
                "" => return Err(format!("{text:?} has an empty segment")),
                "**" if brackets.is_empty() => steps.push(Step::AnyDepth),
                "**" => return Err(format!("{text:?}: `**` stands alone between dots")),
                "*" => steps.push(Step::AnyKey),
                name if name.contains(']') || name.contains('*') => {
                    return Err(format!(
                        "{text:?}: key {name:?} holds `]` or `*`; wildcards are whole segments"
                    ));
                }
                name => steps.push(Step::Key(name.to_owned())),
            }
            while !brackets.is_empty() {
                let Some(close) = brackets.find(']') else {
                    return Err(format!("{text:?}: `[` without `]`"));
                };
                let inside = &brackets[1..close];
                steps.push(match inside {
                    "*" => Step::AnyIndex,
                    index => Step::Index(index.parse().map_err(|_| {
                        format!("{text:?}: [{index}] is not an index, expected [0], [1]... or [*]")
                    })?),
                });
                brackets = &brackets[close + 1..];
                if !brackets.is_empty() && !brackets.starts_with('[') {
                    return Err(format!("{text:?}: expected `.` or `[` after `]`"));
                }
            }
        }
        Ok(FieldPath {
            text: text.to_owned(),
            steps,
        })
    }

    /// Whether the rule names `path`.
    pub fn matches(&self, path: &[PathItem]) -> bool {
        matches_steps(&self.steps, path)
    }
}

impl ValuePath {
    /// This path with `[n]` indexes written `[*]`: the same field in every element.
    pub fn generalized(&self) -> String {
        let mut text = String::new();
        for item in &self.0 {
            match item {
                PathItem::Key(key) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(key);
                }
                PathItem::Index(_) => text.push_str("[*]"),
            }
        }
        if text.is_empty() {
            "$".to_owned()
        } else {
            text
        }
    }

    /// Whether `self` is `other` or one of its ancestors.
    pub fn contains(&self, other: &ValuePath) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl fmt::Display for ValuePath {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return formatter.write_str("$");
        }
        for (item_idx, item) in self.0.iter().enumerate() {
            match item {
                PathItem::Key(key) if item_idx == 0 => formatter.write_str(key)?,
                PathItem::Key(key) => write!(formatter, ".{key}")?,
                PathItem::Index(index) => write!(formatter, "[{index}]")?,
            }
        }
        Ok(())
    }
}

fn matches_steps(steps: &[Step], path: &[PathItem]) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return path.is_empty();
    };
    if let Step::AnyDepth = step {
        return matches_steps(rest, path) || (!path.is_empty() && matches_steps(steps, &path[1..]));
    }
    let Some((item, path_rest)) = path.split_first() else {
        return false;
    };
    let step_matches = match (step, item) {
        (Step::Key(key), PathItem::Key(found)) => key == found,
        (Step::AnyKey, PathItem::Key(_)) => true,
        (Step::Index(index), PathItem::Index(found)) => index == found,
        (Step::AnyIndex, PathItem::Index(_)) => true,
        _ => false,
    };
    step_matches && matches_steps(rest, path_rest)
}
