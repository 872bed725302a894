//! Every case of `tests/cases` on every database that can run it: queries and data-changing
//! statements are checked (and their reports asserted) separately per database.

use tenant_query_core::Dialect;
use tenant_query_tests::cases::cases;
use tenant_query_tests::check;
use tenant_query_tests::oracle::Kind;

/// Runs the `kind` cases of `dialect`; `what` names them in the report.
async fn run(dialect: Dialect, kind: Kind, what: &str) {
    check(dialect, what, cases(dialect, kind)).await;
}

#[tokio::test]
async fn postgres_queries_match_the_oracle() {
    run(Dialect::Postgres, Kind::Select, "postgres queries").await;
}

#[tokio::test]
async fn postgres_statements_match_the_oracle() {
    run(Dialect::Postgres, Kind::Dml, "postgres statements").await;
}

#[tokio::test]
async fn mysql_queries_match_the_oracle() {
    run(Dialect::MySql, Kind::Select, "mariadb queries").await;
}

#[tokio::test]
async fn mysql_statements_match_the_oracle() {
    run(Dialect::MySql, Kind::Dml, "mariadb statements").await;
}

#[tokio::test]
async fn sqlite_queries_match_the_oracle() {
    run(Dialect::Sqlite, Kind::Select, "sqlite queries").await;
}

#[tokio::test]
async fn sqlite_statements_match_the_oracle() {
    run(Dialect::Sqlite, Kind::Dml, "sqlite statements").await;
}
