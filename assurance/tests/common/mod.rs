//! What the differential and regression tests share: the harness's fixture as a generator
//! schema, and generated statements run through the harness's oracle
//! (`tenant_query_tests::oracle`), after the structural checker.
#![allow(dead_code)]

use tenant_query_assurance::check::check_rewritten;
use tenant_query_assurance::generate::{Generated, StmtKind};
use tenant_query_assurance::schema::{self, Lit, Schema};
use tenant_query_core::{rewrite, Dialect};
use tenant_query_tests::db::Env;
use tenant_query_tests::fixture::{self, Val};
use tenant_query_tests::oracle::{check_case, Baseline, Case, Report};

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

/// `stmt` as a case of the harness's oracle: the engine may refuse it, and a statement that
/// fails on both sides agrees (generated statements need not be valid).
fn case(stmt: &Generated) -> Case {
    let case = match stmt.kind {
        StmtKind::Query => Case::select("generated", &stmt.sql),
        StmtKind::Dml => Case::dml("generated", &stmt.sql),
    };
    let case = Case {
        returns_rows: stmt.returns_rows,
        ..case.args(stmt.args.iter().map(val).collect())
    }
    .may_reject()
    .errors_agree();
    // The unscoped run reads every tenant's rows: skip it where that can explode (recursive
    // CTEs), and for data-changing statements, where it costs a rolled-back run per tenant
    // that the differential test's time budget does not have.
    if stmt.sql.contains("RECURSIVE") || stmt.kind == StmtKind::Dml {
        case.without_unscoped_probe()
    } else {
        case
    }
}

/// Compares `stmt` for every tenant through the harness's oracle, adding to `report`. An
/// accepted rewrite must parse for the structural checker; `structural`: it must also pass it.
pub async fn compare(
    env: &mut Env,
    baseline: &Baseline,
    stmt: &Generated,
    report: &mut Report,
    structural: bool,
) -> Result<(), String> {
    if let Ok(out) = rewrite(&env.manifest, &stmt.sql) {
        let check = check_rewritten(&env.manifest, &stmt.sql, &out).map_err(|e| e.to_string())?;
        if structural && !check.is_ok() {
            return Err(format!(
                "the structural checker fails: {:#?}",
                check.violations
            ));
        }
    }
    let failures = report.failures.len();
    check_case(env, baseline, &case(stmt), report).await;
    match report.failures.get(failures..) {
        Some(new) if !new.is_empty() => Err(new.join("\n\n")),
        _ => Ok(()),
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
) -> Result<Report, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        let Some(mut env) = Env::new(dialect).await? else {
            // Unreachable outside CI: skipped loudly by the harness.
            return Ok(Report::default());
        };
        let baseline = Baseline::take(&mut env).await?;
        let stmt = Generated {
            sql: sql.to_owned(),
            args: vec![],
            kind,
            returns_rows,
        };
        let mut report = Report::default();
        let result = compare(&mut env, &baseline, &stmt, &mut report, false).await;
        env.teardown().await?;
        result.map(|()| report)
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
