//! The integration test binary of ficus-proxy: one binary, one module per topic. Unit tests of
//! the config and the route table live beside the code; these read files of the repository.

mod bench_config;
