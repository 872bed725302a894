#!/usr/bin/env bash
# Compile-time cost of the macros: a crate with N `tenant_query!` calls against its twin with
# the same statements scoped by hand with `sqlx::query` (the SQL the engine writes, so both
# crates hold the same statements), built side by side; and, as the floor that any procedural
# macro pays, a third crate whose N calls go through a pass-through macro (`syn` parses the
# call, `quote` writes the same `sqlx::query(…).bind(…)` as the twin; no SQL is read).
#
#   scripts/bench-compile.sh [N] [RUNS]        # defaults: 300 calls, 5 runs
#   TQ_BENCH_TARGET=dir scripts/bench-compile.sh  # keep the built dependencies for the next run
#   TQ_BENCH_MODES=edit scripts/bench-compile.sh 300 41
#       # only some of the modes (edit, emptied, release; default all three): many runs of
#       # the cheap incremental builds, where a noisy machine needs them
#
# For each profile setting (none, and the `[profile.dev.package…]` lines README recommends)
# it builds the crates once to warm the target directory, then RUNS times, rotating which
# crate goes first: edits each crate's source and times an incremental debug build, the same
# with the macros' cache of rewrites emptied first (every statement rewritten again, as in the
# crate's first build), then a release build. A run's ratio is a crate's time over its twin's in that run, so a drift of
# the machine cancels out; the minimum, median and maximum ratios are printed.
# Builds are offline, with the workspace's Cargo.lock, in a temporary directory it removes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
N=${1:-300}
RUNS=${2:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log() { printf '==> %s\n' "$*" >&2; }

log "building the tenant-query CLI, which writes the twin's SQL"
cargo build -q -p tenant-query-cli
CLI="$REPO/target/debug/tenant-query"
# The two crates' builds, apart from the repository's own.
export CARGO_TARGET_DIR=${TQ_BENCH_TARGET:-$WORK/target}

# The statement templates: a realistic mix, each made unique by its number.
template() {
    local i=$1
    case $((i % 10)) in
    0) echo "SELECT id, total FROM orders WHERE id = \$1 AND total > $i" ;;
    1) echo "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > \$1 AND o.id <> $i" ;;
    2) echo "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.total > $i) AND c.id > \$1" ;;
    3) echo "WITH big AS (SELECT id, customer_id FROM orders WHERE total > $i) SELECT c.name FROM big JOIN customers c ON c.id = big.customer_id WHERE c.id > \$1" ;;
    4) echo "SELECT o.id, count(i.line) FROM orders o LEFT JOIN order_items i ON i.order_id = o.id WHERE o.id > \$1 GROUP BY o.id HAVING count(i.line) > $i" ;;
    5) echo "INSERT INTO orders (id, customer_id, total) VALUES (\$1, $i, 0)" ;;
    6) echo "UPDATE orders SET total = total + $i WHERE id = \$1" ;;
    7) echo "DELETE FROM order_items WHERE order_id = \$1 AND line > $i" ;;
    8) echo "SELECT id FROM customers WHERE id = \$1 AND id IN (SELECT customer_id FROM orders WHERE total < $i)" ;;
    *) echo "UPDATE orders SET total = 0 FROM customers c WHERE c.id = orders.customer_id AND c.id = \$1 AND orders.total > $i" ;;
    esac
}

write_crates() {
    mkdir -p "$WORK/with-macros/src" "$WORK/hand-scoped/src" "$WORK/pass-through/src" "$WORK/pass-through-macro/src"
    write_pass_through_macro
    cat >"$WORK/with-macros/tenant-schema.toml" <<'EOF'
dialect = "postgres"
[tables.customers]
scope = "tenant"
[tables.orders]
scope = "tenant"
[tables.order_items]
scope = "tenant"
EOF
    for crate in with-macros hand-scoped pass-through; do
        cat >"$WORK/$crate/Cargo.toml" <<EOF
[package]
name = "$crate"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
sqlx = { version = "0.9", default-features = false, features = ["runtime-tokio", "macros", "postgres"] }
EOF
    done
    echo "tenant-query = { path = \"$REPO/tenant-query\" }" >>"$WORK/with-macros/Cargo.toml"
    echo "pass-through-macro = { path = \"../pass-through-macro\" }" >>"$WORK/pass-through/Cargo.toml"
    local macros="$WORK/with-macros/src/lib.rs" twin="$WORK/hand-scoped/src/lib.rs" i sql scoped
    local floor="$WORK/pass-through/src/lib.rs"
    echo "use tenant_query::{tenant_query, TenantId};" >"$macros"
    : >"$twin"
    echo "use pass_through_macro::pass_through;" >"$floor"
    for ((i = 0; i < N; i++)); do
        sql=$(template "$i")
        scoped=$("$CLI" rewrite --manifest "$WORK/with-macros/tenant-schema.toml" -- "$sql")
        cat >>"$macros" <<EOF
pub async fn q$i(pool: &sqlx::PgPool, tenant: TenantId, a: i64) -> Result<u64, sqlx::Error> {
    Ok(tenant_query!(tenant, r#"$sql"#, a).execute(pool).await?.rows_affected())
}
EOF
        cat >>"$twin" <<EOF
pub async fn q$i(pool: &sqlx::PgPool, tenant: i64, a: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(r#"$scoped"#).bind(a).bind(tenant).execute(pool).await?.rows_affected())
}
EOF
        cat >>"$floor" <<EOF
pub async fn q$i(pool: &sqlx::PgPool, tenant: i64, a: i64) -> Result<u64, sqlx::Error> {
    Ok(pass_through!(tenant, r#"$scoped"#, a).execute(pool).await?.rows_affected())
}
EOF
    done
}

# The floor: `pass_through!(tenant, "SQL", args…)` becomes
# `::sqlx::query::<::sqlx::Postgres>("SQL").bind(args…).bind(tenant)`.
write_pass_through_macro() {
    cat >"$WORK/pass-through-macro/Cargo.toml" <<'EOF'
[package]
name = "pass-through-macro"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
proc-macro = true

[dependencies]
syn = { version = "2", features = ["full"] }
quote = "1"
proc-macro2 = "1"
EOF
    cat >"$WORK/pass-through-macro/src/lib.rs" <<'EOF'
use proc_macro::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

#[proc_macro]
pub fn pass_through(input: TokenStream) -> TokenStream {
    let items: Vec<Expr> = match Punctuated::<Expr, Token![,]>::parse_terminated.parse(input) {
        Ok(items) => items.into_iter().collect(),
        Err(e) => return e.to_compile_error().into(),
    };
    let (tenant, sql, args) = (&items[0], &items[1], &items[2..]);
    quote! { ::sqlx::query::<::sqlx::Postgres>(#sql) #(.bind(#args))* .bind(#tenant) }.into()
}
EOF
}

# write_workspace recommended|none
write_workspace() {
    cat >"$WORK/Cargo.toml" <<'EOF'
[workspace]
resolver = "2"
members = ["with-macros", "hand-scoped", "pass-through", "pass-through-macro"]

[profile.dev.package."*"]
debug = false
EOF
    if [[ $1 == recommended ]]; then
        cat >>"$WORK/Cargo.toml" <<'EOF'

[profile.dev.package.tenant-query-macros]
opt-level = 3
[profile.dev.package.tenant-query-core]
opt-level = 3
[profile.dev.package.sqlparser]
opt-level = 3
[profile.dev.package.syn]
opt-level = 3
[profile.dev.package.proc-macro2]
opt-level = 3
[profile.dev.package.quote]
opt-level = 3
EOF
    fi
}

# seconds CRATE [--release]: edits the crate (a new comment line at the end, the smallest edit
# that changes its source: rustc parses it again and runs every macro again, and incremental
# compilation reuses what it can) and times its rebuild. With EMPTY_CACHE=1 it first deletes
# the macros' cache of rewrites, as if every statement had changed.
seconds() {
    local crate=$1
    shift
    echo "// edit $(date +%s%N)" >>"$WORK/$crate/src/lib.rs"
    [[ ${EMPTY_CACHE:-0} == 1 ]] && rm -rf "$CARGO_TARGET_DIR/debug/tenant-query-cache"
    local start end
    start=$(date +%s.%N)
    (cd "$WORK" && cargo build -q --offline -p "$crate" "$@")
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

# stats: reads numbers, prints "min / median / max".
stats() {
    sort -g | awk '{ v[NR] = $1 } END { printf "%.3f / %.3f / %.3f", v[1], v[int((NR + 1) / 2)], v[NR] }'
}

measure() {
    local setting=$1 mode=$2 run crate
    local -a flags=() order=(with-macros hand-scoped pass-through)
    [[ $mode == release ]] && flags=(--release)
    local empty_cache=0
    [[ $mode == *"cache emptied"* ]] && empty_cache=1
    : >"$WORK/macro" && : >"$WORK/twin" && : >"$WORK/macro-ratios" && : >"$WORK/floor-ratios"
    for ((run = 0; run < RUNS; run++)); do
        declare -A t=()
        for crate in "${order[@]}"; do
            t[$crate]=$(EMPTY_CACHE=$empty_cache seconds "$crate" "${flags[@]}")
        done
        order=("${order[@]:1}" "${order[0]}")
        echo "${t[with-macros]}" >>"$WORK/macro"
        echo "${t[hand-scoped]}" >>"$WORK/twin"
        echo "${t[with-macros]} / ${t[hand-scoped]}" | bc -l >>"$WORK/macro-ratios"
        echo "${t[pass-through]} / ${t[hand-scoped]}" | bc -l >>"$WORK/floor-ratios"
    done
    printf '| %s | %s | %s s | %s s | %s | %s |\n' "$setting" "$mode" \
        "$(median <"$WORK/macro")" "$(median <"$WORK/twin")" \
        "$(stats <"$WORK/macro-ratios")" "$(stats <"$WORK/floor-ratios")"
}

# selected MODE: whether TQ_BENCH_MODES (default: every mode) selects MODE, by its key: `edit`
# (incremental debug), `emptied` (the same with the cache emptied) or `release`.
selected() {
    local key
    case $1 in
    "incremental debug") key=edit ;;
    *emptied*) key=emptied ;;
    *) key=release ;;
    esac
    [[ " ${TQ_BENCH_MODES:-edit emptied release} " == *" $key "* ]]
}

# median: reads numbers, prints the median.
median() {
    stats | awk -F' / ' '{print $2}'
}

log "generating $N statements and their hand-scoped twins"
write_crates
cp "$REPO/Cargo.lock" "$WORK/Cargo.lock"
echo
echo "$N statements, $RUNS runs, $(date -u +%Y-%m-%d), $(nproc) cores, $(rustc --version)"
echo
echo "| profile settings | build | median, macros | median, hand-scoped | macros / hand-scoped: min / median / max | pass-through macro / hand-scoped: min / median / max |"
echo "| --- | --- | ---: | ---: | --- | --- |"
for setting in none recommended; do
    write_workspace "$setting"
    log "warming the target directory ($setting)"
    # Each crate on its own, as it is measured: built alone, the twin resolves sqlx's features
    # without tenant-query's, which is a build of its own.
    for crate in with-macros hand-scoped pass-through; do
        (cd "$WORK" && cargo build -q --offline -p "$crate")
        if selected release; then
            (cd "$WORK" && cargo build -q --offline --release -p "$crate")
        fi
    done
    for mode in "incremental debug" "incremental debug, cache emptied" release; do
        selected "$mode" && measure "$setting" "$mode"
    done
done
