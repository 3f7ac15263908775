//! Scalars: object keys and strings borrowed from the text, numbers as
//! `serde_json::Value` holds them, and [`Leaf`], any value with its type
//! kept. Also [`Lenient`], the trait for small types that accept any JSON
//! value and decide themselves what each kind of value means.

use super::Kind;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// An object key (or a string where only a string may be), borrowed from
/// the text unless it has escapes.
pub(crate) struct Key<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// A value read from any JSON value; each hook gets one kind of value, and
/// what it does not override means [`Lenient::other`].
pub(crate) trait Lenient<'de>: Sized {
    /// Any value the type has no use for.
    fn other() -> Self;
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Self::other())
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::other())
    }
    fn str(_s: Cow<'de, str>) -> Self {
        Self::other()
    }
    /// A non-negative integer (JSON `as_u64`).
    fn u64(_n: u64) -> Self {
        Self::other()
    }
}

/// Reads a [`Lenient`] type from any JSON value.
pub(crate) struct L<T>(pub T);

impl<'de, T: Lenient<'de>> Deserialize<'de> for L<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient(d).map(L)
    }
}

/// Reads a [`Lenient`] type (for its own `Deserialize`).
pub(crate) fn lenient<'de, T: Lenient<'de>, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(LVisitor(PhantomData))
}

struct LVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient<'de>> Visitor<'de> for LVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_i64<E>(self, v: i64) -> Result<T, E> {
        Ok(u64::try_from(v).map_or_else(|_| T::other(), T::u64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<T, E> {
        Ok(T::u64(v))
    }
    fn visit_f64<E>(self, _: f64) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<T, E> {
        Ok(T::str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<T, E> {
        Ok(T::str(Cow::Owned(v.to_owned())))
    }
    fn visit_unit<E>(self) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_none<E>(self) -> Result<T, E> {
        Ok(T::other())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::map(map)
    }
}

/// A string, `None` for any other value (`Value::as_str`), or for no field
/// (`#[serde(default)]`).
#[derive(Default)]
pub(crate) struct Str<'a>(pub Option<Cow<'a, str>>);

impl Str<'_> {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de> Lenient<'de> for Str<'de> {
    fn other() -> Self {
        Str(None)
    }
    fn str(s: Cow<'de, str>) -> Self {
        Str(Some(s))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::<Str<'de>, D>(d)
    }
}

/// A non-negative integer, `None` for any other value (`Value::as_u64`):
/// a [`Leaf`] that costs 16 bytes.
pub(crate) struct U64(pub Option<u64>);

impl Lenient<'_> for U64 {
    fn other() -> Self {
        U64(None)
    }
    fn u64(n: u64) -> Self {
        U64(Some(n))
    }
}

/// A JSON number as `serde_json::Value` holds it (`as_u64` only for
/// non-negative integers, `as_i64` for integers in range, `as_f64` for all).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    U(u64),
    I(i64),
    F(f64),
}

/// A scalar read from a report; `Null` is also "absent". Containers are
/// skipped (their contents are never read), their type kept for messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Leaf<'a> {
    #[default]
    Null,
    Bool(bool),
    Num(Num),
    Str(Cow<'a, str>),
    Array,
    Object,
}

impl Leaf<'_> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Leaf::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The string, or `""` for anything else (the parsers' `str_of`).
    pub fn str_or_empty(&self) -> &str {
        self.as_str().unwrap_or("")
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Leaf::Num(Num::U(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Leaf::Num(Num::U(n)) => i64::try_from(*n).ok(),
            Leaf::Num(Num::I(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            // As serde_json converts them: the nearest double.
            #[allow(clippy::cast_precision_loss)]
            Leaf::Num(Num::U(n)) => Some(*n as f64),
            #[allow(clippy::cast_precision_loss)]
            Leaf::Num(Num::I(n)) => Some(*n as f64),
            Leaf::Num(Num::F(f)) => Some(*f),
            _ => None,
        }
    }

    /// Its type.
    pub fn kind(&self) -> Kind {
        match self {
            Leaf::Null => Kind::Null,
            Leaf::Bool(_) => Kind::Bool,
            Leaf::Num(_) => Kind::Number,
            Leaf::Str(_) => Kind::String,
            Leaf::Array => Kind::Array,
            Leaf::Object => Kind::Object,
        }
    }

    /// How its type reads in a message (`found a number`).
    pub fn type_name(&self) -> &'static str {
        self.kind().name()
    }

    /// A `u32` line or column: a positive integer that fits, else `None`.
    pub fn line(&self) -> Option<u32> {
        self.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
    }
}

struct LeafVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for LeafVisitor<'a> {
    type Value = Leaf<'a>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Leaf::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Leaf::Num(Num::U(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Leaf::Num(u64::try_from(v).map_or(Num::I(v), Num::U)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Leaf::Num(Num::F(v)))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Leaf::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Leaf::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Leaf::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Leaf::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Leaf::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq)?;
        Ok(Leaf::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map)?;
        Ok(Leaf::Object)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Leaf<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LeafVisitor(PhantomData))
    }
}
