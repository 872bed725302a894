//! The run-time API against the macros, for one statement: what building a query costs when
//! the rewrite is cached (a hit), when it is not (a miss: parse, check and rewrite), and
//! through `tenant_query!`, which rewrote it at compile time.
//!
//! Run with `cargo bench -p tenant-query --features runtime --bench runtime`; BENCHMARKS.md
//! records results. `cargo test` runs each benchmark once, so that this file cannot rot.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use tenant_query::runtime::{EmbeddedManifest, Engine};
use tenant_query::{tenant_query, TenantId};

/// A join of two scoped tables with one argument; the crate's own manifest (SQLite).
const SQL: &str =
    "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > ?";

fn manifest() -> EmbeddedManifest<sqlx::Sqlite, i64> {
    tenant_query::embedded_manifest!()
}

fn runtime(c: &mut Criterion) {
    let tenant = TenantId::new(1);
    let mut group = c.benchmark_group("build a query");

    let engine = Engine::new(manifest());
    group.bench_function("runtime, cache hit", |b| {
        b.iter(|| {
            engine
                .tenant_query(&tenant, black_box(SQL))
                .expect("accepted")
                .bind(black_box(100_i64))
                .build()
                .expect("built")
        })
    });

    group.bench_function("runtime, cache miss", |b| {
        b.iter_batched(
            || Engine::with_capacity(manifest(), 1),
            |engine| {
                let query = engine
                    .tenant_query(&tenant, black_box(SQL))
                    .expect("accepted")
                    .bind(black_box(100_i64))
                    .build()
                    .expect("built");
                // Dropped after the measurement, with the engine.
                (query, engine)
            },
            BatchSize::SmallInput,
        )
    });

    group.bench_function("tenant_query! macro", |b| {
        b.iter(|| {
            tenant_query!(
                tenant,
                "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > ?",
                black_box(100_i64)
            )
        })
    });
    group.finish();
}

criterion_group!(benches, runtime);
criterion_main!(benches);
