//! Errors as values: what went wrong, where in the SQL, and how to fix it.

use std::fmt;

/// A 1-based position in the SQL text.
///
/// ```
/// use tenant_query_core::Location;
/// let at = Location { line: 2, column: 7 };
/// assert_eq!(at.to_string(), "2:7");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// 1-based line number.
    pub line: u64,
    /// 1-based column number, counted in characters.
    pub column: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The family a [`Diagnostic`] belongs to, for callers that want to branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The SQL does not parse.
    Syntax,
    /// A table or view that `tenant-schema.toml` does not declare.
    UnknownTable,
    /// A column that a table's declared `columns` list does not contain.
    UnknownColumn,
    /// The statement would write the tenant column itself.
    TenantColumnWrite,
    /// A statement kind or construct the engine refuses (fail closed).
    Unsupported,
    /// Placeholders that cannot be combined with the tenant parameter.
    Placeholder,
    /// The SQL holds zero or more than one statement.
    StatementCount,
    /// The manifest itself is invalid.
    Manifest,
    /// An internal consistency check failed; the statement is refused.
    Internal,
}

/// A rejection of a statement or a manifest.
///
/// Its [`Display`](fmt::Display) form is the message a user sees: what is wrong, where, and
/// the fix.
///
/// ```
/// use tenant_query_core::{rewrite, Manifest};
///
/// let manifest = Manifest::from_toml_str(
///     r#"
///     dialect = "postgres"
///     [tables.invoices]
///     scope = "tenant"
///     "#,
///     "tenant-schema.toml",
/// )
/// .unwrap();
/// let err = rewrite(&manifest, "SELECT * FROM invoice").unwrap_err();
/// assert_eq!(err.location.unwrap().to_string(), "1:15");
/// assert!(err.to_string().contains("did you mean `invoices`?"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The family of the problem.
    pub kind: DiagnosticKind,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where in the SQL, when the problem has a position.
    pub location: Option<Location>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(kind: DiagnosticKind, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            message: message.into(),
            location: None,
            help: None,
        }
    }

    pub(crate) fn at(mut self, location: Option<Location>) -> Self {
        if self.location.is_none() {
            self.location = location;
        }
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Diagnostic::new(DiagnosticKind::Unsupported, message)
    }

    /// Renders the diagnostic with the offending line of `sql` and a caret under the position,
    /// the way the command-line tool and the macros show it.
    ///
    /// ```
    /// use tenant_query_core::{rewrite, Manifest};
    ///
    /// let manifest = Manifest::from_toml_str(
    ///     "dialect = \"postgres\"\n[tables.invoices]\nscope = \"tenant\"\n",
    ///     "tenant-schema.toml",
    /// )?;
    /// let sql = "SELECT *\nFROM invoice";
    /// let err = rewrite(&manifest, sql).unwrap_err();
    /// assert_eq!(
    ///     err.render(sql),
    ///     "table `invoice` is not declared in tenant-schema.toml\n \
    ///      --> SQL 2:6\n  |\n2 | FROM invoice\n  |      ^\n  = help: did you mean `invoices`? \
    ///      Otherwise declare it in tenant-schema.toml with `[tables.invoice]` and \
    ///      `scope = \"tenant\"` or `scope = \"global\"`"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn render(&self, sql: &str) -> String {
        let mut out = self.message.clone();
        if let Some(at) = self.location {
            let line_no = at.line.to_string();
            let pad = " ".repeat(line_no.len());
            out.push_str(&format!("\n{pad}--> SQL {at}"));
            if let Some(line) = usize::try_from(at.line)
                .ok()
                .and_then(|l| sql.lines().nth(l.checked_sub(1)?))
            {
                let col = usize::try_from(at.column).unwrap_or(1).max(1);
                let before: String = line.chars().take(col - 1).collect();
                let indent: String = before
                    .chars()
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                out.push_str(&format!("\n{pad} |\n{line_no} | {line}\n{pad} | {indent}^"));
            }
        }
        if let Some(help) = &self.help {
            let pad = self
                .location
                .map_or(String::new(), |at| " ".repeat(at.line.to_string().len()));
            out.push_str(&format!("\n{pad} = help: {help}"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = self.location {
            write!(f, "{}: ", at)?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// The closest candidate to `name` by edit distance, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&name, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
/// transpositions (`emial` → `email`) each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["invoices", "orders", "customers"];
        assert_eq!(closest("invoice", names), Some("invoices"));
        assert_eq!(closest("ORDRES", names), Some("orders"));
        assert_eq!(closest("widgets", names), None);
        assert_eq!(closest("emial", ["email", "name"]), Some("email"));
    }

    #[test]
    fn renders_location_message_and_help() {
        let d = Diagnostic::new(DiagnosticKind::UnknownTable, "table `x` is unknown")
            .at(Some(Location { line: 3, column: 9 }))
            .help("declare it");
        assert_eq!(
            d.to_string(),
            "3:9: table `x` is unknown\n  help: declare it"
        );
    }
}
