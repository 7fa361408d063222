//! SQL text to statement facts: splits a text into statements with their lines, parses each
//! with `sqlparser` (Generic, then SQLite, PostgreSQL, MySQL), and asks `statement` what each
//! one reads, writes and defines.
//!
//! Statements are split on the tokenizer's `;` tokens, so quotes, comments and dollar-quoted
//! bodies never split a statement; a `BEGIN .. END` block that holds `;` (a SQLite trigger) is
//! glued back together before it is given up on. A statement that no dialect parses becomes a
//! [`Failure`] and the next statement goes on. Each text is analysed on a thread with a large
//! stack, because the parser's recursion outgrows a worker's stack in debug builds (see
//! [`analyse`]). Nothing here knows about Rust or files, and nothing here uses regular
//! expressions.

use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use super::statement::{self, StatementFacts};

/// How sure the caller is that a text is SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Certainty {
    /// A migration, or a string given to a database API: every statement that does not parse is
    /// a failure.
    Sql,
    /// A string that only looks like SQL: it is taken as SQL if its first statement parses, and
    /// ignored without a word otherwise (it may be prose such as "Select a product").
    LooksLikeSql,
}

/// What one SQL text holds.
#[derive(Debug, Default)]
pub(super) struct SqlFacts {
    pub(super) statements: Vec<LocatedStatement>,
    pub(super) failures: Vec<Failure>,
}

/// Facts of one statement and the 1-based line, inside the text, where it starts.
#[derive(Debug)]
pub(super) struct LocatedStatement {
    pub(super) line: u32,
    pub(super) facts: StatementFacts,
}

/// A statement no dialect could parse.
#[derive(Debug)]
pub(super) struct Failure {
    /// 1-based line, inside the text, where the statement starts.
    pub(super) line: u32,
    pub(super) message: String,
    /// Whether the statement is one that never names a table to read, write or define
    /// (`PRAGMA foreign_keys = ON`, `ANALYZE`): worth a note, not a warning.
    pub(super) names_no_table: bool,
}

/// First words of statements that neither access nor define tables, some of which the parser
/// does not know in every form (`PRAGMA journal_mode = WAL`, a bare `ANALYZE`).
const SESSION_STATEMENTS: [&str; 22] = [
    "PRAGMA",
    "ANALYZE",
    "VACUUM",
    "REINDEX",
    "ATTACH",
    "DETACH",
    "SET",
    "RESET",
    "SHOW",
    "BEGIN",
    "COMMIT",
    "END",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "LISTEN",
    "NOTIFY",
    "UNLISTEN",
    "DISCARD",
    "CHECKPOINT",
    "LOAD",
    "USE",
];

/// Parses `text` statement by statement. `None` when `certainty` is
/// [`Certainty::LooksLikeSql`] and the text does not start with a statement that parses.
///
/// The parser recurses once or more per level of nesting (subqueries, parentheses, `NOT`,
/// `CASE`) up to its limit of 50, and its frames are large in debug builds: about 130 KiB per
/// nested subquery, so 15 levels overflow a 2 MiB worker stack. The work therefore runs on a
/// thread of its own with a stack of [`PARSER_STACK_BYTES`], enough for the limit.
pub(super) fn analyse(text: &str, certainty: Certainty) -> Option<SqlFacts> {
    if text.trim().is_empty() {
        return (certainty == Certainty::Sql).then(SqlFacts::default);
    }
    let on_parser_stack = std::thread::scope(|scope| {
        let parser_thread = std::thread::Builder::new()
            .name("ficus-sql".to_owned())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, || analyse_here(text, certainty))
            .map_err(|_| "cannot start a thread to parse SQL")?;
        // The parser's own panics are caught inside; this would be a bug of ours.
        parser_thread
            .join()
            .map_err(|_| "the SQL analysis failed on this text")
    });
    match on_parser_stack {
        Ok(facts) => facts,
        Err(_) if certainty == Certainty::LooksLikeSql => None,
        Err(reason) => Some(SqlFacts {
            statements: Vec::new(),
            failures: vec![Failure {
                line: 1,
                message: format!("{reason}: its statements are not analysed"),
                names_no_table: false,
            }],
        }),
    }
}

/// Enough stack for the parser's recursion limit (50 levels) in a debug build, with room.
const PARSER_STACK_BYTES: usize = 64 << 20;

fn analyse_here(text: &str, certainty: Certainty) -> Option<SqlFacts> {
    let chunks = split(text);
    let mut facts = SqlFacts::default();
    let mut chunk_idx = 0;
    while chunk_idx < chunks.len() {
        let chunk = &chunks[chunk_idx];
        let parsed = parse(chunk.text);
        let (result, consumed) = match parsed {
            Ok(statements) => (Ok(statements), 1),
            Err(message) => match glue_block(text, &chunks[chunk_idx..]) {
                Some((glued, consumed)) => match parse(glued) {
                    Ok(statements) => (Ok(statements), consumed),
                    Err(_) => (Err(message), consumed),
                },
                None => (Err(message), 1),
            },
        };
        match result {
            Ok(statements) => {
                for parsed_statement in &statements {
                    facts.statements.push(LocatedStatement {
                        line: chunk.line,
                        facts: statement::facts(parsed_statement),
                    });
                }
            }
            Err(message) => {
                if certainty == Certainty::LooksLikeSql && facts.statements.is_empty() {
                    return None;
                }
                facts.failures.push(Failure {
                    line: chunk.line,
                    message: format!(
                        "cannot parse SQL statement `{}`: {message}",
                        preview(chunk.text)
                    ),
                    names_no_table: SESSION_STATEMENTS.contains(&chunk.first_word.as_str()),
                });
            }
        }
        chunk_idx += consumed;
    }
    if certainty == Certainty::LooksLikeSql && facts.statements.is_empty() {
        return None;
    }
    Some(facts)
}

/// Whether a string starts (after whitespace and SQL comments, ignoring case) with a word
/// that begins a data or schema statement: SELECT, INSERT, UPDATE, DELETE, WITH, REPLACE,
/// CREATE [TEMP|TEMPORARY] TABLE or ALTER TABLE.
pub(super) fn looks_like_sql(text: &str) -> bool {
    let mut words = leading_words(text, 3).into_iter();
    let Some(first) = words.next() else {
        return false;
    };
    match first.as_str() {
        "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "WITH" | "REPLACE" => true,
        "CREATE" => match words.next().as_deref() {
            Some("TABLE") => true,
            Some("TEMP" | "TEMPORARY") => words.next().as_deref() == Some("TABLE"),
            _ => false,
        },
        "ALTER" => words.next().as_deref() == Some("TABLE"),
        _ => false,
    }
}

/// The dialects tried, in order. Generic accepts most of everything; the others catch what is
/// specific to them (SQLite `AUTOINCREMENT`, PostgreSQL casts, MySQL backticks).
fn dialects() -> [&'static dyn Dialect; 4] {
    [
        &GenericDialect,
        &SQLiteDialect {},
        &PostgreSqlDialect {},
        &MySqlDialect {},
    ]
}

/// One statement's text and the line it starts on.
#[derive(Debug)]
struct Chunk<'t> {
    text: &'t str,
    line: u32,
    /// Byte range of `text` inside the whole text.
    start: usize,
    end: usize,
    /// First word, upper-cased.
    first_word: String,
    /// Whether a `BEGIN` keyword appears after the first token (a trigger body).
    opens_block: bool,
}

/// Parses with every dialect in turn; the error is the first dialect's.
fn parse(sql: &str) -> Result<Vec<sqlparser::ast::Statement>, String> {
    let mut first_error = None;
    for dialect in dialects() {
        // A parser bug must not take the analysis down: it is one more statement not parsed.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Parser::parse_sql(dialect, sql)
        }));
        match result {
            Ok(Ok(statements)) => return Ok(statements),
            Ok(Err(error)) => {
                first_error.get_or_insert_with(|| error.to_string());
            }
            Err(_) => {
                first_error
                    .get_or_insert_with(|| "the SQL parser failed on this statement".to_owned());
            }
        }
    }
    Err(first_error.unwrap_or_default())
}

/// For a chunk that opens a `BEGIN` block, the text up to and including the chunk that starts
/// with `END`, and how many chunks that is.
fn glue_block<'t>(text: &'t str, chunks: &[Chunk<'t>]) -> Option<(&'t str, usize)> {
    /// Enough for any trigger body written by hand; bounds the work on a stray `BEGIN`.
    const MAX_BLOCK_STATEMENTS: usize = 256;
    let first = chunks.first()?;
    if !first.opens_block {
        return None;
    }
    let end_idx = chunks
        .iter()
        .enumerate()
        .skip(1)
        .take(MAX_BLOCK_STATEMENTS)
        .find(|(_, chunk)| chunk.first_word == "END")?
        .0;
    let end = chunks[end_idx].end;
    Some((&text[first.start..end], end_idx + 1))
}

/// Splits `text` into statements at `;` tokens. Chunks hold no leading whitespace or comments
/// and no trailing `;`; chunks with no tokens are dropped.
fn split(text: &str) -> Vec<Chunk<'_>> {
    let Some(tokens) = tokenize(text) else {
        return whole_text_chunk(text).into_iter().collect();
    };
    let index = LineIndex::new(text);
    let mut chunks = Vec::new();
    let mut current: Option<OpenChunk> = None;
    for token in &tokens {
        match &token.token {
            Token::Whitespace(_) | Token::EOF => {}
            Token::SemiColon => {
                if let Some(open) = current.take() {
                    chunks.push(open.close(text, &index, index.offset(token.span.start)));
                }
            }
            other => {
                let open = current.get_or_insert_with(|| OpenChunk {
                    start: token.span.start,
                    first_word: match other {
                        Token::Word(word) => word.value.to_ascii_uppercase(),
                        _ => String::new(),
                    },
                    opens_block: false,
                    tokens: 0,
                });
                open.tokens += 1;
                match other {
                    Token::Word(word) if open.tokens > 1 && word.keyword == Keyword::BEGIN => {
                        open.opens_block = true;
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(open) = current {
        chunks.push(open.close(text, &index, text.len()));
    }
    chunks
}

/// A statement whose end is not found yet.
struct OpenChunk {
    start: Location,
    first_word: String,
    opens_block: bool,
    tokens: usize,
}

impl OpenChunk {
    fn close<'t>(self, text: &'t str, index: &LineIndex<'_>, end: usize) -> Chunk<'t> {
        let start = index.offset(self.start).min(end);
        Chunk {
            text: text[start..end].trim_end(),
            line: u32::try_from(self.start.line).unwrap_or(u32::MAX).max(1),
            start,
            end,
            first_word: self.first_word,
            opens_block: self.opens_block,
        }
    }
}

/// The text as one statement, for text no dialect can even tokenize (an unclosed quote).
fn whole_text_chunk(text: &str) -> Option<Chunk<'_>> {
    let trimmed_start = text.len() - text.trim_start().len();
    let body = text.trim();
    if body.is_empty() {
        return None;
    }
    let line = 1 + text[..trimmed_start].matches('\n').count();
    Some(Chunk {
        text: body,
        line: u32::try_from(line).unwrap_or(u32::MAX),
        start: trimmed_start,
        end: trimmed_start + body.len(),
        first_word: leading_words(body, 1)
            .into_iter()
            .next()
            .unwrap_or_default(),
        opens_block: false,
    })
}

fn tokenize(text: &str) -> Option<Vec<TokenWithSpan>> {
    dialects()
        .into_iter()
        .find_map(|dialect| Tokenizer::new(dialect, text).tokenize_with_location().ok())
}

/// Up to `count` leading words, upper-cased, skipping whitespace and `--` / `/* */` comments.
fn leading_words(text: &str, count: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = text;
    while words.len() < count {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, next)| next);
            continue;
        }
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, next)| next);
            continue;
        }
        let word_len = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
            .unwrap_or(rest.len());
        if word_len == 0 {
            break;
        }
        words.push(rest[..word_len].to_ascii_uppercase());
        rest = &rest[word_len..];
    }
    words
}

/// A statement shortened to one line for a message.
fn preview(sql: &str) -> String {
    const MAX_CHARS: usize = 60;
    let one_line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_CHARS {
        one_line
    } else {
        let short: String = one_line.chars().take(MAX_CHARS).collect();
        format!("{short}...")
    }
}

/// Turns the tokenizer's 1-based (line, column in characters) into byte offsets.
struct LineIndex<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> LineIndex<'t> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(idx, _)| idx + 1));
        LineIndex { text, line_starts }
    }

    fn offset(&self, location: Location) -> usize {
        let line_idx = usize::try_from(location.line.saturating_sub(1)).unwrap_or(usize::MAX);
        let Some(&line_start) = self.line_starts.get(line_idx) else {
            return self.text.len();
        };
        let column_idx = usize::try_from(location.column.saturating_sub(1)).unwrap_or(usize::MAX);
        self.text[line_start..]
            .char_indices()
            .nth(column_idx)
            .map_or(self.text.len(), |(idx, _)| line_start + idx)
    }
}
