//! Shipping rates: a flat price per service level, free standard shipping over a threshold,
//! a surcharge outside the home market.

use crate::common::{AppError, AppResult, validation};

/// Where the warehouse is; everything else is international.
pub const HOME_COUNTRY: &str = "DE";
/// Standard shipping is free from this subtotal on, at home.
pub const FREE_SHIPPING_FROM_CENTS: i64 = 10_000;
pub const INTERNATIONAL_SURCHARGE_CENTS: i64 = 1_000;

pub const SERVICE_LEVELS: &[&str] = &["standard", "express"];

/// The shipping price for an order of `subtotal_cents` to `country`.
pub fn quote(subtotal_cents: i64, country: &str, service_level: &str) -> AppResult<i64> {
    let country = validation::country(country)?;
    if subtotal_cents < 0 {
        return Err(AppError::bad_request("subtotal_cents must not be negative"));
    }
    let base = match service_level {
        "standard" => 490,
        "express" => 990,
        other => {
            return Err(AppError::bad_request(format!(
                "service_level must be one of {}, got {other:?}",
                SERVICE_LEVELS.join(", ")
            )));
        }
    };
    let domestic = country == HOME_COUNTRY;
    Ok(match (domestic, service_level) {
        (true, "standard") if subtotal_cents >= FREE_SHIPPING_FROM_CENTS => 0,
        (true, _) => base,
        (false, _) => base + INTERNATIONAL_SURCHARGE_CENTS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_standard_shipping_at_home_over_threshold() {
        assert_eq!(quote(10_000, "de", "standard").unwrap(), 0);
        assert_eq!(quote(9_999, "DE", "standard").unwrap(), 490);
        assert_eq!(quote(10_000, "DE", "express").unwrap(), 990);
        assert_eq!(quote(10_000, "FR", "standard").unwrap(), 1_490);
        assert!(quote(100, "DE", "overnight").is_err());
    }
}
