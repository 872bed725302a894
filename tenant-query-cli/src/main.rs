//! `tenant-query`: see exactly what the tenant-query macros do to a statement, and validate
//! manifests.
//!
//! ```text
//! tenant-query rewrite "SELECT * FROM orders"
//! tenant-query rewrite --manifest tenant-schema.toml --dialect mysql - < query.sql
//! tenant-query rewrite --format json -- "-- comment
//! SELECT * FROM orders"
//! tenant-query check-manifest
//! ```
//!
//! Exit status: 0 success, 1 the statement or manifest was rejected, 2 usage error.

mod args;
mod commands;
mod report;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::report::Streams;

fn main() -> ExitCode {
    // Usage errors (including arguments that are not UTF-8) exit 2; `--help` exits 0.
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Rewrite(args) => commands::rewrite(args),
        Command::CheckManifest(args) => commands::check_manifest(args),
    };

    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let streams = Streams {
        out: &mut out,
        err: &mut err,
    };
    let (printed, status) = match &result {
        Ok(success) => (success.print(cli.format, streams), 0),
        Err(failure) => (failure.print(cli.format, streams), failure.exit_status()),
    };
    // A closed pipe (`| head`) or a full disk: the output is incomplete, so the run failed.
    if let Err(e) = printed.and_then(|()| out.flush()) {
        let _ = writeln!(err, "error: cannot write the output: {e}");
        return ExitCode::from(status.max(1));
    }
    ExitCode::from(status)
}
