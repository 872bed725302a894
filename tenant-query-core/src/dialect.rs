//! The SQL dialects and every way they differ, in one place.
//!
//! The engine asks a [`Dialect`] what it does (`dialect.identifier_quote()`,
//! `dialect.comma_binds_like_join()`), the way sqlparser's `Dialect::supports_*` methods work,
//! instead of matching on the dialect where the answer is needed.

use std::fmt;

/// The SQL dialect of the database the queries run on.
///
/// ```
/// use tenant_query_core::Dialect;
/// assert_eq!("mysql".parse::<Dialect>().unwrap(), Dialect::MySql);
/// assert_eq!(Dialect::Postgres.to_string(), "postgres");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL: `$1` placeholders, `ON CONFLICT`.
    Postgres,
    /// MySQL and MariaDB: positional `?` placeholders.
    MySql,
    /// SQLite: `?NNN` placeholders, `ON CONFLICT`.
    Sqlite,
}

/// The spellings `tenant-schema.toml` and the command line accept, canonical one first.
const SPELLINGS: &[(&str, Dialect)] = &[
    ("postgres", Dialect::Postgres),
    ("postgresql", Dialect::Postgres),
    ("mysql", Dialect::MySql),
    ("mariadb", Dialect::MySql),
    ("sqlite", Dialect::Sqlite),
];

/// The accepted dialects, as an error message lists them.
pub(crate) const SPELLED: &str = "\"postgres\", \"mysql\" or \"sqlite\"";

/// How a dialect compares identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdentifierCase {
    /// Unquoted identifiers fold to lower case; quoted ones are exact (PostgreSQL).
    FoldUnquoted,
    /// Names compare case-insensitively, quoted or not.
    Insensitive,
}

/// How the user's and the tenant's placeholders are written and bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlaceholderStyle {
    /// Numbered placeholders (`$1`, `?1`) that bind by number; `prefix` is the one the rewrite
    /// writes.
    Numbered {
        /// The character before the number.
        prefix: char,
    },
    /// Positional `?` that bind in text order.
    Positional,
}

/// Which CTE names the body of one CTE of a WITH list can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CteVisibility {
    /// Every CTE of the list.
    All,
    /// The CTEs before it.
    Preceding,
    /// The CTEs before it and itself; later ones are ambiguous (some databases of the dialect
    /// resolve them to the CTE, others to a table).
    PrecedingAndItselfLaterAmbiguous,
}

impl Dialect {
    /// The spelling used in `tenant-schema.toml` and on the command line.
    ///
    /// ```
    /// use tenant_query_core::Dialect;
    /// assert_eq!(Dialect::MySql.as_str(), "mysql");
    /// ```
    pub fn as_str(self) -> &'static str {
        SPELLINGS
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("", |(name, _)| name)
    }

    /// The database's own name, as in "valid PostgreSQL SQL".
    ///
    /// ```
    /// use tenant_query_core::Dialect;
    /// assert_eq!(Dialect::Postgres.display_name(), "PostgreSQL");
    /// ```
    pub fn display_name(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::MySql => "MySQL",
            Dialect::Sqlite => "SQLite",
        }
    }

    pub(crate) fn parser_dialect(self) -> Box<dyn sqlparser::dialect::Dialect> {
        match self {
            Dialect::Postgres => Box::new(sqlparser::dialect::PostgreSqlDialect {}),
            Dialect::MySql => Box::new(sqlparser::dialect::MySqlDialect {}),
            Dialect::Sqlite => Box::new(sqlparser::dialect::SQLiteDialect {}),
        }
    }

    /// The schema that an unqualified name resolves to, which a qualified name may spell out.
    fn default_schema(self) -> Option<&'static str> {
        match self {
            Dialect::Postgres => Some("public"),
            Dialect::Sqlite => Some("main"),
            Dialect::MySql => None,
        }
    }

    fn identifier_case(self) -> IdentifierCase {
        match self {
            Dialect::Postgres => IdentifierCase::FoldUnquoted,
            // SQLite compares names case-insensitively, quoted or not. MySQL's table-name case
            // sensitivity depends on the server's file system, so we treat names as
            // case-insensitive and reject manifests where that is ambiguous.
            Dialect::Sqlite | Dialect::MySql => IdentifierCase::Insensitive,
        }
    }

    /// The character that quotes an identifier the dialect would not read back unquoted.
    pub(crate) fn identifier_quote(self) -> char {
        match self {
            Dialect::MySql => '`',
            Dialect::Postgres | Dialect::Sqlite => '"',
        }
    }

    /// Normalises one identifier the way the database compares it.
    pub(crate) fn normalize_ident(self, value: &str, quoted: bool) -> String {
        match self.identifier_case() {
            IdentifierCase::FoldUnquoted if quoted => value.to_owned(),
            IdentifierCase::FoldUnquoted | IdentifierCase::Insensitive => value.to_lowercase(),
        }
    }

    /// Drops the default schema from a two-part normalised name.
    pub(crate) fn normalize_parts(self, mut parts: Vec<String>) -> Vec<String> {
        if parts.len() == 2 && Some(parts[0].as_str()) == self.default_schema() {
            parts.remove(0);
        }
        parts
    }

    /// The normalised parts of a table or function name as the manifest declares it
    /// (`orders`, `billing.invoices`): manifest names are the names as the database stores
    /// them.
    pub(crate) fn normalize_declared_name(self, name: &str) -> Vec<String> {
        self.normalize_parts(
            name.split('.')
                .map(|p| self.normalize_ident(p, true))
                .collect(),
        )
    }

    /// Whether a column as written in SQL (`value`, quoted or not) names the declared column.
    pub(crate) fn same_column(self, value: &str, quoted: bool, declared: &str) -> bool {
        match self.identifier_case() {
            IdentifierCase::FoldUnquoted if quoted => value == declared,
            IdentifierCase::FoldUnquoted => value.to_lowercase() == declared,
            IdentifierCase::Insensitive => value.eq_ignore_ascii_case(declared),
        }
    }

    /// How placeholders are written and bound.
    pub(crate) fn placeholder_style(self) -> PlaceholderStyle {
        match self {
            Dialect::Postgres => PlaceholderStyle::Numbered { prefix: '$' },
            Dialect::Sqlite => PlaceholderStyle::Numbered { prefix: '?' },
            Dialect::MySql => PlaceholderStyle::Positional,
        }
    }

    /// The prefixes of the numbered placeholders the user may write, in the order they are
    /// tried.
    pub(crate) fn numbered_placeholder_prefixes(self) -> &'static [char] {
        match self {
            Dialect::Postgres => &['$'],
            Dialect::Sqlite => &['?', '$'],
            Dialect::MySql => &[],
        }
    }

    /// Whether a bare `?` binds the next argument.
    pub(crate) fn supports_bare_question_placeholder(self) -> bool {
        match self {
            Dialect::Postgres => false,
            Dialect::MySql | Dialect::Sqlite => true,
        }
    }

    /// Whether `$N` placeholders must be rewritten as `?N`: SQLite gives `$1` the next free
    /// index, not index 1; `?1` is index 1.
    pub(crate) fn renumbers_dollar_placeholders(self) -> bool {
        self == Dialect::Sqlite
    }

    /// Which placeholders the dialect accepts, for the help line of a placeholder error.
    pub(crate) fn placeholder_help(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL placeholders are `$1`, `$2`, …",
            Dialect::Sqlite => "SQLite placeholders are `?`, or numbered `?1`, `?2`, …",
            Dialect::MySql => "MySQL placeholders are positional `?`",
        }
    }

    /// Whether a statement that needs no change may be sent as the user wrote it. MySQL's
    /// reading of string literals depends on the server's `sql_mode` (NO_BACKSLASH_ESCAPES),
    /// so MySQL statements are always sent as parsed.
    pub(crate) fn sends_text_as_written(self) -> bool {
        self != Dialect::MySql
    }

    /// Whether the database runs SQL hidden in comments the parser skips: MySQL and MariaDB
    /// run `/*! … */`, `/*!50700 … */` and `/*M! … */`, and end a `--` comment's marker only
    /// at white space.
    pub(crate) fn has_executable_comments(self) -> bool {
        self == Dialect::MySql
    }

    /// Which CTE names the body of a CTE of a WITH list can see. The databases differ:
    /// - PostgreSQL: the CTEs before it; all of them (itself and later ones too) under
    ///   RECURSIVE. Without RECURSIVE a CTE that names itself reads the table.
    /// - SQLite: every CTE of the list, with or without RECURSIVE.
    /// - MySQL: the CTEs before it, and itself under RECURSIVE. MariaDB also resolves later
    ///   ones under RECURSIVE and MySQL documents that it does not, so such a name is
    ///   ambiguous.
    pub(crate) fn cte_visibility(self, recursive: bool) -> CteVisibility {
        match (self, recursive) {
            (Dialect::Postgres, true) | (Dialect::Sqlite, _) => CteVisibility::All,
            (Dialect::Postgres, false) | (Dialect::MySql, false) => CteVisibility::Preceding,
            (Dialect::MySql, true) => CteVisibility::PrecedingAndItselfLaterAmbiguous,
        }
    }

    /// Whether a comma in FROM binds like JOIN: SQLite reads `a, b RIGHT JOIN c` with `(a, b)`
    /// as the nullable side, while the parse tree says `a, (b RIGHT JOIN c)`.
    pub(crate) fn comma_binds_like_join(self) -> bool {
        self == Dialect::Sqlite
    }

    /// Whether the database has `FULL [OUTER] JOIN`. MySQL and MariaDB have none: they read
    /// `a FULL JOIN b` as `a AS full JOIN b`, an inner join.
    pub(crate) fn supports_full_join(self) -> bool {
        self != Dialect::MySql
    }

    /// Whether `GROUP BY` a base table's primary key lets a query select the table's other
    /// columns ungrouped, which a derived table over it does not allow (PostgreSQL).
    pub(crate) fn groups_by_primary_key(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether a quoted name that is no column may be read as a string: SQLite reads a
    /// double-quoted name that matches no column as a string literal.
    pub(crate) fn quoted_name_may_be_string(self) -> bool {
        self == Dialect::Sqlite
    }

    /// Whether an untyped parameter takes its type from where it stands, so that one that
    /// stands alone as a value (a projected tenant) must be cast to stay consistent with the
    /// type its comparisons give it. PostgreSQL types `$2` of `SELECT …, $2 … WHERE
    /// varchar_col = $2` as both `text` and `varchar` and refuses to prepare it; MySQL's `?`
    /// are separate parameters, and SQLite's are untyped.
    pub(crate) fn types_parameters_by_position(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether `UPDATE a, b SET …` updates a comma-separated list of tables (MySQL), which
    /// sqlparser does not parse: the engine reads the commas as the cross joins they are.
    pub(crate) fn updates_comma_separated_tables(self) -> bool {
        self == Dialect::MySql
    }

    /// The schema that holds the built-in functions, which a call may name (`pg_catalog.lower`).
    pub(crate) fn builtin_schema(self) -> Option<&'static str> {
        match self {
            Dialect::Postgres => Some("pg_catalog"),
            Dialect::MySql | Dialect::Sqlite => None,
        }
    }

    /// Whether FROM accepts any function, not only set-returning ones: PostgreSQL reads a
    /// scalar function there as one row (`FROM jsonb_to_record(x) AS r(a int)`).
    pub(crate) fn calls_scalars_in_from(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether `DELETE FROM t1, t2 USING <joins>` names its targets after FROM and its
    /// relations in USING (MySQL), rather than adding the USING tables to the target's.
    pub(crate) fn delete_using_holds_the_relations(self) -> bool {
        self == Dialect::MySql
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SPELLINGS
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, d)| *d)
            .ok_or_else(|| format!("unknown dialect `{s}`; expected {SPELLED}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite];

    #[test]
    fn spellings_round_trip() {
        for d in ALL {
            assert_eq!(d.as_str().parse::<Dialect>(), Ok(d));
        }
        assert_eq!("postgresql".parse::<Dialect>(), Ok(Dialect::Postgres));
        assert_eq!("mariadb".parse::<Dialect>(), Ok(Dialect::MySql));
        assert!("oracle".parse::<Dialect>().is_err());
    }

    #[test]
    fn declared_names_drop_the_default_schema() {
        assert_eq!(
            Dialect::Postgres.normalize_declared_name("public.Orders"),
            ["Orders"]
        );
        assert_eq!(Dialect::Sqlite.normalize_declared_name("MAIN.t"), ["t"]);
        assert_eq!(
            Dialect::Postgres.normalize_declared_name("PUBLIC.t"),
            ["PUBLIC", "t"]
        );
        assert_eq!(
            Dialect::MySql.normalize_declared_name("Shop.Orders"),
            ["shop", "orders"]
        );
    }
}
