//! Errors as values: what went wrong, where in the text, and how to fix it.
//!
//! One model serves the SQL of a statement and the TOML of a manifest: a [`Diagnostic`] has a
//! stable code, a message, a primary [`Span`] with an optional label, secondary [`Label`]s
//! and a help line. A `Diagnostic` returned as an error may carry further independent errors
//! of the same input (see [`Diagnostic::problems`]), so one compile reports them all.
//! [`Diagnostic::render`] draws them with `annotate-snippets`, the renderer of rustc.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A 1-based position in a text (the SQL, or the manifest).
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

/// A range of a text: from `start` up to, not including, `end`. A span whose `end` is not
/// after its `start` marks one position.
///
/// ```
/// use tenant_query_core::{Location, Span};
/// let span = Span::new(Location { line: 1, column: 15 }, Location { line: 1, column: 22 });
/// assert_eq!(span.to_string(), "1:15-1:22");
/// assert_eq!(Span::point(Location { line: 3, column: 1 }).to_string(), "3:1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The first character.
    pub start: Location,
    /// Just past the last character.
    pub end: Location,
}

impl Span {
    /// The range from `start` to `end`.
    pub fn new(start: Location, end: Location) -> Span {
        Span { start, end }
    }

    /// One position.
    pub fn point(at: Location) -> Span {
        Span { start: at, end: at }
    }

    /// The span of the byte range `range` of `text`, if the range lies on character
    /// boundaries of `text`.
    ///
    /// ```
    /// use tenant_query_core::{Location, Span};
    /// let span = Span::from_byte_range("a = 1\nbé = 2", 6..9).unwrap();
    /// assert_eq!(span.start, Location { line: 2, column: 1 });
    /// assert_eq!(span.end, Location { line: 2, column: 3 });
    /// ```
    pub fn from_byte_range(text: &str, range: std::ops::Range<usize>) -> Option<Span> {
        Some(Span {
            start: location_of_byte(text, range.start)?,
            end: location_of_byte(text, range.end)?,
        })
    }

    /// The byte range of this span in `text`, clamped to the text.
    fn byte_range(&self, text: &str) -> std::ops::Range<usize> {
        let start = byte_of_location(text, self.start);
        let end = byte_of_location(text, self.end).max(start);
        start..end
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.end > self.start {
            write!(f, "{}-{}", self.start, self.end)
        } else {
            write!(f, "{}", self.start)
        }
    }
}

/// A secondary annotation: another place that explains the error ("the table is declared
/// here", "this join makes it nullable").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it says there.
    pub message: String,
}

/// The family a [`Diagnostic`] belongs to, for callers that want to branch on it. Each has a
/// stable code ([`DiagnosticKind::code`]), listed in README's error reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// `TQ0001`: a table or view that `tenant-schema.toml` does not declare.
    UnknownTable,
    /// `TQ0002`: a column that a table's declared `columns` list does not contain.
    UnknownColumn,
    /// `TQ0003`: the statement would write the tenant column itself.
    TenantColumnWrite,
    /// `TQ0004`: a statement kind or construct the engine refuses (fail closed).
    Unsupported,
    /// `TQ0005`: the SQL does not parse.
    Syntax,
    /// `TQ0006`: the SQL holds zero or more than one statement.
    StatementCount,
    /// `TQ0007`: placeholders that cannot be combined with the tenant parameter.
    Placeholder,
    /// `TQ0008`: the manifest itself is invalid.
    Manifest,
    /// `TQ0009`: an internal consistency check failed; the statement is refused.
    Internal,
    /// `TQ0010`: a function that is neither a built-in that computes only from its arguments
    /// nor declared in `tenant-schema.toml`'s `functions`.
    UnknownFunction,
    /// `TQ0011`: an INSERT over a tenant set, which names no one tenant to stamp the rows with.
    TenantSetInsert,
    /// `TQ0012`: an UPDATE or DELETE over a tenant set that does not say it writes for the
    /// whole set (`writes = "all"`).
    TenantSetWrite,
}

impl DiagnosticKind {
    /// Every kind, in code order.
    pub const ALL: [DiagnosticKind; 12] = [
        DiagnosticKind::UnknownTable,
        DiagnosticKind::UnknownColumn,
        DiagnosticKind::TenantColumnWrite,
        DiagnosticKind::Unsupported,
        DiagnosticKind::Syntax,
        DiagnosticKind::StatementCount,
        DiagnosticKind::Placeholder,
        DiagnosticKind::Manifest,
        DiagnosticKind::Internal,
        DiagnosticKind::UnknownFunction,
        DiagnosticKind::TenantSetInsert,
        DiagnosticKind::TenantSetWrite,
    ];

    /// The stable code of this kind, shown with every message.
    ///
    /// ```
    /// use tenant_query_core::DiagnosticKind;
    /// assert_eq!(DiagnosticKind::UnknownTable.code(), "TQ0001");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            DiagnosticKind::UnknownTable => "TQ0001",
            DiagnosticKind::UnknownColumn => "TQ0002",
            DiagnosticKind::TenantColumnWrite => "TQ0003",
            DiagnosticKind::Unsupported => "TQ0004",
            DiagnosticKind::Syntax => "TQ0005",
            DiagnosticKind::StatementCount => "TQ0006",
            DiagnosticKind::Placeholder => "TQ0007",
            DiagnosticKind::Manifest => "TQ0008",
            DiagnosticKind::Internal => "TQ0009",
            DiagnosticKind::UnknownFunction => "TQ0010",
            DiagnosticKind::TenantSetInsert => "TQ0011",
            DiagnosticKind::TenantSetWrite => "TQ0012",
        }
    }
}

/// How [`Diagnostic::render`] draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenderStyle {
    /// Plain text: `error[TQ0001]: …`, no escape codes.
    #[default]
    Plain,
    /// ANSI colours, for a terminal.
    Styled,
    /// Plain text without the level name (`TQ0001: …`), for `compile_error!`, whose
    /// compiler prints `error: ` itself.
    CompileError,
}

/// A rejection of a statement or a manifest, with any further independent rejections of the
/// same input.
///
/// Its [`Display`](fmt::Display) form is compact (`line:column: error[code]: message`, then
/// the help);
/// [`render`](Diagnostic::render) shows the text with the spans underlined.
///
/// ```
/// use tenant_query_core::{rewrite, DiagnosticKind, Manifest};
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
/// assert_eq!(err.kind, DiagnosticKind::UnknownTable);
/// assert_eq!(err.code(), "TQ0001");
/// assert_eq!(err.span.unwrap().to_string(), "1:15-1:22");
/// assert!(err.to_string().contains("did you mean `invoices`?"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The family of the problem.
    pub kind: DiagnosticKind,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where in the text, when the problem has a position.
    pub span: Option<Span>,
    /// What the primary span is, shown under it.
    pub label: Option<String>,
    /// Other places that explain the problem.
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// Further independent problems of the same input, in the order they were found.
    others: Vec<Diagnostic>,
}

impl Diagnostic {
    pub(crate) fn new(kind: DiagnosticKind, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            message: message.into(),
            span: None,
            label: None,
            secondary: Vec::new(),
            help: None,
            others: Vec::new(),
        }
    }

    /// Sets the span unless one is set already (the innermost position wins).
    pub(crate) fn at(mut self, span: Option<Span>) -> Self {
        if self.span.is_none() {
            self.span = span;
        }
        self
    }

    pub(crate) fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub(crate) fn secondary(mut self, span: Option<Span>, message: impl Into<String>) -> Self {
        if let Some(span) = span {
            self.secondary.push(Label {
                span,
                message: message.into(),
            });
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

    /// The stable code of this diagnostic's kind, e.g. `TQ0001`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// Where the primary span starts.
    pub fn location(&self) -> Option<Location> {
        self.span.map(|s| s.start)
    }

    /// Adds the problems of `other` after this one's (as `syn::Error::combine` does).
    pub fn combine(&mut self, mut other: Diagnostic) {
        let others = std::mem::take(&mut other.others);
        self.others.push(other);
        self.others.extend(others);
    }

    /// Collects diagnostics into one error, or `None` when there are none.
    pub fn from_all(all: impl IntoIterator<Item = Diagnostic>) -> Option<Diagnostic> {
        let mut all = all.into_iter();
        let mut first = all.next()?;
        all.for_each(|d| first.combine(d));
        Some(first)
    }

    /// Every problem, each alone: this one, then the others.
    ///
    /// ```
    /// use tenant_query_core::{rewrite, Manifest};
    ///
    /// let manifest = Manifest::from_toml_str(
    ///     "dialect = \"postgres\"\n[tables.orders]\nscope = \"tenant\"\n",
    ///     "tenant-schema.toml",
    /// )?;
    /// let err = rewrite(&manifest, "SELECT * FROM order_lines, invoices").unwrap_err();
    /// let messages: Vec<_> = err.problems().into_iter().map(|d| d.message).collect();
    /// assert_eq!(
    ///     messages,
    ///     [
    ///         "table `order_lines` is not declared in tenant-schema.toml",
    ///         "table `invoices` is not declared in tenant-schema.toml",
    ///     ]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn problems(&self) -> Vec<Diagnostic> {
        let first = Diagnostic {
            others: Vec::new(),
            ..self.clone()
        };
        std::iter::once(first)
            .chain(self.others.iter().cloned())
            .collect()
    }

    /// How many problems this error holds (at least one).
    pub fn count(&self) -> usize {
        1 + self.others.len()
    }

    /// Renders every problem the way rustc does: code and message, the text of `source` with
    /// the spans underlined and labelled, and the help. `origin` names the text (`SQL`, or the
    /// manifest's file name).
    ///
    /// ```
    /// use tenant_query_core::{rewrite, Manifest, RenderStyle};
    ///
    /// let manifest = Manifest::from_toml_str(
    ///     "dialect = \"postgres\"\n[tables.invoices]\nscope = \"tenant\"\n",
    ///     "tenant-schema.toml",
    /// )?;
    /// let sql = "SELECT *\nFROM invoice";
    /// let err = rewrite(&manifest, sql).unwrap_err();
    /// assert_eq!(
    ///     err.render(sql, "SQL", RenderStyle::Plain),
    ///     "error[TQ0001]: table `invoice` is not declared in tenant-schema.toml
    ///  --> SQL:2:6
    ///   |
    /// 2 | FROM invoice
    ///   |      ^^^^^^^ not declared
    ///   |
    ///   = help: did you mean `invoices`? Otherwise declare it in tenant-schema.toml with \
    /// `[tables.invoice]` and `scope = \"tenant\"` or `scope = \"global\"`"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn render(&self, source: &str, origin: &str, style: RenderStyle) -> String {
        let renderer = match style {
            RenderStyle::Plain | RenderStyle::CompileError => Renderer::plain(),
            RenderStyle::Styled => Renderer::styled(),
        };
        let level = match style {
            RenderStyle::CompileError => Level::ERROR.no_name(),
            RenderStyle::Plain | RenderStyle::Styled => Level::ERROR,
        };
        // One report per problem, as rustc prints independent errors.
        self.problems()
            .iter()
            .map(|d| renderer.render(&[d.group(level.clone(), source, origin)]))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// This problem alone as an annotate-snippets group.
    fn group<'a>(&'a self, level: Level<'a>, source: &'a str, origin: &'a str) -> Group<'a> {
        let title = level.primary_title(self.message.as_str()).id(self.code());
        let mut group = match self.span {
            Some(span) => {
                let primary = AnnotationKind::Primary
                    .span(span.byte_range(source))
                    .label(self.label.as_deref());
                let context = self.secondary.iter().map(|l| {
                    AnnotationKind::Context
                        .span(l.span.byte_range(source))
                        .label(l.message.as_str())
                });
                title.element(
                    Snippet::source(source)
                        .path(origin)
                        .annotation(primary)
                        .annotations(context),
                )
            }
            None => Group::with_title(title),
        };
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        group
    }

    /// The compact form of this problem alone.
    fn fmt_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = self.location() {
            write!(f, "{at}: ")?;
        }
        write!(f, "error[{}]: {}", self.code(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.problems().iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            d.fmt_one(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Collects independent errors, the way serde_derive's `Ctxt` does: checks push what they
/// find and go on; [`Errors::finish`] reports them all at once.
#[derive(Debug, Default)]
pub(crate) struct Errors {
    found: Vec<Diagnostic>,
}

impl Errors {
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.found.push(diagnostic);
    }

    /// How many errors were kept.
    pub(crate) fn len(&self) -> usize {
        self.found.len()
    }

    /// Keeps the error of `result`, if any, and returns its value.
    pub(crate) fn keep<T>(&mut self, result: Result<T, Diagnostic>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// `Ok` when nothing was found, else every error in one.
    pub(crate) fn finish(self) -> Result<(), Diagnostic> {
        Diagnostic::from_all(self.found).map_or(Ok(()), Err)
    }

    /// Keeps `diagnostic` unless the very same one is kept already (a place that two passes
    /// check is reported once).
    pub(crate) fn push_once(&mut self, diagnostic: Diagnostic) {
        if !self.found.contains(&diagnostic) {
            self.found.push(diagnostic);
        }
    }

    /// Every error kept, in text order (errors without a position first).
    pub(crate) fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.found
            .sort_by_key(|e| e.span.map(|s| (s.start.line, s.start.column)));
        self.found
    }
}

/// The closest candidate to `name` by edit distance (adjacent transpositions count once), if
/// it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(&name, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// The location of byte `offset` of `text`, if it is a character boundary.
fn location_of_byte(text: &str, offset: usize) -> Option<Location> {
    let before = text.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some(Location {
        line: before.matches('\n').count() as u64 + 1,
        column: before[line_start..].chars().count() as u64 + 1,
    })
}

/// The byte offset of `at` in `text`, clamped to the end of its line (or of the text).
fn byte_of_location(text: &str, at: Location) -> usize {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == at.line {
            let content = line.strip_suffix('\n').unwrap_or(line);
            let column = usize::try_from(at.column.saturating_sub(1)).unwrap_or(usize::MAX);
            return offset
                + content
                    .char_indices()
                    .nth(column)
                    .map_or(content.len(), |(b, _)| b);
        }
        offset += line.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64, column: u64) -> Location {
        Location { line, column }
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["invoices", "orders", "customers"];
        assert_eq!(closest("invoice", names), Some("invoices"));
        assert_eq!(closest("ORDRES", names), Some("orders"));
        assert_eq!(closest("widgets", names), None);
        assert_eq!(closest("emial", ["email", "name"]), Some("email"));
    }

    #[test]
    fn displays_code_location_message_and_help() {
        let d = Diagnostic::new(DiagnosticKind::UnknownTable, "table `x` is unknown")
            .at(Some(Span::point(at(3, 9))))
            .help("declare it");
        assert_eq!(
            d.to_string(),
            "3:9: error[TQ0001]: table `x` is unknown\n  help: declare it"
        );
    }

    #[test]
    fn combines_and_renders_every_error() {
        let sql = "SELECT a\nFROM x, y";
        let mut d = Diagnostic::new(DiagnosticKind::UnknownTable, "table `x` is unknown")
            .at(Some(Span::new(at(2, 6), at(2, 7))))
            .label("not declared");
        d.combine(
            Diagnostic::new(DiagnosticKind::UnknownTable, "table `y` is unknown")
                .at(Some(Span::new(at(2, 9), at(2, 10))))
                .secondary(Some(Span::new(at(1, 8), at(1, 9))), "read here"),
        );
        assert_eq!(d.count(), 2);
        assert_eq!(
            d.render(sql, "SQL", RenderStyle::Plain),
            "error[TQ0001]: table `x` is unknown\n --> SQL:2:6\n  |\n2 | FROM x, y\n  |      ^ \
             not declared\n\nerror[TQ0001]: table `y` is unknown\n --> SQL:2:9\n  |\n1 | SELECT \
             a\n  |        - read here\n2 | FROM x, y\n  |         ^"
        );
    }

    #[test]
    fn positions_outside_the_text_are_clamped() {
        for span in [
            Span::point(at(0, 0)),
            Span::point(at(9, 1)),
            Span::new(at(1, 99), at(1, 1)),
        ] {
            let d = Diagnostic::new(DiagnosticKind::Syntax, "bad").at(Some(span));
            let text = d.render("SELECT 1", "SQL", RenderStyle::Plain);
            assert!(text.starts_with("error[TQ0005]: bad"), "{text}");
        }
    }

    #[test]
    fn byte_ranges_and_locations_round_trip() {
        let text = "ab\ncé\n";
        let span = Span::from_byte_range(text, 3..6).unwrap();
        assert_eq!((span.start, span.end), (at(2, 1), at(2, 3)));
        assert_eq!(span.byte_range(text), 3..6);
        assert_eq!(Span::from_byte_range(text, 5..5), None, "inside `é`");
    }
}
