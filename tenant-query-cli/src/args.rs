//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tenant_query_core::Dialect;

/// See exactly what the tenant-query macros do to a statement, and check manifests.
///
/// Without `--manifest`, the manifest is found as the macros find it, starting from the current
/// directory: `TENANT_QUERY_MANIFEST` when set, else the nearest `tenant-schema.toml` up to the
/// workspace root.
#[derive(Debug, Parser)]
#[command(
    name = "tenant-query",
    version,
    after_help = "\
Examples:
  tenant-query rewrite \"SELECT * FROM orders WHERE id = $1\"
  tenant-query rewrite --dialect mysql --plan - < query.sql
  tenant-query rewrite --format json -- \"$(cat query.sql)\"
  tenant-query check-manifest
  tenant-query audit src --baseline tenant-query-audit.json
  tenant-query init --database-url postgres://localhost/app
  tenant-query check --database-url postgres://localhost/app
  tenant-query rls --role app --out migrations
  tenant-query distribute > citus.sql

Exit status: 0 success, 1 the statement or manifest was rejected (audit: calls beyond the
baseline; check: findings), 2 usage error (init, check: also a database that cannot be read)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// How to print the result: `text` for people, `json` for programs.
    #[arg(long, value_enum, global = true, default_value_t = Format::Text)]
    pub format: Format,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the statement as `tenant_query!` runs it.
    ///
    /// A rejected statement prints the reason on standard error and exits 1.
    #[command(after_help = "\
SQL that starts with `-`, such as a `-- comment`, goes after `--`:
  tenant-query rewrite -- \"$(cat query.sql)\"")]
    Rewrite(RewriteArgs),
    /// Validate a tenant-schema.toml and list its tables.
    CheckManifest(CheckManifestArgs),
    /// List every unscoped, raw sqlx and tenant-scoped query call in Rust sources.
    ///
    /// With `--baseline`, exit 1 when the unscoped and raw calls outgrow the committed
    /// inventory, so that review sees every new cross-tenant path.
    Audit(crate::audit::AuditArgs),
    /// Write a tenant-schema.toml from a live PostgreSQL, MySQL/MariaDB or SQLite database.
    Init(crate::init::InitArgs),
    /// Compare the manifest with a live database: drift, keys, indexes and row-level security.
    ///
    /// Exit 1 when there are findings that `--allow` does not accept.
    Check(crate::check::CheckArgs),
    /// Write row-level security for the scoped tables as an sqlx migration (PostgreSQL).
    ///
    /// The up file enables and forces row-level security with a policy on the tenant column
    /// against the transaction's `tenant_query.tenant` (set by `tenant_query::rls::begin`),
    /// and creates the application role with its grants; the down file undoes it.
    Rls(crate::rls::RlsArgs),
    /// Print the Citus DDL that distributes the scoped tables by tenant, co-located.
    ///
    /// Global tables become reference tables.
    Distribute(crate::distribute::DistributeArgs),
    /// Write reversible sqlx migrations that retrofit multi-tenancy onto a single-tenant schema.
    ///
    /// They add a tenant registry, the tenant columns (backfilled in batches), and keys and
    /// foreign keys that start with them. Exit 2 when the schema holds what cannot be
    /// retrofitted safely, with the reason.
    Migrate(crate::migrate::MigrateArgs),
}

/// The arguments of `rewrite`.
#[derive(Debug, Args)]
pub struct RewriteArgs {
    /// The tenant-schema.toml to check against [default: found from the current directory].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// Override the manifest's dialect.
    #[arg(long, value_name = "postgres|mysql|sqlite")]
    pub dialect: Option<Dialect>,
    /// Check as `unscoped_query!` does: tables must be known, nothing is rewritten.
    #[arg(long)]
    pub unscoped: bool,
    /// Also print the bind order and the scoped tables on standard error (text format).
    #[arg(long)]
    pub plan: bool,
    /// The statement, or `-` to read it from standard input.
    #[arg(value_name = "SQL")]
    pub sql: String,
}

/// The arguments of `check-manifest`.
#[derive(Debug, Args)]
pub struct CheckManifestArgs {
    /// The tenant-schema.toml to check [default: found from the current directory].
    #[arg(value_name = "PATH")]
    pub manifest: Option<PathBuf>,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text; diagnostics are drawn under the SQL.
    Text,
    /// One JSON document on standard output, for success and rejection alike.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
