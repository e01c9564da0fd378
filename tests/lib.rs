//! Holds no code: the tests live in `integration.rs` and its modules, compiled into one binary.
