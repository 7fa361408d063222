//! Money in integer cents, and the tax rules that somehow ended up in `common`.

/// Sales tax in basis points (1/100 of a percent) for a two-letter country code.
pub fn tax_rate_bps(country: &str) -> i64 {
    match country.to_ascii_uppercase().as_str() {
        "DE" => 1900,
        "FR" => 2000,
        "NL" => 2100,
        "GB" => 2000,
        "US" => 725,
        "CA" => 500,
        _ => 0,
    }
}

/// Tax on `amount_cents`, rounded half up to the cent.
pub fn tax_cents(amount_cents: i64, country: &str) -> i64 {
    percent_of(amount_cents, tax_rate_bps(country))
}

/// `amount_cents * bps / 10_000`, rounded half up.
pub fn percent_of(amount_cents: i64, bps: i64) -> i64 {
    (amount_cents * bps + 5_000) / 10_000
}

/// `1234` -> `"12.34"`.
pub fn format_cents(amount_cents: i64) -> String {
    let sign = if amount_cents < 0 { "-" } else { "" };
    let abs = amount_cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_cents() {
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(123_456), "1234.56");
        assert_eq!(format_cents(-250), "-2.50");
    }

    #[test]
    fn rounds_tax_half_up() {
        assert_eq!(tax_cents(1_000, "de"), 190);
        assert_eq!(tax_cents(1_001, "US"), 73); // 72.57 -> 73
        assert_eq!(tax_cents(1_000, "ZZ"), 0);
    }
}
