//! [`LineMap`]: a file's values by line (line hits, branch counts).

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// Inserts out of line order switch a vector longer than this to a tree:
/// shifting a short vector is cheaper than a tree, a long one is quadratic.
const SHIFT_MAX: usize = 32;

/// Values by 1-based line, in line order: the part of `BTreeMap<u32, V>`'s
/// interface parsers use, kept in a sorted vector. Lines are most of a
/// coverage model and parsers mostly read them in order, so this costs 16
/// bytes a line where a tree costs about twice that, and a one-line file
/// (inline, no allocation) nothing where a tree's first node takes 144
/// bytes. Inserting out of order into a long map switches it to a tree (no
/// quadratic shifting); [`LineMap::compact`] makes it a vector again.
#[derive(Clone)]
pub struct LineMap<V>(Repr<V>);

#[derive(Clone)]
enum Repr<V> {
    /// Exactly one line, inline (a tuple, so it reads as a one-item slice).
    One((u32, V)),
    /// Sorted by line, no line twice.
    Sorted(Vec<(u32, V)>),
    /// Boxed: a transient state; inline it would make every map 32
    /// bytes instead of 24.
    #[allow(clippy::box_collection)]
    Tree(Box<BTreeMap<u32, V>>),
}

impl<V> Default for LineMap<V> {
    fn default() -> Self {
        Self(Repr::Sorted(Vec::new()))
    }
}

/// What [`LineMap::entry`] returns: a place for one line's value.
pub struct Entry<'a, V> {
    map: &'a mut LineMap<V>,
    line: u32,
}

impl<'a, V> Entry<'a, V> {
    pub fn or_insert(self, default: V) -> &'a mut V {
        self.or_insert_with(|| default)
    }

    pub fn or_insert_with(self, default: impl FnOnce() -> V) -> &'a mut V {
        self.map.slot(self.line, default)
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<V> LineMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// From pairs sorted by line with no line twice (not checked beyond a
    /// debug assertion: callers sort and dedup first).
    pub fn from_sorted(mut pairs: Vec<(u32, V)>) -> Self {
        debug_assert!(pairs.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)));
        if pairs.len() == 1
            && let Some(one) = pairs.pop()
        {
            return Self(Repr::One(one));
        }
        pairs.shrink_to_fit();
        Self(Repr::Sorted(pairs))
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Tree(t) => t.len(),
            _ => self.slice().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// The pairs of a vector state (one item for `One`; empty for a tree).
    fn slice(&self) -> &[(u32, V)] {
        match &self.0 {
            Repr::One(p) => std::slice::from_ref(p),
            Repr::Sorted(v) => v,
            Repr::Tree(_) => &[],
        }
    }

    /// The tree, or the pairs of a vector state.
    fn parts_mut(&mut self) -> Result<&mut BTreeMap<u32, V>, &mut [(u32, V)]> {
        match &mut self.0 {
            Repr::One(p) => Err(std::slice::from_mut(p)),
            Repr::Sorted(v) => Err(v),
            Repr::Tree(t) => Ok(t),
        }
    }

    fn find(&self, line: u32) -> Result<usize, usize> {
        self.slice().binary_search_by_key(&line, |p| p.0)
    }

    pub fn get(&self, line: &u32) -> Option<&V> {
        match &self.0 {
            Repr::Tree(t) => t.get(line),
            _ => {
                let i = self.find(*line).ok()?;
                self.slice().get(i).map(|p| &p.1)
            }
        }
    }

    pub fn get_mut(&mut self, line: &u32) -> Option<&mut V> {
        match self.parts_mut() {
            Ok(t) => t.get_mut(line),
            Err(pairs) => {
                let i = pairs.binary_search_by_key(line, |p| p.0).ok()?;
                pairs.get_mut(i).map(|p| &mut p.1)
            }
        }
    }

    pub fn contains_key(&self, line: &u32) -> bool {
        self.get(line).is_some()
    }

    pub fn entry(&mut self, line: u32) -> Entry<'_, V> {
        Entry { map: self, line }
    }

    /// Sets a line's value; returns the one it replaces.
    pub fn insert(&mut self, line: u32, value: V) -> Option<V> {
        if let Some(old) = self.get_mut(&line) {
            return Some(std::mem::replace(old, value));
        }
        self.slot(line, || value);
        None
    }

    pub fn remove(&mut self, line: &u32) -> Option<V> {
        match &self.0 {
            Repr::One(p) if p.0 == *line => {
                return match std::mem::take(self).0 {
                    Repr::One((_, value)) => Some(value),
                    _ => None,
                };
            }
            Repr::Sorted(v) if v.len() > SHIFT_MAX => self.make_tree(),
            _ => {}
        }
        match &mut self.0 {
            Repr::Tree(t) => t.remove(line),
            Repr::Sorted(v) => {
                let i = v.binary_search_by_key(line, |p| p.0).ok()?;
                Some(v.remove(i).1)
            }
            Repr::One(_) => None,
        }
    }

    /// The value of `line`, inserted with `default` if the line is new.
    fn slot(&mut self, line: u32, default: impl FnOnce() -> V) -> &mut V {
        // A second line makes `One` a vector; a line new inside a long
        // vector makes it a tree. (A first line makes a vector: `One` is
        // what `compact` makes of it.)
        match &self.0 {
            Repr::One(p) if p.0 != line => {
                if let Repr::One(p) = std::mem::take(self).0 {
                    let mut v = Vec::with_capacity(2);
                    v.push(p);
                    self.0 = Repr::Sorted(v);
                }
            }
            // Most maps of one line stay so: no room for more yet.
            Repr::Sorted(v) if v.capacity() == 0 => self.0 = Repr::Sorted(Vec::with_capacity(1)),
            Repr::Sorted(v)
                if v.len() >= SHIFT_MAX
                    && v.last().is_some_and(|p| p.0 > line)
                    && v.binary_search_by_key(&line, |p| p.0).is_err() =>
            {
                self.make_tree();
            }
            _ => {}
        }
        match &mut self.0 {
            Repr::One(p) => &mut p.1,
            Repr::Tree(t) => t.entry(line).or_insert_with(default),
            Repr::Sorted(v) => match v.binary_search_by_key(&line, |p| p.0) {
                Ok(i) => found(v, i),
                Err(i) => &mut v.insert_mut(i, (line, default())).1,
            },
        }
    }

    fn make_tree(&mut self) {
        let tree: BTreeMap<u32, V> = std::mem::take(self).into_iter().collect();
        self.0 = Repr::Tree(Box::new(tree));
    }

    /// The smallest form of the same map: a vector of exactly its lines.
    pub fn compact(&mut self) {
        match &mut self.0 {
            Repr::One(_) => {}
            Repr::Sorted(v) if v.len() == v.capacity() && v.len() != 1 => {}
            _ => {
                let pairs: Vec<(u32, V)> = std::mem::take(self).into_iter().collect();
                *self = Self::from_sorted(pairs);
            }
        }
    }

    pub fn iter(&self) -> Iter<'_, V> {
        match &self.0 {
            Repr::Tree(t) => Iter(IterRepr::Tree(t.iter())),
            _ => Iter(IterRepr::Slice(self.slice().iter())),
        }
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &u32> + ExactSizeIterator + '_ {
        self.iter().map(|(l, _)| l)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + '_ {
        self.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> Box<dyn Iterator<Item = &mut V> + '_> {
        match self.parts_mut() {
            Ok(t) => Box::new(t.values_mut()),
            Err(pairs) => Box::new(pairs.iter_mut().map(|p| &mut p.1)),
        }
    }
}

/// The value at `i`, where a binary search found it.
// In bounds by that search; `get_mut`'s `None` arm could not hand back a
// slot without re-borrowing the vector (which the borrow checker refuses).
#[allow(clippy::indexing_slicing)]
fn found<V>(v: &mut [(u32, V)], i: usize) -> &mut V {
    &mut v[i].1
}

/// Iterator over `(&line, &value)` in line order.
pub struct Iter<'a, V>(IterRepr<'a, V>);

enum IterRepr<'a, V> {
    Slice(std::slice::Iter<'a, (u32, V)>),
    Tree(std::collections::btree_map::Iter<'a, u32, V>),
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a u32, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Slice(s) => s.next().map(|(l, v)| (l, v)),
            IterRepr::Tree(t) => t.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Slice(s) => s.size_hint(),
            IterRepr::Tree(t) => t.size_hint(),
        }
    }
}

impl<V> DoubleEndedIterator for Iter<'_, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Slice(s) => s.next_back().map(|(l, v)| (l, v)),
            IterRepr::Tree(t) => t.next_back(),
        }
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

/// Owning iterator over `(line, value)` in line order.
pub struct IntoIter<V>(IntoIterRepr<V>);

enum IntoIterRepr<V> {
    Vec(std::vec::IntoIter<(u32, V)>),
    Tree(std::collections::btree_map::IntoIter<u32, V>),
}

impl<V> Iterator for IntoIter<V> {
    type Item = (u32, V);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IntoIterRepr::Vec(v) => v.next(),
            IntoIterRepr::Tree(t) => t.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IntoIterRepr::Vec(v) => v.size_hint(),
            IntoIterRepr::Tree(t) => t.size_hint(),
        }
    }
}

impl<V> ExactSizeIterator for IntoIter<V> {}

impl<V> IntoIterator for LineMap<V> {
    type Item = (u32, V);
    type IntoIter = IntoIter<V>;

    fn into_iter(self) -> IntoIter<V> {
        IntoIter(match self.0 {
            Repr::One(p) => IntoIterRepr::Vec(vec![p].into_iter()),
            Repr::Sorted(v) => IntoIterRepr::Vec(v.into_iter()),
            Repr::Tree(t) => IntoIterRepr::Tree(t.into_iter()),
        })
    }
}

impl<'a, V> IntoIterator for &'a LineMap<V> {
    type Item = (&'a u32, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

/// Like `BTreeMap`'s: a line given twice keeps its last value.
impl<V> FromIterator<(u32, V)> for LineMap<V> {
    fn from_iter<I: IntoIterator<Item = (u32, V)>>(iter: I) -> Self {
        let mut pairs: Vec<(u32, V)> = iter.into_iter().collect();
        if !pairs.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)) {
            // Stable, so of equal lines the last given is last: keep it.
            pairs.sort_by_key(|p| p.0);
            pairs.dedup_by(|later, kept| {
                if later.0 != kept.0 {
                    return false;
                }
                std::mem::swap(later, kept);
                true
            });
        }
        Self::from_sorted(pairs)
    }
}

impl<V> Extend<(u32, V)> for LineMap<V> {
    fn extend<I: IntoIterator<Item = (u32, V)>>(&mut self, iter: I) {
        for (line, value) in iter {
            self.insert(line, value);
        }
    }
}

impl<V> From<BTreeMap<u32, V>> for LineMap<V> {
    fn from(tree: BTreeMap<u32, V>) -> Self {
        Self::from_sorted(tree.into_iter().collect())
    }
}

impl<V: PartialEq> PartialEq for LineMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<V: Eq> Eq for LineMap<V> {}

impl<V: fmt::Debug> fmt::Debug for LineMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// As a map, like the `BTreeMap` it replaces (`{"12": 3}` in JSON).
impl<V: Serialize> Serialize for LineMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for LineMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BTreeMap::<u32, V>::deserialize(d).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(m: &LineMap<u64>) -> Vec<(u32, u64)> {
        m.iter().map(|(l, v)| (*l, *v)).collect()
    }

    #[test]
    fn behaves_like_a_btreemap() {
        // Orders that append, shift a short vector, and switch to a tree.
        let orders: Vec<Vec<u32>> = vec![
            (1..100).collect(),
            (1..100).rev().collect(),
            (0..200).map(|i| (i * 37) % 101 + 1).collect(),
            vec![5, 5, 1, 5, 3, 1],
        ];
        for order in orders {
            let mut ours = LineMap::new();
            let mut tree = BTreeMap::new();
            for (i, line) in order.iter().enumerate() {
                let i = i as u64;
                *ours.entry(*line).or_insert(0) += i;
                *tree.entry(*line).or_insert(0) += i;
                if i.is_multiple_of(7) {
                    assert_eq!(ours.insert(line + 1, i), tree.insert(line + 1, i));
                }
                if i.is_multiple_of(11) {
                    assert_eq!(ours.remove(&(line + 2)), tree.remove(&(line + 2)));
                }
                assert_eq!(ours.len(), tree.len());
            }
            let want: Vec<(u32, u64)> = tree.iter().map(|(l, v)| (*l, *v)).collect();
            assert_eq!(pairs(&ours), want);
            assert_eq!(ours.get(&5), tree.get(&5));
            ours.compact();
            assert!(matches!(ours.0, Repr::Sorted(_) | Repr::One(_)));
            assert_eq!(pairs(&ours), want);
            assert_eq!(ours, LineMap::from(tree.clone()));
            let collected: LineMap<u64> = tree.clone().into_iter().rev().collect();
            assert_eq!(pairs(&collected), want);
            assert_eq!(ours.clone().into_iter().collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn a_map_is_as_small_as_a_vector() {
        assert_eq!(std::mem::size_of::<LineMap<u64>>(), 24);
        assert_eq!(std::mem::size_of::<LineMap<crate::BranchCount>>(), 24);
    }

    #[test]
    fn one_line_is_inline_and_grows() {
        let mut m = LineMap::new();
        m.insert(4, 1u64);
        m.compact();
        assert!(matches!(m.0, Repr::One(_)));
        m.insert(2, 7);
        assert_eq!(pairs(&m), [(2, 7), (4, 1)]);
        assert_eq!(m.remove(&2), Some(7));
        assert_eq!(m.remove(&4), Some(1));
        assert!(m.is_empty());
        assert_eq!(m.remove(&4), None);
    }

    #[test]
    fn collect_keeps_the_last_value_and_serializes_as_a_map() {
        let m: LineMap<u64> = vec![(3, 1), (1, 2), (3, 9)].into_iter().collect();
        assert_eq!(pairs(&m), [(1, 2), (3, 9)]);
        let json = serde_json::to_string(&m).unwrap_or_default();
        assert_eq!(json, r#"{"1":2,"3":9}"#);
        let back: LineMap<u64> = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, m);
    }
}
