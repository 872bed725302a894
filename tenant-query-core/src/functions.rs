//! The built-in functions a tenant-scoped statement may call without declaring them.
//!
//! Functions fail closed, like tables. A call is allowed when it names a built-in function,
//! aggregate or window function of the dialect that computes only from its arguments and the
//! current row (`lower`, `coalesce`, `now`, `jsonb_build_object`, `string_agg`, `row_number`,
//! `unnest`, …), or a function that the manifest declares in `functions`. Anything else could
//! read every tenant's rows (`orders_report()`), act on the server (`setval`,
//! `pg_terminate_backend`, MySQL's `GET_LOCK`) or read its files (`lo_import`, `LOAD_FILE`).
//!
//! The lists are data, in `tenant-query-core/data/functions/`: PostgreSQL's is generated from
//! `pg_proc` and SQLite's from `PRAGMA function_list` by the scripts in
//! `scripts/function-lists/`, and MySQL's is curated from its manual. Each line is a lowercase
//! name, followed by ` set-returning` when the function returns a set and may stand in FROM.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::dialect::Dialect;

/// What a built-in function of the allowlist returns.
///
/// ```
/// use tenant_query_core::{Dialect, FunctionKind};
///
/// assert_eq!(Dialect::Postgres.builtin_function("lower"), Some(FunctionKind::Scalar));
/// assert_eq!(Dialect::Postgres.builtin_function("unnest"), Some(FunctionKind::SetReturning));
/// assert_eq!(Dialect::Sqlite.builtin_function("json_each"), Some(FunctionKind::SetReturning));
/// assert_eq!(Dialect::Postgres.builtin_function("setval"), None);
/// assert_eq!(Dialect::MySql.builtin_function("sleep"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunctionKind {
    /// One value per call: scalar, aggregate and window functions.
    Scalar,
    /// A set of rows, for FROM (PostgreSQL's `unnest`, SQLite's `json_each`, MySQL's
    /// `JSON_TABLE`). PostgreSQL also accepts these in the SELECT list.
    SetReturning,
}

/// The marker of a set-returning function in the lists.
const SET_RETURNING: &str = "set-returning";

const POSTGRES: &str = include_str!("../data/functions/postgres.txt");
const MYSQL: &str = include_str!("../data/functions/mysql.txt");
const SQLITE: &str = include_str!("../data/functions/sqlite.txt");

/// One dialect's allowlist, by lowercase name.
type Allowlist = HashMap<&'static str, FunctionKind>;

impl Dialect {
    /// Whether `name` (lowercase, unqualified) is a built-in function of this dialect that
    /// computes only from its arguments and the current row, and what it returns.
    ///
    /// ```
    /// use tenant_query_core::{Dialect, FunctionKind};
    ///
    /// assert_eq!(Dialect::MySql.builtin_function("json_table"), Some(FunctionKind::SetReturning));
    /// assert_eq!(Dialect::MySql.builtin_function("group_concat"), Some(FunctionKind::Scalar));
    /// assert_eq!(Dialect::Sqlite.builtin_function("load_extension"), None);
    /// ```
    pub fn builtin_function(self, name: &str) -> Option<FunctionKind> {
        allowlist(self).get(name).copied()
    }

    /// Every built-in function of this dialect's allowlist, for suggestions.
    pub(crate) fn builtin_function_names(self) -> impl Iterator<Item = &'static str> {
        allowlist(self).keys().copied()
    }
}

fn allowlist(dialect: Dialect) -> &'static Allowlist {
    static POSTGRES_LIST: OnceLock<Allowlist> = OnceLock::new();
    static MYSQL_LIST: OnceLock<Allowlist> = OnceLock::new();
    static SQLITE_LIST: OnceLock<Allowlist> = OnceLock::new();
    match dialect {
        Dialect::Postgres => POSTGRES_LIST.get_or_init(|| parse_list(POSTGRES)),
        Dialect::MySql => MYSQL_LIST.get_or_init(|| parse_list(MYSQL)),
        Dialect::Sqlite => SQLITE_LIST.get_or_init(|| parse_list(SQLITE)),
    }
}

/// Reads a list: `#` starts a comment line; every other line is `name` or
/// `name set-returning`. The unit tests check that every line of the shipped lists is one of
/// these; a line that is not is left out, so the list only ever shrinks.
fn parse_list(text: &'static str) -> Allowlist {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &'static str) -> Option<(&'static str, FunctionKind)> {
    if line.starts_with('#') || line.is_empty() {
        return None;
    }
    let mut words = line.split(' ');
    let name = words.next()?;
    let kind = match words.next() {
        None => FunctionKind::Scalar,
        Some(SET_RETURNING) => FunctionKind::SetReturning,
        Some(_) => return None,
    };
    let valid = words.next().is_none()
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    valid.then_some((name, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_shipped_lists_is_read() {
        for (file, text) in [("postgres", POSTGRES), ("mysql", MYSQL), ("sqlite", SQLITE)] {
            let mut names = Vec::new();
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                let (name, _) =
                    parse_line(line).unwrap_or_else(|| panic!("{file}.txt: bad line {line:?}"));
                names.push(name);
            }
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(names, sorted, "{file}.txt is not sorted, or repeats a name");
        }
    }

    #[test]
    fn the_lists_hold_the_familiar_functions_and_not_the_dangerous_ones() {
        let postgres = [
            "coalesce",
            "lower",
            "now",
            "date_trunc",
            "jsonb_build_object",
            "string_agg",
            "row_number",
            "random",
            "gen_random_uuid",
            "clock_timestamp",
            "current_timestamp",
            "count",
            "array_agg",
        ];
        for name in postgres {
            assert!(Dialect::Postgres.builtin_function(name).is_some(), "{name}");
        }
        for name in [
            "setval",
            "nextval",
            "pg_terminate_backend",
            "lo_import",
            "pg_stat_get_live_tuples",
            "table_to_xml",
            "query_to_xml",
            "current_setting",
            "pg_sleep",
            "txid_current",
        ] {
            assert_eq!(Dialect::Postgres.builtin_function(name), None, "{name}");
        }
        for name in [
            "sleep",
            "get_lock",
            "load_file",
            "benchmark",
            "last_insert_id",
        ] {
            assert_eq!(Dialect::MySql.builtin_function(name), None, "{name}");
        }
        for name in [
            "load_extension",
            "changes",
            "last_insert_rowid",
            "sqlite_version",
        ] {
            assert_eq!(Dialect::Sqlite.builtin_function(name), None, "{name}");
        }
        for name in ["lower", "coalesce", "count", "json_group_array", "random"] {
            assert!(Dialect::Sqlite.builtin_function(name).is_some(), "{name}");
        }
    }

    #[test]
    fn the_set_returning_functions_of_each_dialect_are_marked() {
        let postgres = [
            "unnest",
            "generate_series",
            "json_each",
            "jsonb_each_text",
            "json_array_elements",
            "jsonb_array_elements_text",
            "jsonb_object_keys",
            "json_to_recordset",
            "regexp_split_to_table",
            "string_to_table",
            "regexp_matches",
        ];
        for name in postgres {
            let kind = Dialect::Postgres.builtin_function(name);
            assert_eq!(kind, Some(FunctionKind::SetReturning), "{name}");
        }
        for name in ["json_each", "json_tree"] {
            let kind = Dialect::Sqlite.builtin_function(name);
            assert_eq!(kind, Some(FunctionKind::SetReturning), "{name}");
        }
        let kind = Dialect::MySql.builtin_function("json_table");
        assert_eq!(kind, Some(FunctionKind::SetReturning));
    }

    #[test]
    fn a_malformed_line_is_left_out() {
        assert_eq!(parse_line("lower"), Some(("lower", FunctionKind::Scalar)));
        assert_eq!(parse_line("Lower"), None);
        assert_eq!(parse_line("unnest set-returning x"), None);
        assert_eq!(parse_line("unnest table"), None);
        assert_eq!(parse_line("# unnest"), None);
        assert_eq!(parse_line(""), None);
    }
}
