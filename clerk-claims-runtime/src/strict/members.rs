//! What the strict pass hands on besides the caller's type: the top-level members captured as
//! their JSON text ([`Members`]), the members read straight into typed places ([`Slots`]), and the
//! deserializers that give a captured or slotted member to the target as well.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde_json::value::RawValue;

use super::{Strict, check_raw, has_escape, same};

/// Top-level members kept as their JSON text while reading, in payload order.
#[derive(Debug, Default)]
pub(crate) struct Members<'de> {
    pub(super) members: Vec<(Cow<'de, str>, &'de RawValue)>,
}

impl<'de> Members<'de> {
    /// The member's JSON text.
    pub(crate) fn get(&self, name: &str) -> Option<&'de RawValue> {
        self.members.iter().find(|(key, _)| same(key, name)).map(|(_, raw)| *raw)
    }

    /// The member as a JSON value.
    pub(crate) fn value(&self, name: &str) -> Option<serde_json::Value> {
        // Captured text has been parsed once already, so it parses again.
        self.get(name).map(|raw| serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null))
    }

    /// The member when it is a JSON string, borrowed from the payload when it has no escapes.
    pub(crate) fn string(&self, name: &str) -> Option<Cow<'de, str>> {
        let text = self.get(name)?.get();
        let inner = text.strip_prefix('"')?.strip_suffix('"')?;
        if has_escape(inner) {
            serde_json::from_str::<String>(text).ok().map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(inner))
        }
    }

    /// The members as a map read into `T`.
    pub(crate) fn deserialize<T: Deserialize<'de>>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(de::value::MapDeserializer::new(
            self.members.iter().map(|(key, raw)| (key.as_ref(), *raw)),
        ))
    }
}

/// Top-level members read into typed places as the strict pass meets them, rather than kept as text
/// and read again afterwards: claims the caller's type usually ignores (a session token's `o`,
/// `fva`, `fea`, ...). A member that is also captured, or that the type reads as well, is read
/// from its captured text.
pub(crate) trait Slots<'de> {
    /// The slot that top-level member `key` is read into, if any.
    fn slot(&self, key: &str) -> Option<u8>;
    /// Reads `value` into `slot`.
    fn read<D: Deserializer<'de>>(&mut self, slot: u8, value: D) -> Result<(), D::Error>;
}

/// No slots.
impl<'de> Slots<'de> for () {
    fn slot(&self, _: &str) -> Option<u8> {
        None
    }
    fn read<D: Deserializer<'de>>(&mut self, _: u8, _: D) -> Result<(), D::Error> {
        Ok(())
    }
}

/// A captured member's text, checked already, handed to the target: read as serde_json reads a
/// `RawValue`, except that a value the target ignores is not walked a second time (serde_json
/// itself answers an ignored value with a unit once it has skipped it).
pub(super) struct Captured<'de>(pub(super) &'de RawValue);

/// `$forward! { ... }` with every `Deserializer` method but `deserialize_ignored_any` (which the
/// wrappers answer themselves), each with its arguments before the visitor.
macro_rules! every_method_but_ignored_any {
    ($forward:ident) => {
        $forward! {
            deserialize_any() deserialize_bool() deserialize_i8() deserialize_i16() deserialize_i32()
            deserialize_i64() deserialize_i128() deserialize_u8() deserialize_u16() deserialize_u32()
            deserialize_u64() deserialize_u128() deserialize_f32() deserialize_f64() deserialize_char()
            deserialize_str() deserialize_string() deserialize_bytes() deserialize_byte_buf()
            deserialize_option() deserialize_unit() deserialize_seq() deserialize_map() deserialize_identifier()
            deserialize_unit_struct(name: &'static str)
            deserialize_newtype_struct(name: &'static str)
            deserialize_tuple(len: usize)
            deserialize_tuple_struct(name: &'static str, len: usize)
            deserialize_struct(name: &'static str, fields: &'static [&'static str])
            deserialize_enum(name: &'static str, variants: &'static [&'static str])
        }
    };
}

macro_rules! forward_captured {
    ($($method:ident($($arg:ident: $ty:ty),*))*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, serde_json::Error> {
            self.0.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for Captured<'de> {
    type Error = serde_json::Error;

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        visitor.visit_unit()
    }
    every_method_but_ignored_any!(forward_captured);
}

/// A member with a slot, handed to the target's seed as [`SlotValue`].
pub(super) struct SlotSeed<'s, V, S> {
    pub(super) seed: V,
    pub(super) slot: u8,
    pub(super) slots: &'s mut S,
    pub(super) depth: usize,
}

impl<'de, V: DeserializeSeed<'de>, S: Slots<'de>> DeserializeSeed<'de> for SlotSeed<'_, V, S> {
    type Value = V::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        let SlotSeed { seed, slot, slots, depth } = self;
        seed.deserialize(SlotValue { inner: d, slot, slots, depth })
    }
}

/// A member with a slot: when the target ignores it (the usual case), it is read into the slot
/// straight from the input; when the target reads it too, its text is captured, checked, and read
/// by both.
struct SlotValue<'s, D, S> {
    inner: D,
    slot: u8,
    slots: &'s mut S,
    depth: usize,
}

impl<'de, D: Deserializer<'de>, S: Slots<'de>> SlotValue<'_, D, S> {
    /// The member's text, checked and read into the slot.
    fn captured(self) -> Result<Captured<'de>, D::Error> {
        let raw = <&RawValue>::deserialize(self.inner)?;
        check_raw(raw, self.depth).map_err(de::Error::custom)?;
        self.slots.read(self.slot, raw).map_err(de::Error::custom)?;
        Ok(Captured(raw))
    }
}

macro_rules! forward_slot_value {
    ($($method:ident($($arg:ident: $ty:ty),*))*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.captured()?.$method($($arg,)* visitor).map_err(de::Error::custom)
        }
    )*};
}

impl<'de, D: Deserializer<'de>, S: Slots<'de>> Deserializer<'de> for SlotValue<'_, D, S> {
    type Error = D::Error;

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.slots.read(self.slot, Strict { inner: self.inner, depth: self.depth })?;
        visitor.visit_unit()
    }
    every_method_but_ignored_any!(forward_slot_value);
}
