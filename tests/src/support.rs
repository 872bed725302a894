//! What every database test shares: the database URLs, the one rule for an unreachable
//! database (a failure under CI, a loud skip elsewhere) and unique names for the schemas and
//! databases a test creates.
//!
//! ```
//! use tenant_query_tests::support;
//!
//! let name = support::unique_name("tq_doc");
//! assert!(name.starts_with("tq_doc_"));
//! assert_ne!(name, support::unique_name("tq_doc"));
//! ```

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The default PostgreSQL URL; `TQ_POSTGRES_URL` overrides it.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// The default MariaDB/MySQL URL; `TQ_MYSQL_URL` overrides it.
pub const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/test";

/// Whether this run is CI's, where an unreachable database fails the test instead of
/// skipping it: `CI` is set to anything but the empty string, `false` or `0`. The one
/// predicate every database test uses; when in doubt it says yes, so that a misspelt `CI`
/// never turns failures into skips.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The URL in the environment variable `var`, or `default` when it is unset or empty.
pub fn url(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The PostgreSQL URL: `TQ_POSTGRES_URL` or [`DEFAULT_POSTGRES_URL`].
pub fn postgres_url() -> String {
    url("TQ_POSTGRES_URL", DEFAULT_POSTGRES_URL)
}

/// The MariaDB URL: `TQ_MYSQL_URL` or [`DEFAULT_MYSQL_URL`].
pub fn mysql_url() -> String {
    url("TQ_MYSQL_URL", DEFAULT_MYSQL_URL)
}

/// Handles a database that cannot be reached: panics under CI (see [`in_ci`]), otherwise
/// prints a loud notice and returns, so that the caller skips the test and says so.
pub fn unreachable(what: &str, url: &str, error: &dyn std::fmt::Display) {
    if in_ci() {
        panic!("{what} at {url} is unreachable under CI=true: {error}");
    }
    // Straight to the file descriptor: libtest captures `eprintln!`, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {what} at {url} is unreachable: {error}\n\
         *** Start it (scripts/test.sh does) or set the URL's environment variable.\n\
         *** Under CI=true this is a failure.\n"
    );
}

/// A name (for a schema or database) that no other test or concurrent run uses:
/// `{prefix}_{process}_{counter}_{nanoseconds}`.
pub fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
