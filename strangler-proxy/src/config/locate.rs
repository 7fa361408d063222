//! Where a field path such as `proxy.route[2].targets[0].upstream` sits in a TOML text, so
//! that a validation error names its line as a parse error does. It reads spans only and
//! never judges values; a path that is not (fully) in the text gives the line of its deepest
//! part that is, such as the `[[route]]` header of a missing field.

/// The 1-based line of `field` in `text`, or `None` when not even its first key is there.
pub fn line_of(text: &str, field: &str) -> Option<usize> {
    let document: toml_edit::Document<String> = text.parse().ok()?;
    let mut item = document.as_item();
    let mut span = None;
    for step in steps(field) {
        let next = match step {
            Step::Key(key) => item.get(key),
            Step::Index(index) => item.get(index),
        };
        let Some(next) = next else { break };
        item = next;
        span = item.span().or(span);
    }
    let start = span?.start;
    Some(1 + text.get(..start)?.matches('\n').count())
}

enum Step<'path> {
    Key(&'path str),
    Index(usize),
}

/// `route[2].targets[0].upstream` as keys and indices.
fn steps(field: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for segment in field.split('.') {
        let mut parts = segment.split('[');
        if let Some(key) = parts.next().filter(|key| !key.is_empty()) {
            steps.push(Step::Key(key));
        }
        for index in parts {
            match index.trim_end_matches(']').parse() {
                Ok(index) => steps.push(Step::Index(index)),
                Err(_) => return steps,
            }
        }
    }
    steps
}
