//! Runtime tests of the tenant-query macros on sqlite live in `tests/`; this crate's
//! `tenant-schema.toml` makes the macros target sqlite.
