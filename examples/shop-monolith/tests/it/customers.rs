//! Tests of the customers domain.
