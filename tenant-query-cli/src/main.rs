//! `tenant-query`: see exactly what the tenant-query macros do to a statement, and validate
//! manifests.
//!
//! ```text
//! tenant-query rewrite "SELECT * FROM orders"
//! tenant-query rewrite --manifest tenant-schema.toml --dialect mysql - < query.sql
//! tenant-query rewrite --format json -- "-- comment
//! SELECT * FROM orders"
//! tenant-query check-manifest
//! tenant-query audit src --baseline tenant-query-audit.json
//! tenant-query init --database-url postgres://localhost/app
//! tenant-query rls --role app --out migrations
//! tenant-query distribute > citus.sql
//! ```
//!
//! Exit status: 0 success, 1 the statement or manifest was rejected, 2 usage error.

mod args;
mod audit;
mod check;
mod commands;
mod distribute;
mod init;
mod introspect;
mod migrate;
mod outcome;
mod pg_name;
mod report;
mod rls;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::outcome::boxed;
use crate::report::Streams;

fn main() -> ExitCode {
    // Usage errors (including arguments that are not UTF-8) exit 2; `--help` exits 0.
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Rewrite(args) => commands::rewrite(args).map(boxed),
        Command::CheckManifest(args) => commands::check_manifest(args).map(boxed),
        Command::Audit(args) => audit::run(args).map(boxed),
        Command::Init(args) => init::run(args).map(boxed),
        Command::Check(args) => check::run(args).map(boxed),
        Command::Rls(args) => rls::run(args).map(boxed),
        Command::Distribute(args) => distribute::run(args).map(boxed),
        Command::Migrate(args) => migrate::run(args).map(boxed),
    };

    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let streams = Streams {
        out: &mut out,
        err: &mut err,
    };
    let (printed, status) = match &result {
        Ok(outcome) => (outcome.print(cli.format, streams), outcome.exit_status()),
        Err(failure) => (failure.print(cli.format, streams), failure.exit_status()),
    };
    // A closed pipe (`| head`) or a full disk: the output is incomplete, so the run failed.
    if let Err(e) = printed.and_then(|()| out.flush()) {
        let _ = writeln!(err, "error: cannot write the output: {e}");
        return ExitCode::from(status.max(1));
    }
    ExitCode::from(status)
}
