//! Procedural macros of tenant-query; use the `tenant-query` crate.
