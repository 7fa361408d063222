//! Tests of the shipping domain.
