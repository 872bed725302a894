//! Shared by the three runtime suites (included with `#[path]`): database URLs and the rule
//! for an unreachable database.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

/// Whether we run in CI, where an unreachable database fails the test instead of skipping it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The URL in `var`, or `default`.
pub fn url(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// Handles a database that cannot be reached: panics under `CI=true`, otherwise prints a loud
/// notice and returns, so that the test is skipped (and says so).
pub fn unreachable(what: &str, url: &str, error: &dyn std::fmt::Display) {
    if in_ci() {
        panic!("{what} at {url} is unreachable under CI=true: {error}");
    }
    // Straight to the file descriptor: libtest captures `eprintln!`, and a skip must be seen.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {what} at {url} is unreachable: {error}\n*** (set CI=true to make this a failure)\n"
    );
}

/// A name no other test (or concurrent run) uses.
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
