//! The measuring loop the run-time benchmarks share (`benches/{postgres,mysql,sqlite}`).
//!
//! Every statement has variants: the first is the baseline (the same SQL scoped by hand with
//! `sqlx::query`), the others are compared with it. One round runs every variant of every
//! statement once, in an order rotated from round to round, each with the same number of
//! operations spread over the same number of concurrent clients. A variant's ratio in a round
//! is its time per operation over the baseline's in that round, so that drifts of the machine
//! during the run cancel out; the report gives the minimum, median and maximum ratio over
//! the rounds.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One operation: the argument is the operation's number, from which it derives its tenant
/// and key. An error ends the benchmark: a variant that fails measures nothing.
pub type Op =
    Arc<dyn Fn(u64) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// One way to run a statement.
pub struct Variant {
    pub name: &'static str,
    pub op: Op,
}

/// One statement and its variants; `variants[0]` is the baseline.
pub struct Statement {
    pub name: &'static str,
    pub variants: Vec<Variant>,
    /// Operations per client and round, for statements much slower than a point lookup.
    pub ops_per_client: u64,
}

/// The settings of a run, from the environment (see each benchmark's doc comment).
#[derive(Clone, Copy)]
pub struct Settings {
    pub rounds: usize,
    pub ops_per_client: u64,
    pub tenants: u64,
    pub rows_per_tenant: u64,
}

impl Settings {
    pub fn from_env() -> Settings {
        let var = |name: &str, default: u64| -> u64 {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Settings {
            rounds: usize::try_from(var("TQ_BENCH_ROUNDS", 7)).unwrap_or(7),
            ops_per_client: var("TQ_BENCH_OPS", 2000),
            tenants: var("TQ_BENCH_TENANTS", 20),
            rows_per_tenant: var("TQ_BENCH_ROWS", 100_000),
        }
    }

    /// The tenant of operation `i`: every tenant in turn.
    pub fn tenant(&self, i: u64) -> i64 {
        i64::try_from(i % self.tenants + 1).unwrap_or(1)
    }

    /// The key of operation `i`: spread over the tenant's rows.
    pub fn key(&self, i: u64) -> i64 {
        i64::try_from(i.wrapping_mul(7919) % self.rows_per_tenant + 1).unwrap_or(1)
    }
}

/// Whether variant `index` named `name` is measured: `TQ_BENCH_ONLY` lists the name prefixes of
/// the variants to measure (comma-separated), for longer runs of a few ratios; the baseline
/// (index 0) is always measured.
fn measured(index: usize, name: &str) -> bool {
    let only = std::env::var("TQ_BENCH_ONLY").unwrap_or_default();
    index == 0 || only.is_empty() || only.split(',').any(|prefix| name.starts_with(prefix))
}

/// Runs `ops` operations of `op` on `clients` concurrent tasks; returns the time per operation.
async fn run_variant(op: &Op, clients: usize, ops: u64, offset: u64) -> Result<Duration, String> {
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients as u64)
        .map(|c| {
            let op = Arc::clone(op);
            tokio::spawn(async move {
                for j in 0..ops {
                    op(offset + c * ops + j).await?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    let total = ops * clients as u64;
    Ok(start.elapsed() / u32::try_from(total.max(1)).unwrap_or(u32::MAX))
}

/// The first operation number of the next table: operation numbers never repeat within a run.
static NEXT_OPERATION: AtomicU64 = AtomicU64::new(0);

/// The per-round times of one variant of one statement.
struct Samples {
    statement: &'static str,
    variant: &'static str,
    per_op: Vec<Duration>,
    ratios: Vec<f64>,
}

/// Measures every statement with `clients` concurrent clients and prints a Markdown table.
pub async fn measure(title: &str, statements: &[Statement], clients: usize, settings: &Settings) {
    let measured: Vec<Vec<&Variant>> = statements
        .iter()
        .map(|s| {
            let kept = s.variants.iter().enumerate();
            kept.filter(|(i, v)| measured(*i, v.name))
                .map(|(_, v)| v)
                .collect()
        })
        .collect();
    let mut samples: Vec<Samples> = statements
        .iter()
        .zip(&measured)
        .flat_map(|(s, variants)| {
            variants.iter().map(|v| Samples {
                statement: s.name,
                variant: v.name,
                per_op: Vec::new(),
                ratios: Vec::new(),
            })
        })
        .collect();
    // Operation numbers go on from the last table's: an INSERT's new ids never repeat.
    let mut offset = NEXT_OPERATION.load(Ordering::Relaxed);
    for round in 0..settings.rounds {
        let mut at = 0;
        for (s, variants) in statements.iter().zip(&measured) {
            let n = variants.len();
            let mut times = vec![Duration::ZERO; n];
            for k in 0..n {
                let v = (k + round) % n;
                let ops = s.ops_per_client;
                times[v] = run_variant(&variants[v].op, clients, ops, offset)
                    .await
                    .unwrap_or_else(|e| panic!("{} / {}: {e}", s.name, variants[v].name));
                offset += ops * clients as u64;
            }
            for (v, time) in times.iter().enumerate() {
                samples[at + v].per_op.push(*time);
                samples[at + v]
                    .ratios
                    .push(time.as_secs_f64() / times[0].as_secs_f64());
            }
            at += n;
        }
    }
    NEXT_OPERATION.store(offset, Ordering::Relaxed);
    print_table(title, clients, settings, &mut samples);
}

fn print_table(title: &str, clients: usize, settings: &Settings, samples: &mut [Samples]) {
    println!(
        "\n### {title}, {clients} client(s), {} rounds\n",
        settings.rounds
    );
    println!(
        "| statement | variant | median time per op | ratio to hand-written: min / median / max |"
    );
    println!("| --- | --- | ---: | --- |");
    for s in samples.iter_mut() {
        s.per_op.sort();
        s.ratios.sort_by(f64::total_cmp);
        let median = s.per_op[s.per_op.len() / 2];
        let r = &s.ratios;
        println!(
            "| {} | {} | {:.1} µs | {:.3} / {:.3} / {:.3} |",
            s.statement,
            s.variant,
            median.as_secs_f64() * 1e6,
            r[0],
            r[r.len() / 2],
            r[r.len() - 1]
        );
    }
}

/// An [`Op`] from a closure that returns the operation's future.
pub fn op<F, Fut>(f: F) -> Op
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    Arc::new(move |i| Box::pin(f(i)))
}

/// A bind argument of a hand-written variant.
#[derive(Clone, Copy)]
pub enum Arg {
    Int(i64),
    Text(&'static str),
}

/// Binds `args` in order.
pub fn bind_all<'q, DB>(
    mut query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    args: &[Arg],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'static str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for arg in args {
        query = match *arg {
            Arg::Int(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
        };
    }
    query
}

/// The error of an operation, as text.
pub fn text<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// One benchmarked statement: as written for the macros (and for RLS, which needs no filter)
/// and scoped by hand (the tenant is the last parameter).
pub struct Spec {
    pub name: &'static str,
    pub sql: &'static str,
    pub by_hand: &'static str,
    pub args: fn(&Settings, u64) -> Vec<Arg>,
    /// Divides the operations per round, for a statement that reads a whole tenant.
    pub slower: u64,
}

/// An order id no row has yet: operation numbers never repeat within a run.
pub fn new_id(s: &Settings, i: u64) -> i64 {
    i64::try_from(s.rows_per_tenant + i + 1).unwrap_or(i64::MAX)
}

/// The variants every dialect has, for the crate's pool type: `by_hand` (the baseline) and
/// `through_runtime` (the run-time API with the crate's `ENGINE`), and `statements_with`, which
/// puts them with the crate's `through_macro` and `SPECS`.
macro_rules! scoped_variants {
    ($pool:ty) => {
        fn by_hand(spec: &Spec, pool: &$pool, s: Settings) -> harness::Op {
            let (pool, sql, args) = (pool.clone(), spec.by_hand, spec.args);
            op(move |i| {
                let pool = pool.clone();
                async move {
                    let mut values = args(&s, i);
                    values.push(Arg::Int(s.tenant(i)));
                    let query = bind_all(sqlx::query(sql), &values);
                    query.fetch_all(&pool).await.map(drop).map_err(text)
                }
            })
        }

        fn through_runtime(spec: &Spec, pool: &$pool, s: Settings) -> harness::Op {
            let (pool, sql, args) = (pool.clone(), spec.sql, spec.args);
            op(move |i| {
                let pool = pool.clone();
                async move {
                    let tenant = TenantId::new(s.tenant(i));
                    let mut query = ENGINE.tenant_query(&tenant, sql).map_err(text)?;
                    for arg in args(&s, i) {
                        query = match arg {
                            Arg::Int(v) => query.bind(v),
                            Arg::Text(v) => query.bind(v),
                        };
                    }
                    let query = query.build().map_err(text)?;
                    query.fetch_all(&pool).await.map(drop).map_err(text)
                }
            })
        }

        /// Every statement of `SPECS` with the variants every dialect has (hand-written first,
        /// the baseline), then those `extra` adds.
        fn statements_with(
            pool: &$pool,
            s: Settings,
            extra: impl Fn(&Spec) -> Vec<Variant>,
        ) -> Vec<Statement> {
            SPECS
                .iter()
                .enumerate()
                .map(|(k, spec)| {
                    let mut variants = vec![
                        Variant {
                            name: "hand-written sqlx::query",
                            op: by_hand(spec, pool, s),
                        },
                        Variant {
                            name: "tenant_query!",
                            op: through_macro(k, pool, s),
                        },
                        Variant {
                            name: "run-time API (cache hit)",
                            op: through_runtime(spec, pool, s),
                        },
                    ];
                    variants.extend(extra(spec));
                    Statement {
                        name: spec.name,
                        ops_per_client: (s.ops_per_client / spec.slower).max(5),
                        variants,
                    }
                })
                .collect()
        }
    };
}
pub(crate) use scoped_variants;
