//! Holds no code: the runnable programs are the `[[example]]`s of this crate (`cargo run --example taxi`).
