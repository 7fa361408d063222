//! Integration tests of the proxy: real hyper upstream servers and the real proxy on
//! ephemeral loopback ports, driven over real sockets. `support` starts everything with
//! timeouts; each module covers one capability.

mod support;

mod failures;
mod forwarding;
mod plan_file;
mod reload;
mod smuggling;
