//! `format!` templates cut into literal text and the arguments they insert, shared by the
//! collectors that read strings built with `format!` (SQL in `data/`, route paths in
//! `routes/`). Only the template is read here: what an argument holds is the caller's business.
//! Format specs after `:` (`{:>8}`, `{x:?}`) are dropped, not interpreted.

/// A piece of a template, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Literal text, `{{` and `}}` already unescaped.
    Text(String),
    /// `{}` (numbered in order) or `{0}`: the positional argument at this index.
    Position(usize),
    /// `{name}`: a named argument, or a variable or constant captured from the scope.
    Name(String),
}

/// Cuts `template` into pieces; adjacent text is one piece.
pub(crate) fn pieces(template: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut next_position = 0;
    let mut chars = template.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for inner in chars.by_ref() {
                    if inner == '}' {
                        break;
                    }
                    spec.push(inner);
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                let key = spec.split(':').next().unwrap_or_default().trim();
                pieces.push(if key.is_empty() {
                    next_position += 1;
                    Piece::Position(next_position - 1)
                } else if let Ok(index) = key.parse::<usize>() {
                    Piece::Position(index)
                } else {
                    Piece::Name(key.to_string())
                });
            }
            other => text.push(other),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::{Piece, pieces};

    #[test]
    fn positions_names_specs_and_escapes() {
        assert_eq!(
            pieces("{{x}}/{}/{name:?}/{0}/{:>4}"),
            vec![
                Piece::Text("{x}/".to_string()),
                Piece::Position(0),
                Piece::Text("/".to_string()),
                Piece::Name("name".to_string()),
                Piece::Text("/".to_string()),
                Piece::Position(0),
                Piece::Text("/".to_string()),
                Piece::Position(1),
            ]
        );
    }
}
