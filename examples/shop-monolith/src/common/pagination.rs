//! `?limit=&offset=` paging shared by every list endpoint.

use serde::Deserialize;

use super::{AppError, AppResult};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// Paging parameters as they arrive in a query string.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Page {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl Page {
    /// `(limit, offset)` after defaults and bounds checks.
    pub fn resolve(self) -> AppResult<(i64, i64)> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        let offset = self.offset.unwrap_or(0);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::bad_request(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        if offset < 0 {
            return Err(AppError::bad_request("offset must not be negative"));
        }
        Ok((limit, offset))
    }
}
