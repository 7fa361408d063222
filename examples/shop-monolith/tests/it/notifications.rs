//! Tests of the notifications domain.
