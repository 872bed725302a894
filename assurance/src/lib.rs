//! Adversarial assurance for tenant-query.
//!
//! - [`check`]: a structural checker of rewritten statements, written from the rewrite
//!   contract and independent of the rewriter: every scoped table reference restricted, no
//!   tenant column assigned, every INSERT stamped.
//! - [`generate`] (feature `generate`): a proptest generator of random statements over a test
//!   schema, for property tests and the differential oracle.
#![deny(missing_docs)]

pub mod check;
#[cfg(feature = "generate")]
pub mod generate;
pub mod schema;
