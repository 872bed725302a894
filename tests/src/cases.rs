//! The oracle cases, as data: `tests/cases/*.toml`. One case is written once and runs on every
//! database its `dialects` name (sqlparser's `TestedDialects` pattern): `common.toml` holds
//! the statements every dialect runs the same way, `postgres.toml`, `mysql.toml` and
//! `sqlite.toml` the ones only that dialect has. Placeholders are written `?` and become
//! `$1`, `$2`, … for PostgreSQL (see [`Case::for_dialect`]).
//!
//! A case file:
//!
//! ```toml
//! dialects = ["postgres", "mysql", "sqlite"]  # the default for its cases
//!
//! [[case]]
//! name = "WHERE with arguments"               # shown in failures
//! sql = "SELECT id FROM orders WHERE total > ? AND status <> ?"
//! args = [25, "new"]                          # optional bind arguments: integers or strings
//! kind = "dml"                                # optional: `select` (the default) or `dml`
//! dialects = ["postgres", "mysql"]            # optional: instead of the file's
//! ordered = true                              # optional: compare rows in order
//! isolation_only = true                       # optional: see `Check::Isolation`
//! may_reject = true                           # optional: the engine may refuse it
//! ```
//!
//! ```
//! use tenant_query_core::Dialect;
//! use tenant_query_tests::cases::cases;
//! use tenant_query_tests::oracle::Kind;
//!
//! let queries = cases(Dialect::Sqlite, Kind::Select);
//! assert!(queries.iter().any(|c| c.name == "plain scan"));
//! ```

use serde::Deserialize;
use tenant_query_core::Dialect;

use crate::fixture::Val;
use crate::oracle::{Case, Kind};

/// The case files, shared ones first: the order in which their cases run.
const FILES: [(&str, &str); 4] = [
    ("common.toml", include_str!("../cases/common.toml")),
    ("postgres.toml", include_str!("../cases/postgres.toml")),
    ("mysql.toml", include_str!("../cases/mysql.toml")),
    ("sqlite.toml", include_str!("../cases/sqlite.toml")),
];

/// One case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    /// The dialects a case runs on when it names none.
    dialects: Vec<String>,
    /// The cases, in order.
    #[serde(rename = "case")]
    cases: Vec<CaseData>,
}

/// One case as written in a file; see the module documentation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseData {
    name: String,
    sql: String,
    #[serde(default)]
    kind: CaseKind,
    dialects: Option<Vec<String>>,
    #[serde(default)]
    args: Vec<Arg>,
    #[serde(default)]
    ordered: bool,
    #[serde(default)]
    isolation_only: bool,
    #[serde(default)]
    may_reject: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum CaseKind {
    #[default]
    Select,
    Dml,
}

/// A bind argument: TOML has integers and strings (and no NULL).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Arg {
    Int(i64),
    Text(String),
}

/// Every case of the case files of `kind` that runs on `dialect`, in the dialect's placeholder
/// style. Panics on a malformed case file: that is a broken test.
pub fn cases(dialect: Dialect, kind: Kind) -> Vec<Case> {
    let mut out = Vec::new();
    for (name, text) in FILES {
        let file: CaseFile =
            toml::from_str(text).unwrap_or_else(|e| panic!("tests/cases/{name}: {e}"));
        for data in file.cases {
            let dialects = data.dialects.as_ref().unwrap_or(&file.dialects);
            if !runs_on(dialects, dialect, name) || data.kind.to_kind() != kind {
                continue;
            }
            out.push(data.into_case().for_dialect(dialect));
        }
    }
    out
}

/// Whether `dialects` (of a case in the file `file`) lists `dialect`.
fn runs_on(dialects: &[String], dialect: Dialect, file: &str) -> bool {
    dialects.iter().any(|d| {
        d.parse::<Dialect>()
            .unwrap_or_else(|e| panic!("tests/cases/{file}: {e}"))
            == dialect
    })
}

impl CaseKind {
    fn to_kind(self) -> Kind {
        match self {
            CaseKind::Select => Kind::Select,
            CaseKind::Dml => Kind::Dml,
        }
    }
}

impl CaseData {
    fn into_case(self) -> Case {
        let case = match self.kind {
            CaseKind::Select => Case::select(&self.name, &self.sql),
            CaseKind::Dml => Case::dml(&self.name, &self.sql),
        };
        let mut case = case.args(
            self.args
                .into_iter()
                .map(|a| match a {
                    Arg::Int(i) => Val::Int(i),
                    Arg::Text(s) => Val::Text(s),
                })
                .collect(),
        );
        if self.ordered {
            case = case.ordered();
        }
        if self.isolation_only {
            case = case.isolation_only();
        }
        if self.may_reject {
            case = case.may_reject();
        }
        case
    }
}
