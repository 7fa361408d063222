//! Integration tests of the analyzer: small projects written to a temporary folder, analysed
//! end to end, and compared as text.

mod support;

mod boundary;
mod discovery;
mod fixtures;
mod metrics;
mod plan_draft;
mod report_browser;
mod report_graphviz;
mod resolution;
mod tasks;
