//! `tenant-query`: see exactly what the macros do to a statement, and validate manifests.
//!
//! ```text
//! tenant-query rewrite --manifest tenant-schema.toml "SELECT * FROM orders"
//! tenant-query rewrite --manifest tenant-schema.toml --dialect mysql - < query.sql
//! tenant-query check-manifest tenant-schema.toml
//! ```

use std::io::Read;
use std::process::ExitCode;

use tenant_query_core::{check_unscoped, rewrite, BindSlot, Dialect, Manifest};

const USAGE: &str = "\
tenant-query: compile-time tenant scoping for sqlx

USAGE:
    tenant-query rewrite --manifest PATH [--dialect postgres|mysql|sqlite] [--unscoped] [--plan] SQL
    tenant-query check-manifest PATH
    tenant-query --help | --version

COMMANDS:
    rewrite         Print the statement as tenant_query! runs it (SQL `-` reads standard input).
                    A rejected statement prints the reason on standard error and exits 1.
    check-manifest  Validate a tenant-schema.toml and list its tables.

OPTIONS:
    --manifest PATH   The tenant-schema.toml to check against
    --dialect NAME    Override the manifest's dialect
    --unscoped        Check as unscoped_query! does: tables must be known, nothing is rewritten
    --plan            Also print the bind order and the scoped tables on standard error

EXIT STATUS:
    0 success, 1 the statement or manifest was rejected, 2 usage error";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Rejected(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

enum Failure {
    /// The input was understood and refused.
    Rejected(String),
    /// The command line was wrong.
    Usage(String),
}

fn run(args: &[String]) -> Result<(), Failure> {
    match args.first().map(String::as_str) {
        Some("rewrite") => rewrite_command(&args[1..]),
        Some("check-manifest") => check_manifest_command(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some("-V" | "--version") => {
            println!("tenant-query {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some(other) => Err(Failure::Usage(format!("unknown command `{other}`"))),
        None => Err(Failure::Usage("no command given".into())),
    }
}

fn rewrite_command(args: &[String]) -> Result<(), Failure> {
    let mut manifest_path = None;
    let mut dialect = None;
    let mut unscoped = false;
    let mut plan = false;
    let mut sql = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--manifest" => manifest_path = Some(value(&mut it, "--manifest")?),
            "--dialect" => {
                let name = value(&mut it, "--dialect")?;
                dialect = Some(name.parse::<Dialect>().map_err(Failure::Usage)?);
            }
            "--unscoped" => unscoped = true,
            "--plan" => plan = true,
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option `{flag}`")))
            }
            _ if sql.is_some() => {
                return Err(Failure::Usage(
                    "give the SQL as one argument (quote it), or `-` to read standard input".into(),
                ))
            }
            text => sql = Some(text.to_owned()),
        }
    }
    let manifest_path =
        manifest_path.ok_or_else(|| Failure::Usage("`--manifest PATH` is required".into()))?;
    let sql = match sql.as_deref() {
        None => return Err(Failure::Usage("no SQL given".into())),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))?;
            text
        }
        Some(text) => text.to_owned(),
    };

    let mut manifest =
        Manifest::from_path(&manifest_path).map_err(|e| Failure::Rejected(e.to_string()))?;
    if let Some(d) = dialect {
        manifest = manifest.with_dialect(d);
    }

    let (out, slots, scoped) = if unscoped {
        let checked = check_unscoped(&manifest, &sql).map_err(|e| {
            Failure::Rejected(e.render(&sql, "SQL", tenant_query_core::RenderStyle::Plain))
        })?;
        (checked.sql, checked.bind_plan.slots, Vec::new())
    } else {
        let rewritten = rewrite(&manifest, &sql).map_err(|e| {
            Failure::Rejected(e.render(&sql, "SQL", tenant_query_core::RenderStyle::Plain))
        })?;
        (
            rewritten.sql,
            rewritten.bind_plan.slots,
            rewritten.scoped_tables,
        )
    };
    println!("{out}");
    if plan {
        let binds: Vec<String> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let what = match slot {
                    BindSlot::Tenant => "tenant".to_owned(),
                    BindSlot::Arg(n) => format!("argument {}", n + 1),
                };
                format!("{}={what}", i + 1)
            })
            .collect();
        eprintln!(
            "binds: {}",
            if binds.is_empty() {
                "none".into()
            } else {
                binds.join(", ")
            }
        );
        eprintln!(
            "scoped tables: {}",
            if scoped.is_empty() {
                "none".into()
            } else {
                scoped.join(", ")
            }
        );
    }
    Ok(())
}

fn check_manifest_command(args: &[String]) -> Result<(), Failure> {
    let [path] = args else {
        return Err(Failure::Usage(
            "check-manifest takes exactly one PATH".into(),
        ));
    };
    let manifest = Manifest::from_path(path).map_err(|e| Failure::Rejected(e.to_string()))?;
    println!(
        "{path}: ok ({} dialect, tenant ids are {}, {} tables)",
        manifest.dialect(),
        manifest.tenant_id_type().as_str(),
        manifest.tables().len()
    );
    for table in manifest.tables() {
        match &table.tenant_column {
            Some(column) => println!("  {}: tenant ({column})", table.name),
            None => println!("  {}: global", table.name),
        }
    }
    Ok(())
}

fn value(it: &mut std::slice::Iter<'_, String>, flag: &str) -> Result<String, Failure> {
    it.next()
        .cloned()
        .ok_or_else(|| Failure::Usage(format!("`{flag}` needs a value")))
}
