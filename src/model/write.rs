//! Writing the typed model as compact JSON with the core's own writer ([`crate::json::Out`]),
//! byte for byte what serde_json writes for the same value (the serde impls stay for Rust
//! callers; `tests/roundtrip.rs` holds the two to the same bytes).
//!
//! Each type writes its modelled elements from the same table it reads them with
//! ([`super::read::Members`]), one generic slot writer per element type, so the writer costs
//! a few bytes per element rather than serde's serializer code per type.

use crate::json::Out;

use super::read::Members;

/// A model value that writes itself as JSON.
pub trait ToJson {
    /// Writes the value (its key, if any, written already).
    fn write(&self, out: &mut Out);
}

/// Writes a value as a JSON text.
pub fn to_text<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = Out::new();
    value.write(&mut out);
    out.finish()
}

/// Writes the modelled elements of `value` that are present, in table order.
pub(crate) fn members<S: Members>(value: &S, out: &mut Out) {
    for (_, _, write, _) in S::MEMBERS {
        write(value, out);
    }
}

/// Writes the member `key` when the field holds a value.
#[inline(never)]
pub(crate) fn slot<T: ToJson>(field: &Option<T>, key: &str, out: &mut Out) {
    if let Some(value) = field {
        out.key(key);
        value.write(out);
    }
}

/// Writes the elements outside the model, in their order.
#[inline(never)]
pub(crate) fn extra(extra: &serde_json::Map<String, serde_json::Value>, out: &mut Out) {
    for (key, value) in extra {
        out.key(key);
        value.write(out);
    }
}

impl ToJson for str {
    fn write(&self, out: &mut Out) {
        out.str(self);
    }
}

impl ToJson for String {
    fn write(&self, out: &mut Out) {
        out.str(self);
    }
}

impl ToJson for bool {
    fn write(&self, out: &mut Out) {
        out.raw(if *self { "true" } else { "false" });
    }
}

impl ToJson for i64 {
    fn write(&self, out: &mut Out) {
        out.number(&self.to_string());
    }
}

impl ToJson for u64 {
    fn write(&self, out: &mut Out) {
        out.number(&self.to_string());
    }
}

impl<T: ToJson + ?Sized> ToJson for Box<T> {
    fn write(&self, out: &mut Out) {
        T::write(self, out);
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    #[inline(never)]
    fn write(&self, out: &mut Out) {
        out.open_list();
        for item in self {
            item.write(out);
        }
        out.close_list();
    }
}

impl ToJson for serde_json::Map<String, serde_json::Value> {
    fn write(&self, out: &mut Out) {
        out.open();
        extra(self, out);
        out.close();
    }
}

impl ToJson for serde_json::Value {
    fn write(&self, out: &mut Out) {
        use serde_json::Value;
        match self {
            Value::Null => {
                out.raw("null");
            }
            Value::Bool(b) => b.write(out),
            Value::Number(n) => {
                out.number(n.as_str());
            }
            Value::String(s) => s.write(out),
            Value::Array(items) => items.write(out),
            Value::Object(map) => map.write(out),
        }
    }
}
