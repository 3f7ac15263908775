//! A resource's attributes, read lazily.
//!
//! The host hands each resource's attributes over as JSON text. Parsing
//! all of it into a `serde_json::Value` tree for every resource was most of
//! a plan's evaluation, while a rule reads a handful of fields of the few
//! resource types it judges (a run with 5 of the 86 rules reads the tags of
//! most resources and little else). [`Attrs`] splits the top-level object
//! once into its fields, each kept as the raw JSON text it was written as,
//! and parses a field into a `Value` the first time a rule reads it: a
//! field no active rule reads is scanned and never allocated. The split
//! itself waits for the first read, so a resource no active rule looks at
//! (a type without rules, with `required-tags` off) is never scanned.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;

/// What checks read a resource (or a nested block) by: its fields.
pub trait Fields {
    /// The value of a field, `None` when absent (as `Value::get`).
    fn get(&self, key: &str) -> Option<&Value>;
}

impl Fields for Value {
    fn get(&self, key: &str) -> Option<&Value> {
        Value::get(self, key)
    }
}

/// One field: its name, its JSON text and, once read, its value.
struct Field<'a> {
    key: Cow<'a, str>,
    raw: &'a RawValue,
    value: OnceCell<Value>,
}

/// The fields of a resource's attributes (module docs).
pub struct Attrs<'a> {
    text: &'a str,
    fields: OnceCell<Vec<Field<'a>>>,
}

impl<'a> Attrs<'a> {
    /// Attributes given as JSON text, split at the first read. Text that is
    /// not a JSON object (or not JSON) has no fields, as a `Value` that is
    /// not an object answers `None` to every `get`.
    pub fn new(text: &'a str) -> Self {
        Attrs {
            text,
            fields: OnceCell::new(),
        }
    }

    fn fields(&self) -> &[Field<'a>] {
        self.fields.get_or_init(|| {
            serde_json::from_str::<Split<'a>>(self.text)
                .map(|s| s.0)
                .unwrap_or_default()
        })
    }
}

impl Fields for Attrs<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        // The last of duplicate keys wins, as in a parsed `Value`.
        let f = self.fields().iter().rev().find(|f| f.key == key)?;
        // The text was checked to be JSON when the object was split, so
        // parsing it again cannot fail.
        Some(
            f.value
                .get_or_init(|| serde_json::from_str(f.raw.get()).unwrap_or(Value::Null)),
        )
    }
}

/// The top-level object split into its fields.
struct Split<'a>(Vec<Field<'a>>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Split<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Object;
        impl<'de> Visitor<'de> for Object {
            type Value = Split<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Split<'de>, M::Error> {
                let mut fields = Vec::with_capacity(m.size_hint().unwrap_or(16));
                while let Some(Key(key)) = m.next_key()? {
                    fields.push(Field {
                        key,
                        raw: m.next_value()?,
                        value: OnceCell::new(),
                    });
                }
                Ok(Split(fields))
            }
        }
        d.deserialize_map(Object)
    }
}

/// A field name, borrowed from the text unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct K;
        impl<'de> Visitor<'de> for K {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(K)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field reads as the same field of the whole parsed value.
    #[test]
    fn fields_read_as_the_parsed_value() {
        let text = r#"{"a": 1, "b\u0020c": {"x": [1, 2.5, null]}, "n": null, "a": "last", "s": "(known after apply)"}"#;
        let whole: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let attrs = Attrs::new(text);
        for key in ["a", "b c", "n", "s", "missing"] {
            assert_eq!(Fields::get(&attrs, key), Value::get(&whole, key), "{key}");
        }
        for text in ["null", "[1]", "\"x\"", "{\"a\": 1", "{} x", ""] {
            let whole: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            assert_eq!(
                Fields::get(&Attrs::new(text), "a"),
                Value::get(&whole, "a"),
                "{text}"
            );
        }
    }
}
