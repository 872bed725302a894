//! Runtime tests of the tenant-query macros on postgres live in `tests/`; this crate's
//! `tenant-schema.toml` makes the macros target postgres.
