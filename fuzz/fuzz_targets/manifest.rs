//! The manifest parser on arbitrary text, and the engine on every manifest it accepts.
//!
//! Invariants: `Manifest::from_toml_str` never panics; for an accepted manifest, in every
//! dialect, reading, updating, deleting from and inserting into each declared table either
//! is refused or yields a statement that parses again and passes the structural checker.
//! Odd table and tenant-column names (quotes, case, spaces) exercise the engine's quoting.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenant_query_assurance::check::{check_rewritten, parse_one};
use tenant_query_core::{rewrite, Dialect, Manifest};

/// `name` as a quoted SQL identifier, split at dots like the manifest splits it.
fn quoted(dialect: Dialect, name: &str) -> String {
    let q = if dialect == Dialect::MySql { '`' } else { '"' };
    name.split('.')
        .map(|p| format!("{q}{}{q}", p.replace(q, &format!("{q}{q}"))))
        .collect::<Vec<_>>()
        .join(".")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(manifest) = Manifest::from_toml_str(text, "tenant-schema.toml") else {
        return;
    };
    for dialect in [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite] {
        let m = manifest.clone().with_dialect(dialect);
        for table in m.tables().iter().take(4) {
            let t = quoted(dialect, &table.name);
            for sql in [
                format!(
                    "SELECT * FROM {t} a LEFT JOIN {t} b ON a.x = b.x WHERE a.y = 1 OR b.y = 2"
                ),
                format!("UPDATE {t} SET x = 1 WHERE y = 2"),
                format!("DELETE FROM {t}"),
                format!("INSERT INTO {t} (x) VALUES (1)"),
            ] {
                let Ok(out) = rewrite(&m, &sql) else {
                    continue;
                };
                if let Err(e) = parse_one(dialect, &out.sql) {
                    panic!(
                        "{dialect}: {sql}\n=> {}\ndoes not parse again: {e}",
                        out.sql
                    );
                }
                let report = check_rewritten(&m, &sql, &out).expect("parsed above");
                assert!(
                    report.is_ok(),
                    "{dialect}: unsafe rewrite\nmanifest: {text}\ninput:  {sql}\noutput: {}\n{:#?}",
                    out.sql,
                    report.violations
                );
            }
        }
    }
});
