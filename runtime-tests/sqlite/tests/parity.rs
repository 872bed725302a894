//! The engine corpus (`tenant-query-core/tests/cases`) in the sqlite dialect, through
//! `tenant_query!` and through the run-time API: the same verdict, the same SQL, the same
//! arguments in the same order, the same diagnostics. No database is needed.

type Db = sqlx::Sqlite;

include!("../../parity.rs");
