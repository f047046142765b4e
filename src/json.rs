//! A small strict JSON reader (RFC 8259) for documents the core reads member by member.
//!
//! It parses a whole text into a [`Json`] tree that borrows from the input: a string without
//! escapes is a slice of it, a number is its text exactly as written (so money stays exact
//! without any float on the way). Objects keep their members in order, duplicates included,
//! so a reader can refuse them.
//!
//! Why not serde_json's deserializer here: the contract book snapshot and FHIR resources are
//! the npm package's JSON inputs, and a serde visitor per type, with serde's float formatting
//! behind every type error, was most of its wasm (docs/benchmarks.md). This reader is one
//! non-generic function per JSON production; the model reads itself through it
//! ([`crate::model::read`]).

use std::borrow::Cow;
use std::fmt;

/// Nesting deeper than this is refused (serde_json's own limit is 128).
pub const MAX_DEPTH: usize = 128;

/// A parsed JSON value, borrowing from the text.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (`290.00`, `-1e3`).
    Number(&'a str),
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object's members, in order (duplicates kept).
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl Json<'_> {
    /// What the value is, for a diagnostic: `null`, `a boolean`, `a number`, `a string`,
    /// `an array` or `an object`.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// Why a text is not JSON, and where (1-based line and column, as serde_json reports them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// What is wrong.
    pub message: &'static str,
    /// The line.
    pub line: usize,
    /// The column (in bytes).
    pub column: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON text (surrounding whitespace allowed, nothing else after it).
pub fn parse(text: &str) -> Result<Json<'_>, JsonError> {
    let mut r = Reader::new(text);
    let value = r.value()?;
    r.end()?;
    Ok(value)
}

/// A pull reader over one JSON text: a caller walks objects and arrays member by member
/// ([`Reader::begin_object`], [`Reader::next_key`], [`Reader::begin_array`],
/// [`Reader::next_item`]) and takes each small value whole ([`Reader::value`]), so a large
/// document is read without building its tree.
#[derive(Clone)]
pub struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: usize,
    /// The deepest nesting accepted.
    max_depth: usize,
    /// Whether the innermost open object or array has had no member yet.
    first: bool,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            bytes: text.as_bytes(),
            at: 0,
            depth: 0,
            max_depth: MAX_DEPTH,
            first: false,
        }
    }

    /// A reader that refuses nesting deeper than `max_depth` (at most [`MAX_DEPTH`]), with
    /// `recursion limit exceeded` at the bracket that goes deeper.
    pub fn with_max_depth(text: &'a str, max_depth: usize) -> Reader<'a> {
        let mut r = Reader::new(text);
        r.max_depth = max_depth.min(MAX_DEPTH);
        r
    }

    /// The first byte of the next value (after whitespace), if any: `{`, `[`, `"`, `n`…
    pub fn peek_value(&mut self) -> Option<u8> {
        self.skip_ws();
        self.peek()
    }

    /// The next value, whole.
    pub fn value(&mut self) -> Result<Json<'a>, JsonError> {
        self.skip_ws();
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => Ok(Json::Number(self.number()?)),
            Some(b'[') => {
                self.begin_array()?;
                let mut items = Vec::new();
                while self.next_item()? {
                    items.push(self.value()?);
                }
                Ok(Json::Array(items))
            }
            Some(b'{') => {
                self.begin_object()?;
                let mut members = Vec::new();
                while let Some(key) = self.next_key()? {
                    members.push((key, self.value()?));
                }
                Ok(Json::Object(members))
            }
            Some(_) => Err(self.error("expected value")),
        }
    }

    /// Enters the object that comes next (its `{`).
    pub fn begin_object(&mut self) -> Result<(), JsonError> {
        self.open(b'{', "expected `{`")
    }

    /// Enters the array that comes next (its `[`).
    pub fn begin_array(&mut self) -> Result<(), JsonError> {
        self.open(b'[', "expected `[`")
    }

    fn open(&mut self, bracket: u8, message: &'static str) -> Result<(), JsonError> {
        if self.peek_value() != Some(bracket) {
            return Err(self.error(message));
        }
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(self.error("recursion limit exceeded"));
        }
        self.at += 1;
        self.first = true;
        Ok(())
    }

    /// Leaves the innermost object or array (its closing bracket is next).
    fn close(&mut self) {
        self.at += 1;
        self.depth = self.depth.saturating_sub(1);
        // The container just closed was a value of the one around it, which therefore
        // has a member already.
        self.first = false;
    }

    /// In an object: the next member's key (its value comes next), or `None` after the
    /// closing `}`.
    pub fn next_key(&mut self) -> Result<Option<Cow<'a, str>>, JsonError> {
        let key = self.next_key_name()?;
        if key.is_some() {
            self.colon()?;
        }
        Ok(key)
    }

    /// In an object: the next member's key, before its colon ([`Reader::colon`]), or `None`
    /// after the closing `}`. The errors are serde_json's.
    pub(crate) fn next_key_name(&mut self) -> Result<Option<Cow<'a, str>>, JsonError> {
        self.skip_ws();
        match self.peek() {
            Some(b'}') => {
                self.close();
                return Ok(None);
            }
            Some(b',') if !self.first => {
                self.at += 1;
                self.skip_ws();
            }
            None => return Err(self.error("EOF while parsing an object")),
            Some(_) if !self.first => return Err(self.error("expected `,` or `}`")),
            Some(_) => {}
        }
        let after_comma = !self.first;
        self.first = false;
        match self.peek() {
            Some(b'"') => {}
            None => return Err(self.error("EOF while parsing a value")),
            Some(b'}') if after_comma => return Err(self.error("trailing comma")),
            Some(_) => return Err(self.error("key must be a string")),
        }
        Ok(Some(self.string()?))
    }

    /// The colon after a member's key.
    pub(crate) fn colon(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        match self.peek() {
            Some(b':') => {
                self.at += 1;
                Ok(())
            }
            None => Err(self.error("EOF while parsing an object")),
            Some(_) => Err(self.error("expected `:`")),
        }
    }

    /// In an array: whether another item comes next (`false` after the closing `]`).
    pub fn next_item(&mut self) -> Result<bool, JsonError> {
        self.skip_ws();
        match self.peek() {
            Some(b']') => {
                self.close();
                return Ok(false);
            }
            Some(b',') if !self.first => {
                self.at += 1;
                self.skip_ws();
                match self.peek() {
                    Some(b']') => return Err(self.error("trailing comma")),
                    None => return Err(self.error("EOF while parsing a value")),
                    Some(_) => {}
                }
            }
            None => return Err(self.error("EOF while parsing a list")),
            Some(_) if !self.first => return Err(self.error("expected `,` or `]`")),
            Some(_) => {}
        }
        self.first = false;
        Ok(true)
    }

    /// Checks that only whitespace is left.
    pub fn end(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        if self.at < self.bytes.len() {
            return Err(self.error("trailing characters"));
        }
        Ok(())
    }

    /// The line and column serde_json gives an error raised after a token was consumed: the
    /// column counts the bytes of the line read so far.
    pub(crate) fn consumed_position(&self) -> (usize, usize) {
        let before = &self.bytes[..self.at.min(self.bytes.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count();
        (line, column)
    }

    /// A string whose opening quote is next (after whitespace, checked by the caller).
    pub(crate) fn string_token(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.string()
    }

    /// A number's text, its first byte next (checked by the caller).
    pub(crate) fn number_token(&mut self) -> Result<&'a str, JsonError> {
        self.number()
    }

    /// `true`, `false` or `null`, its first byte next (checked by the caller).
    pub(crate) fn literal_token(&mut self) -> Result<Json<'a>, JsonError> {
        match self.peek() {
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            _ => self.literal("null", Json::Null),
        }
    }

    /// An error at the current position.
    pub fn error(&self, message: &'static str) -> JsonError {
        let before = &self.bytes[..self.at.min(self.bytes.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        // The column of the byte at fault, or of the last one at the end of the text.
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count()
            + usize::from(self.at < self.bytes.len());
        JsonError {
            message,
            line,
            column,
        }
    }

    // Inlined even at opt-level "z" (the fees entry): called for every byte of structure.
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    // Inlined even at opt-level "z" (the fees entry): called for every byte of structure.
    #[inline(always)]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Json<'a>) -> Result<Json<'a>, JsonError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<&'a str, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(&self.text[start..self.at])
    }

    /// A string, the opening quote next.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.at += 1;
        let start = self.at;
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            // Jump to the next quote, backslash or control character (the text is a &str, so
            // the run before it ends on a character boundary).
            self.at += plain_len(self.bytes.get(self.at..).unwrap_or_default());
            match self.peek() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    let tail = &self.text[run..self.at];
                    self.at += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                Some(b'\\') => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..self.at]);
                    self.at += 1;
                    s.push(self.escape()?);
                    run = self.at;
                }
                Some(_) => {
                    return Err(self
                        .error("control character (\\u0000-\\u001F) found while parsing a string"))
                }
            }
        }
    }

    /// One escape, after its backslash.
    fn escape(&mut self) -> Result<char, JsonError> {
        let Some(b) = self.peek() else {
            return Err(self.error("EOF while parsing a string"));
        };
        self.at += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                match first {
                    0xD800..=0xDBFF => {
                        if !self.bytes[self.at..].starts_with(b"\\u") {
                            return Err(self.error("lone leading surrogate in hex escape"));
                        }
                        self.at += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.error("lone leading surrogate in hex escape"));
                        }
                        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        char::from_u32(code)
                            .ok_or_else(|| self.error("invalid unicode code point"))?
                    }
                    0xDC00..=0xDFFF => {
                        return Err(self.error("lone trailing surrogate in hex escape"))
                    }
                    _ => char::from_u32(first)
                        .ok_or_else(|| self.error("invalid unicode code point"))?,
                }
            }
            _ => return Err(self.error("invalid escape")),
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                None => return Err(self.error("EOF while parsing a string")),
                Some(_) => return Err(self.error("invalid escape")),
            };
            n = n * 16 + u32::from(digit);
            self.at += 1;
        }
        Ok(n)
    }
}

/// The length of the run of `bytes` before its first quote, backslash or control character
/// (all of it when there is none): eight bytes at a time, as serde_json scans strings.
#[inline(always)]
fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        // A byte of zero in `quote` or `backslash`, or below 0x20 in `x`, sets its high bit;
        // the lowest one set is the first such byte (carries only reach bytes above it).
        let found = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGH;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// Writes compact JSON text, byte for byte as serde_json writes the same document: members
/// in the order written, strings escaped as serde_json escapes them, numbers as given.
///
/// The npm package's answers and snapshots are written with this, straight to the text they
/// cross the boundary as, instead of through a `serde_json::Value` tree (whose generic
/// building and serialising code was a large part of the fees wasm; docs/benchmarks.md).
/// Commas are the writer's business: each value after the first in a container gets one.
#[derive(Debug, Default)]
pub struct Out {
    text: String,
    /// Whether the next value follows another in the same container.
    comma: bool,
}

impl Out {
    /// An empty writer.
    pub fn new() -> Out {
        Out::default()
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.text
    }

    fn sep(&mut self) {
        if self.comma {
            self.text.push(',');
        }
    }

    /// Opens an object (as a value).
    pub fn open(&mut self) -> &mut Out {
        self.sep();
        self.text.push('{');
        self.comma = false;
        self
    }

    /// Closes the innermost object.
    pub fn close(&mut self) -> &mut Out {
        self.text.push('}');
        self.comma = true;
        self
    }

    /// Opens an array (as a value).
    pub fn open_list(&mut self) -> &mut Out {
        self.sep();
        self.text.push('[');
        self.comma = false;
        self
    }

    /// Closes the innermost array.
    pub fn close_list(&mut self) -> &mut Out {
        self.text.push(']');
        self.comma = true;
        self
    }

    /// A member's key; its value is written next.
    pub fn key(&mut self, name: &str) -> &mut Out {
        self.sep();
        escape_into(&mut self.text, name);
        self.text.push(':');
        self.comma = false;
        self
    }

    /// A string value.
    pub fn str(&mut self, value: &str) -> &mut Out {
        self.sep();
        escape_into(&mut self.text, value);
        self.comma = true;
        self
    }

    /// A number value, as its JSON text (`290.00`, `3`).
    pub fn number(&mut self, text: &str) -> &mut Out {
        self.sep();
        self.text.push_str(text);
        self.comma = true;
        self
    }

    /// A value given as JSON text already (written by another `Out`, or serde_json).
    pub fn raw(&mut self, json: &str) -> &mut Out {
        self.number(json)
    }

    /// A member whose value is a string.
    pub fn member(&mut self, name: &str, value: &str) -> &mut Out {
        self.key(name).str(value)
    }

    /// `"name":{` — a member whose value is an object, opened.
    pub fn open_member(&mut self, name: &str) -> &mut Out {
        self.key(name).open()
    }

    /// `"name":[` — a member whose value is an array, opened.
    pub fn open_list_member(&mut self, name: &str) -> &mut Out {
        self.key(name).open_list()
    }
}

/// Appends `text` as a JSON string literal, escaped as serde_json escapes it (`\"`, `\\`,
/// `\b\f\n\r\t`, other control characters as `\u00XX`; everything else as is).
pub fn escape_into(out: &mut String, text: &str) {
    out.push('"');
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        let short = match b {
            b'"' => '"',
            b'\\' => '\\',
            0x08 => 'b',
            0x0c => 'f',
            b'\n' => 'n',
            b'\r' => 'r',
            b'\t' => 't',
            0..=0x1f => 'u',
            _ => continue,
        };
        out.push_str(text.get(run..i).unwrap_or_default());
        out.push('\\');
        out.push(short);
        if short == 'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        run = i + 1;
    }
    out.push_str(text.get(run..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn s(text: &str) -> Json<'_> {
        Json::String(Cow::Borrowed(text))
    }

    #[test]
    fn parses_every_production() {
        assert_eq!(
            parse(r#" {"a": [1, -2.50, 3e+2, true, false, null, "x"], "a": {}} "#).unwrap(),
            Json::Object(vec![
                (
                    Cow::Borrowed("a"),
                    Json::Array(vec![
                        Json::Number("1"),
                        Json::Number("-2.50"),
                        Json::Number("3e+2"),
                        Json::Bool(true),
                        Json::Bool(false),
                        Json::Null,
                        s("x"),
                    ])
                ),
                (Cow::Borrowed("a"), Json::Object(vec![])),
            ])
        );
        assert_eq!(parse("[]").unwrap(), Json::Array(vec![]));
        assert_eq!(parse("0").unwrap(), Json::Number("0"));
    }

    #[test]
    fn unescapes_strings_and_borrows_plain_ones() {
        assert!(matches!(
            parse(r#""plain é""#).unwrap(),
            Json::String(Cow::Borrowed("plain é"))
        ));
        assert_eq!(
            parse(r#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 end""#).unwrap(),
            Json::String(Cow::Owned(
                "q\" b\\ s/ \u{8}\u{c}\n\r\t é 😀 end".to_string()
            ))
        );
    }

    #[test]
    fn agrees_with_serde_json_on_what_is_json() {
        let texts = [
            "",
            " ",
            "{",
            "}",
            "[",
            "[1,]",
            "[1 2]",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "1e+",
            "+1",
            "tru",
            "nul",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"a\nb\"",
            "1 2",
            "[1] x",
            "\"\\u0000\"",
            "-0",
            "1E5",
            "[[[]]]",
            "{\"\":\"\"}",
            "\"\u{7f}\"",
        ];
        for text in texts {
            let ours = parse(text).is_ok();
            let theirs = serde_json::from_str::<serde_json::Value>(text).is_ok();
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    #[test]
    fn errors_say_where() {
        let e = parse("{\n  \"a\": x}").unwrap_err();
        assert_eq!(e.to_string(), "expected value at line 2 column 8");
        assert_eq!(
            parse("[1,").unwrap_err().message,
            "EOF while parsing a value"
        );
        assert_eq!(parse("[1] x").unwrap_err().message, "trailing characters");
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing_further() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(
            parse(&deep).unwrap_err().message,
            "recursion limit exceeded"
        );
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let nasty = "q\" b\\ \u{8}\u{c}\n\r\t \u{1} \u{1f} \u{7f} é 😀";
        let mut o = Out::new();
        o.open().member("a", nasty).open_list_member("list");
        o.number("1")
            .number("2.5")
            .open()
            .close()
            .open_list()
            .close_list();
        o.close_list().open_member("o").member("k", "v").close();
        o.key("n").number("0").close();
        let want =
            serde_json::json!({"a": nasty, "list": [1, 2.5, {}, []], "o": {"k": "v"}, "n": 0});
        assert_eq!(o.finish(), want.to_string());
    }
}
