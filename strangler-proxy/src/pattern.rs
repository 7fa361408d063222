//! Path patterns of the routing table: parsed once from the config text into segments, shared
//! by validation (which reports bad patterns) and the route table (which compiles them).
//!
//! Syntax: a pattern starts with `/`; each segment is a literal (`orders`), a named parameter
//! (`{id}`, captures one segment), or a one-segment glob (`*`); a final `**` makes it a prefix
//! pattern that matches its prefix and anything below. It does not do regular expressions,
//! partial-segment captures (`v{n}`) or percent-decoding: matching is on raw segments.

use std::fmt;

/// A parsed path pattern such as `/api/orders/{id}` or `/static/**`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    /// The pattern as written in the file.
    pub text: String,
    /// The segments before any trailing `**`.
    pub segments: Vec<Segment>,
    /// Whether the pattern ends with `/**` (matches the prefix and everything below).
    pub is_prefix: bool,
}

/// One segment of a [`PathPattern`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Matches exactly this text.
    Literal(String),
    /// `{name}`: matches any one segment and captures it under `name`.
    Param(String),
    /// `*`: matches any one segment without capturing it.
    Glob,
}

/// Why a pattern could not be parsed; the message is lowercase and names the offending part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for PatternError {}

impl PathPattern {
    /// Parses `text`; `/` alone is the root, `/**` matches every path.
    pub fn parse(text: &str) -> Result<PathPattern, PatternError> {
        let fail = |message: String| Err(PatternError { message });
        let Some(rest) = text.strip_prefix('/') else {
            return fail(format!("pattern {text:?} must start with `/`"));
        };
        let mut segments = Vec::new();
        let mut is_prefix = false;
        let mut param_names: Vec<&str> = Vec::new();
        let raw_segments: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').collect()
        };
        let n_raw = raw_segments.len();
        for (segment_idx, raw) in raw_segments.into_iter().enumerate() {
            if raw.is_empty() {
                return fail(format!("pattern {text:?} has an empty segment"));
            }
            if raw == "**" {
                if segment_idx + 1 != n_raw {
                    return fail(format!("pattern {text:?}: `**` is only allowed at the end"));
                }
                is_prefix = true;
            } else if raw == "*" {
                segments.push(Segment::Glob);
            } else if let Some(name) = raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                let valid_name = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if !valid_name {
                    return fail(format!("pattern {text:?}: invalid parameter name {name:?}"));
                }
                if param_names.contains(&name) {
                    return fail(format!(
                        "pattern {text:?}: parameter {{{name}}} appears twice"
                    ));
                }
                param_names.push(name);
                segments.push(Segment::Param(name.to_owned()));
            } else if raw.contains(['{', '}', '*', '?', '#']) {
                return fail(format!(
                    "pattern {text:?}: segment {raw:?} mixes text with `{{`, `}}`, `*`, `?` or `#`"
                ));
            } else {
                segments.push(Segment::Literal(raw.to_owned()));
            }
        }
        Ok(PathPattern {
            text: text.to_owned(),
            segments,
            is_prefix,
        })
    }

    /// Number of `{param}` and `*` segments.
    pub fn n_wildcards(&self) -> usize {
        self.segments
            .iter()
            .filter(|segment| !matches!(segment, Segment::Literal(_)))
            .count()
    }
}
