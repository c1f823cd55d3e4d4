//! The visitor that adapts what the inner deserializer found to what the
//! target type expects.

use std::fmt;

use serde::de::{self, Unexpected, Visitor};

use super::access::{EmptyMap, Enum, Map, Pieces, Seq, index_map_to_seq};
use super::capture::Cx;
use super::deserializer::Deserializer;
use super::scalar::{self, Integer, SECTION_OFF, Switch};

/// What the target type asked for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect {
    /// Whatever is there (also options, newtypes, enums).
    Any,
    Bool,
    Int,
    Float,
    Str,
    Seq,
    Map,
    /// A struct with these field names.
    Struct(&'static [&'static str]),
}

/// Wraps the target's visitor; converts scalars and wraps nested accesses.
pub(crate) struct Lenient<'a, V> {
    visitor: V,
    cx: Cx<'a>,
    expect: Expect,
}

// === impl Lenient ===

impl<'a, V> Lenient<'a, V> {
    pub(crate) fn new(visitor: V, cx: Cx<'a>, expect: Expect) -> Self {
        Self {
            visitor,
            cx,
            expect,
        }
    }
}

impl<'de, V: Visitor<'de>> Lenient<'_, V> {
    /// A scalar found where a string or a list is expected, as text.
    fn scalar_text<E: de::Error>(self, text: String) -> Result<V::Value, E> {
        let cx = self.cx;
        match self.expect {
            Expect::Str => cx.tap(self.visitor.visit_string(text)),
            Expect::Seq => cx.tap(self.visitor.visit_seq(Pieces::new(vec![text], cx))),
            _ => unreachable_expect(),
        }
    }

    /// Applies a conversion found by [`convert`].
    fn converted<E: de::Error>(self, converted: Converted) -> Result<V::Value, E> {
        let cx = self.cx;
        let result = match converted {
            Converted::Bool(v) => self.visitor.visit_bool(v),
            Converted::Int(Integer::Signed(n)) => self.visitor.visit_i64(n),
            Converted::Int(Integer::Unsigned(n)) => self.visitor.visit_u64(n),
            Converted::Float(v) => self.visitor.visit_f64(v),
            Converted::List(pieces) => self.visitor.visit_seq(Pieces::new(pieces, cx)),
            Converted::SectionOn => self.visitor.visit_map(EmptyMap::new()),
            Converted::SectionOff => return Err(cx.error(SECTION_OFF)),
        };
        cx.tap(result)
    }

    /// Null (or an absent value) where the target is not an `Option`.
    fn empty<E: de::Error>(self, unit: bool) -> Result<V::Value, E> {
        let cx = self.cx;
        let result = match self.expect {
            Expect::Str => self.visitor.visit_str(""),
            Expect::Seq => self.visitor.visit_seq(Pieces::new(Vec::new(), cx)),
            Expect::Map | Expect::Struct(_) => self.visitor.visit_map(EmptyMap::new()),
            _ if unit => self.visitor.visit_unit(),
            _ => self.visitor.visit_none(),
        };
        cx.tap(result)
    }
}

/// What a string found in the input stands for, given what is expected.
enum Converted {
    Bool(bool),
    Int(Integer),
    Float(f64),
    List(Vec<String>),
    SectionOn,
    SectionOff,
}

/// Reads `text` as the expected kind; `None` leaves it a string.
fn convert(expect: Expect, text: &str) -> Option<Converted> {
    match expect {
        Expect::Bool => scalar::parse_bool(text).map(Converted::Bool),
        Expect::Int => scalar::parse_int(text).map(Converted::Int),
        Expect::Float => scalar::parse_float(text).map(Converted::Float),
        Expect::Seq => Some(Converted::List(scalar::split_list(text))),
        Expect::Struct(_) => match scalar::section_switch(text) {
            Switch::On => Some(Converted::SectionOn),
            Switch::Off => Some(Converted::SectionOff),
            Switch::Other => None,
        },
        Expect::Any | Expect::Str | Expect::Map => None,
    }
}

/// `scalar_text` is only called for `Expect::Str` and `Expect::Seq`.
fn unreachable_expect<T, E: de::Error>() -> Result<T, E> {
    Err(E::custom("internal error: unexpected conversion"))
}

/// Forwards a number or bool: as text where a string or list is expected.
macro_rules! visit_scalar {
    ($($method:ident($ty:ty);)*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                match self.expect {
                    Expect::Str | Expect::Seq => self.scalar_text(v.to_string()),
                    _ => {
                        let cx = self.cx;
                        cx.tap(self.visitor.$method(v))
                    }
                }
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Lenient<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    visit_scalar! {
        visit_i64(i64);
        visit_u64(u64);
        visit_i128(i128);
        visit_u128(u128);
        visit_f64(f64);
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        let cx = self.cx;
        match self.expect {
            Expect::Str | Expect::Seq => self.scalar_text(v.to_string()),
            Expect::Struct(_) if v => cx.tap(self.visitor.visit_map(EmptyMap::new())),
            Expect::Struct(_) => Err(cx.error(SECTION_OFF)),
            _ => cx.tap(self.visitor.visit_bool(v)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let cx = self.cx;
        match convert(self.expect, v) {
            Some(converted) => self.converted(converted),
            None => cx.tap(self.visitor.visit_str(v)),
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        let cx = self.cx;
        match convert(self.expect, v) {
            Some(converted) => self.converted(converted),
            None => cx.tap(self.visitor.visit_borrowed_str(v)),
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        let cx = self.cx;
        match convert(self.expect, &v) {
            Some(converted) => self.converted(converted),
            None => cx.tap(self.visitor.visit_string(v)),
        }
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        let cx = self.cx;
        cx.tap(self.visitor.visit_bytes(v))
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        let cx = self.cx;
        cx.tap(self.visitor.visit_borrowed_bytes(v))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        let cx = self.cx;
        cx.tap(self.visitor.visit_byte_buf(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.empty(false)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.empty(true)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        let cx = self.cx;
        cx.tap(self.visitor.visit_some(Deserializer::wrap(de, cx)))
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        de: D,
    ) -> Result<Self::Value, D::Error> {
        let cx = self.cx;
        cx.tap(
            self.visitor
                .visit_newtype_struct(Deserializer::wrap(de, cx)),
        )
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let cx = self.cx;
        match self.expect {
            // A derived struct would read a sequence positionally; refuse it.
            Expect::Struct(_) => Err(cx.note(de::Error::invalid_type(
                Unexpected::Seq,
                &"a map of options",
            ))),
            _ => cx.tap(self.visitor.visit_seq(Seq::new(seq, cx))),
        }
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let cx = self.cx;
        match self.expect {
            Expect::Seq => index_map_to_seq(map, self.visitor, cx),
            Expect::Struct(fields) => {
                cx.tap(self.visitor.visit_map(Map::new(map, Some(fields), cx)))
            }
            _ => cx.tap(self.visitor.visit_map(Map::new(map, None, cx))),
        }
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let cx = self.cx;
        cx.tap(self.visitor.visit_enum(Enum::new(data, cx)))
    }
}
