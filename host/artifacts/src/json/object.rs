//! Objects: read as structs ([`Obj`]; [`Lean`] and [`Boxed`] for many
//! small ones), keyed by data ([`Map`]; streamed with [`entries`]; by
//! hand with [`each_key`]; refusing a key given twice: [`StrictMap`]),
//! and fields whose absence differs from `null` ([`Slot`]). A value that is no object reads as empty, never as an
//! error (like `Value::get` on a non-object).

use super::{Key, ParseError, Stop, is_null, stop};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A field whose absence is told apart from `null` (and from a value of
/// the wrong type): `Absent` only when the key is not there.
#[derive(Debug, Clone, Default)]
pub(crate) enum Slot<T> {
    #[default]
    Absent,
    Here(T),
}

impl<T> Slot<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Slot::Absent => None,
            Slot::Here(t) => Some(t),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Slot<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Slot::Here)
    }
}

impl<'a> Slot<&'a RawValue> {
    /// The value, unless absent or `null`.
    pub fn value(&self) -> Option<&'a RawValue> {
        match self {
            Slot::Here(v) if !is_null(v) => Some(v),
            Slot::Absent | Slot::Here(_) => None,
        }
    }
}

/// An object read as `T`; any other value reads as `T::default()`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Obj<T> {
    pub v: T,
    pub is_object: bool,
}

impl<T> std::ops::Deref for Obj<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.v
    }
}

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|v| Obj { v, is_object: true })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                IgnoredAny.visit_seq(seq)?;
                Ok(Obj::default())
            }
            skip_scalars!(Obj::default());
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<T> Obj<T> {
    /// The object read as `T`; `None` when the value was no object.
    pub fn into_inner(self) -> Option<T> {
        self.is_object.then_some(self.v)
    }
}

/// An element of an array or map, read as `T` (boxed) when it is an
/// object with keys; `{}` and anything else are nothing. An array of empty
/// or stray elements then costs 8 bytes an element, never
/// `size_of::<T>()`.
#[derive(Debug, Clone)]
pub(crate) struct Lean<T>(Option<Box<T>>);

impl<T> Default for Lean<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T> Lean<T> {
    /// The element when it is an object with keys.
    pub fn get(&self) -> Option<&T> {
        self.0.as_deref()
    }

    /// The element, or `empty` (a `T::default()`) when it has no keys or
    /// is not an object: what `Value::get` saw in it.
    pub fn or<'s>(&'s self, empty: &'s T) -> &'s T {
        self.get().unwrap_or(empty)
    }
}

/// Like [`Lean`], for elements whose being an object matters even when it
/// is `{}` (an npm `via` object is an advisory, a string is not): any
/// object is kept, boxed.
#[derive(Debug, Clone)]
pub(crate) struct Boxed<T>(Option<Box<T>>);

impl<T> Default for Boxed<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T> Boxed<T> {
    /// The element when it is an object.
    pub fn get(&self) -> Option<&T> {
        self.0.as_deref()
    }
}

/// A map's entries, counted as they are read (to tell `{}` apart).
struct Counting<'n, A> {
    map: A,
    keys: &'n mut usize,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Counting<'_, A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let key = self.map.next_key_seed(seed)?;
        if key.is_some() {
            *self.keys = self.keys.saturating_add(1);
        }
        Ok(key)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// Reads an element for [`Lean`] (`keep_empty` false) or [`Boxed`].
fn boxed<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
    keep_empty: bool,
) -> Result<Option<Box<T>>, D::Error> {
    struct V<T>(bool, PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Option<Box<T>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let mut keys = 0usize;
            let t = T::deserialize(de::value::MapAccessDeserializer::new(Counting {
                map,
                keys: &mut keys,
            }))?;
            Ok((self.0 || keys > 0).then(|| Box::new(t)))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            IgnoredAny.visit_seq(seq)?;
            Ok(None)
        }
        skip_scalars!(None);
    }
    d.deserialize_any(V(keep_empty, PhantomData))
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lean<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        boxed(d, false).map(Lean)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Boxed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        boxed(d, true).map(Boxed)
    }
}

/// An object keyed by data, in document order (keys are unique: the
/// document was checked for duplicates when loaded); any other value reads
/// as an empty map with `is_object` false.
#[derive(Debug, Clone)]
pub(crate) struct Map<'a, V> {
    pub entries: Vec<(Cow<'a, str>, V)>,
    pub is_object: bool,
}

impl<V> Default for Map<'_, V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            is_object: false,
        }
    }
}

impl<V> Map<'_, V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v)
    }
}

impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for Map<'a, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<'a, V>(PhantomData<(&'a (), V)>);
        impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for Vis<'a, V> {
            type Value = Map<'a, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(Key(k)) = map.next_key()? {
                    entries.push((k, map.next_value()?));
                }
                Ok(Map {
                    entries,
                    is_object: true,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                IgnoredAny.visit_seq(seq)?;
                Ok(Map::default())
            }
            skip_scalars!(Map::default());
        }
        d.deserialize_any(Vis(PhantomData))
    }
}

/// Streams an object keyed by data: each entry's value is read as `T` and
/// handed to `f` with its key, then dropped. The value is whether it was
/// an object (any other value is skipped).
pub(crate) struct Entries<'s, T, F> {
    pub f: F,
    pub stop: &'s mut Stop,
    pub item: PhantomData<T>,
}

pub(crate) fn entries<'de, T, F>(stop: &mut Stop, f: F) -> Entries<'_, T, F>
where
    F: FnMut(Cow<'de, str>, T) -> Result<(), ParseError>,
{
    Entries {
        f,
        stop,
        item: PhantomData,
    }
}

impl<'de, T, F> DeserializeSeed<'de> for Entries<'_, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(Cow<'de, str>, T) -> Result<(), ParseError>,
{
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T, F> Visitor<'de> for Entries<'_, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(Cow<'de, str>, T) -> Result<(), ParseError>,
{
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<bool, A::Error> {
        while let Some(Key(key)) = map.next_key()? {
            let value = map.next_value::<T>()?;
            if let Err(e) = (self.f)(key, value) {
                return Err(stop(self.stop, e));
            }
        }
        Ok(true)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        IgnoredAny.visit_seq(seq)?;
        Ok(false)
    }
    skip_scalars!(false);
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

/// Skips the value of the current entry.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// A JSON object read as its entries in document order, refusing a key that
/// appears twice (serde's maps keep the last one silently, which would let a
/// second `"src/a.js"` erase the first).
#[derive(Debug, Clone, PartialEq)]
pub struct StrictMap<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for StrictMap<K, V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, K, V> serde::Deserialize<'de> for StrictMap<K, V>
where
    K: serde::Deserialize<'de> + AsRef<str>,
    V: serde::Deserialize<'de>,
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K, V> serde::de::Visitor<'de> for Visit<K, V>
        where
            K: serde::Deserialize<'de> + AsRef<str>,
            V: serde::Deserialize<'de>,
        {
            type Value = StrictMap<K, V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                use serde::de::Error;
                let mut entries: Vec<(K, V)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                while let Some(key) = map.next_key::<K>()? {
                    // Hash of the key, not the key: no second copy of it.
                    let hash = {
                        use std::hash::BuildHasher;
                        seen.hasher().hash_one(key.as_ref())
                    };
                    if !seen.insert(hash) && entries.iter().any(|(k, _)| k.as_ref() == key.as_ref())
                    {
                        return Err(A::Error::custom(format_args!(
                            "duplicate key `{}` in an object",
                            key.as_ref()
                        )));
                    }
                    let value = map.next_value::<V>()?;
                    entries.push((key, value));
                }
                Ok(StrictMap(entries))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// Puts chunks of `items` in key order, as a whole-document `Value` (whose
/// objects iterate sorted by key) gave them: `chunks` are `(key, start)`
/// of consecutive runs of items, in document order. In place: no second
/// copy of the items.
pub(crate) fn sort_chunks<T>(items: &mut [T], chunks: &[(Cow<'_, str>, usize)]) {
    if chunks.windows(2).all(|w| matches!(w, [a, b] if a.0 <= b.0)) {
        return;
    }
    let len = items.len();
    // Each chunk's end: the next chunk's start (document order).
    let ends: Vec<usize> = chunks
        .iter()
        .skip(1)
        .map(|c| c.1)
        .chain(std::iter::once(len))
        .collect();
    let mut spans: Vec<(&str, usize, usize)> = chunks
        .iter()
        .zip(ends)
        .map(|((k, s), e)| (k.as_ref(), *s, e))
        .collect();
    spans.sort_by(|a, b| a.0.cmp(b.0));
    // dest[old] = new position.
    let mut dest = vec![0usize; len];
    let mut next = 0usize;
    for (_, s, e) in spans {
        for old in s..e {
            if let Some(d) = dest.get_mut(old) {
                *d = next;
            }
            next = next.saturating_add(1);
        }
    }
    // Each swap puts one item where it belongs.
    for i in 0..len {
        loop {
            let d = dest.get(i).copied().unwrap_or(i);
            if d == i {
                break;
            }
            items.swap(i, d);
            dest.swap(i, d);
        }
    }
}
