//! The service over real HTTP on a loopback port, as two tenants whose rows have the same ids,
//! on a SQLite file of its own per test.

use saas_example as saas;
use tempfile::TempDir;

/// A database file in a directory of its own, removed at the end.
struct TestDatabase {
    url: String,
    _dir: TempDir,
}

impl TestDatabase {
    async fn new() -> Option<Self> {
        let dir = TempDir::new().unwrap();
        let url = format!("sqlite:{}", dir.path().join("saas.db").display());
        Some(TestDatabase { url, _dir: dir })
    }

    async fn drop(self) {}
}

include!("shared/scenarios.rs");
