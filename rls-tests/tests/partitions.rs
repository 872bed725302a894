//! What Citus needs of a rewritten statement, checked on PostgreSQL: every scoped table
//! partitioned by hash of its tenant column (4 partitions, as `create_distributed_table`
//! shards by it), and every PostgreSQL statement of the engine's oracle corpus, rewritten,
//! touches exactly one partition of each scoped table it reads, for every tenant, both as a
//! generic plan (the tenant a `$n::BIGINT` parameter, pruned when the executor starts) and as
//! a custom plan (the values as constants, pruned by the planner).
//!
//! A statement that cannot be prepared on the partitioned schema (an upsert whose conflict
//! target is a key without the tenant column, which a partitioned table cannot have) is
//! listed and skipped; the test fails unless at least 25 statements, queries and
//! data-changing ones, were checked.

use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Row};
use tenant_query_core::{rewrite, Dialect, Manifest, Rewritten};
use tenant_query_tests::cases::cases;
use tenant_query_tests::fixture::{self, Table};
use tenant_query_tests::oracle::{bind_values, Case, Kind};
use tenant_query_tests::support::PgScratch;

const PARTITIONS: usize = 4;

/// `CREATE TABLE … PARTITION BY HASH (tenant column)` and its partitions `NAME_p0` … `NAME_p3`,
/// or the plain table for a global one. A unique key without the tenant column is left out:
/// a partitioned table's keys must hold the partition key.
fn create_partitioned(table: &Table) -> Vec<String> {
    let mut create = table.create_sql(Dialect::Postgres, None);
    // A tenant_or_global table's shared rows belong to no tenant's partition: like a global
    // table, it stays whole (a reference table on Citus).
    let Some(tenant_column) = table.tenant_column.filter(|_| !table.shared) else {
        return vec![create];
    };
    for key in &table.unique {
        if !key.contains(&tenant_column) {
            create = create.replace(&format!(", UNIQUE ({})", key.join(", ")), "");
        }
    }
    let mut statements = vec![format!("{create} PARTITION BY HASH ({tenant_column})")];
    for remainder in 0..PARTITIONS {
        statements.push(format!(
            "CREATE TABLE {name}_p{remainder} PARTITION OF {name} \
             FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {remainder})",
            name = table.name
        ));
    }
    statements
}

/// The partitions of `table` that `plan` reads. The result relations an UPDATE or DELETE
/// lists (`Update on orders_p1 orders`) are left out: a generic plan lists every partition
/// there, and the executor prunes the scans that would feed them (`Subplans Removed: 3`).
fn partitions_in(plan: &str, table: &str) -> Vec<String> {
    const RESULT_RELATIONS: [&str; 4] = ["Update on ", "Delete on ", "Insert on ", "Merge on "];
    let mut found: Vec<String> = plan
        .lines()
        .filter(|line| {
            let node = line.trim_start().trim_start_matches("->  ");
            !RESULT_RELATIONS.iter().any(|r| node.starts_with(r))
        })
        .flat_map(|line| line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|word| {
            word.strip_prefix(table)
                .and_then(|rest| rest.strip_prefix("_p"))
                .is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n < PARTITIONS))
        })
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The plan of `rewritten` with `case`'s arguments for `tenant` under `mode`
/// (`force_generic_plan` or `force_custom_plan`).
async fn plan(
    conn: &mut PgConnection,
    rewritten: &Rewritten,
    case: &Case,
    tenant: i64,
    mode: &str,
) -> Result<String, sqlx::Error> {
    let values: Vec<String> = bind_values(rewritten, &case.args, tenant)
        .iter()
        .map(|v| v.literal())
        .collect();
    let execute = if values.is_empty() {
        "EXECUTE q".to_owned()
    } else {
        format!("EXECUTE q({})", values.join(", "))
    };
    let setup = format!(
        "DEALLOCATE ALL; SET plan_cache_mode = {mode}; PREPARE q AS {}",
        rewritten.sql
    );
    sqlx::raw_sql(AssertSqlSafe(setup))
        .execute(&mut *conn)
        .await?;
    let rows = sqlx::raw_sql(AssertSqlSafe(format!("EXPLAIN (COSTS OFF) {execute}")))
        .fetch_all(&mut *conn)
        .await?;
    let lines: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    Ok(lines.join("\n"))
}

/// The problems of `plan` for the scoped tables of `scoped`: a table read in several
/// partitions, or one the statement touches whose partition the plan does not name, unless it
/// is only an INSERT's target (the row is routed to the tenant's partition) or the planner
/// proved the scan empty (`FROM ONLY` a partitioned table reads its empty parent).
fn check_plan(plan: &str, scoped: &[&Table], rewritten: &Rewritten) -> Vec<String> {
    let mut problems = Vec::new();
    for table in scoped {
        let found = partitions_in(plan, table.name);
        let touched = rewritten.scoped_tables.iter().any(|t| t == table.name);
        let insert_target = plan.contains(&format!("Insert on {}", table.name));
        let nothing_read = plan.contains("One-Time Filter: false");
        match found.len() {
            0 | 1 if !touched => {}
            1 => {}
            0 if insert_target || nothing_read => {}
            _ => problems.push(format!("{}: partitions {found:?}", table.name)),
        }
    }
    problems
}

#[tokio::test]
async fn rewritten_statements_touch_one_partition_per_scoped_table() {
    let Some(scratch) = PgScratch::create("tq_partitions").await else {
        return;
    };
    let mut conn = scratch.connect_options().connect().await.expect("connect");
    let tables = fixture::tables();
    for table in &tables {
        for sql in create_partitioned(table) {
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        if let Some(insert) = table.insert_sql(&table.rows) {
            sqlx::raw_sql(AssertSqlSafe(insert))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
    sqlx::raw_sql("ANALYZE").execute(&mut conn).await.unwrap();
    let manifest = Manifest::from_toml_str(&fixture::manifest_toml(Dialect::Postgres), "fixture")
        .expect("the fixture manifest");
    let scoped: Vec<&Table> = tables
        .iter()
        .filter(|t| t.tenant_column.is_some() && !t.shared)
        .collect();
    let corpus: Vec<Case> = [Kind::Select, Kind::Dml]
        .into_iter()
        .flat_map(|kind| cases(Dialect::Postgres, kind))
        .collect();
    let (mut checked, mut dml, mut skipped, mut failures) = (0, 0, Vec::new(), Vec::new());
    for case in &corpus {
        let Ok(rewritten) = rewrite(&manifest, &case.sql) else {
            continue; // refused by the engine: nothing runs
        };
        let mut ran = true;
        'tenants: for tenant in fixture::TENANTS {
            for mode in ["force_generic_plan", "force_custom_plan"] {
                match plan(&mut conn, &rewritten, case, tenant, mode).await {
                    Err(e) => {
                        skipped.push(format!("{}: {e}", case.name));
                        ran = false;
                        break 'tenants;
                    }
                    Ok(plan) => {
                        for problem in check_plan(&plan, &scoped, &rewritten) {
                            failures.push(format!(
                                "{} (tenant {tenant}, {mode}): {problem}\n{}\n{plan}",
                                case.name, rewritten.sql
                            ));
                        }
                    }
                }
            }
        }
        if ran {
            checked += 1;
            dml += usize::from(case.kind == Kind::Dml);
        }
    }
    conn.close().await.unwrap();
    scratch.drop().await.expect("drop the test schema");
    eprintln!("{checked} statements checked ({dml} data-changing); skipped: {skipped:#?}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        checked >= 25 && dml >= 5,
        "only {checked} statements ({dml} DML) were checked"
    );
}

#[test]
fn partitions_are_found_by_their_whole_name() {
    let plan = "Update on orders\n  Update on orders_p0 orders_1\n  Update on orders_p2 orders\n  \
                ->  Append\n  ->  Seq Scan on orders_p2 orders_1\n  ->  Seq Scan on order_items_p1";
    assert_eq!(partitions_in(plan, "orders"), ["orders_p2"]);
    assert_eq!(partitions_in(plan, "order_items"), ["order_items_p1"]);
    assert!(partitions_in(plan, "order").is_empty());
}
