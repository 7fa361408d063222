//! Tests of the cart domain.
