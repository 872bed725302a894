//! Bind parameters: the user's placeholders, the tenant's, and the order they bind in.

use std::ops::ControlFlow;

use sqlparser::ast::{Statement, Value, ValueWithSpan, VisitMut, VisitorMut};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::dialect::{Dialect, PlaceholderStyle};
use crate::parse::source_span;

/// What sits at one bind position of the rewritten statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindSlot {
    /// The tenant id.
    Tenant,
    /// The user's argument with this 0-based index (the order the macro call lists them in).
    Arg(usize),
}

/// The order in which values are bound to the rewritten statement.
///
/// For PostgreSQL and SQLite the placeholders are numbered: slot *i* is `$i+1` (or `?i+1`), so
/// the user's arguments come first and the tenant last. For MySQL the placeholders are
/// positional `?` and the slots follow them through the text.
///
/// ```
/// use tenant_query_core::{rewrite, BindSlot, Manifest};
///
/// let manifest = Manifest::from_toml_str(
///     "dialect = \"mysql\"\n[tables.orders]\nscope = \"tenant\"\n",
///     "tenant-schema.toml",
/// )?;
/// let out = rewrite(&manifest, "SELECT id FROM orders WHERE total > ? LIMIT ?")?;
/// assert_eq!(out.sql, "SELECT id FROM orders WHERE (total > ?) AND orders.tenant_id = ? LIMIT ?");
/// assert_eq!(
///     out.bind_plan.slots,
///     vec![BindSlot::Arg(0), BindSlot::Tenant, BindSlot::Arg(1)]
/// );
/// assert_eq!(out.bind_plan.user_args, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BindPlan {
    /// One entry per bind position, in order.
    pub slots: Vec<BindSlot>,
    /// How many arguments the user must supply.
    pub user_args: usize,
}

/// The user's placeholders, analysed and normalised for one statement.
pub(crate) struct Params {
    dialect: Dialect,
    user_args: usize,
    /// How the tenant placeholder is written into the AST.
    pub(crate) tenant_marker: String,
}

/// MySQL markers: `?0` is the tenant, `?k` the user's k-th `?`. They are spliced back to `?`
/// once the statement is rendered.
const MYSQL_TENANT_MARKER: &str = "?0";

impl Params {
    /// Validates the user's placeholders and numbers them where the dialect needs it.
    pub(crate) fn analyze(dialect: Dialect, stmt: &mut Statement) -> Result<Params, Diagnostic> {
        let values = placeholders_in_text_order(stmt)?;
        let (bare, max_numbered) = count(dialect, &values)?;
        if bare > 0 && max_numbered > 0 {
            return Err(Diagnostic::new(
                DiagnosticKind::Placeholder,
                "the statement mixes `?` with numbered placeholders",
            )
            .at(source_span(values[0].0))
            .help("number every placeholder (`?1`, `?2`, …) or none of them"));
        }

        let user_args = bare.max(max_numbered);
        let tenant_marker = match dialect.placeholder_style() {
            PlaceholderStyle::Numbered { prefix } => format!("{prefix}{}", user_args + 1),
            PlaceholderStyle::Positional => MYSQL_TENANT_MARKER.to_owned(),
        };
        if dialect.renumbers_dollar_placeholders() && values.iter().any(|(_, p)| p.starts_with('$'))
        {
            let _ = stmt.visit(&mut DollarToQuestion);
        }
        if bare > 0 {
            // Give each `?` its number in text order, so that inserting the tenant's
            // placeholder cannot shift the user's.
            let mut renumber = Renumber {
                next: 0,
                order: values.iter().map(|(span, _)| *span).collect(),
            };
            let _ = stmt.visit(&mut renumber);
        }
        Ok(Params {
            dialect,
            user_args,
            tenant_marker,
        })
    }

    /// The SQL and bind plan of a statement that needs no tenant.
    ///
    /// The text is passed through unchanged (MySQL: rendered from the parse, always), unless it
    /// holds a comment: a database may read a comment differently from the parser (MariaDB runs
    /// `/*M! … */`, and MySQL ends a `--` comment's marker only at ASCII white space), so such a
    /// statement is sent as the engine parsed it, without comments.
    pub(crate) fn passthrough(
        &self,
        sql: &str,
        has_comment: bool,
        stmt: &Statement,
    ) -> Result<(String, BindPlan), Diagnostic> {
        if self.dialect.sends_text_as_written() && !has_comment {
            return Ok((sql.to_owned(), self.user_plan()));
        }
        match self.dialect.placeholder_style() {
            // `?` were numbered in the tree; numbered placeholders bind by number.
            PlaceholderStyle::Numbered { .. } => Ok((stmt.to_string(), self.user_plan())),
            PlaceholderStyle::Positional => {
                let emitted = self.splice_mysql(stmt.to_string())?;
                Ok((emitted.sql, emitted.bind_plan))
            }
        }
    }

    /// The user's arguments in order, and no tenant.
    fn user_plan(&self) -> BindPlan {
        BindPlan {
            slots: (0..self.user_args).map(BindSlot::Arg).collect(),
            user_args: self.user_args,
        }
    }

    /// Turns rendered SQL with markers into the final SQL, its bind plan and its tokens.
    pub(crate) fn finish(&self, rendered: String) -> Result<Emitted, Diagnostic> {
        match self.dialect.placeholder_style() {
            PlaceholderStyle::Numbered { .. } => {
                let mut bind_plan = self.user_plan();
                bind_plan.slots.push(BindSlot::Tenant);
                Ok(Emitted {
                    tokens: self.tokenize_output(&rendered)?,
                    sql: rendered,
                    bind_plan,
                })
            }
            PlaceholderStyle::Positional => self.splice_mysql(rendered),
        }
    }

    fn tokenize_output(&self, rendered: &str) -> Result<Vec<TokenWithSpan>, Diagnostic> {
        crate::parse::tokenize(self.dialect, rendered)
            .map_err(|e| internal(format!("the rewritten SQL does not tokenize: {e}")))
    }

    /// Replaces each marker (`?0`, `?k`) by `?`, in the text and in its tokens, and reads the
    /// bind order off the markers.
    ///
    /// A placeholder token takes every digit after its `?`, so the character after a marker is
    /// never a digit, and the spliced text has the same tokens with `?` for each marker. (The
    /// tokens keep their positions in the rendered text, which only an internal error shows.)
    fn splice_mysql(&self, rendered: String) -> Result<Emitted, Diagnostic> {
        let mut tokens = self.tokenize_output(&rendered)?;
        let mut out = String::with_capacity(rendered.len());
        let mut slots = Vec::new();
        let mut copied = 0;
        for t in &mut tokens {
            let Token::Placeholder(p) = &mut t.token else {
                continue;
            };
            let index: usize = p
                .strip_prefix('?')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| internal(format!("unexpected placeholder `{p}`")))?;
            slots.push(match index {
                0 => BindSlot::Tenant,
                k => BindSlot::Arg(k - 1),
            });
            let start = byte_offset(&rendered, t.span.start)
                .ok_or_else(|| internal("placeholder position out of range".into()))?;
            out.push_str(&rendered[copied..start]);
            out.push('?');
            copied = start + p.len();
            *p = "?".to_owned();
        }
        out.push_str(&rendered[copied..]);
        Ok(Emitted {
            sql: out,
            bind_plan: BindPlan {
                slots,
                user_args: self.user_args,
            },
            tokens,
        })
    }
}

/// The emitted statement: its SQL, bind plan, and tokens (for the fail-closed re-parse).
pub(crate) struct Emitted {
    pub(crate) sql: String,
    pub(crate) bind_plan: BindPlan,
    pub(crate) tokens: Vec<TokenWithSpan>,
}

/// The byte offset of a tokenizer location (1-based line and character column) in `text`.
pub(crate) fn byte_offset(text: &str, at: sqlparser::tokenizer::Location) -> Option<usize> {
    let line = usize::try_from(at.line).ok()?.checked_sub(1)?;
    let start = if line == 0 {
        0
    } else {
        text.match_indices('\n').nth(line - 1)?.0 + 1
    };
    let column = usize::try_from(at.column).ok()?.checked_sub(1)?;
    Some(
        text[start..]
            .char_indices()
            .nth(column)
            .map_or(text.len(), |(i, _)| start + i),
    )
}

/// The placeholders of `stmt` with their positions, in text order.
fn placeholders_in_text_order(
    stmt: &mut Statement,
) -> Result<Vec<(sqlparser::tokenizer::Span, String)>, Diagnostic> {
    let mut found = Collect::default();
    let _ = stmt.visit(&mut found);
    let mut values = found.values;
    values.sort_by_key(|(span, _)| (span.start.line, span.start.column));
    if values.windows(2).any(|w| {
        (w[0].0.start.line, w[0].0.start.column) >= (w[1].0.start.line, w[1].0.start.column)
    }) || values.iter().any(|(span, _)| span.start.line == 0)
    {
        return Err(internal("placeholder positions are unknown".into()));
    }
    Ok(values)
}

/// How many bare `?` there are, and the highest number of a numbered placeholder; an error at
/// the first placeholder the dialect does not support.
fn count(
    dialect: Dialect,
    values: &[(sqlparser::tokenizer::Span, String)],
) -> Result<(usize, usize), Diagnostic> {
    let bare = values.iter().filter(|(_, s)| s == "?").count();
    let mut max_numbered = 0usize;
    for (span, text) in values {
        let numbered = dialect
            .numbered_placeholder_prefixes()
            .iter()
            .find_map(|prefix| text.strip_prefix(*prefix))
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        match numbered {
            Some(n) => {
                let n: usize = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=65535).contains(n))
                    .ok_or_else(|| bad_placeholder(text, dialect).at(source_span(*span)))?;
                max_numbered = max_numbered.max(n);
            }
            None if text == "?" && dialect.supports_bare_question_placeholder() => {}
            None => return Err(bad_placeholder(text, dialect).at(source_span(*span))),
        }
    }
    Ok((bare, max_numbered))
}

fn internal(message: String) -> Diagnostic {
    Diagnostic::new(DiagnosticKind::Internal, message)
        .help("this is a bug in tenant-query; the statement was refused rather than passed through")
}

fn bad_placeholder(text: &str, dialect: Dialect) -> Diagnostic {
    Diagnostic::new(
        DiagnosticKind::Placeholder,
        format!("placeholder `{text}` is not supported"),
    )
    .help(dialect.placeholder_help())
}

#[derive(Default)]
struct Collect {
    values: Vec<(sqlparser::tokenizer::Span, String)>,
}

impl VisitorMut for Collect {
    type Break = ();

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
        if let Value::Placeholder(p) = &value.value {
            self.values.push((value.span, p.clone()));
        }
        ControlFlow::Continue(())
    }
}

struct Renumber {
    next: usize,
    order: Vec<sqlparser::tokenizer::Span>,
}

impl VisitorMut for Renumber {
    type Break = ();

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
        if let Value::Placeholder(p) = &mut value.value {
            if p == "?" {
                // Text order, not tree order: sort position of this span.
                let n = self
                    .order
                    .iter()
                    .position(|s| *s == value.span)
                    .unwrap_or(self.next);
                *p = format!("?{}", n + 1);
                self.next += 1;
            }
        }
        ControlFlow::Continue(())
    }
}

struct DollarToQuestion;

impl VisitorMut for DollarToQuestion {
    type Break = ();

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
        if let Value::Placeholder(p) = &mut value.value {
            if let Some(n) = p.strip_prefix('$') {
                *p = format!("?{n}");
            }
        }
        ControlFlow::Continue(())
    }
}
