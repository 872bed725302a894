//! How `audit` prints its inventory: the calls on standard output, skipped files and a grown
//! baseline on standard error; or one JSON document.

use std::io::{self, Write};

use super::scan::CallKind;
use super::{AuditReport, BaselineVerdict, Call};
use crate::args::Format;
use crate::report::Streams;

impl AuditReport {
    /// Prints the report in `format`.
    pub fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *streams.out, self)?;
                writeln!(streams.out)
            }
            Format::Text => self.print_text(streams),
        }
    }

    fn print_text(&self, streams: Streams<'_>) -> io::Result<()> {
        for call in &self.calls {
            print_call(call, self.manifest.is_some(), streams.out)?;
        }
        for file in &self.unparsed {
            let position = match (file.line, file.column) {
                (Some(line), Some(column)) => format!(":{line}:{column}"),
                _ => String::new(),
            };
            writeln!(
                streams.err,
                "warning: {}{position}: skipped, {}",
                file.file,
                first_line(&file.message)
            )?;
        }
        writeln!(streams.out, "{}", self.summary())?;
        match &self.baseline {
            Some(verdict) => print_verdict(verdict, self.manifest.is_some(), streams),
            None => Ok(()),
        }
    }

    fn summary(&self) -> String {
        let count = |kind| self.calls.iter().filter(|c| c.kind == kind).count();
        let mut line = format!(
            "{} unscoped, {} raw, {} scoped {} in {} {}",
            count(CallKind::Unscoped),
            count(CallKind::Raw),
            count(CallKind::Scoped),
            plural(self.calls.len(), "call", "calls"),
            self.files,
            plural(self.files, "file", "files"),
        );
        if !self.unparsed.is_empty() {
            let n = self.unparsed.len();
            line += &format!(" ({n} {} skipped)", plural(n, "file", "files"));
        }
        if self.manifest.is_none() {
            line += "; no manifest, so tables are not resolved";
        }
        line
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `kind  file:line:column  name`, then the reason, tables, problem and SQL indented.
fn print_call(call: &Call, resolved: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<8}  {}:{}:{}  {}",
        call.kind.as_str(),
        call.file,
        call.line,
        call.column,
        call.name
    )?;
    if let Some(reason) = &call.reason {
        writeln!(out, "    reason: {reason}")?;
    }
    let tables = match (&call.tables, &call.sql, resolved) {
        (Some(tables), _, _) if tables.is_empty() => "none declared".to_owned(),
        (Some(tables), _, _) => tables
            .iter()
            .map(|t| format!("{} ({})", t.name, t.scope))
            .collect::<Vec<_>>()
            .join(", "),
        (None, None, _) => "unknown (the SQL is built at run time)".to_owned(),
        (None, Some(_), false) => "unknown (no manifest)".to_owned(),
        (None, Some(_), true) => "unknown (the SQL does not parse)".to_owned(),
    };
    writeln!(out, "    tables: {tables}")?;
    if let Some(problem) = &call.problem {
        writeln!(out, "    problem: {}", first_line(problem))?;
    }
    if let Some(sql) = &call.sql {
        writeln!(out, "    sql: {}", one_line(sql))?;
    }
    Ok(())
}

fn print_verdict(
    verdict: &BaselineVerdict,
    resolved: bool,
    streams: Streams<'_>,
) -> io::Result<()> {
    let path = &verdict.path;
    if verdict.written {
        return writeln!(streams.out, "baseline {path}: written");
    }
    if verdict.new.is_empty() {
        let gone = match verdict.gone {
            0 => String::new(),
            n => format!(
                "; {n} recorded {} gone, tighten it with `--write-baseline`",
                plural(n, "call is", "calls are")
            ),
        };
        return writeln!(
            streams.out,
            "baseline {path}: no new unscoped or raw calls{gone}"
        );
    }
    let n = verdict.new.len();
    writeln!(
        streams.err,
        "error: {n} unscoped or raw {} not in the baseline {path}:",
        plural(n, "call is", "calls are")
    )?;
    for call in &verdict.new {
        print_call(call, resolved, streams.err)?;
    }
    writeln!(
        streams.err,
        "  help: each one can reach across tenants; review it, then accept it with \
         `tenant-query audit … --baseline {path} --write-baseline` and commit the baseline"
    )
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// SQL on one line: runs of white space become one space.
fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}
