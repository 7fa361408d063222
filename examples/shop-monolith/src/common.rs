//! The grab-bag every domain reaches for: errors, money, paging, validation, clocks and
//! JSON extraction.
//!
//! This is the classic `common` module of a monolith: nothing business-specific should live
//! here, and yet a little always does (tax rates, say). It has no routes and no tables.

pub mod clock;
pub mod error;
pub mod extract;
pub mod money;
pub mod pagination;
pub mod validation;

pub use error::{AppError, AppResult};
pub use extract::{ApiJson, ApiPath, ApiQuery};
pub use pagination::Page;
