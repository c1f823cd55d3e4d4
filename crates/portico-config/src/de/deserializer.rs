//! The [`Deserializer`] wrapper: picks what the target type expects and lets
//! [`Lenient`] adapt what the inner deserializer finds.

use std::fmt;

use serde::de::{self, Deserialize, Visitor};

use super::capture::{Cx, ErrorCapture};
use super::lenient::{Expect, Lenient};

/// Wraps a serde deserializer and reads it the way Traefik does.
///
/// See the [module docs](crate::de) for the rules and an example.
pub struct Deserializer<'a, D> {
    de: D,
    cx: Cx<'a>,
}

/// Deserializes a `T` from `de` through the adapter.
///
/// See the [module docs](crate::de) for an example.
pub fn deserialize<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: de::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(Deserializer::new(de))
}

// === impl Deserializer ===

impl<D> Deserializer<'static, D> {
    /// Wraps `de`.
    pub fn new(de: D) -> Self {
        Self {
            de,
            cx: Cx::default(),
        }
    }
}

impl<'a, D> Deserializer<'a, D> {
    /// Wraps `de` and records the first error message in `capture`.
    pub fn with_capture(de: D, capture: &'a ErrorCapture) -> Self {
        Self {
            de,
            cx: Cx::new(Some(capture)),
        }
    }

    pub(crate) fn wrap(de: D, cx: Cx<'a>) -> Self {
        Self { de, cx }
    }

    fn lenient<V>(&self, visitor: V, expect: Expect) -> Lenient<'a, V> {
        Lenient::new(visitor, self.cx, expect)
    }
}

impl<D> fmt::Debug for Deserializer<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deserializer").finish_non_exhaustive()
    }
}

/// Numbers are read with `deserialize_any` so that strings can be parsed.
macro_rules! lenient_methods {
    ($expect:expr => $($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                let lenient = self.lenient(visitor, $expect);
                self.de.deserialize_any(lenient)
            }
        )*
    };
}

impl<'de, D> de::Deserializer<'de> for Deserializer<'_, D>
where
    D: de::Deserializer<'de>,
{
    type Error = D::Error;

    lenient_methods!(Expect::Any => deserialize_any);
    lenient_methods!(Expect::Bool => deserialize_bool);
    lenient_methods!(Expect::Int =>
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128);
    lenient_methods!(Expect::Float => deserialize_f32 deserialize_f64);
    lenient_methods!(Expect::Str => deserialize_char deserialize_str deserialize_string);
    lenient_methods!(Expect::Seq => deserialize_seq);
    lenient_methods!(Expect::Map => deserialize_map);

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let lenient = self.lenient(visitor, Expect::Any);
        self.de.deserialize_bytes(lenient)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let lenient = self.lenient(visitor, Expect::Any);
        self.de.deserialize_byte_buf(lenient)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let lenient = self.lenient(visitor, Expect::Any);
        self.de.deserialize_option(lenient)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let lenient = self.lenient(visitor, Expect::Any);
        self.de.deserialize_unit(lenient)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let lenient = self.lenient(visitor, Expect::Any);
        self.de.deserialize_unit_struct(name, lenient)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let lenient = self.lenient(visitor, Expect::Any);
        self.de.deserialize_newtype_struct(name, lenient)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let lenient = self.lenient(visitor, Expect::Struct(fields));
        self.de.deserialize_any(lenient)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let lenient = self.lenient(visitor, Expect::Any);
        self.de.deserialize_enum(name, variants, lenient)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let lenient = self.lenient(visitor, Expect::Any);
        self.de.deserialize_identifier(lenient)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}
