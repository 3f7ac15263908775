//! Typed reading of findings reports, as leniently as the formats' parsers
//! always read them, without a whole-document tree.
//!
//! Reports are read into structs that borrow their strings from the text.
//! Each field type keeps one reading rule of the parsers: a value of the
//! wrong type is "absent", never an error, unless the parser says so.
//!
//! - [`Leaf`]: a scalar (string, number, bool, null) with its type kept;
//!   a container in its place is skipped and only its type remembered.
//! - [`Obj`]: an object read as `T`; anything else reads as `T::default()`
//!   (every field absent), like `Value::get` on a non-object.
//! - [`Arr`], [`First`], [`Strs`]: arrays (anything else is empty).
//! - [`Map`]: an object keyed by data, entries in document order.
//! - [`Slot`]: a field whose absence differs from `null`.
//! - [`Lean`] (and [`Boxed`]): a struct element of an array or map, boxed
//!   only when it has keys, so `[{}, {}, ...]` costs less than its text.
//!
//! Large arrays are never held: [`each`] and [`entries`] stream them
//! element by element (each element read, turned into findings and
//! dropped), either in place or from a [`RawValue`] slice kept for later
//! (a run's `results` are read once its rules are known, wherever they are
//! written).

use crate::{ParseError, Position};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

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

    /// How its type reads in a message (`found a number`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Leaf::Null => "null",
            Leaf::Bool(_) => "a boolean",
            Leaf::Num(_) => "a number",
            Leaf::Str(_) => "a string",
            Leaf::Array => "an array",
            Leaf::Object => "an object",
        }
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

/// Skips a value that is not the container a reader wanted.
macro_rules! skip_scalars {
    ($value:ty, $make:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<$value, E> {
            Ok($make)
        }
        fn visit_i64<E>(self, _: i64) -> Result<$value, E> {
            Ok($make)
        }
        fn visit_u64<E>(self, _: u64) -> Result<$value, E> {
            Ok($make)
        }
        fn visit_f64<E>(self, _: f64) -> Result<$value, E> {
            Ok($make)
        }
        fn visit_str<E>(self, _: &str) -> Result<$value, E> {
            Ok($make)
        }
        fn visit_unit<E>(self) -> Result<$value, E> {
            Ok($make)
        }
        fn visit_none<E>(self) -> Result<$value, E> {
            Ok($make)
        }
    };
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
            skip_scalars!(Obj<T>, Obj::default());
        }
        d.deserialize_any(V(PhantomData))
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
        skip_scalars!(Option<Box<T>>, None);
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

/// An array's elements; any other value reads as an empty array.
#[derive(Debug, Clone)]
pub(crate) struct Arr<T> {
    pub items: Vec<T>,
    pub is_array: bool,
}

impl<T> Default for Arr<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            is_array: false,
        }
    }
}

impl<T> std::ops::Deref for Arr<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Arr<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Arr<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(x) = seq.next_element()? {
                    items.push(x);
                }
                Ok(Arr {
                    items,
                    is_array: true,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                IgnoredAny.visit_map(map)?;
                Ok(Arr::default())
            }
            skip_scalars!(Arr<T>, Arr::default());
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The first element of an array (the rest skipped); `None` for an empty
/// array or any other value.
#[derive(Debug, Clone)]
pub(crate) struct First<T>(pub Option<T>);

impl<T> Default for First<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for First<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = First<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let first = seq.next_element()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(First(first))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                IgnoredAny.visit_map(map)?;
                Ok(First(None))
            }
            skip_scalars!(First<T>, First(None));
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The strings of an array (other elements and non-arrays give none): the
/// parsers' `as_array().flatten().filter_map(as_str)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Strs<'a>(pub Vec<Cow<'a, str>>);

impl Strs<'_> {
    pub fn owned(&self) -> Vec<String> {
        self.0.iter().map(|s| s.to_string()).collect()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Strs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let a = Arr::<Leaf<'a>>::deserialize(d)?;
        Ok(Strs(
            a.items
                .into_iter()
                .filter_map(|l| match l {
                    Leaf::Str(s) => Some(s),
                    _ => None,
                })
                .collect(),
        ))
    }
}

/// A string or an array of strings (`"cwe": "CWE-79"` or `["CWE-79"]`);
/// anything else is `None`.
#[derive(Debug, Clone, Default)]
pub(crate) enum StrOrStrs<'a> {
    #[default]
    None,
    One(Cow<'a, str>),
    Many(Vec<Cow<'a, str>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for StrOrStrs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = StrOrStrs<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(StrOrStrs::One(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StrOrStrs::One(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(StrOrStrs::One(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(l) = seq.next_element::<Leaf<'a>>()? {
                    if let Leaf::Str(s) = l {
                        items.push(s);
                    }
                }
                Ok(StrOrStrs::Many(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                IgnoredAny.visit_map(map)?;
                Ok(StrOrStrs::None)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(StrOrStrs::None)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(StrOrStrs::None)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(StrOrStrs::None)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(StrOrStrs::None)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(StrOrStrs::None)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(StrOrStrs::None)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A key (or string) borrowed from the text unless it has escapes.
pub(crate) struct CowStr<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for CowStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = CowStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(PhantomData))
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
                while let Some(CowStr(k)) = map.next_key()? {
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
            skip_scalars!(Map<'a, V>, Map::default());
        }
        d.deserialize_any(Vis(PhantomData))
    }
}

/// A string value kept as its text when it is one, else as compact JSON
/// (how `Value`'s `Display` writes it): for messages that quote a value.
pub(crate) fn raw_str(raw: &RawValue) -> Option<Cow<'_, str>> {
    let t = raw.get();
    if !t.starts_with('"') {
        return None;
    }
    serde_json::from_str::<CowStr<'_>>(t).ok().map(|c| c.0)
}

/// A value as `serde_json::Value`'s `Display` writes it (compact JSON).
pub(crate) fn raw_display(raw: &RawValue) -> String {
    serde_json::from_str::<serde_json::Value>(raw.get())
        .map(|v| v.to_string())
        .unwrap_or_else(|_| raw.get().to_string())
}

/// The error a reader recorded before it stopped serde (serde's own error
/// carries no code or pointer of ours).
pub(crate) type Stop = Option<ParseError>;

/// Records `e` and returns the serde error that unwinds the reading.
pub(crate) fn stop<E: de::Error>(slot: &mut Stop, e: ParseError) -> E {
    *slot = Some(e);
    E::custom("stopped")
}

/// Streams an array: each element is read as `T` and handed to `f` with
/// its index, then dropped. The value is whether it was an array (any
/// other value is skipped). An error from `f` stops the reading (see
/// [`stop`]).
pub(crate) struct Each<'s, T, F> {
    pub f: F,
    pub stop: &'s mut Stop,
    pub item: PhantomData<T>,
}

pub(crate) fn each<T, F>(stop: &mut Stop, f: F) -> Each<'_, T, F>
where
    F: FnMut(usize, T) -> Result<(), ParseError>,
{
    Each {
        f,
        stop,
        item: PhantomData,
    }
}

impl<'de, T, F> DeserializeSeed<'de> for Each<'_, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(usize, T) -> Result<(), ParseError>,
{
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T, F> Visitor<'de> for Each<'_, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(usize, T) -> Result<(), ParseError>,
{
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<bool, A::Error> {
        let mut i: usize = 0;
        while let Some(item) = seq.next_element::<T>()? {
            if let Err(e) = (self.f)(i, item) {
                return Err(stop(self.stop, e));
            }
            i = i.saturating_add(1);
        }
        Ok(true)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        IgnoredAny.visit_map(map)?;
        Ok(false)
    }
    skip_scalars!(bool, false);
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
        while let Some(CowStr(key)) = map.next_key()? {
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
    skip_scalars!(bool, false);
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

/// Runs a reader over `part` (the whole document, or a slice of it kept as
/// a [`RawValue`]): a recorded error wins; any other serde error (which the
/// lenient readers do not raise) is `code` at the line and column in
/// `whole`.
pub(crate) fn read<'de, T>(
    name: &str,
    whole: &str,
    part: &'de str,
    code: &'static str,
    stop: &mut Stop,
    f: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
        &mut Stop,
    ) -> Result<T, serde_json::Error>,
) -> Result<T, ParseError> {
    let mut de = serde_json::Deserializer::from_str(part);
    let out = f(&mut de, stop).and_then(|v| de.end().map(|()| v));
    out.map_err(|e| {
        stop.take().unwrap_or_else(|| {
            let offset = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
            let (line, column) = match crate::document::line_col(whole, offset) {
                Position::LineCol { line, column } => (line, column),
                _ => (1, 1),
            };
            let el = u32::try_from(e.line()).unwrap_or(u32::MAX);
            let ec = u32::try_from(e.column()).unwrap_or(u32::MAX);
            let position = if el <= 1 {
                Position::LineCol {
                    line,
                    column: column.saturating_add(ec).saturating_sub(1),
                }
            } else {
                Position::LineCol {
                    line: line.saturating_add(el).saturating_sub(1),
                    column: ec,
                }
            };
            ParseError::new(name, code, Some(position), e.to_string().to_lowercase())
        })
    })
}

/// One step of a JSON pointer, kept to order pointers as the old
/// whole-document walk met them: object keys in sorted order, array
/// indexes in order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(s: &str) -> Self {
        Seg::Key(s.to_string())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

/// CVSS scores that are not numbers from 0 to 10, counted while reading
/// (`invalid-cvss-score`, once, with the first pointer in key order, as the
/// whole-document walk this replaces named it). Each parser checks the
/// score fields of its format's shape (trivy `V2Score`/`V3Score`/
/// `V40Score`, grype `baseScore`, npm `cvss.score`, osv-scanner
/// `max_severity`); a score key elsewhere in a report is not looked at.
#[derive(Debug, Default)]
pub(crate) struct Scores {
    count: usize,
    first: Option<Vec<Seg>>,
}

impl Scores {
    /// Checks one score field; `at` builds its pointer (only when bad).
    pub fn check(&mut self, v: &Leaf<'_>, at: impl FnOnce() -> Vec<Seg>) {
        if valid_score(v) {
            return;
        }
        self.count = self.count.saturating_add(1);
        let path = at();
        if self.first.as_ref().is_none_or(|f| path < *f) {
            self.first = Some(path);
        }
    }

    /// The warning, if any score was bad.
    pub fn report(self, cx: &mut crate::ParseContext<'_>) {
        let Some(first) = self.first else { return };
        let ptr = first.iter().fold(String::new(), |p, s| match s {
            Seg::Key(k) => super::pointer(&p, k),
            Seg::Index(i) => format!("{p}/{i}"),
        });
        cx.warn(
            "invalid-cvss-score",
            format!(
                "{} cvss score(s) are not numbers from 0 to 10 and were ignored (first: {ptr})",
                self.count
            ),
        );
    }
}

/// A CVSS score as scanners write it: a number (or numeric string) from 0
/// to 10; null means "none".
fn valid_score(v: &Leaf<'_>) -> bool {
    let n = match v {
        Leaf::Null => return true,
        Leaf::Num(_) => v.as_f64(),
        Leaf::Str(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    n.is_some_and(|n| n.is_finite() && (0.0..=10.0).contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct T<'a> {
        #[serde(borrow)]
        s: Leaf<'a>,
        #[serde(borrow)]
        o: Obj<Inner<'a>>,
        #[serde(borrow)]
        a: Strs<'a>,
        #[serde(borrow)]
        slot: Slot<Leaf<'a>>,
        #[serde(borrow)]
        m: Map<'a, Leaf<'a>>,
        #[serde(borrow)]
        first: First<Leaf<'a>>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Inner<'a> {
        #[serde(borrow)]
        x: Leaf<'a>,
    }

    #[test]
    fn lenient_reading() {
        let t: T<'_> = serde_json::from_str(
            r#"{"s": "a\"b", "o": {"x": 3, "y": [1]}, "a": ["p", 1, "q", {}], "slot": null,
                "m": {"k": true, "j": [1, {"z": 2}]}, "first": [4, {"a": 1}]}"#,
        )
        .unwrap();
        assert_eq!(t.s.as_str(), Some("a\"b"));
        assert_eq!(t.o.x.as_u64(), Some(3));
        assert!(t.o.is_object);
        assert_eq!(t.a.owned(), ["p", "q"]);
        assert!(matches!(t.slot, Slot::Here(Leaf::Null)));
        assert_eq!(t.m.get("j"), Some(&Leaf::Array));
        assert_eq!(t.first.0.and_then(|l| l.as_u64()), Some(4));
        let t: T<'_> =
            serde_json::from_str(r#"{"s": [1], "o": "str", "a": {"b": 1}, "m": 3}"#).unwrap();
        assert_eq!(t.s, Leaf::Array);
        assert!(!t.o.is_object);
        assert_eq!(t.o.x, Leaf::Null);
        assert!(t.a.0.is_empty());
        assert!(matches!(t.slot, Slot::Absent));
        assert!(!t.m.is_object);
        let n: Leaf<'_> = serde_json::from_str("-1").unwrap();
        assert_eq!(
            (n.as_u64(), n.as_i64(), n.as_f64()),
            (None, Some(-1), Some(-1.0))
        );
        let n: Leaf<'_> = serde_json::from_str("1.0").unwrap();
        assert_eq!((n.as_u64(), n.as_i64()), (None, None));
    }

    #[test]
    fn chunks_sorted_in_place() {
        let mut items = vec!["b1", "b2", "a1", "c1", "a0"];
        let chunks: Vec<(Cow<'_, str>, usize)> = vec![
            ("b".into(), 0),
            ("a".into(), 2),
            ("c".into(), 3),
            ("0".into(), 4),
        ];
        sort_chunks(&mut items, &chunks);
        assert_eq!(items, ["a0", "a1", "b1", "b2", "c1"]);
        let mut items = vec![1, 2, 3];
        let chunks: Vec<(Cow<'_, str>, usize)> = vec![("a".into(), 0), ("b".into(), 1)];
        sort_chunks(&mut items, &chunks);
        assert_eq!(items, [1, 2, 3]);
    }

    #[test]
    fn scores_keep_the_first_in_key_order() {
        let mut s = Scores::default();
        let bad = Leaf::Num(Num::U(11));
        s.check(&Leaf::Num(Num::F(9.8)), || vec!["a".into()]);
        s.check(&bad, || vec!["m".into(), 10.into(), "z".into()]);
        s.check(&bad, || vec!["m".into(), 9.into(), "z".into()]);
        s.check(&Leaf::Str("high".into()), || vec!["m".into(), 9.into()]);
        assert_eq!(s.count, 3);
        assert_eq!(s.first, Some(vec!["m".into(), 9.into()]));
    }
}
