//! Integration tests of the proxy: real hyper upstream servers and the real proxy on
//! ephemeral loopback ports, driven over real sockets. `support` starts everything with
//! timeouts; each module covers one capability. `bench_config` checks the benchmark's table.

mod support;

mod admin;
mod bench_config;
mod body_limit;
mod example_config;
mod failures;
mod forwarding;
mod headers;
mod http2;
mod idle;
mod metrics;
mod plan_file;
mod reload;
mod rollout;
mod routing;
mod shadow;
mod smuggling;
mod split;
mod status_page;
mod streaming;
mod tls;
mod websocket;
mod workers;
