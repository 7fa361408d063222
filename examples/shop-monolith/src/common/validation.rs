//! Input checks used by several domains.

use super::{AppError, AppResult};

/// The trimmed value, or an error naming `field` if it is empty.
pub fn non_empty(field: &str, value: &str) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::bad_request(format!("{field} must not be empty")));
    }
    Ok(trimmed.to_string())
}

/// A plausible e-mail address: one `@`, something before it, a dot in the domain after it.
pub fn email(value: &str) -> AppResult<String> {
    let trimmed = value.trim().to_ascii_lowercase();
    let valid = match trimmed.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    };
    if !valid {
        return Err(AppError::bad_request(format!(
            "invalid email address: {value:?}"
        )));
    }
    Ok(trimmed)
}

/// A quantity between 1 and 999.
pub fn quantity(value: i64) -> AppResult<i64> {
    if !(1..=999).contains(&value) {
        return Err(AppError::bad_request("quantity must be between 1 and 999"));
    }
    Ok(value)
}

/// A price that is not negative.
pub fn price_cents(value: i64) -> AppResult<i64> {
    if value < 0 {
        return Err(AppError::bad_request("price_cents must not be negative"));
    }
    Ok(value)
}

/// A two-letter country code, upper-cased.
pub fn country(value: &str) -> AppResult<String> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(AppError::bad_request(format!(
            "country must be a two-letter code, got {value:?}"
        )));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_email() {
        assert_eq!(email(" Ada@Example.org ").unwrap(), "ada@example.org");
        assert!(email("nobody").is_err());
        assert!(email("a@b").is_err());
        assert!(email("@example.org").is_err());
        assert!(email("a@@example.org").is_err());
    }

    #[test]
    fn checks_country() {
        assert_eq!(country("de").unwrap(), "DE");
        assert!(country("DEU").is_err());
        assert!(country("1A").is_err());
    }
}
