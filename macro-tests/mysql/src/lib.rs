//! Runtime tests of the tenant-query macros on mysql live in `tests/`; this crate's
//! `tenant-schema.toml` makes the macros target mysql.
