//! The practitioner directory's storage: resources kept as JSON text in D1 (SQLite) plus the
//! index rows the core derives from them (synthetic data to test and bench it lives in the
//! `practice-fhir-tools` crate, `tools/src/synth.rs`). File imports convert Healthcode's
//! `dd.mm.yyyy` dates to FHIR dates first ([`dates`]).
//!
//! The worker and the import tool both call [`index_rows`], so a resource written at the
//! edge and one loaded from a file produce byte-identical rows.

pub mod bulk;
pub mod dates;
pub mod index;
pub mod normalise;

pub use index::{index_rows, ResourceKind};

use serde::ser::{Serialize, Serializer};

/// One value bound to a `?` placeholder. Coordinates are the only reals; never money.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// SQL NULL.
    Null,
    /// A 64-bit integer (flags, entry numbers, limits).
    Integer(i64),
    /// A double (latitude/longitude only).
    Real(f64),
    /// A UTF-8 string.
    Text(String),
}

impl SqlValue {
    /// Renders the value as a SQLite literal, for SQL files run by `wrangler d1 execute`.
    pub fn to_literal(&self) -> String {
        match self {
            SqlValue::Null => "NULL".into(),
            SqlValue::Integer(i) => i.to_string(),
            // `{:?}` keeps a decimal point and round-trips every finite f64.
            SqlValue::Real(r) if r.is_finite() => format!("{r:?}"),
            SqlValue::Real(_) => "NULL".into(),
            SqlValue::Text(s) => format!("'{}'", s.replace('\'', "''")),
        }
    }
}

impl From<&str> for SqlValue {
    fn from(s: &str) -> SqlValue {
        SqlValue::Text(s.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(s: String) -> SqlValue {
        SqlValue::Text(s)
    }
}

impl From<i64> for SqlValue {
    fn from(i: i64) -> SqlValue {
        SqlValue::Integer(i)
    }
}

impl From<f64> for SqlValue {
    fn from(r: f64) -> SqlValue {
        SqlValue::Real(r)
    }
}

/// Serialises as the bare JSON value (null, number, string), which is what D1's `bind` takes.
impl Serialize for SqlValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SqlValue::Null => serializer.serialize_unit(),
            SqlValue::Integer(i) => serializer.serialize_i64(*i),
            SqlValue::Real(r) => serializer.serialize_f64(*r),
            SqlValue::Text(s) => serializer.serialize_str(s),
        }
    }
}

/// One parameterised SQL statement: the same text runs on D1 and on native SQLite.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Statement {
    /// SQL with `?` placeholders.
    pub sql: String,
    /// The values bound to the placeholders, in order.
    pub params: Vec<SqlValue>,
}

impl Statement {
    /// A statement from its text and values.
    pub fn new(sql: impl Into<String>, params: Vec<SqlValue>) -> Statement {
        Statement {
            sql: sql.into(),
            params,
        }
    }

    /// The statement with every `?` replaced by its literal, ending in `;` (for SQL files).
    pub fn to_literal_sql(&self) -> String {
        let mut out = String::with_capacity(self.sql.len() + 16 * self.params.len());
        let mut values = self.params.iter();
        let mut in_quote = false;
        for c in self.sql.chars() {
            match c {
                '\'' => {
                    in_quote = !in_quote;
                    out.push(c);
                }
                '?' if !in_quote => match values.next() {
                    Some(v) => out.push_str(&v.to_literal()),
                    None => out.push_str("NULL"),
                },
                _ => out.push(c),
            }
        }
        out.push(';');
        out
    }
}

/// The D1 limit on bound parameters per statement.
pub const MAX_BOUND_PARAMS: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_sql_quotes_text_and_keeps_reals() {
        let st = Statement::new(
            "INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)",
            vec![
                SqlValue::Text("O'Brien ?".into()),
                SqlValue::Integer(-3),
                SqlValue::Real(51.5),
                SqlValue::Null,
            ],
        );
        assert_eq!(
            st.to_literal_sql(),
            "INSERT INTO t (a, b, c, d) VALUES ('O''Brien ?', -3, 51.5, NULL);"
        );
        let bound = serde_json::to_string(&st.params).unwrap_or_default();
        assert_eq!(bound, r#"["O'Brien ?",-3,51.5,null]"#);
    }
}
