//! Tests of the inventory domain.
