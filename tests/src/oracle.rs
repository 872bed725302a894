//! The oracle: the rewritten statement on the full database for tenant *T* must behave like
//! the original statement on the copy that holds only *T*'s rows.
//!
//! For a query, the result rows must be equal as multisets (as sequences when the case is
//! ordered). For a data-changing statement, each run happens in a transaction that is rolled
//! back afterwards; the statement's result (returned rows or affected-row count) must match,
//! *T*'s rows of every scoped table must match the copy's rows afterwards, global tables must
//! match, and every other tenant's rows must be unchanged.
//!
//! This is the only oracle: the hand-written cases ([`run_cases`]) and the assurance crate's
//! generated statements ([`check_case`], with [`Case::errors_agree`]) both go through it.

pub mod sets;

use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use tenant_query_core::{rewrite, BindSlot, DiagnosticKind, Dialect, Rewritten};

use crate::db::{copy_of, Conn, Env, TextRow};
use crate::fixture::{Val, TENANTS};

/// What a case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A query: results are compared.
    Select,
    /// A data-changing statement: results and table contents are compared.
    Dml,
}

/// What a data-changing case must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Everything matches the oracle.
    Exact,
    /// Only isolation: other tenants' rows stay unchanged and each of *T*'s rows afterwards is
    /// one the oracle has afterwards or one *T* had before. For statements the database itself cannot run the same way
    /// on the full data: an upsert whose conflict key (not including the tenant column) meets
    /// another tenant's row conflicts on the full data but inserts on the tenant's copy.
    Isolation,
}

/// One statement checked against the oracle.
#[derive(Debug, Clone)]
pub struct Case {
    /// A short description, shown in failures.
    pub name: String,
    /// The statement, in the dialect's placeholder style.
    pub sql: String,
    /// The user's bind arguments, in placeholder order.
    pub args: Vec<Val>,
    /// Whether result rows are compared in order (the statement has a total ORDER BY).
    pub ordered: bool,
    /// Query or data-changing statement.
    pub kind: Kind,
    /// How strictly a data-changing statement is compared.
    pub check: Check,
    /// Whether the engine may refuse the statement instead (refusal is always safe). An
    /// internal error of the engine is never a refusal.
    pub may_reject: bool,
    /// Whether the statement returns rows (a query, or a statement with `RETURNING`) rather
    /// than an affected-row count.
    pub returns_rows: bool,
    /// Whether a statement that fails both on the tenant's copy and, rewritten, on the full
    /// data agrees with the oracle (generated statements need not be valid). Otherwise a
    /// failing original is a broken case.
    pub errors_agree: bool,
    /// Whether the original also runs unscoped on the full data, to count the cases that
    /// would notice a missing tenant filter ([`Report::scope_sensitive`]). Off where that run
    /// can explode on every tenant's rows (recursive CTEs) or costs more than it tells (the
    /// assurance crate's generated data-changing statements).
    pub probe_unscoped: bool,
}

impl Case {
    /// A query without arguments.
    pub fn select(name: &str, sql: &str) -> Case {
        Case {
            name: name.to_owned(),
            sql: sql.to_owned(),
            args: vec![],
            ordered: false,
            kind: Kind::Select,
            check: Check::Exact,
            may_reject: false,
            returns_rows: true,
            errors_agree: false,
            probe_unscoped: true,
        }
    }

    /// A data-changing statement without arguments. Its result is the returned rows when
    /// the statement has a `RETURNING` clause and the affected-row count otherwise.
    pub fn dml(name: &str, sql: &str) -> Case {
        Case {
            kind: Kind::Dml,
            returns_rows: sql.to_uppercase().contains("RETURNING"),
            ..Case::select(name, sql)
        }
    }

    /// Sets the bind arguments.
    pub fn args(mut self, args: Vec<Val>) -> Case {
        self.args = args;
        self
    }

    /// Compares result rows in order.
    pub fn ordered(mut self) -> Case {
        self.ordered = true;
        self
    }

    /// Compares isolation only; see [`Check::Isolation`].
    pub fn isolation_only(mut self) -> Case {
        self.check = Check::Isolation;
        self
    }

    /// Accepts a refusal by the engine.
    pub fn may_reject(mut self) -> Case {
        self.may_reject = true;
        self
    }

    /// Lets a statement that fails on both sides agree; see [`Case::errors_agree`].
    pub fn errors_agree(mut self) -> Case {
        self.errors_agree = true;
        self
    }

    /// Skips the unscoped run; see [`Case::probe_unscoped`].
    pub fn without_unscoped_probe(mut self) -> Case {
        self.probe_unscoped = false;
        self
    }

    /// Rewrites `?` placeholders into PostgreSQL's `$1`, `$2`, … for `Dialect::Postgres`;
    /// leaves the text alone for the others. Case SQL never has `?` inside literals.
    pub fn for_dialect(mut self, dialect: Dialect) -> Case {
        if dialect == Dialect::Postgres {
            let mut out = String::new();
            let mut n = 0;
            for c in self.sql.chars() {
                if c == '?' {
                    n += 1;
                    write!(out, "${n}").expect("writing to a String");
                } else {
                    out.push(c);
                }
            }
            self.sql = out;
        }
        self
    }
}

/// The tally of one run over a list of cases.
#[derive(Debug, Default)]
pub struct Report {
    /// One message per failed (case, tenant).
    pub failures: Vec<String>,
    /// Cases run.
    pub cases: usize,
    /// (Case, tenant) runs.
    pub runs: usize,
    /// (Case, tenant) runs where the statement failed on both sides ([`Case::errors_agree`]).
    pub both_failed: usize,
    /// Cases the engine refused where refusal is allowed.
    pub rejected: Vec<String>,
    /// Cases whose oracle result is non-empty (queries) or changes data (statements) for
    /// at least one tenant.
    pub non_vacuous: usize,
    /// Cases whose oracle outcome differs between tenants.
    pub tenant_dependent: usize,
    /// Cases whose original, run unscoped on the full data, fails the same comparison for
    /// some tenant: the cases that would detect a missing tenant filter.
    pub scope_sensitive: usize,
}

impl Report {
    /// Panics with every failure, or when the cases are vacuous: at least 80% of the cases
    /// run must see data, at least one must depend on the tenant, and at least half must
    /// notice a missing tenant filter.
    pub fn assert_ok(&self, what: &str) {
        println!(
            "{what}: {} cases, {} non-vacuous, {} tenant-dependent, {} detect a missing filter, {} refused{}",
            self.cases,
            self.non_vacuous,
            self.tenant_dependent,
            self.scope_sensitive,
            self.rejected.len(),
            if self.rejected.is_empty() {
                String::new()
            } else {
                format!(" ({})", self.rejected.join("; "))
            }
        );
        if !self.failures.is_empty() {
            panic!(
                "{what}: {} failure(s):\n\n{}",
                self.failures.len(),
                self.failures.join("\n\n")
            );
        }
        let ran = self.cases - self.rejected.len();
        assert!(ran > 0, "{what}: no case ran");
        assert!(
            self.non_vacuous * 10 >= ran * 8,
            "{what}: only {} of {ran} cases see any data; the fixture no longer exercises them",
            self.non_vacuous
        );
        assert!(
            self.tenant_dependent > 0,
            "{what}: no case's outcome depends on the tenant"
        );
        assert!(
            self.scope_sensitive * 2 >= ran,
            "{what}: only {} of {ran} cases would notice a missing tenant filter",
            self.scope_sensitive,
        );
    }
}

/// The values to bind to the rewritten statement for `tenant`, in slot order.
pub fn bind_values(rewritten: &Rewritten, args: &[Val], tenant: i64) -> Vec<Val> {
    rewritten
        .bind_plan
        .slots
        .iter()
        .map(|slot| match slot {
            BindSlot::Tenant => Val::Int(tenant),
            BindSlot::Arg(i) => args[*i].clone(),
        })
        .collect()
}

/// Rewrites `case`, turning a panic in the engine into an error message.
fn rewrite_case(env: &Env, case: &Case) -> Result<Rewritten, String> {
    match catch_unwind(AssertUnwindSafe(|| rewrite(&env.manifest, &case.sql))) {
        Ok(Ok(r)) => {
            if r.bind_plan.user_args != case.args.len() {
                return Err(format!(
                    "the bind plan expects {} user arguments, the case has {}",
                    r.bind_plan.user_args,
                    case.args.len()
                ));
            }
            Ok(r)
        }
        Ok(Err(d)) if d.kind == DiagnosticKind::Internal => Err(format!("internal error: {d}")),
        Ok(Err(d)) => Err(format!("refused: {d}")),
        Err(p) => Err(format!(
            "the engine panicked: {}",
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        )),
    }
}

/// Result rows and affected-row count of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    rows: Vec<TextRow>,
    affected: Option<u64>,
}

/// Runs `sql` once. `TQ_ORACLE_TRACE` set: prints every statement before it runs; a statement
/// that takes three seconds or more is always reported.
async fn run(conn: &mut Conn, case: &Case, sql: &str, binds: &[Val]) -> Result<Outcome, String> {
    if std::env::var_os("TQ_ORACLE_TRACE").is_some() {
        eprintln!("run: {sql}");
    }
    let started = std::time::Instant::now();
    let out = run_untimed(conn, case, sql, binds).await;
    if started.elapsed().as_secs() >= 3 {
        eprintln!("slow ({:?}): {sql}", started.elapsed());
    }
    out
}

async fn run_untimed(
    conn: &mut Conn,
    case: &Case,
    sql: &str,
    binds: &[Val],
) -> Result<Outcome, String> {
    let out = if case.returns_rows {
        let mut rows = conn.fetch(sql, binds).await.map_err(|e| e.to_string())?;
        if !case.ordered {
            rows.sort();
        }
        Outcome {
            rows,
            affected: None,
        }
    } else {
        Outcome {
            rows: vec![],
            affected: Some(conn.execute(sql, binds).await.map_err(|e| e.to_string())?),
        }
    };
    Ok(out)
}

fn show_rows(rows: &[TextRow]) -> String {
    const MAX: usize = 30;
    let mut s = String::new();
    for r in rows.iter().take(MAX) {
        writeln!(s, "      ({})", r.join(", ")).expect("writing to a String");
    }
    if rows.len() > MAX {
        writeln!(s, "      … {} more", rows.len() - MAX).expect("writing to a String");
    }
    if rows.is_empty() {
        s.push_str("      (no rows)\n");
    }
    s
}

fn show_outcome(o: &Outcome) -> String {
    match o.affected {
        Some(n) => format!("      {n} row(s) affected\n"),
        None => show_rows(&o.rows),
    }
}

fn header(case: &Case, tenant: Option<i64>, rewritten: Option<&Rewritten>) -> String {
    let mut s = format!("[{}]", case.name);
    if let Some(t) = tenant {
        write!(s, " tenant {t}").expect("writing to a String");
    }
    write!(s, "\n   original:  {}", case.sql).expect("writing to a String");
    if !case.args.is_empty() {
        write!(s, "\n   args:      {:?}", case.args).expect("writing to a String");
    }
    if let Some(r) = rewritten {
        write!(
            s,
            "\n   rewritten: {}\n   slots:     {:?}",
            r.sql, r.bind_plan.slots
        )
        .expect("writing to a String");
    }
    s
}

/// The contents of every table before any case runs.
pub struct Baseline {
    /// The full database.
    full: Vec<Vec<TextRow>>,
    /// Each tenant's copy, in [`TENANTS`] order.
    copies: Vec<Vec<Vec<TextRow>>>,
}

impl Baseline {
    /// Snapshots the full database and every copy of `env`.
    pub async fn take(env: &mut Env) -> Result<Baseline, String> {
        let mut baseline = Baseline {
            full: Env::snapshot(&mut env.full, &env.tables).await?,
            copies: Vec::new(),
        };
        for t in TENANTS {
            baseline
                .copies
                .push(Env::snapshot(copy_of(&mut env.copies, t), &env.tables).await?);
        }
        Ok(baseline)
    }
}

/// What one (case, tenant) run found besides failures.
struct TenantRun {
    /// The oracle's outcome, compared across tenants.
    expected: Outcome,
    /// The oracle returned rows (query) or changed data (statement).
    sees_data: bool,
    /// The original run unscoped on the full data fails the same comparison.
    scope_sensitive: bool,
}

/// How one (case, tenant) run ended.
enum RunEnd {
    /// Both sides ran; failures (if any) are recorded.
    Ran(TenantRun),
    /// Both sides failed, which agrees under [`Case::errors_agree`].
    BothFailed,
    /// A failure is recorded.
    Failed,
}

/// Runs every case for every tenant and tallies the result.
pub async fn run_cases(env: &mut Env, cases: &[Case]) -> Result<Report, String> {
    let mut report = Report::default();
    let baseline = Baseline::take(env).await?;
    for case in cases {
        check_case(env, &baseline, case, &mut report).await;
    }
    Ok(report)
}

/// Checks one case for every tenant against `baseline` (the contents before any case ran)
/// and adds the outcome to `report`.
pub async fn check_case(env: &mut Env, baseline: &Baseline, case: &Case, report: &mut Report) {
    report.cases += 1;
    let rewritten = match rewrite_case(env, case) {
        Ok(r) => r,
        Err(e) if case.may_reject && e.starts_with("refused") => {
            report.rejected.push(case.name.clone());
            return;
        }
        Err(e) => {
            report
                .failures
                .push(format!("{}\n   {e}", header(case, None, None)));
            return;
        }
    };
    let mut runs = Vec::new();
    let mut failing_tenants = Vec::new();
    for (ti, t) in TENANTS.into_iter().enumerate() {
        report.runs += 1;
        // One tenant that notices a missing filter is enough: skip the unscoped run after.
        let probe = case.probe_unscoped && !runs.iter().any(|r: &TenantRun| r.scope_sensitive);
        let mut failures = Vec::new();
        let end = match case.kind {
            Kind::Select => check_query(env, case, &rewritten, t, probe, &mut failures).await,
            Kind::Dml => {
                let before = (baseline, ti);
                check_statement(env, case, &rewritten, t, before, probe, &mut failures).await
            }
        };
        match end {
            RunEnd::Ran(run) => runs.push(run),
            RunEnd::BothFailed => report.both_failed += 1,
            RunEnd::Failed => {}
        }
        if !failures.is_empty() {
            failing_tenants.push(t);
            // Two tenants' details are enough to see what happened.
            if failing_tenants.len() <= 2 {
                let head = header(case, Some(t), Some(&rewritten));
                report
                    .failures
                    .extend(failures.into_iter().map(|f| format!("{head}\n   {f}")));
            }
        }
    }
    if failing_tenants.len() > 2 {
        report.failures.push(format!(
            "[{}] fails for tenants {:?} (details of the first two above)",
            case.name, failing_tenants
        ));
    }
    report.non_vacuous += usize::from(runs.iter().any(|r| r.sees_data));
    report.scope_sensitive += usize::from(runs.iter().any(|r| r.scope_sensitive));
    report.tenant_dependent += usize::from(runs.windows(2).any(|w| w[0].expected != w[1].expected));
}

/// The text to run on the full database for `tenant`. MariaDB 10.11 fails the second
/// execution of some prepared statements with derived tables ("Unknown column … in 'WHERE'")
/// even when the first one succeeds, so on MySQL every run gets a text of its own, which
/// sqlx prepares afresh.
fn distinct_text(env: &Env, sql: &str, tag: &str, tenant: i64) -> String {
    if env.dialect == Dialect::MySql {
        format!("{sql} /* {tag} {tenant} */")
    } else {
        sql.to_owned()
    }
}

/// Sorts out the two sides of a run: `Ok` with both outcomes, or how the run ended.
fn both<T>(
    case: &Case,
    expected: Result<T, String>,
    actual: Result<T, String>,
    failures: &mut Vec<String>,
) -> Result<(T, T), RunEnd> {
    match (expected, actual) {
        (Err(_), Err(_)) if case.errors_agree => Err(RunEnd::BothFailed),
        (Err(e), _) => {
            failures.push(format!("the original fails on the tenant's copy: {e}"));
            Err(RunEnd::Failed)
        }
        (Ok(_), Err(e)) => {
            failures.push(format!("the rewritten statement fails: {e}"));
            Err(RunEnd::Failed)
        }
        (Ok(exp), Ok(act)) => Ok((exp, act)),
    }
}

/// Checks a query for tenant `t`; `probe`: also run the original unscoped.
async fn check_query(
    env: &mut Env,
    case: &Case,
    rewritten: &Rewritten,
    t: i64,
    probe: bool,
    failures: &mut Vec<String>,
) -> RunEnd {
    let binds = bind_values(rewritten, &case.args, t);
    let expected = run(env.copy(t), case, &case.sql, &case.args).await;
    let sql = distinct_text(env, &rewritten.sql, "rewritten", t);
    let actual = run(&mut env.full, case, &sql, &binds).await;
    let (exp, act) = match both(case, expected, actual, failures) {
        Ok(pair) => pair,
        Err(end) => return end,
    };
    if exp != act {
        failures.push(format!(
            "expected (original on tenant {t}'s copy):\n{}   actual (rewritten on the full data):\n{}",
            show_outcome(&exp),
            show_outcome(&act)
        ));
    }
    let mut scope_sensitive = false;
    if probe {
        let sql = distinct_text(env, &case.sql, "unscoped", t);
        let unscoped = run(&mut env.full, case, &sql, &case.args).await;
        scope_sensitive = unscoped.as_ref().ok() != Some(&exp);
    }
    RunEnd::Ran(TenantRun {
        sees_data: !exp.rows.is_empty(),
        scope_sensitive,
        expected: exp,
    })
}

/// Checks a data-changing statement for tenant `t`; `before` is the baseline and the index
/// of `t` in [`TENANTS`]; `probe`: also run the original unscoped.
async fn check_statement(
    env: &mut Env,
    case: &Case,
    rewritten: &Rewritten,
    t: i64,
    (baseline, ti): (&Baseline, usize),
    probe: bool,
    failures: &mut Vec<String>,
) -> RunEnd {
    let binds = bind_values(rewritten, &case.args, t);
    let copy_before = &baseline.copies[ti];
    let copy = copy_of(&mut env.copies, t);
    let expected = run_rolled_back(copy, case, &case.sql, &case.args, &env.tables).await;
    let sql = distinct_text(env, &rewritten.sql, "rewritten", t);
    let actual = run_rolled_back(&mut env.full, case, &sql, &binds, &env.tables).await;
    let ((exp, exp_tables), (act, act_tables)) = match both(case, expected, actual, failures) {
        Ok(pair) => pair,
        Err(end) => return end,
    };
    // Where the original changed shared rows of a `tenant_or_global` table on the copy, the
    // rewrite rightly leaves them alone, so its count and RETURNING rows are the tenant's only;
    // the tables are still compared exactly below.
    let touched_shared = touches_shared_rows(&env.tables, copy_before, &exp_tables);
    if case.check == Check::Exact && !touched_shared && exp != act {
        failures.push(format!(
            "expected result (original on tenant {t}'s copy):\n{}   actual result (rewritten on the full data):\n{}",
            show_outcome(&exp),
            show_outcome(&act)
        ));
    }
    // The problems of the full data's tables after a run, compared with the oracle.
    let problems = |after: &[Vec<TextRow>]| -> Vec<String> {
        env.tables
            .iter()
            .enumerate()
            .filter_map(|(i, table)| {
                compare_table(
                    table,
                    t,
                    &baseline.full[i],
                    &copy_before[i],
                    &exp_tables[i],
                    &after[i],
                    case.check,
                )
                .map(|p| format!("table {}: {p}", table.name))
            })
            .collect()
    };
    failures.extend(problems(&act_tables));
    // Would the case notice a missing tenant filter? Check the original run on the full data
    // the same way.
    let mut scope_sensitive = false;
    if probe {
        let sql = distinct_text(env, &case.sql, "unscoped", t);
        let unscoped = run_rolled_back(&mut env.full, case, &sql, &case.args, &env.tables).await;
        scope_sensitive = match &unscoped {
            Err(_) => true,
            Ok((out, tables)) => {
                (case.check == Check::Exact && out != &exp) || !problems(tables).is_empty()
            }
        };
    }
    RunEnd::Ran(TenantRun {
        sees_data: &exp_tables != copy_before,
        scope_sensitive,
        expected: Outcome {
            rows: exp_tables.concat(),
            affected: exp.affected,
        },
    })
}

/// Whether a statement changed the shared rows (NULL tenant) of a `tenant_or_global` table.
fn touches_shared_rows(
    tables: &[crate::fixture::Table],
    before: &[Vec<TextRow>],
    after: &[Vec<TextRow>],
) -> bool {
    tables.iter().enumerate().any(|(i, table)| {
        let Some(ti) = table.tenant_index().filter(|_| table.shared) else {
            return false;
        };
        let shared = |rows: &[TextRow]| -> Vec<TextRow> {
            rows.iter().filter(|r| r[ti] == "NULL").cloned().collect()
        };
        shared(&before[i]) != shared(&after[i])
    })
}

/// Runs a statement inside a transaction, snapshots every table, and rolls back.
async fn run_rolled_back(
    conn: &mut Conn,
    case: &Case,
    sql: &str,
    binds: &[Val],
    tables: &[crate::fixture::Table],
) -> Result<(Outcome, Vec<Vec<TextRow>>), String> {
    conn.begin().await.map_err(|e| e.to_string())?;
    let result = async {
        let out = run(conn, case, sql, binds).await?;
        let snap = Env::snapshot(conn, tables).await?;
        Ok((out, snap))
    }
    .await;
    conn.rollback().await.map_err(|e| e.to_string())?;
    result
}

/// Compares one table after a statement. `full_before`/`copy_before` are the contents before,
/// `expected` the copy's after the original, `actual` the full data's after the rewrite.
fn compare_table(
    table: &crate::fixture::Table,
    tenant: i64,
    full_before: &[TextRow],
    copy_before: &[TextRow],
    expected: &[TextRow],
    actual: &[TextRow],
    check: Check,
) -> Option<String> {
    let shared = table.shared;
    let Some(ti) = table.tenant_index() else {
        return (expected != actual).then(|| {
            format!(
                "the global table differs\n   expected:\n{}   actual:\n{}",
                show_rows(expected),
                show_rows(actual)
            )
        });
    };
    let key = tenant.to_string();
    let others = |rows: &[TextRow]| -> Vec<TextRow> {
        rows.iter().filter(|r| r[ti] != key).cloned().collect()
    };
    let own = |rows: &[TextRow]| -> Vec<TextRow> {
        rows.iter().filter(|r| r[ti] == key).cloned().collect()
    };
    let (others_before, others_after) = (others(full_before), others(actual));
    if others_before != others_after {
        let gone: Vec<TextRow> = others_before
            .iter()
            .filter(|r| !others_after.contains(r))
            .cloned()
            .collect();
        let new: Vec<TextRow> = others_after
            .iter()
            .filter(|r| !others_before.contains(r))
            .cloned()
            .collect();
        return Some(format!(
            "OTHER TENANTS' ROWS CHANGED\n   removed or changed:\n{}   added or changed:\n{}",
            show_rows(&gone),
            show_rows(&new)
        ));
    }
    let own_after = own(actual);
    // The shared rows of a `tenant_or_global` table are in the copy too: the original may
    // change them there, the rewrite never does (they are among the others above).
    let is_shared = |r: &TextRow| shared && r[ti] == "NULL";
    let copy_stray: Vec<TextRow> = others(expected)
        .into_iter()
        .filter(|r| !is_shared(r))
        .collect();
    let expected = &own(expected)[..];
    if !copy_stray.is_empty() {
        return Some(format!(
            "the tenant's copy has rows of another tenant after the original:\n{}",
            show_rows(&copy_stray)
        ));
    }
    // Under `Isolation` every row the tenant has afterwards must be one the oracle has
    // afterwards or one the tenant had before (a multi-row statement may partly apply).
    let ok = own_after == expected
        || (check == Check::Isolation
            && own_after
                .iter()
                .all(|r| expected.contains(r) || copy_before.contains(r)));
    (!ok).then(|| {
        format!(
            "the tenant's rows differ\n   expected (tenant's copy after the original):\n{}   actual (tenant's rows after the rewrite):\n{}",
            show_rows(expected),
            show_rows(&own_after)
        )
    })
}
