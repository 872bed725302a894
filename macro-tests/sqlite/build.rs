//! Points sqlx's compile-time checks (the `*_checked!` macros in tests/checked.rs) at
//! `schema.db`, a SQLite database holding `schema.sql`, whatever `DATABASE_URL` the
//! environment has: the checked macros of this crate must be verified against SQLite.

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-env=DATABASE_URL=sqlite://{dir}/schema.db?mode=ro");
    println!("cargo:rustc-env=SQLX_OFFLINE=false");
    println!("cargo:rerun-if-changed=schema.db");
    println!("cargo:rerun-if-changed=build.rs");
}
