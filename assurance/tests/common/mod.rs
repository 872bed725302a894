//! The oracle shared by the differential and regression tests: the harness's fixture as a
//! generator schema, and the comparison of one statement for every tenant.
#![allow(dead_code)]

use tenant_query_assurance::check::check_rewritten;
use tenant_query_assurance::generate::{Generated, StmtKind};
use tenant_query_assurance::schema::{self, Lit, Schema};
use tenant_query_core::{rewrite, DiagnosticKind, Dialect};
use tenant_query_tests::db::{copy_of, Conn, Env, TextRow};
use tenant_query_tests::fixture::{self, Val, TENANTS};
use tenant_query_tests::oracle::bind_values;

pub fn cases() -> u32 {
    std::env::var("TQ_ASSURANCE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120)
}

/// The fixture's tables as a generator schema, with sample values taken from the rows.
pub fn fixture_schema(tables: &[fixture::Table]) -> Schema {
    Schema {
        tables: tables
            .iter()
            .map(|t| schema::Table {
                name: t.name.to_owned(),
                columns: t
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mut samples: Vec<Lit> = Vec::new();
                        for row in &t.rows {
                            let lit = match &row[i] {
                                Val::Int(v) => Lit::Int(*v),
                                Val::Text(s) => Lit::Text(s.clone()),
                                Val::Null => continue,
                            };
                            if !samples.contains(&lit) && samples.len() < 6 {
                                samples.push(lit);
                            }
                        }
                        schema::Column {
                            name: c.name.to_owned(),
                            ty: match c.ty {
                                fixture::ColType::Int => schema::ColType::Int,
                                fixture::ColType::Text => schema::ColType::Text,
                            },
                            nullable: c.nullable,
                            samples,
                        }
                    })
                    .collect(),
                tenant_column: t.tenant_column.map(str::to_owned),
                primary_key: t.primary_key.iter().map(|s| (*s).to_owned()).collect(),
                unique: t
                    .unique
                    .iter()
                    .map(|k| k.iter().map(|s| (*s).to_owned()).collect())
                    .collect(),
            })
            .collect(),
    }
}

fn val(l: &Lit) -> Val {
    match l {
        Lit::Int(i) => Val::Int(*i),
        Lit::Text(s) => Val::Text(s.clone()),
        Lit::Null => Val::Null,
    }
}

#[derive(Default, Debug)]
pub struct Tally {
    pub statements: usize,
    pub refused: usize,
    pub dml: usize,
    pub runs: usize,
    pub both_failed: usize,
    pub non_empty: usize,
    pub scope_sensitive: usize,
}

/// The statement's result: its rows (sorted) or its affected-row count.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Rows(Vec<TextRow>),
    Affected(u64),
}

async fn run(conn: &mut Conn, sql: &str, binds: &[Val], rows: bool) -> Result<Outcome, String> {
    if std::env::var("TQ_ASSURANCE_TRACE").is_ok() {
        eprintln!("run: {sql}");
    }
    let started = std::time::Instant::now();
    let out = run_timed(conn, sql, binds, rows).await;
    if started.elapsed().as_secs() >= 3 {
        eprintln!("slow ({:?}): {sql}", started.elapsed());
    }
    out
}

async fn run_timed(
    conn: &mut Conn,
    sql: &str,
    binds: &[Val],
    rows: bool,
) -> Result<Outcome, String> {
    if rows {
        let mut r = conn.fetch(sql, binds).await.map_err(|e| e.to_string())?;
        r.sort();
        Ok(Outcome::Rows(r))
    } else {
        conn.execute(sql, binds)
            .await
            .map(Outcome::Affected)
            .map_err(|e| e.to_string())
    }
}

/// Runs a data-changing statement in a transaction, snapshots every table, rolls back.
async fn run_dml(
    conn: &mut Conn,
    sql: &str,
    binds: &[Val],
    rows: bool,
    tables: &[fixture::Table],
) -> Result<Result<(Outcome, Vec<Vec<TextRow>>), String>, String> {
    conn.begin().await.map_err(|e| e.to_string())?;
    let result = match run(conn, sql, binds, rows).await {
        Ok(out) => Env::snapshot(conn, tables).await.map(|s| Ok((out, s)))?,
        Err(e) => Err(e),
    };
    conn.rollback().await.map_err(|e| e.to_string())?;
    Ok(result)
}

fn show(o: &Result<Outcome, String>) -> String {
    match o {
        Err(e) => format!("error: {e}"),
        Ok(Outcome::Affected(n)) => format!("{n} row(s) affected"),
        Ok(Outcome::Rows(rows)) => {
            let mut s = format!("{} row(s)", rows.len());
            for r in rows.iter().take(12) {
                s.push_str(&format!("\n      ({})", r.join(", ")));
            }
            s
        }
    }
}

/// Compares `stmt` for every tenant; `structural`: also run the structural checker first.
pub async fn compare(
    env: &mut Env,
    baseline: &[Vec<TextRow>],
    stmt: &Generated,
    tally: &mut Tally,
    structural: bool,
) -> Result<(), String> {
    tally.statements += 1;
    let out = match rewrite(&env.manifest, &stmt.sql) {
        Ok(out) => out,
        Err(d) if d.kind == DiagnosticKind::Internal => return Err(format!("internal error: {d}")),
        Err(_) => {
            tally.refused += 1;
            return Ok(());
        }
    };
    let report = check_rewritten(&env.manifest, &stmt.sql, &out).map_err(|e| e.to_string())?;
    if structural && !report.is_ok() {
        return Err(format!(
            "the structural checker fails: {:#?}",
            report.violations
        ));
    }
    let args: Vec<Val> = stmt.args.iter().map(val).collect();
    let head = |t: i64| {
        format!(
            "tenant {t}\n   original:  {}\n   args:      {:?}\n   rewritten: {}\n   slots:     {:?}",
            stmt.sql, args, out.sql, out.bind_plan.slots
        )
    };
    let mut sensitive = false;
    let mut non_empty = false;
    if stmt.kind == StmtKind::Dml {
        tally.dml += 1;
    }
    // MariaDB 10.11 fails the second execution of some prepared statements with derived
    // tables ("Unknown column … in 'WHERE'") even when the first one succeeds: run every
    // statement under a text of its own so that sqlx prepares it afresh.
    let mysql = env.dialect == Dialect::MySql;
    let text = |sql: &str, tag: &str, t: i64| {
        if mysql {
            format!("{sql} /* {tag} {t} */")
        } else {
            sql.to_owned()
        }
    };
    for t in TENANTS {
        tally.runs += 1;
        let binds = bind_values(&out, &args, t);
        let rewritten_sql = text(&out.sql, "rewritten", t);
        let unscoped_sql = text(&stmt.sql, "unscoped", t);
        match stmt.kind {
            StmtKind::Query => {
                let expected = run(env.copy(t), &stmt.sql, &args, true).await;
                let actual = run(&mut env.full, &rewritten_sql, &binds, true).await;
                match (&expected, &actual) {
                    (Err(_), Err(_)) => tally.both_failed += 1,
                    (Ok(e), Ok(a)) if e == a => {
                        non_empty |= matches!(e, Outcome::Rows(r) if !r.is_empty());
                        // The unscoped run reads every tenant's rows: skip it where that
                        // can explode (recursive CTEs).
                        if !sensitive && !stmt.sql.contains("RECURSIVE") {
                            let unscoped = run(&mut env.full, &unscoped_sql, &args, true).await;
                            sensitive = unscoped.as_ref().ok() != Some(e);
                        }
                    }
                    _ => {
                        return Err(format!(
                            "{}\n   expected (original on the tenant's copy): {}\n   actual (rewritten on the full data):     {}",
                            head(t),
                            show(&expected),
                            show(&actual)
                        ))
                    }
                }
            }
            StmtKind::Dml => {
                let expected = run_dml(
                    copy_of(&mut env.copies, t),
                    &stmt.sql,
                    &args,
                    stmt.returns_rows,
                    &env.tables,
                )
                .await?;
                let actual = run_dml(
                    &mut env.full,
                    &rewritten_sql,
                    &binds,
                    stmt.returns_rows,
                    &env.tables,
                )
                .await?;
                let ((eo, et), (ao, at)) = match (expected, actual) {
                    (Err(_), Err(_)) => {
                        tally.both_failed += 1;
                        continue;
                    }
                    (Ok(e), Ok(a)) => (e, a),
                    (e, a) => {
                        return Err(format!(
                            "{}\n   expected (original on the tenant's copy): {}\n   actual (rewritten on the full data):     {}",
                            head(t),
                            show(&e.map(|x| x.0)),
                            show(&a.map(|x| x.0))
                        ))
                    }
                };
                if eo != ao {
                    return Err(format!(
                        "{}\n   expected result: {}\n   actual result:   {}",
                        head(t),
                        show(&Ok(eo)),
                        show(&Ok(ao))
                    ));
                }
                let key = t.to_string();
                for (i, table) in env.tables.iter().enumerate() {
                    let problem = match table.tenant_index() {
                        None => (et[i] != at[i]).then(|| "the global table differs".to_owned()),
                        Some(ti) => {
                            let others = |rows: &[TextRow]| -> Vec<TextRow> {
                                rows.iter().filter(|r| r[ti] != key).cloned().collect()
                            };
                            let own: Vec<TextRow> =
                                at[i].iter().filter(|r| r[ti] == key).cloned().collect();
                            if others(&baseline[i]) != others(&at[i]) {
                                Some("OTHER TENANTS' ROWS CHANGED".to_owned())
                            } else if own != et[i] {
                                Some("the tenant's rows differ from the copy's".to_owned())
                            } else {
                                None
                            }
                        }
                    };
                    if let Some(p) = problem {
                        return Err(format!(
                            "{}\n   table {}: {p}\n   expected: {:?}\n   actual:   {:?}",
                            head(t),
                            table.name,
                            et[i],
                            at[i]
                        ));
                    }
                    non_empty |= et[i] != baseline_copy_rows(table, t, &baseline[i]);
                }
            }
        }
    }
    tally.non_empty += usize::from(non_empty);
    tally.scope_sensitive += usize::from(sensitive);
    Ok(())
}

/// The rows the tenant's copy holds before any statement: its own rows, or all of a global
/// table.
fn baseline_copy_rows(table: &fixture::Table, tenant: i64, full: &[TextRow]) -> Vec<TextRow> {
    match table.tenant_index() {
        None => full.to_vec(),
        Some(ti) => full
            .iter()
            .filter(|r| r[ti] == tenant.to_string())
            .cloned()
            .collect(),
    }
}

/// Runs one statement through the oracle (without the structural checker) on a fresh fixture
/// for `dialect`. `Ok` when the engine refuses it or every tenant sees exactly its own slice;
/// `Err` with the failure otherwise.
pub fn oracle(
    dialect: Dialect,
    sql: &str,
    kind: StmtKind,
    returns_rows: bool,
) -> Result<Tally, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        let Some(mut env) = Env::new(dialect).await? else {
            // Unreachable outside CI: skipped loudly by the harness.
            return Ok(Tally::default());
        };
        let baseline = Env::snapshot(&mut env.full, &env.tables).await?;
        let stmt = Generated {
            sql: sql.to_owned(),
            args: vec![],
            kind,
            returns_rows,
        };
        let mut tally = Tally::default();
        let result = compare(&mut env, &baseline, &stmt, &mut tally, false).await;
        env.teardown().await?;
        result.map(|()| tally)
    })
}

/// A proptest runner for `cases` statements. Bounded runs (no `TQ_ASSURANCE_CASES`) use a
/// fixed seed so that CI sees the same statements every time; long runs draw a random seed.
/// `TQ_ASSURANCE_SEED` (a number) replays a run. The seed is printed.
pub fn runner(cases: u32, what: &str) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let seed: u64 = match std::env::var("TQ_ASSURANCE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(s) => s,
        None if std::env::var("TQ_ASSURANCE_CASES").is_ok() => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
        None => 20_261_125,
    };
    println!("{what}: {cases} cases, TQ_ASSURANCE_SEED={seed}");
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 400,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}
