//! Random statements over a [`Schema`], for property tests and the differential oracle.
//!
//! The generator reads its decisions from a byte tape that proptest produces and shrinks: an
//! exhausted tape always makes the simplest choice, so a shrunk failing case is a short
//! statement. Statements are valid for the chosen dialect and deterministic: they compare only
//! columns of one type, use aggregates that cannot fail (no division, no scalar subquery that
//! can return two rows), put `LIMIT` only after an `ORDER BY` of every output column, and never
//! write key columns or values that must be unique across tenants. Whatever the oracle sees
//! differ is then the rewrite's doing.
//!
//! Covered: inner, left, right, full, cross, comma and natural joins, `USING`, parenthesised
//! joins, derived tables, `LATERAL` (PostgreSQL), correlated `EXISTS`/`IN`/scalar subqueries,
//! CTEs (also named like the table they shadow, and recursive ones), `UNION`/`INTERSECT`/
//! `EXCEPT`, `GROUP BY`/`HAVING`/`DISTINCT`, bind parameters, and UPDATE (with `FROM` or
//! joins), DELETE (with `USING` or joins), INSERT … VALUES, INSERT … SELECT, upserts
//! (`ON CONFLICT` or `ON DUPLICATE KEY UPDATE`), `RETURNING`, and data-modifying CTEs.
//!
//! ```
//! use tenant_query_assurance::generate::{generate, GenConfig};
//! use tenant_query_assurance::schema::Schema;
//! use tenant_query_core::Dialect;
//!
//! let schema = Schema::example();
//! let config = GenConfig::new(Dialect::Postgres);
//! let stmt = generate(&schema, &config, &[7, 1, 200, 3, 99, 42]);
//! assert!(!stmt.sql.is_empty());
//! // The simplest statement of all comes from an empty tape.
//! assert_eq!(generate(&schema, &config, &[]).sql, "SELECT t1.rate AS c0 FROM currencies AS t1");
//! ```

use proptest::prelude::*;
use tenant_query_core::Dialect;

use crate::schema::{ColType, Column, Lit, Schema, Table};

/// What the generator may produce.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// The dialect to write.
    pub dialect: Dialect,
    /// Whether to produce INSERT, UPDATE and DELETE statements too.
    pub dml: bool,
    /// Whether to use bind parameters for some literals.
    pub placeholders: bool,
}

impl GenConfig {
    /// Queries and DML with bind parameters.
    pub fn new(dialect: Dialect) -> GenConfig {
        GenConfig {
            dialect,
            dml: true,
            placeholders: true,
        }
    }
}

/// What kind of statement was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StmtKind {
    /// A query: compare its rows.
    Query,
    /// A data-changing statement: compare its result and the tables afterwards.
    Dml,
}

/// One generated statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The statement in the dialect's placeholder style.
    pub sql: String,
    /// The bind arguments, in the user's order (`$1`, `$2`, … or the `?` in text order).
    pub args: Vec<Lit>,
    /// Query or data-changing statement.
    pub kind: StmtKind,
    /// Whether the statement returns rows (a query, or DML with `RETURNING`).
    pub returns_rows: bool,
}

/// A proptest strategy of statements over `schema`.
pub fn statements(schema: Schema, config: GenConfig) -> impl Strategy<Value = Generated> {
    prop::collection::vec(any::<u8>(), 0..400)
        .prop_map(move |tape| generate(&schema, &config, &tape))
}

/// The statement that `tape` describes.
pub fn generate(schema: &Schema, config: &GenConfig, tape: &[u8]) -> Generated {
    let mut g = G {
        schema,
        config,
        tape,
        pos: 0,
        next: 0,
        args: Vec::new(),
        ctes: Vec::new(),
        depth: 0,
        cte_in_from: false,
    };
    let (sql, kind, returns_rows) = if config.dml && g.chance(30) {
        let (sql, returning) = g.dml();
        (sql, StmtKind::Dml, returning)
    } else {
        (g.top_query(), StmtKind::Query, true)
    };
    let (sql, args) = g.finish_placeholders(&sql);
    Generated {
        sql,
        args,
        kind,
        returns_rows,
    }
}

/// A relation visible to expressions: its name and columns.
#[derive(Debug, Clone)]
struct Rel {
    alias: String,
    cols: Vec<Col>,
}

#[derive(Debug, Clone)]
struct Col {
    name: String,
    ty: ColType,
    nullable: bool,
    samples: Vec<Lit>,
}

impl From<&Column> for Col {
    fn from(c: &Column) -> Col {
        Col {
            name: c.name.clone(),
            ty: c.ty,
            nullable: c.nullable,
            samples: c.samples.clone(),
        }
    }
}

#[derive(Debug, Clone)]
struct CteDef {
    name: String,
    cols: Vec<ColType>,
}

const MAX_DEPTH: usize = 2;
/// Marks a parameter in the text until the final numbering: `\u{1}index\u{2}`.
const OPEN: char = '\u{1}';
const CLOSE: char = '\u{2}';

struct G<'a> {
    schema: &'a Schema,
    config: &'a GenConfig,
    tape: &'a [u8],
    pos: usize,
    next: usize,
    args: Vec<Lit>,
    /// Visible CTEs, innermost last.
    ctes: Vec<CteDef>,
    depth: usize,
    /// Whether the FROM clause being written already references a CTE.
    cte_in_from: bool,
}

impl<'a> G<'a> {
    // ---- decisions ----

    fn byte(&mut self) -> u8 {
        let b = self.tape.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// 0..n, 0 when the tape is exhausted.
    fn pick(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        self.byte() as usize % n
    }

    /// True with about `percent`% probability; false when the tape is exhausted.
    fn chance(&mut self, percent: u32) -> bool {
        let b = u32::from(self.byte());
        b * 100 >= (100 - percent.min(100)) * 256 && percent > 0
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn d(&self) -> Dialect {
        self.config.dialect
    }

    // ---- literals and parameters ----

    fn lit(&mut self, ty: ColType, samples: &[Lit]) -> String {
        let value = if !samples.is_empty() && self.pick(4) != 0 {
            let i = self.pick(samples.len());
            samples[i].clone()
        } else {
            match ty {
                ColType::Int => Lit::Int(self.pick(12) as i64),
                ColType::Text => {
                    Lit::Text(["a", "x", "new", "paid", "DE"][self.pick(5)].to_owned())
                }
            }
        };
        if value == Lit::Null {
            return "NULL".into();
        }
        if self.config.placeholders && self.chance(12) {
            self.args.push(value);
            format!("{OPEN}{}{CLOSE}", self.args.len() - 1)
        } else {
            value.sql()
        }
    }

    /// Numbers the parameter markers in text order, in the dialect's style.
    fn finish_placeholders(&mut self, sql: &str) -> (String, Vec<Lit>) {
        let mut out = String::with_capacity(sql.len());
        let mut args = Vec::new();
        let mut rest = sql;
        let bare_sqlite = self.d() == Dialect::Sqlite && self.chance(50);
        while let Some(start) = rest.find(OPEN) {
            out.push_str(&rest[..start]);
            let end = rest[start..].find(CLOSE).expect("markers are closed") + start;
            let index: usize = rest[start + 1..end].parse().expect("marker index");
            args.push(self.args[index].clone());
            let n = args.len();
            match self.d() {
                Dialect::Postgres => out.push_str(&format!("${n}")),
                Dialect::MySql => out.push('?'),
                Dialect::Sqlite if bare_sqlite => out.push('?'),
                Dialect::Sqlite => out.push_str(&format!("?{n}")),
            }
            rest = &rest[end + CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        (out, args)
    }

    // ---- expressions ----

    fn cols_of(rels: &[Rel], ty: ColType) -> Vec<(&Rel, &Col)> {
        rels.iter()
            .flat_map(|r| r.cols.iter().map(move |c| (r, c)))
            .filter(|(_, c)| c.ty == ty)
            .collect()
    }

    fn column(&mut self, rels: &[Rel], ty: ColType) -> Option<(String, Col)> {
        let cols = Self::cols_of(rels, ty);
        if cols.is_empty() {
            return None;
        }
        let (r, c) = cols[self.pick(cols.len())];
        Some((format!("{}.{}", r.alias, c.name), c.clone()))
    }

    fn int_expr(&mut self, rels: &[Rel]) -> String {
        let Some((col, c)) = self.column(rels, ColType::Int) else {
            return self.lit(ColType::Int, &[]);
        };
        match self.pick(8) {
            0..=2 => col,
            3 => format!("{col} + {}", self.pick(3)),
            4 => format!("COALESCE({col}, -1)"),
            5 if self.depth < MAX_DEPTH => self.scalar_subquery(rels, ColType::Int),
            6 => {
                let cond = self.bool_expr(rels, 1);
                format!("CASE WHEN {cond} THEN {col} ELSE {} END", self.pick(5))
            }
            _ => self.lit(ColType::Int, &c.samples),
        }
    }

    fn text_expr(&mut self, rels: &[Rel]) -> String {
        let Some((col, c)) = self.column(rels, ColType::Text) else {
            return self.lit(ColType::Text, &[]);
        };
        match self.pick(6) {
            0..=2 => col,
            3 => format!("COALESCE({col}, 'none')"),
            4 if self.depth < MAX_DEPTH => self.scalar_subquery(rels, ColType::Text),
            _ => self.lit(ColType::Text, &c.samples),
        }
    }

    fn expr(&mut self, rels: &[Rel], ty: ColType) -> String {
        match ty {
            ColType::Int => self.int_expr(rels),
            ColType::Text => self.text_expr(rels),
        }
    }

    /// `(SELECT max(x.col) FROM t x WHERE <correlation>)`: at most one row.
    fn scalar_subquery(&mut self, outer: &[Rel], ty: ColType) -> String {
        self.depth += 1;
        let (from, rels) = self.gen_from(outer);
        let agg = match ty {
            ColType::Int if self.chance(40) => "count(*)".to_owned(),
            _ => match self.column(&rels, ty) {
                Some((c, _)) => format!("{}({c})", if self.chance(50) { "max" } else { "min" }),
                None => "count(*)".to_owned(),
            },
        };
        let agg = if ty == ColType::Text && agg == "count(*)" {
            "'n'".to_owned()
        } else {
            agg
        };
        let cond = self.correlated_where(&rels, outer);
        self.depth -= 1;
        format!("(SELECT {agg} FROM {from}{cond})")
    }

    /// A WHERE clause for a subquery over `rels`, usually correlated with `outer`.
    fn correlated_where(&mut self, rels: &[Rel], outer: &[Rel]) -> String {
        let mut parts = Vec::new();
        if !outer.is_empty() && self.pick(4) != 0 {
            let ty = if self.chance(25) {
                ColType::Text
            } else {
                ColType::Int
            };
            if let (Some((a, _)), Some((b, _))) = (self.column(rels, ty), self.column(outer, ty)) {
                parts.push(format!("{a} = {b}"));
            }
        }
        if self.chance(40) {
            let all: Vec<Rel> = rels.iter().chain(outer).cloned().collect();
            parts.push(self.bool_expr(&all, 1));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", parts.join(" AND "))
        }
    }

    /// A condition over `rels`; `depth` bounds the nesting of AND, OR and NOT.
    fn bool_expr(&mut self, rels: &[Rel], depth: usize) -> String {
        let nested = depth < 3 && self.depth < MAX_DEPTH;
        match self.pick(12) {
            0..=2 => self.int_comparison(rels),
            3 => self.text_comparison(rels),
            4 => self.null_test(rels),
            5 => self.in_list(rels),
            6 if nested => self.in_subquery(rels),
            7 if nested => self.exists(rels),
            8 if nested => {
                let e = self.int_expr(rels);
                let sub = self.scalar_subquery(rels, ColType::Int);
                format!("{e} >= {sub}")
            }
            9 if depth < 3 => format!(
                "({} OR {})",
                self.bool_expr(rels, depth + 1),
                self.bool_expr(rels, depth + 1)
            ),
            10 if depth < 3 => format!("NOT ({})", self.bool_expr(rels, depth + 1)),
            _ if depth < 3 => format!(
                "{} AND {}",
                self.bool_expr(rels, depth + 1),
                self.bool_expr(rels, depth + 1)
            ),
            _ => "1 = 1".into(),
        }
    }

    /// `int_expr op literal`, the literal drawn from an integer column's samples.
    fn int_comparison(&mut self, rels: &[Rel]) -> String {
        let e = self.int_expr(rels);
        let op = ["=", "<", ">", "<>", "<=", ">="][self.pick(6)];
        let samples = self
            .column(rels, ColType::Int)
            .map(|(_, c)| c.samples)
            .unwrap_or_default();
        let rhs = self.lit(ColType::Int, &samples);
        format!("{e} {op} {rhs}")
    }

    /// A text column `=` or `<>` one of its samples.
    fn text_comparison(&mut self, rels: &[Rel]) -> String {
        match self.column(rels, ColType::Text) {
            Some((c, col)) => {
                let op = if self.chance(20) { "<>" } else { "=" };
                let rhs = self.lit(ColType::Text, &col.samples);
                format!("{c} {op} {rhs}")
            }
            None => "1 = 1".into(),
        }
    }

    /// `IS [NOT] NULL` on a nullable column (an integer column when there is none).
    fn null_test(&mut self, rels: &[Rel]) -> String {
        let nullable: Vec<(String, Col)> = rels
            .iter()
            .flat_map(|r| {
                r.cols
                    .iter()
                    .map(move |c| (format!("{}.{}", r.alias, c.name), c))
            })
            .filter(|(_, c)| c.nullable)
            .map(|(n, c)| (n, c.clone()))
            .collect();
        let c = if nullable.is_empty() {
            self.column(rels, ColType::Int).map(|(n, _)| n)
        } else {
            Some(nullable[self.pick(nullable.len())].0.clone())
        };
        match c {
            Some(c) => format!("{c} IS {}NULL", if self.chance(40) { "NOT " } else { "" }),
            None => "1 = 1".into(),
        }
    }

    /// An integer column `IN` one to three of its samples.
    fn in_list(&mut self, rels: &[Rel]) -> String {
        match self.column(rels, ColType::Int) {
            Some((c, col)) => {
                let n = 1 + self.pick(3);
                let items: Vec<String> = (0..n)
                    .map(|_| self.lit(ColType::Int, &col.samples))
                    .collect();
                format!("{c} IN ({})", items.join(", "))
            }
            None => "1 = 1".into(),
        }
    }

    /// `e [NOT] IN (subquery)`.
    fn in_subquery(&mut self, rels: &[Rel]) -> String {
        // MariaDB 10.11 answers `(SELECT min(…)) IN (SELECT count(…) …)` wrongly
        // (finding M2): there the left side is a column or a literal.
        let e = match (self.d(), self.column(rels, ColType::Int)) {
            (Dialect::MySql, Some((c, _))) => c,
            (Dialect::MySql, None) => self.lit(ColType::Int, &[]),
            _ => self.int_expr(rels),
        };
        let not = if self.chance(25) { "NOT " } else { "" };
        self.depth += 1;
        let sub = self.select(&[ColType::Int], rels);
        self.depth -= 1;
        if not.is_empty() {
            format!("{e} IN ({sub})")
        } else {
            // NOT IN with NULLs is three-valued: keep it, the oracle compares exactly.
            format!("{e} {not}IN ({sub})")
        }
    }

    /// `[NOT] EXISTS (SELECT 1 FROM …)`, correlated with `rels`.
    fn exists(&mut self, rels: &[Rel]) -> String {
        let not = if self.chance(30) { "NOT " } else { "" };
        self.depth += 1;
        let (from, inner) = self.gen_from(rels);
        let cond = self.correlated_where(&inner, rels);
        self.depth -= 1;
        format!("{not}EXISTS (SELECT 1 FROM {from}{cond})")
    }

    // ---- FROM ----

    fn table_rel(&mut self, table: &Table, alias: &str) -> Rel {
        Rel {
            alias: alias.to_owned(),
            cols: table.columns.iter().map(Col::from).collect(),
        }
    }

    fn pick_table(&mut self) -> &'a Table {
        let tables = &self.schema.tables;
        &tables[self.pick(tables.len())]
    }

    /// One FROM item: a table, CTE, derived table or parenthesised join.
    fn factor(&mut self, lateral_scope: &[Rel], budget: &mut usize) -> (String, Vec<Rel>) {
        let choice = self.pick(20);
        *budget = budget.saturating_sub(1);
        // One CTE reference per FROM clause: self-joins of a recursive CTE grow fast.
        if choice >= 15 && !self.ctes.is_empty() && !self.cte_in_from {
            self.cte_in_from = true;
            let i = self.pick(self.ctes.len());
            let cte = self.ctes[i].clone();
            let alias = self.fresh("q");
            let rel = Rel {
                alias: alias.clone(),
                cols: cte
                    .cols
                    .iter()
                    .enumerate()
                    .map(|(i, ty)| Col {
                        name: format!("c{i}"),
                        ty: *ty,
                        nullable: true,
                        samples: vec![],
                    })
                    .collect(),
            };
            return (format!("{} AS {alias}", cte.name), vec![rel]);
        }
        if (17..19).contains(&choice) && self.depth < MAX_DEPTH {
            let shape = self.shape();
            let lateral =
                self.d() == Dialect::Postgres && !lateral_scope.is_empty() && self.chance(40);
            self.depth += 1;
            let outer: &[Rel] = if lateral { lateral_scope } else { &[] };
            let sub = self.select(&shape, outer);
            self.depth -= 1;
            let alias = self.fresh("d");
            let rel = shaped(&alias, &shape);
            let kw = if lateral { "LATERAL " } else { "" };
            return (format!("{kw}({sub}) AS {alias}"), vec![rel]);
        }
        if choice == 19 && self.depth < MAX_DEPTH && *budget >= 1 {
            self.depth += 1;
            *budget += 1;
            let (sql, rels) = self.chain_with(1, 2, lateral_scope, budget);
            self.depth -= 1;
            return (format!("({sql})"), rels);
        }
        let table = self.pick_table();
        if self.chance(12) {
            // Unaliased: columns are qualified by the name as written, which may carry the
            // default schema or another case.
            let written = match (self.d(), self.pick(4)) {
                (Dialect::Postgres, 0) => format!("public.{}", table.name),
                (Dialect::Sqlite, 0) => format!("main.{}", table.name),
                (_, 1) => table.name.to_uppercase(),
                _ => table.name.clone(),
            };
            let rel = self.table_rel(table, &written);
            return (written, vec![rel]);
        }
        let alias = self.fresh("t");
        let rel = self.table_rel(table, &alias);
        let sep = if self.chance(20) { " " } else { " AS " };
        (format!("{}{sep}{alias}", table.name), vec![rel])
    }

    /// A join condition between the new relations and the ones before them.
    fn on(&mut self, left: &[Rel], right: &[Rel]) -> String {
        let ty = if self.chance(20) {
            ColType::Text
        } else {
            ColType::Int
        };
        let mut cond = match (self.column(right, ty), self.column(left, ty)) {
            (Some((a, _)), Some((b, _))) => format!("{a} = {b}"),
            _ => "1 = 1".to_owned(),
        };
        if self.chance(25) {
            let all: Vec<Rel> = left.iter().chain(right).cloned().collect();
            let extra = self.bool_expr(&all, 2);
            let op = if self.chance(30) { "OR" } else { "AND" };
            cond = format!("{cond} {op} {extra}");
        }
        cond
    }

    /// A chain of up to `max_joins` joins.
    fn chain(&mut self, max_joins: usize, lateral_scope: &[Rel]) -> (String, Vec<Rel>) {
        let mut budget = max_joins + 1;
        self.chain_with(0, max_joins, lateral_scope, &mut budget)
    }

    /// A chain of `min_joins..=max_joins` joins, within `budget` relations.
    fn chain_with(
        &mut self,
        min_joins: usize,
        max_joins: usize,
        lateral_scope: &[Rel],
        budget: &mut usize,
    ) -> (String, Vec<Rel>) {
        let (mut sql, mut rels) = self.factor(lateral_scope, budget);
        let joins = if max_joins == 0 {
            0
        } else {
            [0, 0, 1, 1, 1, 2][self.pick(6)].clamp(min_joins, max_joins)
        };
        for j in 0..joins {
            // Keep joins small: the oracle runs every statement nine times.
            if *budget == 0 && j >= min_joins {
                break;
            }
            let scope: Vec<Rel> = lateral_scope.iter().chain(&rels).cloned().collect();
            let (rsql, rrels) = self.factor(&scope, budget);
            let dialect = self.d();
            // Also after a comma: SQLite reads `a, b RIGHT JOIN c` as `(a, b) RIGHT JOIN c`
            // (finding F5).
            let mut kinds = vec![
                "JOIN",
                "INNER JOIN",
                "LEFT JOIN",
                "LEFT OUTER JOIN",
                "CROSS JOIN",
                "RIGHT JOIN",
            ];
            if dialect != Dialect::MySql {
                kinds.push("FULL JOIN");
            }
            if dialect == Dialect::MySql {
                kinds.push("STRAIGHT_JOIN");
            }
            let kind = kinds[self.pick(kinds.len())];
            // Sometimes join on a column both sides share, with USING or NATURAL.
            let shared: Vec<String> = rrels
                .iter()
                .flat_map(|r| r.cols.iter())
                .filter(|c| {
                    rels.iter()
                        .flat_map(|r| r.cols.iter())
                        .filter(|l| l.name == c.name)
                        .count()
                        == 1
                        && l_type(&rels, &c.name) == Some(c.ty)
                })
                .map(|c| c.name.clone())
                .collect();
            if kind != "CROSS JOIN"
                && kind != "STRAIGHT_JOIN"
                && !shared.is_empty()
                && self.chance(8)
            {
                let col = shared[self.pick(shared.len())].clone();
                if self.chance(30) && rrels.len() == 1 && rels.len() == 1 {
                    sql = format!("{sql} NATURAL {kind} {rsql}");
                } else {
                    sql = format!("{sql} {kind} {rsql} USING ({col})");
                }
            } else if kind == "CROSS JOIN" {
                sql = format!("{sql} CROSS JOIN {rsql}");
            } else {
                let cond = self.on(&rels, &rrels);
                sql = format!("{sql} {kind} {rsql} ON {cond}");
            }
            rels.extend(rrels);
        }
        (sql, rels)
    }

    /// A FROM list: one to three comma-separated join chains.
    fn gen_from(&mut self, outer: &[Rel]) -> (String, Vec<Rel>) {
        let outer_cte_flag = std::mem::replace(&mut self.cte_in_from, false);
        let result = self.gen_from_inner(outer);
        self.cte_in_from = outer_cte_flag;
        result
    }

    fn gen_from_inner(&mut self, outer: &[Rel]) -> (String, Vec<Rel>) {
        // At most three base relations at the top, two in a subquery, one deeper.
        let mut budget: usize = match self.depth {
            0 => 3,
            1 => 2,
            _ => 1,
        };
        let items = 1 + usize::from(self.chance(20)) + usize::from(self.chance(8));
        let mut parts = Vec::new();
        let mut rels: Vec<Rel> = Vec::new();
        for i in 0..items {
            if i > 0 && budget == 0 {
                break;
            }
            let max_joins = if self.depth >= MAX_DEPTH { 0 } else { 2 };
            let scope: Vec<Rel> = outer.iter().chain(&rels).cloned().collect();
            let (sql, r) = self.chain_with(0, max_joins, &scope, &mut budget);
            parts.push(sql);
            rels.extend(r);
        }
        (parts.join(", "), rels)
    }

    // ---- queries ----

    fn shape(&mut self) -> Vec<ColType> {
        (0..1 + self.pick(3))
            .map(|_| {
                if self.chance(30) {
                    ColType::Text
                } else {
                    ColType::Int
                }
            })
            .collect()
    }

    /// A SELECT producing columns `c0, c1, …` of `shape`; `outer` is visible for correlation.
    fn select(&mut self, shape: &[ColType], outer: &[Rel]) -> String {
        let (from, rels) = self.gen_from(outer);
        let all: Vec<Rel> = rels.iter().chain(outer).cloned().collect();
        let where_ = if self.chance(60) {
            format!(" WHERE {}", self.bool_expr(&all, 0))
        } else {
            String::new()
        };
        let distinct = if self.chance(8) { "DISTINCT " } else { "" };
        if self.chance(25) {
            // Aggregate: group keys and aggregates only.
            let mut keys = Vec::new();
            let mut items = Vec::new();
            for (i, ty) in shape.iter().enumerate() {
                let item = if self.chance(50) {
                    match self.column(&rels, *ty) {
                        Some((c, _)) => {
                            keys.push(c.clone());
                            c
                        }
                        None => self.aggregate(&rels, *ty),
                    }
                } else {
                    self.aggregate(&rels, *ty)
                };
                items.push(format!("{item} AS c{i}"));
            }
            let group = if keys.is_empty() {
                String::new()
            } else {
                format!(" GROUP BY {}", keys.join(", "))
            };
            let having = if self.chance(25) {
                format!(" HAVING count(*) > {}", self.pick(3))
            } else {
                String::new()
            };
            return format!(
                "SELECT {distinct}{} FROM {from}{where_}{group}{having}",
                items.join(", ")
            );
        }
        let items: Vec<String> = shape
            .iter()
            .enumerate()
            .map(|(i, ty)| format!("{} AS c{i}", self.expr(&all, *ty)))
            .collect();
        format!("SELECT {distinct}{} FROM {from}{where_}", items.join(", "))
    }

    fn aggregate(&mut self, rels: &[Rel], ty: ColType) -> String {
        match ty {
            ColType::Int => match (self.pick(4), self.column(rels, ColType::Int)) {
                (1, Some((c, _))) => format!("sum({c})"),
                (2, Some((c, _))) => format!("max({c})"),
                (3, Some((c, _))) => format!("count({c})"),
                _ => "count(*)".into(),
            },
            ColType::Text => match self.column(rels, ColType::Text) {
                Some((c, _)) => format!("min({c})"),
                None => "'n'".into(),
            },
        }
    }

    /// A query body: a SELECT or a set operation of two.
    fn body(&mut self, shape: &[ColType]) -> String {
        let left = self.select(shape, &[]);
        if self.depth < MAX_DEPTH && self.chance(15) {
            let op = ["UNION", "UNION ALL", "INTERSECT", "EXCEPT"][self.pick(4)];
            let right = self.select(shape, &[]);
            format!("{left} {op} {right}")
        } else {
            left
        }
    }

    /// `WITH …` CTEs made visible until the caller pops them; empty when none.
    fn with_clause(&mut self) -> (String, usize) {
        if self.depth >= MAX_DEPTH || !self.chance(20) {
            return (String::new(), 0);
        }
        let recursive = self.chance(20);
        let n = 1 + self.pick(2);
        let mut defs = Vec::new();
        for _ in 0..n {
            let scoped: Vec<&Table> = self
                .schema
                .tables
                .iter()
                .filter(|t| t.is_scoped())
                .collect();
            let name = if !recursive && !scoped.is_empty() && self.chance(25) {
                // Named like a table: the statement's later references read the CTE.
                scoped[self.pick(scoped.len())].name.clone()
            } else {
                self.fresh("w")
            };
            if self.ctes.iter().any(|c| c.name == name) {
                continue;
            }
            self.depth += 1;
            let (body, shape) = if recursive && defs.is_empty() {
                (self.recursive_body(&name), vec![ColType::Int, ColType::Int])
            } else {
                let shape = self.shape();
                (self.body(&shape), shape)
            };
            self.depth -= 1;
            let cols: Vec<String> = (0..shape.len()).map(|i| format!("c{i}")).collect();
            defs.push(format!("{name} ({}) AS ({body})", cols.join(", ")));
            self.ctes.push(CteDef { name, cols: shape });
        }
        let kw = if recursive {
            "WITH RECURSIVE "
        } else {
            "WITH "
        };
        let count = defs.len();
        (format!("{kw}{} ", defs.join(", ")), count)
    }

    /// `SELECT x, 0 FROM t … UNION ALL SELECT t2.y, r.c1 + 1 FROM t2 JOIN r … WHERE r.c1 < 3`.
    fn recursive_body(&mut self, name: &str) -> String {
        let (from, rels) = self.gen_from(&[]);
        let start = self
            .column(&rels, ColType::Int)
            .map_or("1".to_owned(), |(c, _)| c);
        let table = self.pick_table();
        let alias = self.fresh("t");
        let rel = self.table_rel(table, &alias);
        let step = self
            .column(std::slice::from_ref(&rel), ColType::Int)
            .map(|(c, _)| c)
            .unwrap_or_else(|| "1".into());
        // Link on a key column, so that each level fans out to at most one row per tenant.
        let link = table
            .primary_key
            .iter()
            .filter(|k| Some(*k) != table.tenant_column.as_ref())
            .find(|k| table.column(k).is_some_and(|c| c.ty == ColType::Int))
            .map_or_else(|| "1".to_owned(), |k| format!("{alias}.{k}"));
        format!(
            "SELECT {start}, 0 FROM {from} UNION ALL SELECT {step}, {name}.c1 + 1 FROM {} AS {alias} JOIN {name} ON {link} = {name}.c0 WHERE {name}.c1 < 3",
            table.name
        )
    }

    /// A complete query with deterministic results.
    fn top_query(&mut self) -> String {
        let (with, pushed) = self.with_clause();
        let shape = self.shape();
        let body = self.body(&shape);
        for _ in 0..pushed {
            self.ctes.pop();
        }
        let order = if self.chance(20) {
            // Ordering by every column makes LIMIT deterministic as a multiset.
            let cols: Vec<String> = (1..=shape.len()).map(|i| i.to_string()).collect();
            format!(" ORDER BY {} LIMIT {}", cols.join(", "), 1 + self.pick(5))
        } else {
            String::new()
        };
        format!("{with}{body}{order}")
    }

    // ---- DML ----

    /// Columns that a statement may set: not the key, not the tenant column, not unique
    /// across tenants.
    fn settable(table: &Table) -> Vec<&Column> {
        table
            .columns
            .iter()
            .filter(|c| {
                Some(&c.name) != table.tenant_column.as_ref()
                    && !table.primary_key.contains(&c.name)
                    && !table.globally_unique(&c.name)
            })
            .collect()
    }

    fn dml(&mut self) -> (String, bool) {
        let table = self.pick_table();
        let pg_or_lite = self.d() != Dialect::MySql;
        match self.pick(10) {
            0..=2 if !Self::settable(table).is_empty() => self.update(table),
            3..=5 => self.delete(table),
            6 | 7 => self.insert_values(table, false),
            8 if pg_or_lite || !table.columns.iter().any(|c| table.globally_unique(&c.name)) => {
                self.insert_values(table, true)
            }
            9 if !table.columns.iter().any(|c| table.globally_unique(&c.name)) => {
                self.insert_select(table)
            }
            _ => self.delete(table),
        }
    }

    fn returning(&mut self, table: &Table) -> Option<String> {
        if self.d() == Dialect::MySql || !self.chance(30) {
            return None;
        }
        let n = 1 + self.pick(2);
        let cols: Vec<String> = (0..n)
            .map(|_| table.columns[self.pick(table.columns.len())].name.clone())
            .collect();
        Some(format!(" RETURNING {}", cols.join(", ")))
    }

    fn set_value(&mut self, rels: &[Rel], target: &Rel, col: &Column) -> String {
        match (col.ty, self.pick(4)) {
            (ColType::Int, 0) => format!("{}.{} + 1", target.alias, col.name),
            (ColType::Int, 1) if self.depth < MAX_DEPTH => self.scalar_subquery(rels, ColType::Int),
            (_, 2) if col.nullable => "NULL".into(),
            (ty, _) => self.lit(ty, &col.samples),
        }
    }

    fn update(&mut self, table: &'a Table) -> (String, bool) {
        let settable = Self::settable(table);
        let alias = self.fresh("t");
        let target = self.table_rel(table, &alias);
        let n = 1 + self.pick(settable.len().min(2));
        let mut cols: Vec<&Column> = Vec::new();
        for _ in 0..n {
            let c = settable[self.pick(settable.len())];
            if !cols.iter().any(|x| x.name == c.name) {
                cols.push(c);
            }
        }
        let mysql = self.d() == Dialect::MySql;
        let mut rels = vec![target.clone()];
        let mut head = format!("UPDATE {} AS {alias}", table.name);
        let mut from = String::new();
        if self.chance(30) {
            let (fsql, frels) = self.chain(if mysql { 0 } else { 1 }, &[]);
            let cond = self.on(&rels, &frels);
            if mysql {
                let kind = if self.chance(30) { "LEFT JOIN" } else { "JOIN" };
                head = format!("{head} {kind} {fsql} ON {cond}");
            } else {
                from = format!(" FROM {fsql}");
                // The join condition goes to WHERE below.
                rels.extend(frels);
                let sets = self.assignments(&cols, &rels, &target, false);
                let where_ = format!(" WHERE {cond}{}", self.extra_where(&rels));
                let ret = self.returning(table).unwrap_or_default();
                return (
                    format!("{head} SET {sets}{from}{where_}{ret}"),
                    !ret.is_empty(),
                );
            }
            rels.extend(frels);
        }
        let sets = self.assignments(&cols, &rels, &target, mysql);
        let where_ = if self.chance(75) {
            format!(" WHERE {}", self.bool_expr(&rels, 0))
        } else {
            String::new()
        };
        let ret = self.returning(table).unwrap_or_default();
        (
            format!("{head} SET {sets}{from}{where_}{ret}"),
            !ret.is_empty(),
        )
    }

    fn extra_where(&mut self, rels: &[Rel]) -> String {
        if self.chance(50) {
            format!(" AND {}", self.bool_expr(rels, 1))
        } else {
            String::new()
        }
    }

    fn assignments(
        &mut self,
        cols: &[&Column],
        rels: &[Rel],
        target: &Rel,
        qualify: bool,
    ) -> String {
        cols.iter()
            .map(|c| {
                let v = self.set_value(rels, target, c);
                if qualify {
                    format!("{}.{} = {v}", target.alias, c.name)
                } else {
                    format!("{} = {v}", c.name)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn delete(&mut self, table: &'a Table) -> (String, bool) {
        let dialect = self.d();
        // A CTE named like the target does not shadow it (finding F1, fixed).
        if dialect != Dialect::MySql && table.is_scoped() && self.chance(10) {
            let rel = self.table_rel(table, &table.name);
            let cond = self.bool_expr(&[rel], 0);
            return (
                format!(
                    "WITH {0} AS (SELECT 1 AS x) DELETE FROM {0} WHERE {cond}",
                    table.name
                ),
                false,
            );
        }
        if dialect == Dialect::MySql {
            if self.chance(30) {
                let alias = self.fresh("t");
                let target = self.table_rel(table, &alias);
                let (jsql, jrels) = self.chain(0, &[]);
                let cond = self.on(std::slice::from_ref(&target), &jrels);
                let mut rels = vec![target];
                rels.extend(jrels);
                let where_ = format!(" WHERE {}", self.bool_expr(&rels, 0));
                return (
                    format!(
                        "DELETE {alias} FROM {} AS {alias} JOIN {jsql} ON {cond}{where_}",
                        table.name
                    ),
                    false,
                );
            }
            let target = self.table_rel(table, &table.name);
            let where_ = format!(" WHERE {}", self.bool_expr(&[target], 0));
            return (format!("DELETE FROM {}{where_}", table.name), false);
        }
        let alias = self.fresh("t");
        let target = self.table_rel(table, &alias);
        let mut rels = vec![target];
        let mut using = String::new();
        let mut cond = String::new();
        if dialect == Dialect::Postgres && self.chance(25) {
            let (usql, urels) = self.chain(1, &[]);
            cond = format!("{} AND ", self.on(&rels, &urels));
            using = format!(" USING {usql}");
            rels.extend(urels);
        }
        let where_ = if !cond.is_empty() || self.chance(85) {
            format!(" WHERE {cond}{}", self.bool_expr(&rels, 0))
        } else {
            String::new()
        };
        let ret = self.returning(table).unwrap_or_default();
        let sql = format!("DELETE FROM {} AS {alias}{using}{where_}{ret}", table.name);
        if dialect == Dialect::Postgres && ret.is_empty() && self.chance(15) {
            // A data-modifying CTE.
            let first = &table.columns[0].name;
            return (
                format!("WITH d AS ({sql} RETURNING {first}) SELECT count(*) FROM d"),
                true,
            );
        }
        (sql, !ret.is_empty())
    }

    /// The columns an INSERT lists: every column but the tenant column, nullable ones maybe.
    fn insert_columns(&mut self, table: &'a Table) -> Vec<&'a Column> {
        table
            .columns
            .iter()
            .filter(|c| Some(&c.name) != table.tenant_column.as_ref())
            .filter(|c| !c.nullable || table.primary_key.contains(&c.name) || self.chance(70))
            .collect()
    }

    fn insert_value(&mut self, table: &Table, c: &Column) -> String {
        if table.globally_unique(&c.name) {
            // Fresh, so another tenant's row never conflicts with it.
            self.next += 1;
            return match c.ty {
                ColType::Int => (100_000 + self.next).to_string(),
                ColType::Text => format!("'gen-{}'", self.next),
            };
        }
        if table.primary_key.contains(&c.name) && c.ty == ColType::Int && self.chance(60) {
            return (50 + self.pick(5)).to_string();
        }
        if c.nullable && self.chance(20) {
            return "NULL".into();
        }
        self.lit(c.ty, &c.samples)
    }

    fn insert_values(&mut self, table: &'a Table, upsert: bool) -> (String, bool) {
        let cols = self.insert_columns(table);
        let rows = 1 + self.pick(2);
        let values: Vec<String> = (0..rows)
            .map(|_| {
                let vals: Vec<String> = cols.iter().map(|c| self.insert_value(table, c)).collect();
                format!("({})", vals.join(", "))
            })
            .collect();
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            table.name,
            names.join(", "),
            values.join(", ")
        );
        if upsert {
            let settable: Vec<&Column> = Self::settable(table)
                .into_iter()
                .filter(|c| names.contains(&c.name.as_str()))
                .collect();
            match self.d() {
                Dialect::MySql => {
                    if let Some(c) = settable.first() {
                        sql = format!("{sql} ON DUPLICATE KEY UPDATE {0} = VALUES({0})", c.name);
                    }
                }
                _ => {
                    let key = table.primary_key.join(", ");
                    if settable.is_empty() || self.chance(25) {
                        sql = format!("{sql} ON CONFLICT ({key}) DO NOTHING");
                    } else {
                        let c = settable[self.pick(settable.len())];
                        let mut set = format!("{0} = excluded.{0}", c.name);
                        if c.ty == ColType::Int && self.chance(40) {
                            set = format!("{0} = {1}.{0} + excluded.{0}", c.name, table.name);
                        }
                        let cond = if self.chance(30) {
                            let rel = self.table_rel(table, &table.name);
                            format!(" WHERE {}", self.bool_expr(&[rel], 1))
                        } else {
                            String::new()
                        };
                        sql = format!("{sql} ON CONFLICT ({key}) DO UPDATE SET {set}{cond}");
                    }
                }
            }
        }
        let ret = self.returning(table).unwrap_or_default();
        (format!("{sql}{ret}"), !ret.is_empty())
    }

    fn insert_select(&mut self, table: &'a Table) -> (String, bool) {
        let cols = self.insert_columns(table);
        // The CTEs belong to the source query: `INSERT INTO t (…) WITH … SELECT …`.
        let (with, pushed) = self.with_clause();
        let (from, rels) = self.gen_from(&[]);
        let items: Vec<String> = cols
            .iter()
            .map(|c| {
                if table.primary_key.contains(&c.name) && c.ty == ColType::Int {
                    match self.column(&rels, ColType::Int) {
                        Some((x, _)) => format!("COALESCE({x}, 0) + 1000"),
                        None => "1000".into(),
                    }
                } else {
                    let e = self.expr(&rels, c.ty);
                    if c.nullable {
                        e
                    } else {
                        let dflt = match c.ty {
                            ColType::Int => "0",
                            ColType::Text => "'z'",
                        };
                        format!("COALESCE({e}, {dflt})")
                    }
                }
            })
            .collect();
        let where_ = if self.chance(60) {
            format!(" WHERE {}", self.bool_expr(&rels, 0))
        } else {
            String::new()
        };
        for _ in 0..pushed {
            self.ctes.pop();
        }
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        let ret = self.returning(table).unwrap_or_default();
        (
            format!(
                "INSERT INTO {} ({}) {with}SELECT {} FROM {from}{where_}{ret}",
                table.name,
                names.join(", "),
                items.join(", ")
            ),
            !ret.is_empty(),
        )
    }
}

fn shaped(alias: &str, shape: &[ColType]) -> Rel {
    Rel {
        alias: alias.to_owned(),
        cols: shape
            .iter()
            .enumerate()
            .map(|(i, ty)| Col {
                name: format!("c{i}"),
                ty: *ty,
                nullable: true,
                samples: vec![],
            })
            .collect(),
    }
}

/// The type of the column `name` among `rels`, if one has it.
fn l_type(rels: &[Rel], name: &str) -> Option<ColType> {
    rels.iter()
        .flat_map(|r| r.cols.iter())
        .find(|c| c.name == name)
        .map(|c| c.ty)
}
