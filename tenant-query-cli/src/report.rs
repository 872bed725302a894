//! What the commands print: their results and failures, as text or as JSON.
//!
//! The JSON shapes are part of the tool's interface (README, "Command-line tool"):
//!
//! - `rewrite`: `{"sql": "…", "bind_plan": [{"bind": "argument", "argument": 1}, {"bind": "tenant"}], "scoped_tables": ["orders"]}`
//! - `check-manifest`: `{"path": "…", "dialect": "postgres", "tenant_id_type": "i64", "tables": [{"name": "orders", "scope": "tenant", "tenant_column": "tenant_id"}]}`
//! - any rejection: `{"error": {"kind": "unknown_table", "message": "…", "line": 2, "column": 6, "help": "…"}}`

use std::io::{self, IsTerminal, Write};

use serde::Serialize;
use tenant_query_core::{
    BindSlot, Diagnostic, DiagnosticKind, ManifestError, RenderStyle, Rewritten,
};

use crate::args::Format;

/// The JSON form of the engine's result for `rewrite`.
#[derive(Debug, Serialize)]
struct RewriteJson<'a> {
    /// The statement as the macros run it.
    sql: &'a str,
    /// What is bound at each placeholder, in bind order.
    bind_plan: Vec<Bind>,
    /// The tenant-scoped tables the statement reads or writes (none when unscoped).
    scoped_tables: &'a [String],
}

impl<'a> RewriteJson<'a> {
    fn new(rewrite: &'a Rewritten) -> Self {
        RewriteJson {
            sql: &rewrite.sql,
            bind_plan: Bind::plan(&rewrite.bind_plan.slots),
            scoped_tables: &rewrite.scoped_tables,
        }
    }
}

/// One bind position: the tenant, or one of the macro's arguments (1-based).
#[derive(Debug, Serialize)]
#[serde(tag = "bind", rename_all = "snake_case")]
pub enum Bind {
    /// The tenant id.
    Tenant,
    /// The macro argument at this 1-based position.
    Argument {
        /// 1-based, as in the text output's `argument 1`.
        argument: usize,
    },
}

impl Bind {
    /// The bind positions of an engine bind plan.
    pub fn plan(slots: &[BindSlot]) -> Vec<Bind> {
        slots
            .iter()
            .map(|slot| match slot {
                BindSlot::Tenant => Bind::Tenant,
                BindSlot::Arg(n) => Bind::Argument { argument: n + 1 },
            })
            .collect()
    }
}

impl std::fmt::Display for Bind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bind::Tenant => f.write_str("tenant"),
            Bind::Argument { argument } => write!(f, "argument {argument}"),
        }
    }
}

/// The result of `check-manifest`.
#[derive(Debug, Serialize)]
pub struct ManifestSummary {
    /// The manifest file, as given or found.
    pub path: String,
    /// `postgres`, `mysql` or `sqlite`.
    pub dialect: String,
    /// The type inside `TenantId`.
    pub tenant_id_type: String,
    /// Every declared table, in manifest order.
    pub tables: Vec<TableSummary>,
}

/// One table of [`ManifestSummary`].
#[derive(Debug, Serialize)]
pub struct TableSummary {
    /// The key as written, e.g. `orders` or `billing.invoices`.
    pub name: String,
    /// `tenant` or `global`.
    pub scope: &'static str,
    /// The tenant column of a tenant-scoped table; `null` for a global one.
    pub tenant_column: Option<String>,
}

/// What a successful command prints.
pub enum Success {
    /// `rewrite`; `plan` asks for the bind plan on standard error in text format.
    Rewrite { rewrite: Rewritten, plan: bool },
    /// `check-manifest`.
    Manifest(ManifestSummary),
}

/// Why a command failed after its arguments were understood.
pub enum Failure {
    /// The engine rejected the statement `sql`.
    Statement { diagnostic: Diagnostic, sql: String },
    /// No manifest was found.
    ManifestNotFound(String),
    /// The manifest cannot be read or is invalid.
    InvalidManifest(ManifestError),
    /// The input could not be read: a usage error.
    Input(String),
    /// The database could not be reached or read (`init`).
    Database(String),
}

/// Standard output and standard error.
pub struct Streams<'a> {
    /// Results, and JSON documents of every kind.
    pub out: &'a mut dyn Write,
    /// Text diagnostics and the `--plan` lines.
    pub err: &'a mut dyn Write,
}

impl Success {
    /// Prints the result in `format`.
    pub fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        match (self, format) {
            (Success::Rewrite { rewrite, plan }, Format::Text) => {
                print_rewrite(rewrite, *plan, streams)
            }
            (Success::Rewrite { rewrite, .. }, Format::Json) => {
                print_json(&RewriteJson::new(rewrite), streams.out)
            }
            (Success::Manifest(summary), Format::Text) => print_summary(summary, streams.out),
            (Success::Manifest(summary), Format::Json) => print_json(summary, streams.out),
        }
    }
}

impl Failure {
    /// Prints the failure in `format`: text on standard error, JSON on standard output.
    pub fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        match format {
            Format::Text => writeln!(streams.err, "{}", self.text()),
            Format::Json => print_json(
                &ErrorDocument {
                    errors: self.json_errors(),
                },
                streams.out,
            ),
        }
    }

    /// The exit status: 1 for a rejection, 2 for a usage error.
    pub fn exit_status(&self) -> u8 {
        match self {
            Failure::Input(_) | Failure::Database(_) => 2,
            Failure::Statement { .. }
            | Failure::ManifestNotFound(_)
            | Failure::InvalidManifest(_) => 1,
        }
    }

    fn text(&self) -> String {
        match self {
            Failure::Statement { diagnostic, sql } => render_diagnostic(diagnostic, sql, "SQL"),
            Failure::InvalidManifest(e) => render_diagnostic(&e.diagnostic, &e.source, &e.origin),
            Failure::ManifestNotFound(message)
            | Failure::Input(message)
            | Failure::Database(message) => format!("error: {message}"),
        }
    }

    fn json_errors(&self) -> Vec<JsonError> {
        match self {
            Failure::Statement { diagnostic, .. } => {
                diagnostic.problems().iter().map(diagnostic_json).collect()
            }
            Failure::ManifestNotFound(message) => {
                vec![JsonError::message("manifest_not_found", message)]
            }
            Failure::InvalidManifest(e) => e
                .diagnostic
                .problems()
                .iter()
                .map(diagnostic_json)
                .collect(),
            Failure::Input(message) => vec![JsonError::message("input", message)],
            Failure::Database(message) => vec![JsonError::message("database", message)],
        }
    }
}

/// A diagnostic drawn under the text it points into (the SQL, or the manifest named `origin`):
/// the one place the text rendering is chosen. Colours only on a terminal, and never with
/// `NO_COLOR` set.
fn render_diagnostic(diagnostic: &Diagnostic, source: &str, origin: &str) -> String {
    let colour = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let style = if colour {
        RenderStyle::Styled
    } else {
        RenderStyle::Plain
    };
    diagnostic.render(source, origin, style)
}

/// `{"errors": […]}`: every problem, in the order found.
#[derive(Serialize)]
struct ErrorDocument {
    errors: Vec<JsonError>,
}

/// The JSON form of one problem. `code`, positions, `label` and `help` are `null` when
/// unknown; `end_line`/`end_column` are just past the span.
#[derive(Serialize)]
struct JsonError {
    code: Option<&'static str>,
    kind: &'static str,
    message: String,
    line: Option<u64>,
    column: Option<u64>,
    end_line: Option<u64>,
    end_column: Option<u64>,
    label: Option<String>,
    help: Option<String>,
}

impl JsonError {
    fn message(kind: &'static str, message: &str) -> Self {
        JsonError {
            code: None,
            kind,
            message: message.to_owned(),
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            label: None,
            help: None,
        }
    }
}

/// The JSON form of one engine problem: the one place that maps [`Diagnostic`]'s fields.
fn diagnostic_json(diagnostic: &Diagnostic) -> JsonError {
    let span = diagnostic.span;
    JsonError {
        code: Some(diagnostic.code()),
        kind: kind_name(diagnostic.kind),
        message: diagnostic.message.clone(),
        line: span.map(|s| s.start.line),
        column: span.map(|s| s.start.column),
        end_line: span.map(|s| s.end.line),
        end_column: span.map(|s| s.end.column),
        label: diagnostic.label.clone(),
        help: diagnostic.help.clone(),
    }
}

/// The stable JSON name of a diagnostic kind.
fn kind_name(kind: DiagnosticKind) -> &'static str {
    match kind {
        DiagnosticKind::Syntax => "syntax",
        DiagnosticKind::UnknownTable => "unknown_table",
        DiagnosticKind::UnknownColumn => "unknown_column",
        DiagnosticKind::TenantColumnWrite => "tenant_column_write",
        DiagnosticKind::Unsupported => "unsupported",
        DiagnosticKind::Placeholder => "placeholder",
        DiagnosticKind::StatementCount => "statement_count",
        DiagnosticKind::Manifest => "manifest",
        DiagnosticKind::Internal => "internal",
        DiagnosticKind::UnknownFunction => "unknown_function",
        DiagnosticKind::TenantSetInsert => "tenant_set_insert",
        DiagnosticKind::TenantSetWrite => "tenant_set_write",
        // A kind added to the engine after this tool was written.
        _ => "other",
    }
}

fn print_json(value: &impl Serialize, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

fn print_rewrite(rewrite: &Rewritten, plan: bool, streams: Streams<'_>) -> io::Result<()> {
    writeln!(streams.out, "{}", rewrite.sql)?;
    if plan {
        let binds = Bind::plan(&rewrite.bind_plan.slots)
            .into_iter()
            .enumerate()
            .map(|(i, bind)| format!("{}={bind}", i + 1));
        writeln!(streams.err, "binds: {}", list_or_none(binds))?;
        let tables = rewrite.scoped_tables.iter().cloned();
        writeln!(streams.err, "scoped tables: {}", list_or_none(tables))?;
    }
    Ok(())
}

fn list_or_none(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn print_summary(summary: &ManifestSummary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}: ok ({} dialect, tenant ids are {}, {} tables)",
        summary.path,
        summary.dialect,
        summary.tenant_id_type,
        summary.tables.len()
    )?;
    for table in &summary.tables {
        match &table.tenant_column {
            Some(column) => writeln!(out, "  {}: tenant ({column})", table.name)?,
            None => writeln!(out, "  {}: global", table.name)?,
        }
    }
    Ok(())
}
