//! Runs the engine's rewrites on PostgreSQL, MariaDB and SQLite and compares them with the
//! original statements run on per-tenant copies of the data.

mod columns;
mod dialects;
mod plans;
mod regressions;
mod rejections;
mod tenant_sets;
mod typed_placeholders;
mod typed_placeholders_positional;
