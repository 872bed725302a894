//! The oracle of tenant sets: the statement rewritten for a set *S*
//! ([`rewrite_for_set`]) on the full database must behave like the original statement on a
//! copy holding the rows of every tenant of *S* (with the shared rows of the
//! `tenant_or_global` tables, and the global tables complete).
//!
//! The copy holds the union of the tenants' rows, not the union of per-tenant results: a join
//! over a set pairs rows of different tenants of the set (overlapping ids), as it would on a
//! database that held only their rows. Queries compare their rows. UPDATE and DELETE (with
//! [`SetWrites::All`]) run in a rolled-back transaction on both sides and compare their
//! result, the set's rows afterwards and every other row, which must be unchanged. INSERT is
//! refused over a set, and must be.

use tenant_query_core::{rewrite_for_set, BindSlot, DiagnosticKind, Dialect, Rewritten, SetWrites};

use super::{run, run_rolled_back, show_outcome, Case, Check, Kind, Outcome, Report};
use crate::db::{Conn, Env, TextRow};
use crate::fixture::{Table, Val};

/// The sets every case runs for: tenant 4 owns no rows; tenants 1, 2 and 3 share ids.
pub const SETS: [&[i64]; 4] = [&[1, 2], &[2, 4], &[1, 3, 4], &[1, 2, 3, 4]];

/// Cases whose outcome on a set's copy depends on the order the database meets rows in: an
/// `UPDATE … FROM` whose join matches several rows once tenants with overlapping ids share a
/// copy (PostgreSQL then applies one of them, unspecified which). They are checked for
/// isolation only ([`Check::Isolation`]): nothing outside the set changes.
const ORDER_DEPENDENT_OVER_SETS: &[&str] = &[
    "UPDATE ... FROM the same table",
    "UPDATE ... FROM a LEFT JOIN of scoped tables",
];

/// The value bound for the set: PostgreSQL's array (as text, cast by the statement's
/// `::BIGINT[]`), the others' JSON array text.
pub fn set_value(dialect: Dialect, set: &[i64]) -> Val {
    let ids: Vec<String> = set.iter().map(i64::to_string).collect();
    match dialect {
        Dialect::Postgres => Val::Text(format!("{{{}}}", ids.join(","))),
        _ => Val::Text(format!("[{}]", ids.join(","))),
    }
}

/// The values to bind to a statement rewritten for `set`, in slot order.
fn set_binds(dialect: Dialect, rewritten: &Rewritten, args: &[Val], set: &[i64]) -> Vec<Val> {
    let value = set_value(dialect, set);
    let slot = |s: &BindSlot| match s {
        BindSlot::Tenant => value.clone(),
        BindSlot::Arg(i) => args[*i].clone(),
    };
    rewritten.bind_plan.slots.iter().map(slot).collect()
}

/// Runs every case for every set of [`SETS`] and tallies the result like
/// [`run_cases`](super::run_cases): INSERTs must be refused and count as rejected.
pub async fn run_set_cases(env: &mut Env, cases: &[Case]) -> Result<Report, String> {
    let full_before = Env::snapshot(&mut env.full, &env.tables).await?;
    let mut copies = Vec::new();
    for set in SETS {
        copies.push((set, env.set_copy(set).await?));
    }
    let mut report = Report::default();
    for case in cases {
        let mut case = case.clone();
        if ORDER_DEPENDENT_OVER_SETS.contains(&case.name.as_str()) {
            case.check = Check::Isolation;
        }
        let case = &case;
        report.cases += 1;
        let rewritten = match rewrite_for_set(&env.manifest, &case.sql, SetWrites::All) {
            Ok(r) => r,
            Err(d) if d.kind == DiagnosticKind::TenantSetInsert => {
                report.rejected.push(case.name.clone());
                continue;
            }
            Err(d) if case.may_reject && d.kind != DiagnosticKind::Internal => {
                report.rejected.push(case.name.clone());
                continue;
            }
            Err(d) => {
                report
                    .failures
                    .push(format!("[{}] refused over a set: {d}", case.name));
                continue;
            }
        };
        let mut expected_per_set = Vec::new();
        let (mut sees_data, mut sensitive) = (false, false);
        for (set, copy) in &mut copies {
            report.runs += 1;
            let mut ctx = SetRun {
                env: &mut *env,
                case,
                rewritten: &rewritten,
                set,
                full_before: &full_before,
                failures: Vec::new(),
            };
            let outcome = ctx.check(copy, !sensitive).await;
            let failures = std::mem::take(&mut ctx.failures);
            let head = format!(
                "[{}] set {set:?}\n   original:  {}\n   rewritten: {}",
                case.name, case.sql, rewritten.sql
            );
            report
                .failures
                .extend(failures.into_iter().map(|f| format!("{head}\n   {f}")));
            if let Some((expected, data, scope_sensitive)) = outcome {
                sees_data |= data;
                sensitive |= scope_sensitive;
                expected_per_set.push(expected);
            }
        }
        report.non_vacuous += usize::from(sees_data);
        report.scope_sensitive += usize::from(sensitive);
        report.tenant_dependent += usize::from(expected_per_set.windows(2).any(|w| w[0] != w[1]));
    }
    Ok(report)
}

/// One case for one set.
struct SetRun<'a> {
    env: &'a mut Env,
    case: &'a Case,
    rewritten: &'a Rewritten,
    set: &'a [i64],
    full_before: &'a [Vec<TextRow>],
    failures: Vec<String>,
}

impl SetRun<'_> {
    /// Runs the case on the set's copy and, rewritten, on the full data. Returns the oracle's
    /// outcome, whether it sees data, and whether the original run unscoped on the full data
    /// differs (`probe`); `None` when a side failed.
    async fn check(&mut self, copy: &mut Conn, probe: bool) -> Option<(Outcome, bool, bool)> {
        let binds = set_binds(self.env.dialect, self.rewritten, &self.case.args, self.set);
        let sql = self.distinct(&self.rewritten.sql, "rewritten");
        match self.case.kind {
            Kind::Select => {
                let expected = run(copy, self.case, &self.case.sql, &self.case.args).await;
                let actual = run(&mut self.env.full, self.case, &sql, &binds).await;
                let (exp, act) = self.both(expected, actual)?;
                if exp != act {
                    self.differ(&exp, &act);
                }
                let mut sensitive = false;
                if probe {
                    let unscoped = self.distinct(&self.case.sql, "unscoped");
                    let out = run(&mut self.env.full, self.case, &unscoped, &self.case.args).await;
                    sensitive = out.as_ref().ok() != Some(&exp);
                }
                let data = !exp.rows.is_empty();
                Some((exp, data, sensitive))
            }
            Kind::Dml => {
                let tables = self.env.tables.clone();
                let expected =
                    run_rolled_back(copy, self.case, &self.case.sql, &self.case.args, &tables)
                        .await;
                let actual =
                    run_rolled_back(&mut self.env.full, self.case, &sql, &binds, &tables).await;
                let ((exp, exp_tables), (act, act_tables)) = self.both(expected, actual)?;
                let copy_before = Env::snapshot(copy, &tables).await.ok()?;
                let touched_shared = super::touches_shared_rows(&tables, &copy_before, &exp_tables);
                if self.case.check == Check::Exact && !touched_shared && exp != act {
                    self.differ(&exp, &act);
                }
                for (i, table) in tables.iter().enumerate() {
                    if let Some(p) = self.compare_table(table, i, &exp_tables[i], &act_tables[i]) {
                        self.failures.push(format!("table {}: {p}", table.name));
                    }
                }
                let mut sensitive = false;
                if probe {
                    let unscoped = self.distinct(&self.case.sql, "unscoped");
                    let args = &self.case.args;
                    let full = &mut self.env.full;
                    sensitive =
                        match run_rolled_back(full, self.case, &unscoped, args, &tables).await {
                            Err(_) => true,
                            Ok((out, after)) => {
                                (self.case.check == Check::Exact && out != exp)
                                    || tables.iter().enumerate().any(|(i, t)| {
                                        self.compare_table(t, i, &exp_tables[i], &after[i])
                                            .is_some()
                                    })
                            }
                        };
                }
                let data = exp_tables != copy_before;
                let expected = Outcome {
                    rows: exp_tables.concat(),
                    affected: exp.affected,
                };
                Some((expected, data, sensitive))
            }
        }
    }

    /// Compares one table after a write: other tenants' and shared rows unchanged, the set's
    /// rows equal to the copy's (under [`Check::Exact`]).
    fn compare_table(
        &self,
        table: &Table,
        i: usize,
        expected: &[TextRow],
        actual: &[TextRow],
    ) -> Option<String> {
        let Some(ti) = table.tenant_index() else {
            return (expected != actual).then(|| "the global table differs".to_owned());
        };
        let keys: Vec<String> = self.set.iter().map(i64::to_string).collect();
        let in_set = |r: &&TextRow| keys.contains(&r[ti]);
        let others = |rows: &[TextRow]| -> Vec<TextRow> {
            rows.iter().filter(|r| !in_set(r)).cloned().collect()
        };
        let own =
            |rows: &[TextRow]| -> Vec<TextRow> { rows.iter().filter(in_set).cloned().collect() };
        if others(&self.full_before[i]) != others(actual) {
            return Some("ROWS OUTSIDE THE SET CHANGED".to_owned());
        }
        (self.case.check == Check::Exact && own(expected) != own(actual)).then(|| {
            format!(
                "the set's rows differ\n   expected:\n{}   actual:\n{}",
                super::show_rows(&own(expected)),
                super::show_rows(&own(actual))
            )
        })
    }

    fn differ(&mut self, exp: &Outcome, act: &Outcome) {
        self.failures.push(format!(
            "expected (original on the set's copy):\n{}   actual (rewritten on the full data):\n{}",
            show_outcome(exp),
            show_outcome(act)
        ));
    }

    fn both<T>(
        &mut self,
        expected: Result<T, String>,
        actual: Result<T, String>,
    ) -> Option<(T, T)> {
        match (expected, actual) {
            (Ok(e), Ok(a)) => Some((e, a)),
            // A statement valid for one tenant may fail on a set's copy (a scalar subquery
            // that finds one row per tenant); the rewrite must then fail too.
            (Err(_), Err(_)) => None,
            (Err(e), _) => {
                self.failures
                    .push(format!("the original fails on the set's copy: {e}"));
                None
            }
            (Ok(_), Err(e)) => {
                self.failures
                    .push(format!("the rewritten statement fails: {e}"));
                None
            }
        }
    }

    /// A text of its own per run on MySQL (see [`super::distinct_text`]).
    fn distinct(&self, sql: &str, tag: &str) -> String {
        let ids: Vec<String> = self.set.iter().map(i64::to_string).collect();
        if self.env.dialect == Dialect::MySql {
            format!("{sql} /* {tag} {} */", ids.join("_"))
        } else {
            sql.to_owned()
        }
    }
}
