//! Compile-time tenant scoping for sqlx.
