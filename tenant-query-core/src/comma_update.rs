//! MySQL's multi-table UPDATE written with commas, `UPDATE a, b SET … WHERE …`, which
//! sqlparser does not parse (it expects SET after the first table).
//!
//! MySQL defines the comma of a table list as a cross join that binds more loosely than
//! `JOIN`, so the statement is read as the same UPDATE with each comma turned into
//! `CROSS JOIN` and each item after a comma that holds joins of its own parenthesised:
//! `UPDATE a, b JOIN c ON … SET` is `UPDATE a CROSS JOIN (b JOIN c ON …) SET`. The engine then
//! scopes every table as it does in the JOIN form, and emits that form.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Whitespace};

/// The tokens of `UPDATE <table list> SET …` with the top-level commas of the table list
/// turned into `CROSS JOIN`; any other statement's tokens unchanged.
pub(crate) fn commas_as_cross_joins(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let Some((update, set)) = table_list(&tokens) else {
        return tokens;
    };
    let commas = top_level(&tokens[update + 1..set], |t| t == &Token::Comma);
    if commas.is_empty() {
        return tokens;
    }
    let commas: Vec<usize> = commas.into_iter().map(|i| i + update + 1).collect();
    let mut out = Vec::with_capacity(tokens.len() + 6 * commas.len());
    out.extend_from_slice(&tokens[..commas[0]]);
    for (k, &comma) in commas.iter().enumerate() {
        let end = commas.get(k + 1).copied().unwrap_or(set);
        let item = &tokens[comma + 1..end];
        let span = tokens[comma].span;
        out.extend([
            space(span),
            word("CROSS", span),
            space(span),
            word("JOIN", span),
        ]);
        if has_joins(item) {
            out.extend([space(span), with_span(Token::LParen, span)]);
            out.extend_from_slice(item);
            out.push(with_span(Token::RParen, span));
        } else {
            out.extend_from_slice(item);
        }
    }
    out.extend_from_slice(&tokens[set..]);
    out
}

/// The positions of the UPDATE keyword that starts the statement and of the SET that ends its
/// table list.
fn table_list(tokens: &[TokenWithSpan]) -> Option<(usize, usize)> {
    let update = tokens
        .iter()
        .position(|t| !matches!(t.token, Token::Whitespace(_)))?;
    if !is_keyword(&tokens[update].token, Keyword::UPDATE) {
        return None;
    }
    let rest = &tokens[update + 1..];
    let set = top_level(rest, |t| is_keyword(t, Keyword::SET))
        .first()
        .copied()?;
    Some((update, update + 1 + set))
}

/// The positions of the tokens outside parentheses that `pred` accepts.
fn top_level(tokens: &[TokenWithSpan], pred: impl Fn(&Token) -> bool) -> Vec<usize> {
    let mut depth = 0usize;
    let mut found = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            other if depth == 0 && pred(other) => found.push(i),
            _ => {}
        }
    }
    found
}

fn has_joins(item: &[TokenWithSpan]) -> bool {
    !top_level(item, |t| {
        is_keyword(t, Keyword::JOIN) || is_keyword(t, Keyword::STRAIGHT_JOIN)
    })
    .is_empty()
}

fn is_keyword(token: &Token, keyword: Keyword) -> bool {
    matches!(token, Token::Word(w) if w.keyword == keyword && w.quote_style.is_none())
}

fn word(keyword: &str, span: Span) -> TokenWithSpan {
    with_span(Token::make_keyword(keyword), span)
}

fn space(span: Span) -> TokenWithSpan {
    with_span(Token::Whitespace(Whitespace::Space), span)
}

fn with_span(token: Token, span: Span) -> TokenWithSpan {
    TokenWithSpan { token, span }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;
    use crate::parse::tokenize;

    fn rewritten(sql: &str) -> String {
        let tokens = tokenize(Dialect::MySql, sql).unwrap();
        commas_as_cross_joins(tokens)
            .iter()
            .map(|t| t.token.to_string())
            .collect()
    }

    #[test]
    fn commas_of_the_table_list_become_cross_joins() {
        assert_eq!(
            rewritten("UPDATE a, b SET a.x = b.y, a.z = 1 WHERE a.id = b.id"),
            "UPDATE a CROSS JOIN b SET a.x = b.y, a.z = 1 WHERE a.id = b.id"
        );
        assert_eq!(
            rewritten("UPDATE a JOIN b ON b.id = a.id, c JOIN d ON d.id = c.id SET a.x = d.y"),
            // The tokens keep their white space; the statement is rendered from the AST.
            "UPDATE a JOIN b ON b.id = a.id CROSS JOIN ( c JOIN d ON d.id = c.id )SET a.x = d.y"
        );
        assert_eq!(
            rewritten("UPDATE a, (SELECT 1, 2) d SET a.x = 1"),
            "UPDATE a CROSS JOIN (SELECT 1, 2) d SET a.x = 1"
        );
    }

    #[test]
    fn other_statements_are_left_alone() {
        for sql in [
            "UPDATE a SET x = 1, y = 2",
            "SELECT a, b FROM t",
            "DELETE a, b FROM a JOIN b ON a.id = b.id",
            "UPDATE a, b",
            "WITH c AS (SELECT 1) UPDATE a, b SET a.x = 1",
        ] {
            assert_eq!(rewritten(sql), sql);
        }
    }
}
