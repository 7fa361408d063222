//! Escaping for the three places text from the proposal lands in the page: HTML text and
//! attribute values, the JSON data block inside `<script type="application/json">`, and
//! fragment ids (`id="…"`, `href="#…"`) made from service names.
//!
//! Module, service and table names come from the analysed code and the plan file, so they are
//! treated as hostile: nothing here trusts a name to be free of `<`, `&`, quotes or
//! `</script>`. It does not decide what is shown, only how it is written.

use std::fmt::Write as _;

/// Text for an HTML element's content or a double- or single-quoted attribute value.
pub(super) fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// JSON made safe to sit between `<script type="application/json">` and `</script>`: every
/// `<`, `>` and `&` (which JSON allows only inside strings) becomes its `\u` escape, so no
/// `</script>` or `<!--` can appear however names are spelled; U+2028 and U+2029 are escaped
/// too, for readers that treat the text as JavaScript. `JSON.parse` gives back the original.
pub(super) fn json_in_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                // Writing into a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
    out
}

/// A fragment id for the `index`-th thing of a kind: `prefix-index-slug`, where the slug keeps
/// ASCII letters and digits of `name` (lower-cased) and turns runs of anything else into one
/// `-`. The index makes it unique; the slug makes it readable in the address bar.
pub(super) fn anchor(prefix: &str, index: usize, name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("{prefix}-{index}")
    } else {
        format!("{prefix}-{index}-{slug}")
    }
}

/// A number for display: at most `decimals` decimals, trailing zeros dropped, no `-0`, and
/// `–` for a value that is not finite.
pub(super) fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "\u{2013}".to_string();
    }
    let mut out = format!("{value:.decimals$}");
    if out.contains('.') {
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with('.') {
            out.pop();
        }
    }
    if out == "-0" {
        out = "0".to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_quotes() {
        assert_eq!(
            text(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(text("crate::orders"), "crate::orders");
    }

    #[test]
    fn json_in_script_hides_closing_tags_and_round_trips() {
        let json = serde_json::to_string("</script><!--&\u{2028}").unwrap();
        let safe = json_in_script(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        assert!(!safe.contains('\u{2028}'));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "</script><!--&\u{2028}");
    }

    #[test]
    fn anchors_are_unique_by_index_and_readable() {
        assert_eq!(
            anchor("service", 1, "Orders & Billing"),
            "service-1-orders-billing"
        );
        assert_eq!(anchor("service", 2, "</script>"), "service-2-script");
        assert_eq!(anchor("service", 3, "écoles"), "service-3-coles");
        assert_eq!(anchor("service", 4, "\u{1F600}"), "service-4");
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(2.5, 2), "2.5");
        assert_eq!(number(3.0, 2), "3");
        assert_eq!(number(-0.0001, 2), "0");
        assert_eq!(number(f64::NAN, 2), "\u{2013}");
        assert_eq!(number(1.23456, 3), "1.235");
    }
}
