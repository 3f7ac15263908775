//! Lenient, borrowing serde readers shared by the typed JSON parsers.
//!
//! Many formats were read through `serde_json::Value`, where a field of an
//! unexpected type simply "was not there" (or was an error with our own
//! message and pointer). The readers here keep that: a [`Lenient`] type
//! accepts any JSON value and decides itself what an object, an array, a
//! string or a number means, so a derived struct's type error can never
//! replace the parser's own checks. Nothing here builds a tree of the
//! document; strings are borrowed from the text unless they have escapes.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::marker::PhantomData;

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
        d.deserialize_any(LVisitor(PhantomData)).map(L)
    }
}

struct LVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient<'de>> Visitor<'de> for LVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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

/// A string, `None` for any other value (`Value::as_str`).
pub(crate) struct Str<'de>(pub Option<Cow<'de, str>>);

impl<'de> Lenient<'de> for Str<'de> {
    fn other() -> Self {
        Str(None)
    }
    fn str(s: Cow<'de, str>) -> Self {
        Str(Some(s))
    }
}

/// A non-negative integer, `None` for any other value (`Value::as_u64`).
pub(crate) struct U64(pub Option<u64>);

impl Lenient<'_> for U64 {
    fn other() -> Self {
        U64(None)
    }
    fn u64(n: u64) -> Self {
        U64(Some(n))
    }
}

/// Line numbers: the items of an array that are integers fitting in `u32`;
/// anything else (not an array, other items) reads as nothing.
#[derive(Default)]
pub(crate) struct Lines(pub Vec<u32>);

impl<'de> Lenient<'de> for Lines {
    fn other() -> Self {
        Lines(Vec::new())
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(L(U64(n))) = seq.next_element()? {
            if let Some(n) = n.and_then(|n| u32::try_from(n).ok()) {
                out.push(n);
            }
        }
        Ok(Lines(out))
    }
}

/// An object's entries in document order, each value read as `V`; `None`
/// when the value is not an object. (Keys are never repeated: the document
/// was checked for duplicate keys when it was loaded.)
pub(crate) struct Entries<'de, V>(pub Option<Vec<(Cow<'de, str>, V)>>);

impl<'de, V: Deserialize<'de>> Lenient<'de> for Entries<'de, V> {
    fn other() -> Self {
        Entries(None)
    }
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(Key(key)) = map.next_key()? {
            out.push((key, map.next_value()?));
        }
        Ok(Entries(Some(out)))
    }
}

/// Reads the keys of an object one by one, handing each to `f` together with
/// the map so `f` reads (or skips) the value.
pub(crate) fn each_key<'de, A, F>(mut map: A, mut f: F) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    F: FnMut(Cow<'de, str>, &mut A) -> Result<(), A::Error>,
{
    while let Some(Key(key)) = map.next_key()? {
        f(key, &mut map)?;
    }
    Ok(())
}

/// An object key, borrowed from the text unless it has escapes.
pub(crate) struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Skips the value of the current entry.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// Reads the whole of `text` with `seed`: a streaming read whose visitors
/// park the first [`crate::ParseError`] they meet (see [`finish`]).
pub(crate) fn read<'de, S: de::DeserializeSeed<'de>>(
    text: &'de str,
    seed: S,
) -> serde_json::Result<S::Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    let out = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

/// The outcome of a [`read`]: the parked error when a visitor stopped the
/// read with one (failing it with [`stopped`]), else the read's own error.
pub(crate) fn finish<T>(
    name: &str,
    out: serde_json::Result<T>,
    parked: Option<crate::ParseError>,
) -> Result<T, crate::ParseError> {
    match (out, parked) {
        (_, Some(e)) => Err(e),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(crate::document::json_error(name, &e)),
    }
}

/// The placeholder error that ends a read whose real error was parked.
pub(crate) fn stopped<E: de::Error>() -> E {
    E::custom("stopped")
}

/// The `visit_*` methods of a streaming visitor (lifetime `$de`) for every
/// value but an object: each yields `$v` (an array's items are skipped).
macro_rules! other_values {
    ($de:lifetime, $v:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_seq<A: serde::de::SeqAccess<$de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok($v)
        }
    };
}
pub(crate) use other_values;
