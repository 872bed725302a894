//! Parsing one SQL statement and turning parser errors into diagnostics.

use sqlparser::ast::{Spanned, Statement};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::diagnostic::{Diagnostic, DiagnosticKind, Location, Span};
use crate::dialect::Dialect;
use crate::placeholders::byte_offset;

/// Deep enough for any hand-written query, shallow enough that no input can exhaust the stack
/// of the engine's own recursive walks.
const RECURSION_LIMIT: usize = 48;

/// One statement, parsed from the tokens of its text.
pub(crate) struct Parsed {
    pub(crate) statement: Statement,
    /// Where the first token starts: the position of a whole-statement problem.
    pub(crate) first_token: Option<Span>,
    /// Whether the text holds a comment (which a database may read differently).
    pub(crate) has_comment: bool,
}

/// Parses `sql` as exactly one statement, tokenizing it once.
pub(crate) fn single_statement(dialect: Dialect, sql: &str) -> Result<Parsed, Diagnostic> {
    let mut tokens = tokenize(dialect, sql).map_err(|e| syntax_error(dialect, sql, e))?;
    if dialect.has_executable_comments() {
        reject_executable_comments(sql, &tokens)?;
    }
    if dialect.updates_comma_separated_tables() {
        tokens = crate::comma_update::commas_as_cross_joins(tokens);
    }
    let first_token = tokens
        .iter()
        .find(|t| !matches!(t.token, Token::Whitespace(_)))
        .and_then(|t| source_span(t.span));
    let has_comment = tokens.iter().any(|t| is_comment(&t.token));
    let statement = statement_from_tokens(dialect, sql, tokens)?;
    Ok(Parsed {
        statement,
        first_token,
        has_comment,
    })
}

/// The tokens of `sql`, with their positions.
pub(crate) fn tokenize(dialect: Dialect, sql: &str) -> Result<Vec<TokenWithSpan>, ParserError> {
    Tokenizer::new(dialect.parser_dialect().as_ref(), sql)
        .tokenize_with_location()
        .map_err(ParserError::from)
}

/// Parses the tokens of `sql` as exactly one statement.
pub(crate) fn statement_from_tokens(
    dialect: Dialect,
    sql: &str,
    tokens: Vec<TokenWithSpan>,
) -> Result<Statement, Diagnostic> {
    let parser_dialect = dialect.parser_dialect();
    let mut statements = Parser::new(parser_dialect.as_ref())
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| syntax_error(dialect, sql, e))?;
    match statements.len() {
        1 => Ok(statements.pop().expect("one statement")),
        0 => Err(Diagnostic::new(
            DiagnosticKind::StatementCount,
            "the SQL string holds no statement",
        )
        .help("write one SELECT, INSERT, UPDATE or DELETE statement")),
        n => Err(Diagnostic::new(
            DiagnosticKind::StatementCount,
            format!("the SQL string holds {n} statements; only one is allowed"),
        )
        .at(source_span(statements[1].span()))
        .help("split them into one macro call per statement, and run them in a transaction if they belong together")),
    }
}

fn is_comment(token: &Token) -> bool {
    matches!(
        token,
        Token::Whitespace(Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_))
    )
}

/// MySQL and MariaDB run the text of `/*! … */`, `/*!50700 … */` and `/*M! … */` comments
/// (the versioned ones only on a server at least that version), so the engine cannot know
/// what such a statement does.
///
/// sqlparser's MySQL tokenizer does not yield `/*! … */` as a comment: it drops the `!` and the
/// version and yields the tokens of the text in its place, positioned at the comment's `/*`.
/// A token that is not a comment and starts where the source text reads `/*` came from one.
fn reject_executable_comments(sql: &str, tokens: &[TokenWithSpan]) -> Result<(), Diagnostic> {
    for t in tokens {
        if let Token::Whitespace(Whitespace::SingleLineComment { comment, prefix }) = &t.token {
            // MySQL starts a `--` comment only before a space or a control character.
            if prefix == "--"
                && comment
                    .chars()
                    .next()
                    .is_some_and(|c| !(c == ' ' || c.is_ascii_control()))
            {
                return Err(Diagnostic::new(
                    DiagnosticKind::Unsupported,
                    "MySQL reads `--` as a comment only when a space follows, so the rest of this line may run as SQL",
                )
                .at(source_span(t.span))
                .help("put a space after `--`, or use `#` or `/* … */` comments"));
            }
        }
        let executable = match &t.token {
            Token::Whitespace(Whitespace::MultiLineComment(text)) => {
                text.starts_with('!') || text.starts_with("M!")
            }
            _ => byte_offset(sql, t.span.start).is_some_and(|i| sql[i..].starts_with("/*")),
        };
        if executable {
            return Err(executable_comment(sql, t.span.start));
        }
    }
    Ok(())
}

/// The refusal of the executable comment that starts at `start`.
fn executable_comment(sql: &str, start: sqlparser::tokenizer::Location) -> Diagnostic {
    let at = Location {
        line: start.line,
        column: start.column,
    };
    let text = byte_offset(sql, start).map_or("", |i| &sql[i..]);
    let end = text.find("*/").map_or(text.len(), |i| i + 2);
    let span = Span::new(
        at,
        Location {
            line: at.line + text[..end].matches('\n').count() as u64,
            column: match text[..end].rfind('\n') {
                Some(nl) => text[nl + 1..end].chars().count() as u64 + 1,
                None => at.column + text[..end].chars().count() as u64,
            },
        },
    );
    Diagnostic::new(
        DiagnosticKind::Unsupported,
        "MySQL and MariaDB run the text of `/*! … */` and `/*M! … */` comments (of `/*!50700 … */` only on a server of that version or later), so the engine cannot know what this statement does",
    )
    .at(Some(span))
    .help("write the SQL outside the comment, or remove the comment")
}

fn syntax_error(dialect: Dialect, sql: &str, e: ParserError) -> Diagnostic {
    let text = match e {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s,
        ParserError::RecursionLimitExceeded => {
            return Diagnostic::new(
                DiagnosticKind::Syntax,
                "the statement is nested too deeply to analyse",
            )
            .help(format!(
                "flatten nested subqueries or expressions (at most {RECURSION_LIMIT} levels)"
            ))
        }
    };
    let (message, mut at) = split_location(&text);
    if at.is_none() && message.ends_with("found: EOF") {
        at = Some(end_of(sql));
    }
    Diagnostic::new(DiagnosticKind::Syntax, format!("syntax error: {message}"))
        .at(at.map(Span::point))
        .help(format!(
            "the SQL must be valid {} SQL; check the statement near this position",
            dialect.display_name()
        ))
}

/// Splits sqlparser's " at Line: L, Column: C" suffix off a message.
fn split_location(text: &str) -> (&str, Option<Location>) {
    if let Some(idx) = text.rfind(" at Line: ") {
        let rest = &text[idx + " at Line: ".len()..];
        if let Some((line, column)) = rest.split_once(", Column: ") {
            if let (Ok(line), Ok(column)) = (line.trim().parse(), column.trim().parse()) {
                return (&text[..idx], Some(Location { line, column }));
            }
        }
    }
    (text, None)
}

/// The position just past the last character of `sql`.
fn end_of(sql: &str) -> Location {
    let line = sql.lines().count().max(1) as u64 + u64::from(sql.ends_with('\n'));
    let last = if sql.ends_with('\n') {
        ""
    } else {
        sql.lines().last().unwrap_or("")
    };
    Location {
        line,
        column: last.chars().count() as u64 + 1,
    }
}

/// A span of the parser's as a diagnostic span, if the parser knows where it is.
pub(crate) fn source_span(span: sqlparser::tokenizer::Span) -> Option<Span> {
    let at = |l: sqlparser::tokenizer::Location| Location {
        line: l.line,
        column: l.column,
    };
    (span.start.line > 0).then_some(Span::new(at(span.start), at(span.end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_the_position() {
        let Err(e) = single_statement(Dialect::Postgres, "SELECT *\nFROM orders WHERE") else {
            panic!("parsed an incomplete statement");
        };
        assert_eq!(e.kind, DiagnosticKind::Syntax);
        assert_eq!(
            e.location(),
            Some(Location {
                line: 2,
                column: 18
            })
        );
        assert!(
            e.message.starts_with("syntax error: Expected"),
            "{}",
            e.message
        );
    }

    #[test]
    fn one_tokenization_gives_the_first_token_and_the_comments() {
        let Ok(parsed) = single_statement(Dialect::Postgres, "  -- note\n  SELECT 1") else {
            panic!("rejected a plain SELECT");
        };
        assert!(parsed.has_comment);
        assert_eq!(
            parsed.first_token.map(|s| s.to_string()).as_deref(),
            Some("2:3-2:9")
        );
        let Ok(parsed) = single_statement(Dialect::Postgres, "SELECT 1") else {
            panic!("rejected a plain SELECT");
        };
        assert!(!parsed.has_comment);
    }

    #[test]
    fn counts_statements() {
        let Err(e) = single_statement(Dialect::Sqlite, "SELECT 1; SELECT 2") else {
            panic!("parsed two statements as one");
        };
        assert_eq!(e.kind, DiagnosticKind::StatementCount);
        assert_eq!(
            e.location(),
            Some(Location {
                line: 1,
                column: 11
            })
        );
        assert!(single_statement(Dialect::Sqlite, "SELECT 1;").is_ok());
        assert!(matches!(
            single_statement(Dialect::Sqlite, "  "),
            Err(e) if e.kind == DiagnosticKind::StatementCount
        ));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let sql = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(matches!(
            single_statement(Dialect::Postgres, &sql),
            Err(e) if e.kind == DiagnosticKind::Syntax
        ));
    }
}
