//! Parse + check + rewrite, per statement: what one macro call costs at compile time.
//!
//! Run with `cargo bench -p tenant-query-core --bench rewrite`; BENCHMARKS.md records results.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tenant_query_core::{rewrite, Manifest};

/// TPC-H's schema: region and nation are shared reference data, the rest belongs to tenants.
const TPCH: &str = r#"
dialect = "postgres"
[tables.region]
scope = "global"
[tables.nation]
scope = "global"
[tables.supplier]
scope = "tenant"
[tables.customer]
scope = "tenant"
[tables.part]
scope = "tenant"
[tables.partsupp]
scope = "tenant"
[tables.orders]
scope = "tenant"
[tables.lineitem]
scope = "tenant"
"#;

const SMALL: &[(&str, &str)] = &[
    ("point_select", "SELECT * FROM orders WHERE o_orderkey = $1"),
    (
        "join",
        "SELECT o.o_orderkey, c.c_name FROM orders o JOIN customer c ON c.c_custkey = o.o_custkey WHERE o.o_totalprice > $1",
    ),
    ("insert", "INSERT INTO orders (o_orderkey, o_custkey, o_totalprice) VALUES ($1, $2, $3)"),
    ("update", "UPDATE orders SET o_orderstatus = $1 WHERE o_orderkey = $2"),
];

/// TPC-H Q2 (minimum cost supplier): correlated subquery, nine relations.
const Q2: &str =
    "SELECT s_acctbal, s_name, n_name, p_partkey, p_mfgr, s_address, s_phone, s_comment
FROM part, supplier, partsupp, nation, region
WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey AND p_size = 15 AND p_type LIKE '%BRASS'
  AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey AND r_name = 'EUROPE'
  AND ps_supplycost = (
    SELECT min(ps_supplycost) FROM partsupp, supplier, nation, region
    WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey AND s_nationkey = n_nationkey
      AND n_regionkey = r_regionkey AND r_name = 'EUROPE')
ORDER BY s_acctbal DESC, n_name, s_name, p_partkey
LIMIT 100";

/// TPC-H Q5 (local supplier volume): six-way join with aggregation.
const Q5: &str = "SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
FROM customer, orders, lineitem, supplier, nation, region
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey
  AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey
  AND r_name = 'ASIA' AND o_orderdate >= date '1994-01-01'
  AND o_orderdate < date '1994-01-01' + interval '1' year
GROUP BY n_name
ORDER BY revenue DESC";

/// TPC-H Q8 (national market share): derived table, CASE, eight relations.
const Q8: &str = "SELECT o_year, sum(CASE WHEN nation = 'BRAZIL' THEN volume ELSE 0 END) / sum(volume) AS mkt_share
FROM (
  SELECT extract(year FROM o_orderdate) AS o_year, l_extendedprice * (1 - l_discount) AS volume, n2.n_name AS nation
  FROM part, supplier, lineitem, orders, customer, nation n1, nation n2, region
  WHERE p_partkey = l_partkey AND s_suppkey = l_suppkey AND l_orderkey = o_orderkey
    AND o_custkey = c_custkey AND c_nationkey = n1.n_nationkey AND n1.n_regionkey = r_regionkey
    AND r_name = 'AMERICA' AND s_nationkey = n2.n_nationkey
    AND o_orderdate BETWEEN date '1995-01-01' AND date '1996-12-31'
    AND p_type = 'ECONOMY ANODIZED STEEL'
) AS all_nations
GROUP BY o_year
ORDER BY o_year";

/// TPC-H Q21 (suppliers who kept orders waiting): EXISTS and NOT EXISTS, self-joins.
const Q21: &str = "SELECT s_name, count(*) AS numwait
FROM supplier, lineitem l1, orders, nation
WHERE s_suppkey = l1.l_suppkey AND o_orderkey = l1.l_orderkey AND o_orderstatus = 'F'
  AND l1.l_receiptdate > l1.l_commitdate
  AND EXISTS (SELECT * FROM lineitem l2 WHERE l2.l_orderkey = l1.l_orderkey AND l2.l_suppkey <> l1.l_suppkey)
  AND NOT EXISTS (SELECT * FROM lineitem l3 WHERE l3.l_orderkey = l1.l_orderkey
                  AND l3.l_suppkey <> l1.l_suppkey AND l3.l_receiptdate > l3.l_commitdate)
  AND s_nationkey = n_nationkey AND n_name = 'SAUDI ARABIA'
GROUP BY s_name
ORDER BY numwait DESC, s_name
LIMIT 100";

/// TPC-H Q22 (global sales opportunity): nested derived table, IN list, scalar subquery.
const Q22: &str = "SELECT cntrycode, count(*) AS numcust, sum(c_acctbal) AS totacctbal
FROM (
  SELECT substring(c_phone FROM 1 FOR 2) AS cntrycode, c_acctbal
  FROM customer
  WHERE substring(c_phone FROM 1 FOR 2) IN ('13', '31', '23', '29', '30', '18', '17')
    AND c_acctbal > (SELECT avg(c_acctbal) FROM customer WHERE c_acctbal > 0.00
                     AND substring(c_phone FROM 1 FOR 2) IN ('13', '31', '23', '29', '30', '18', '17'))
    AND NOT EXISTS (SELECT * FROM orders WHERE o_custkey = c_custkey)
) AS custsale
GROUP BY cntrycode
ORDER BY cntrycode";

/// The forms real applications' SQL needs beyond plain joins, on TPC-H's tables plus a table
/// of shared defaults: derived tables for FULL and USING joins, set-returning functions over
/// scoped rows, shared rows, the pinned INSERT … SELECT projection, and a MySQL comma UPDATE.
const FORMS_MANIFEST: &str = r#"
dialect = "postgres"
[tables.nation]
scope = "global"
[tables.customer]
scope = "tenant"
[tables.orders]
scope = "tenant"
[tables.settings]
scope = "tenant_or_global"
"#;

const FORMS: &[(&str, &str)] = &[
    (
        "full_join",
        "SELECT o.o_orderkey, c.c_name FROM orders o FULL JOIN customer c ON c.c_custkey = o.o_custkey WHERE o.o_totalprice > $1",
    ),
    (
        "left_join_using",
        "SELECT * FROM orders o LEFT JOIN customer c USING (o_custkey) WHERE o.o_orderkey = $1",
    ),
    (
        "lateral_unnest",
        "SELECT o.o_orderkey, t FROM orders o CROSS JOIN LATERAL unnest(o.o_tags) AS t WHERE o.o_orderkey = $1",
    ),
    (
        "jsonb_each",
        "SELECT c.c_custkey, p.key FROM customer c, jsonb_each_text(c.c_perms) p WHERE p.value = $1",
    ),
    (
        "tenant_or_global",
        "SELECT o.o_orderkey, s.value FROM orders o LEFT JOIN settings s ON s.name = o.o_orderstatus WHERE o.o_orderkey = $1",
    ),
    (
        "insert_select_pinned",
        "INSERT INTO orders (o_orderkey, o_custkey) SELECT o_orderkey + 1, o_custkey FROM orders WHERE o_orderkey = $1",
    ),
    (
        "functions",
        "SELECT coalesce(o_comment, ''), lower(o_clerk), date_trunc('month', o_orderdate), count(*) OVER () FROM orders WHERE o_totalprice > $1",
    ),
];

const MYSQL_MANIFEST: &str = r#"
dialect = "mysql"
[tables.customer]
scope = "tenant"
[tables.orders]
scope = "tenant"
"#;

const MYSQL_COMMA_UPDATE: &str =
    "UPDATE orders o, customer c SET o.o_comment = c.c_name WHERE c.c_custkey = o.o_custkey AND o.o_orderkey = ?";

fn bench_forms(c: &mut Criterion) {
    let manifest = Manifest::from_toml_str(FORMS_MANIFEST, "tenant-schema.toml").unwrap();
    let mysql = Manifest::from_toml_str(MYSQL_MANIFEST, "tenant-schema.toml").unwrap();
    let mut forms = c.benchmark_group("forms");
    for (name, sql) in FORMS {
        rewrite(&manifest, sql).expect("benchmark query rewrites");
        forms.bench_function(*name, |b| b.iter(|| rewrite(&manifest, black_box(sql))));
    }
    rewrite(&mysql, MYSQL_COMMA_UPDATE).expect("benchmark query rewrites");
    forms.bench_function("mysql_comma_update", |b| {
        b.iter(|| rewrite(&mysql, black_box(MYSQL_COMMA_UPDATE)))
    });
    forms.finish();
}

fn bench(c: &mut Criterion) {
    let manifest = Manifest::from_toml_str(TPCH, "tenant-schema.toml").unwrap();
    let mut small = c.benchmark_group("small");
    for (name, sql) in SMALL {
        rewrite(&manifest, sql).expect("benchmark query rewrites");
        small.bench_function(*name, |b| b.iter(|| rewrite(&manifest, black_box(sql))));
    }
    small.finish();
    let mut tpch = c.benchmark_group("tpch");
    for (name, sql) in [
        ("q2", Q2),
        ("q5", Q5),
        ("q8", Q8),
        ("q21", Q21),
        ("q22", Q22),
    ] {
        rewrite(&manifest, sql).expect("benchmark query rewrites");
        tpch.bench_function(name, |b| b.iter(|| rewrite(&manifest, black_box(sql))));
    }
    tpch.finish();
    c.bench_function("manifest/parse", |b| {
        b.iter(|| Manifest::from_toml_str(black_box(TPCH), "tenant-schema.toml"))
    });
}

criterion_group!(benches, bench, bench_forms);
criterion_main!(benches);
