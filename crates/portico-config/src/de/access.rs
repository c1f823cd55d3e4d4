//! Wrappers for nested accesses (sequences, maps, enums) so the adapter
//! reaches every value, plus the synthetic accesses it builds itself.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::capture::Cx;
use super::deserializer::Deserializer;
use super::lenient::{Expect, Lenient};
use super::scalar;

/// A seed whose deserializer is wrapped in the adapter.
pub(crate) struct Seed<'a, S> {
    seed: S,
    cx: Cx<'a>,
}

/// A sequence whose elements go through the adapter.
pub(crate) struct Seq<'a, A> {
    seq: A,
    cx: Cx<'a>,
}

/// A map whose values go through the adapter; keys are matched to `fields`
/// (struct positions) or checked for duplicates (map positions).
pub(crate) struct Map<'a, A> {
    map: A,
    fields: Option<&'static [&'static str]>,
    seen: HashSet<String>,
    cx: Cx<'a>,
}

/// Deserializes one key: canonical field name, duplicate check.
struct KeySeed<'a, 's, K> {
    seed: K,
    fields: Option<&'static [&'static str]>,
    seen: Option<&'s mut HashSet<String>>,
    cx: Cx<'a>,
}

/// An enum whose contents go through the adapter.
pub(crate) struct Enum<'a, A> {
    data: A,
    cx: Cx<'a>,
}

/// The variant half of [`Enum`].
pub(crate) struct Variant<'a, A> {
    variant: A,
    cx: Cx<'a>,
}

/// A map with no entries: a section switched on with all defaults.
pub(crate) struct EmptyMap<E> {
    marker: PhantomData<E>,
}

/// A sequence made of strings: a comma list, or one scalar.
pub(crate) struct Pieces<'a, E> {
    pieces: std::vec::IntoIter<String>,
    cx: Cx<'a>,
    marker: PhantomData<E>,
}

/// A sequence rebuilt from an index-keyed map, in index order.
struct Indexed<'a, E> {
    items: std::vec::IntoIter<serde_json::Value>,
    cx: Cx<'a>,
    marker: PhantomData<E>,
}

/// A map key read as text, whatever scalar it was written as.
struct KeyText(String);

/// Reads a map with decimal index keys (or an empty map) as a sequence.
pub(crate) fn index_map_to_seq<'de, A, V>(
    mut map: A,
    visitor: V,
    cx: Cx<'_>,
) -> Result<V::Value, A::Error>
where
    A: de::MapAccess<'de>,
    V: Visitor<'de>,
{
    let mut items: Vec<(usize, serde_json::Value)> = Vec::new();
    while let Some(KeyText(key)) = cx.tap(map.next_key::<KeyText>())? {
        let Ok(index) = key.trim().parse::<usize>() else {
            return Err(cx.error(format!(
                "expected a list, found a map with key `{key}` (only a map of indices 0, 1, ... can stand for a list)"
            )));
        };
        if items.iter().any(|(seen, _)| *seen == index) {
            return Err(cx.error(format!("duplicate list index `{index}`")));
        }
        items.push((index, cx.tap(map.next_value::<serde_json::Value>())?));
    }
    items.sort_by_key(|(index, _)| *index);
    let items = items
        .into_iter()
        .map(|(_, value)| value)
        .collect::<Vec<_>>();
    cx.tap(visitor.visit_seq(Indexed {
        items: items.into_iter(),
        cx,
        marker: PhantomData,
    }))
}

// === impl Seed ===

impl<'a, S> Seed<'a, S> {
    fn new(seed: S, cx: Cx<'a>) -> Self {
        Self { seed, cx }
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Deserializer::wrap(de, self.cx))
    }
}

// === impl Seq ===

impl<'a, A> Seq<'a, A> {
    pub(crate) fn new(seq: A, cx: Cx<'a>) -> Self {
        Self { seq, cx }
    }
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Seq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.seq.next_element_seed(Seed::new(seed, self.cx))
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

// === impl Map ===

impl<'a, A> Map<'a, A> {
    pub(crate) fn new(map: A, fields: Option<&'static [&'static str]>, cx: Cx<'a>) -> Self {
        Self {
            map,
            fields,
            seen: HashSet::new(),
            cx,
        }
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Map<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        // Structs detect duplicate fields themselves.
        let seen = match self.fields {
            Some(_) => None,
            None => Some(&mut self.seen),
        };
        self.map.next_key_seed(KeySeed {
            seed,
            fields: self.fields,
            seen,
            cx: self.cx,
        })
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(Seed::new(seed, self.cx))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

// === impl KeySeed ===

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, '_, K> {
    type Value = K::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<K::Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de, K: DeserializeSeed<'de>> KeySeed<'_, '_, K> {
    fn key<E: de::Error>(self, key: &str) -> Result<K::Value, E> {
        let cx = self.cx;
        let value = match self
            .fields
            .and_then(|fields| scalar::canonical_field(fields, key))
        {
            Some(field) => self
                .seed
                .deserialize(BorrowedStrDeserializer::<E>::new(field)),
            None => self.seed.deserialize(StrDeserializer::<E>::new(key)),
        };
        let value = cx.tap(value)?;
        if let Some(seen) = self.seen
            && !seen.insert(key.to_owned())
        {
            return Err(cx.error(format!("duplicate key `{key}`")));
        }
        Ok(value)
    }
}

impl<'de, K: DeserializeSeed<'de>> Visitor<'de> for KeySeed<'_, '_, K> {
    type Value = K::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<K::Value, E> {
        self.key(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<K::Value, E> {
        self.key(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<K::Value, E> {
        self.key(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<K::Value, E> {
        self.key(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<K::Value, E> {
        self.key(&v.to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<K::Value, E> {
        self.key("")
    }
}

// === impl Enum ===

impl<'a, A> Enum<'a, A> {
    pub(crate) fn new(data: A, cx: Cx<'a>) -> Self {
        Self { data, cx }
    }
}

impl<'a, 'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Enum<'a, A> {
    type Error = A::Error;
    type Variant = Variant<'a, A::Variant>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), A::Error> {
        let cx = self.cx;
        let (value, variant) = self.data.variant_seed(Seed::new(seed, cx))?;
        Ok((value, Variant { variant, cx }))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Variant<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.variant.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.variant.newtype_variant_seed(Seed::new(seed, self.cx))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, A::Error> {
        let lenient = Lenient::new(visitor, self.cx, Expect::Seq);
        self.variant.tuple_variant(_len, lenient)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let lenient = Lenient::new(visitor, self.cx, Expect::Struct(fields));
        self.variant.struct_variant(fields, lenient)
    }
}

// === impl EmptyMap ===

impl<E> EmptyMap<E> {
    pub(crate) fn new() -> Self {
        Self {
            marker: PhantomData,
        }
    }
}

impl<'de, E: de::Error> de::MapAccess<'de> for EmptyMap<E> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, _seed: K) -> Result<Option<K::Value>, E> {
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, _seed: V) -> Result<V::Value, E> {
        Err(E::custom(
            "internal error: value requested from an empty map",
        ))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(0)
    }
}

// === impl Pieces ===

impl<'a, E> Pieces<'a, E> {
    pub(crate) fn new(pieces: Vec<String>, cx: Cx<'a>) -> Self {
        Self {
            pieces: pieces.into_iter(),
            cx,
            marker: PhantomData,
        }
    }
}

impl<'de, E: de::Error> de::SeqAccess<'de> for Pieces<'_, E> {
    type Error = E;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, E> {
        let Some(piece) = self.pieces.next() else {
            return Ok(None);
        };
        let de: StringDeserializer<E> = piece.into_deserializer();
        seed.deserialize(Deserializer::wrap(de, self.cx)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.pieces.len())
    }
}

// === impl Indexed ===

impl<'de, E: de::Error> de::SeqAccess<'de> for Indexed<'_, E> {
    type Error = E;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, E> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        seed.deserialize(Deserializer::wrap(value, self.cx))
            .map(Some)
            .map_err(E::custom)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

// === impl KeyText ===

impl<'de> de::Deserialize<'de> for KeyText {
    fn deserialize<D: de::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct KeyTextVisitor;

        impl Visitor<'_> for KeyTextVisitor {
            type Value = KeyText;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list index")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_owned()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
        }

        de.deserialize_any(KeyTextVisitor)
    }
}
