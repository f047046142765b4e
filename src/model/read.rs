//! Reading the typed model from JSON text with the core's own pull reader
//! ([`crate::json::Reader`]).
//!
//! Every model type reads itself through [`FromJson`]: one non-generic function per type over
//! one reader. The serde impls stay for Rust callers who deserialize the model with serde, but
//! the core's own entry points ([`crate::parse_typed`], [`crate::validate_resource`]) read
//! through here: serde's visitor code, instantiated for every pair of model type and
//! deserializer, was most of the npm package's wasm (docs/benchmarks.md, "The whole package").
//!
//! Errors read as serde_json's do (`invalid type: number, expected a string at line 1 column
//! 40`) and carry the path of the element they belong to, collected as the error unwinds: an
//! object adds the key of the member whose value failed, an array the index of its item, so a
//! successful read pays nothing for paths. The paths are the ones a path-tracking serde
//! deserializer gives (`serde_path_to_error`, which src/fhir.rs's tests compare against).

use std::borrow::Cow;
use std::fmt;

use crate::json::{Json, JsonError, Reader};

/// One step of the path to the element an error belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// An object member, by key.
    Key(String),
    /// An array item, by index.
    Index(usize),
    /// In an object, where a key failed to read: names nothing beyond the object itself.
    Unknown,
}

/// Why a text does not read as the model, where, and for which element.
///
/// Boxed: a read returns `Result<T, ReadError>` at every level of nesting, and a one-word
/// error keeps those results small (measured: 2-3% of validateResource's time, and 5.7 KB
/// of the whole package's wasm, gzip).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(Box<Failure>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    message: String,
    line: usize,
    column: usize,
    /// Innermost first: segments are added as the error unwinds.
    path: Vec<Segment>,
}

impl ReadError {
    #[cold]
    fn new(message: String, line: usize, column: usize) -> ReadError {
        ReadError(Box::new(Failure {
            message,
            line,
            column,
            path: Vec::new(),
        }))
    }

    /// An error about the value just read (serde_json's position: the bytes of the line read).
    #[cold]
    pub(crate) fn after(r: &Reader<'_>, message: String) -> ReadError {
        let (line, column) = r.consumed_position();
        ReadError::new(message, line, column)
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The path of the failing element, outermost first.
    pub fn path(&self) -> impl Iterator<Item = &Segment> {
        self.0.path.iter().rev()
    }

    /// The error, one level further out: inside `segment`.
    #[cold]
    pub(crate) fn within(mut self, segment: Segment) -> ReadError {
        self.0.path.push(segment);
        self
    }
}

impl From<JsonError> for ReadError {
    #[cold]
    fn from(e: JsonError) -> ReadError {
        ReadError::new(e.message.to_owned(), e.line, e.column)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.0.message, self.0.line, self.0.column
        )
    }
}

impl std::error::Error for ReadError {}

/// A model type that reads itself from the value next in a [`Reader`].
pub trait FromJson: Sized {
    /// Reads one value.
    fn read(r: &mut Reader<'_>) -> Result<Self, ReadError>;

    /// Reads one value into an empty `slot`. A model type fills a default value where it
    /// lies, which saves copying a large value into place.
    fn read_slot(slot: &mut Option<Self>, r: &mut Reader<'_>) -> Result<(), ReadError> {
        *slot = Some(Self::read(r)?);
        Ok(())
    }

    /// Reads one more item of an array onto `items` (in place, for a model type).
    fn read_push(items: &mut Vec<Self>, r: &mut Reader<'_>) -> Result<(), ReadError> {
        items.push(Self::read(r)?);
        Ok(())
    }
}

/// The value of the member `key` (its key and colon read), its errors placed under `key`.
///
/// Never inlined: one call per member keeps its callers small (with every element's reader
/// inlined into a type's member `match`, that match was 7-13 KB of wasm per resource type).
#[inline(never)]
pub(crate) fn member<T: FromJson>(r: &mut Reader<'_>, key: &str) -> Result<T, ReadError> {
    T::read(r).map_err(|e| e.within(Segment::Key(key.to_owned())))
}

/// In an object: the next member's key, its colon read; `None` after the closing `}`. A
/// failure to read a key belongs to an unnamed element of the object; a missing colon to the
/// object (as serde_json, which reads the colon with the value, reports them).
pub(crate) fn next_key<'a>(r: &mut Reader<'a>) -> Result<Option<Cow<'a, str>>, ReadError> {
    let key = r
        .next_key_name()
        .map_err(|e| ReadError::from(e).within(Segment::Unknown))?;
    if key.is_some() {
        r.colon()?;
    }
    Ok(key)
}

/// Enters the object next, or says what was found instead of `expected`.
pub(crate) fn open_object(r: &mut Reader<'_>, expected: &str) -> Result<(), ReadError> {
    if r.peek_value() != Some(b'{') {
        return Err(invalid_type(r, expected));
    }
    Ok(r.begin_object()?)
}

/// The error for a member given twice (serde's `duplicate field`).
#[cold]
pub(crate) fn duplicate(r: &Reader<'_>, key: &str) -> ReadError {
    ReadError::after(r, format!("duplicate field `{key}`"))
}

/// The error for a value of the wrong JSON type, as serde_json words it: the value is read
/// (a scalar is consumed, a container is not) and named (`string "x"`, `number`, `boolean
/// `true``, `null`, `sequence`, `map`).
#[cold]
pub(crate) fn invalid_type(r: &mut Reader<'_>, expected: &str) -> ReadError {
    let found: Cow<'_, str> = match r.peek_value() {
        None => return r.error("EOF while parsing a value").into(),
        Some(b'n' | b't' | b'f') => match r.literal_token() {
            Ok(Json::Bool(b)) => format!("boolean `{b}`").into(),
            Ok(_) => "null".into(),
            Err(e) => return e.into(),
        },
        // As serde_json (with arbitrary_precision) names them: an integer by its value,
        // any other number as `number`.
        Some(b'-' | b'0'..=b'9') => match r.number_token() {
            Ok(text) if is_integer(text) => format!("integer `{text}`").into(),
            Ok(_) => "number".into(),
            Err(e) => return e.into(),
        },
        Some(b'"') => match r.string_token() {
            Ok(s) => format!("string {s:?}").into(),
            Err(e) => return e.into(),
        },
        Some(b'[') => "sequence".into(),
        Some(b'{') => "map".into(),
        Some(_) => return r.error("expected value").into(),
    };
    ReadError::after(r, format!("invalid type: {found}, expected {expected}"))
}

/// A string value, borrowed from the input when it has no escapes.
pub(crate) fn string<'a>(r: &mut Reader<'a>) -> Result<Cow<'a, str>, ReadError> {
    if r.peek_value() != Some(b'"') {
        return Err(invalid_type(r, "a string"));
    }
    Ok(r.string_token()?)
}

impl FromJson for String {
    fn read(r: &mut Reader<'_>) -> Result<String, ReadError> {
        string(r).map(Cow::into_owned)
    }
}

impl FromJson for bool {
    fn read(r: &mut Reader<'_>) -> Result<bool, ReadError> {
        if let Some(b't' | b'f') = r.peek_value() {
            if let Json::Bool(b) = r.literal_token()? {
                return Ok(b);
            }
        }
        Err(invalid_type(r, "a boolean"))
    }
}

/// Whether a JSON number's text is an integer (no fraction, no exponent).
fn is_integer(text: &str) -> bool {
    !text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
}

/// An integer's text, for `expected` (`i64`, `u64`): a fraction or exponent is a floating
/// point number, as serde_json reads them.
fn integer_text<'a>(r: &mut Reader<'a>, expected: &str) -> Result<&'a str, ReadError> {
    let Some(b'-' | b'0'..=b'9') = r.peek_value() else {
        return Err(invalid_type(r, expected));
    };
    let text = r.number_token()?;
    if !is_integer(text) {
        return Err(ReadError::after(
            r,
            format!("invalid type: floating point `{text}`, expected {expected}"),
        ));
    }
    Ok(text)
}

/// The error for an integer outside the target type.
#[cold]
fn out_of_range(r: &Reader<'_>, text: &str, expected: &str) -> ReadError {
    ReadError::after(
        r,
        format!("invalid value: integer `{text}`, expected {expected}"),
    )
}

impl FromJson for i64 {
    fn read(r: &mut Reader<'_>) -> Result<i64, ReadError> {
        let text = integer_text(r, "i64")?;
        text.parse().map_err(|_| out_of_range(r, text, "i64"))
    }
}

impl FromJson for u64 {
    fn read(r: &mut Reader<'_>) -> Result<u64, ReadError> {
        let text = integer_text(r, "u64")?;
        text.parse().map_err(|_| out_of_range(r, text, "u64"))
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn read(r: &mut Reader<'_>) -> Result<Box<T>, ReadError> {
        T::read(r).map(Box::new)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read(r: &mut Reader<'_>) -> Result<Vec<T>, ReadError> {
        let mut items = Vec::new();
        read_items(r, &mut |r| T::read_push(&mut items, r))?;
        Ok(items)
    }
}

/// Reads an array, each item by `each`, its errors placed under the item's index: one loop
/// for every item type.
#[inline(never)]
pub(crate) fn read_items(
    r: &mut Reader<'_>,
    each: &mut dyn FnMut(&mut Reader<'_>) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    if r.peek_value() != Some(b'[') {
        return Err(invalid_type(r, "a sequence"));
    }
    r.begin_array()?;
    let mut index = 0;
    while r.next_item()? {
        each(r).map_err(|e| e.within(Segment::Index(index)))?;
        index += 1;
    }
    Ok(())
}

/// A JSON number as serde_json keeps it (its text, with `arbitrary_precision`).
pub(crate) fn number(r: &Reader<'_>, text: &str) -> Result<serde_json::Number, ReadError> {
    text.parse()
        .map_err(|_| ReadError::after(r, "invalid number".to_owned()))
}

/// The members of the object entered last, into a map (the last of a repeated key wins, in
/// the first one's place, as serde_json's `Value` reads them).
pub(crate) fn read_map(
    r: &mut Reader<'_>,
    map: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<(), ReadError> {
    while let Some(key) = next_key(r)? {
        let value = member::<serde_json::Value>(r, &key)?;
        map.insert(key.into_owned(), value);
    }
    Ok(())
}

impl FromJson for serde_json::Value {
    fn read(r: &mut Reader<'_>) -> Result<serde_json::Value, ReadError> {
        use serde_json::Value;
        Ok(match r.peek_value() {
            Some(b'{') => {
                r.begin_object()?;
                let mut map = serde_json::Map::new();
                read_map(r, &mut map)?;
                Value::Object(map)
            }
            Some(b'[') => Value::Array(Vec::read(r)?),
            Some(b'"') => Value::String(r.string_token()?.into_owned()),
            Some(b'-' | b'0'..=b'9') => {
                let text = r.number_token()?;
                Value::Number(number(r, text)?)
            }
            Some(b't' | b'f' | b'n') => match r.literal_token()? {
                Json::Bool(b) => Value::Bool(b),
                _ => Value::Null,
            },
            None => return Err(r.error("EOF while parsing a value").into()),
            Some(_) => return Err(r.error("expected value").into()),
        })
    }
}

/// Reads a whole text as `T`: one value, then only whitespace.
pub fn from_text<T: FromJson>(text: &str) -> Result<T, ReadError> {
    from_reader(Reader::new(text))
}

/// Reads the whole text of `r` as `T`.
pub fn from_reader<T: FromJson>(mut r: Reader<'_>) -> Result<T, ReadError> {
    let value = T::read(&mut r)?;
    r.end()?;
    Ok(value)
}

/// The `resourceType` member's value, which must be `expected`.
pub(crate) fn resource_type(r: &mut Reader<'_>, expected: &str) -> Result<(), ReadError> {
    let found = string(r).map_err(|e| e.within(Segment::Key("resourceType".to_owned())))?;
    if found != expected {
        return Err(ReadError::after(
            r,
            format!("resourceType '{found}' where '{expected}' was expected"),
        ));
    }
    Ok(())
}

/// One modelled element: its JSON name, the function that reads its value into its field
/// (refusing a second one), the one that writes the field when present, and the one that
/// validates it (its type's rules, its cardinality, its binding).
pub(crate) type Member<S> = (
    &'static str,
    fn(&mut S, &mut Reader<'_>) -> Result<(), ReadError>,
    fn(&S, &mut crate::json::Out),
    fn(&S, &crate::validation::Path<'_>, &mut Vec<crate::outcome::Issue>),
);

/// A model type read member by member, from a table: the modelled elements, then
/// [`Members::other`] for any other key. A table rather than a `match` keeps each type's
/// reader a few bytes per element (the match, with every element's reader inlined, was
/// 5-10 KB of wasm per type).
pub(crate) trait Members: Default + 'static {
    /// The modelled elements, in the model's (and FHIR JSON's usual) order.
    const MEMBERS: &'static [Member<Self>];

    /// A member outside the table: `resourceType`, the `value[x]`, or an element outside
    /// the model.
    fn other(&mut self, key: &str, r: &mut Reader<'_>) -> Result<(), ReadError>;
}

/// Reads one member (its key and colon read) into `value`. `hint` is where the table search
/// starts: just after the last element found, since members mostly come in table order.
pub(crate) fn read_member<S: Members>(
    value: &mut S,
    key: &str,
    r: &mut Reader<'_>,
    hint: &mut usize,
) -> Result<(), ReadError> {
    let table = S::MEMBERS;
    let n = table.len();
    for k in 0..n {
        let mut i = *hint + k;
        if i >= n {
            i -= n;
        }
        if let Some((name, read, _, _)) = table.get(i) {
            if *name == key {
                *hint = i + 1;
                return read(value, r);
            }
        }
    }
    value.other(key, r)
}

/// Reads the remaining members of the object entered last into `value`.
pub(crate) fn read_members_into<S: Members>(
    value: &mut S,
    r: &mut Reader<'_>,
) -> Result<(), ReadError> {
    let mut hint = 0;
    while let Some(key) = next_key(r)? {
        read_member(value, &key, r, &mut hint)?;
    }
    Ok(())
}

/// Reads the object next into `value` (a default one), or says what was found instead of
/// `expected`: the reader of every model type.
#[inline(never)]
pub(crate) fn object_into<S: Members>(
    value: &mut S,
    expected: &str,
    r: &mut Reader<'_>,
) -> Result<(), ReadError> {
    open_object(r, expected)?;
    read_members_into(value, r)
}

/// A model type's reader, in a fresh boxed value (as the resources are kept).
pub(crate) fn boxed_members<S: Members>(r: &mut Reader<'_>) -> Result<Box<S>, ReadError> {
    let mut value = Box::<S>::default();
    read_members_into(&mut *value, r)?;
    Ok(value)
}

/// Reads the value of the member `key` into its field, which must still be empty.
#[inline(never)]
pub(crate) fn slot<T: FromJson>(
    field: &mut Option<T>,
    key: &'static str,
    r: &mut Reader<'_>,
) -> Result<(), ReadError> {
    if field.is_some() {
        return Err(duplicate(r, key));
    }
    T::read_slot(field, r).map_err(|e| e.within(Segment::Key(key.to_owned())))
}

/// Reads the `value[x]` member `key`.
#[inline(never)]
pub(crate) fn choice(key: &str, r: &mut Reader<'_>) -> Result<super::ChoiceValue, ReadError> {
    super::ChoiceValue::read_keyed(key, r).map_err(|e| e.within(Segment::Key(key.to_owned())))
}

/// Reads the member `key`, outside the model, into `extra` as it is.
#[inline(never)]
pub(crate) fn extra(
    extra: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    r: &mut Reader<'_>,
) -> Result<(), ReadError> {
    let value = member::<serde_json::Value>(r, key)?;
    extra.insert(key.to_owned(), value);
    Ok(())
}
