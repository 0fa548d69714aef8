//! The same user code as the edition 2018 crate, compiled as a user crate on edition 2021.
#![deny(warnings, rust_2018_idioms)]

#[path = "../../e2018/src/lib.rs"]
mod code;

pub use code::*;
