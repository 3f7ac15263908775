//! Arrays: held ([`Arr`], [`First`], [`Strs`], [`StrOrStrs`], [`Lines`])
//! or streamed one element at a time ([`each`] in place, [`each_raw`] over
//! a kept [`RawValue`], [`stream`] from a visitor already in the array),
//! so a big array is never held as a whole. A value that is no array
//! reads as empty.

use super::{L, Leaf, Lenient, ParseError, Stop, U64, finish, stop};
use crate::ParseContext;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

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
            skip_scalars!(Arr::default());
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
            skip_scalars!(First(None));
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
    skip_scalars!(false);
}

/// Calls `f` with each element of the array `raw` and its index, reading
/// one element at a time (the array is never held as a whole). Stops at the
/// first error `f` returns.
pub(crate) fn each_raw<'a, T, F>(
    raw: &'a RawValue,
    cx: &mut ParseContext<'_>,
    mut f: F,
) -> Result<(), ParseError>
where
    T: Deserialize<'a>,
    F: FnMut(usize, T, &mut ParseContext<'_>) -> Result<(), ParseError>,
{
    let name = cx.name;
    let mut parked = None;
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let out = each(&mut parked, |i, item| f(i, item, cx)).deserialize(&mut de);
    finish(name, out, parked).map(drop)
}

/// [`each_raw`] for a visitor that is already in the array: `f`'s error is
/// parked in `parked` (see [`super::finish`]).
pub(crate) fn stream<'de, A, T, F>(
    seq: A,
    cx: &mut ParseContext<'_>,
    parked: &mut Stop,
    f: &mut F,
) -> Result<(), A::Error>
where
    A: SeqAccess<'de>,
    T: Deserialize<'de>,
    F: FnMut(usize, T, &mut ParseContext<'_>) -> Result<(), ParseError>,
{
    each(parked, |i, item| f(i, item, cx))
        .visit_seq(seq)
        .map(drop)
}
