//! The strict JSON reader: one pass over a header or payload that refuses duplicate keys (at every
//! level) and nesting deeper than [`MAX_NESTING`], reads the caller's type from it, keeps the text of
//! the named top-level members for the policy, and reads other top-level members straight into
//! typed [`Slots`].
//!
//! It wraps serde_json's deserializer rather than parsing twice: every object the target type reads
//! (or skips) passes through [`StrictMap`], which remembers its keys; every value the target ignores
//! is still walked, so a duplicate inside an ignored claim is refused as well.
//!
//! This file is the strictness wrapper and the duplicate-key tracking; [`members`] holds what the
//! top level hands on besides the target: captured members and slots. Both `claims` and `verify`
//! read through it.

use std::borrow::Cow;
use std::collections::HashSet;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, Visitor};
use serde_json::value::RawValue;
use smallvec::SmallVec;

use crate::error::{Reason, VerifyError};

mod members;

use members::{Captured, SlotSeed};
pub(crate) use members::{Members, Slots};

/// Deepest JSON nesting accepted in a header or payload.
pub const MAX_NESTING: usize = 32;

const DUPLICATE_KEY: &str = "duplicate key";
const TOO_DEEP: &str = "nested too deep";
/// The newtype name serde_json gives a `RawValue` (its text is checked before it is handed over).
/// serde_json keeps this token private and offers no public way to recognise a `RawValue` request,
/// so the name is written out here; `raw_values_are_checked_before_they_are_handed_over` fails if
/// a serde_json release renames it.
const RAW_VALUE_NAME: &str = "$serde_json::private::RawValue";

/// Reads `bytes` (a JSON object and nothing after it) as `T` in one strict pass, keeping the
/// top-level members named in `capture` and reading those `slots` has a slot for. Errors are
/// serde_json's, or the strict checks' (see [`strict_error`]).
fn read_object<'de, T: Deserialize<'de>, S: Slots<'de>>(
    bytes: &'de [u8],
    capture: &[&str],
    slots: &mut S,
) -> Result<(T, Members<'de>), serde_json::Error> {
    // Checking the UTF-8 once up front spares serde_json checking each string and captured member.
    match std::str::from_utf8(bytes) {
        Ok(text) => read_from(serde_json::Deserializer::from_str(text), capture, slots),
        // serde_json reports where the bad byte is.
        Err(_) => read_from(serde_json::Deserializer::from_slice(bytes), capture, slots),
    }
}

fn read_from<'de, R: serde_json::de::Read<'de>, T: Deserialize<'de>, S: Slots<'de>>(
    mut de: serde_json::Deserializer<R>,
    capture: &[&str],
    slots: &mut S,
) -> Result<(T, Members<'de>), serde_json::Error> {
    let mut members = Members { members: Vec::with_capacity(capture.len()) };
    let top = Top { names: capture, members: &mut members, slots };
    let value = T::deserialize(Object { inner: &mut de, top })?;
    de.end()?;
    Ok((value, members))
}

/// [`read_object`] for a token's header or payload: a wrong form (not a JSON object, a duplicate key,
/// too deep) is refused; members that do not fit `T` or their slot give `None` for `T` (the slots
/// then hold what was read before, to be read again), the captured members still kept (the check
/// alone runs again to tell the two apart).
pub(crate) fn read_checked<'de, T: Deserialize<'de>, S: Slots<'de>>(
    bytes: &'de [u8],
    capture: &[&str],
    slots: &mut S,
) -> Result<(Option<T>, Members<'de>), VerifyError> {
    match read_object::<T, S>(bytes, capture, slots) {
        Ok((value, members)) => Ok((Some(value), members)),
        Err(_) => check_object(bytes, capture).map(|members| (None, members)),
    }
}

/// [`read_object`] reading nothing but the captured members: the check alone.
pub(crate) fn check_object<'de>(bytes: &'de [u8], capture: &[&str]) -> Result<Members<'de>, VerifyError> {
    read_object::<(), ()>(bytes, capture, &mut ()).map(|((), members)| members).map_err(|e| strict_error(&e))
}

/// What a failed strict read means for a token: a duplicate key, too deep, or not decodable.
#[cold]
fn strict_error(e: &serde_json::Error) -> VerifyError {
    let message = e.to_string();
    if message.starts_with(DUPLICATE_KEY) {
        VerifyError::new(Reason::TokenInvalid, "Invalid JWT form. The header or payload has a duplicate key.")
    } else if message.starts_with(TOO_DEEP) {
        VerifyError::new(
            Reason::TokenInvalid,
            format!("Invalid JWT form. The header or payload is nested deeper than {MAX_NESTING} levels."),
        )
    } else {
        VerifyError::new(
            Reason::TokenInvalid,
            "Invalid JWT form. The header, payload, or signature could not be decoded.",
        )
    }
}

/// What the top-level object's members go to besides the target: the names captured as text (into
/// `members`) and the slots.
struct Top<'c, 'de, S> {
    names: &'c [&'c str],
    members: &'c mut Members<'de>,
    slots: &'c mut S,
}

/// The top level: always read as an object, whatever `T` asks for. A type with nothing to read
/// (`()`, a unit struct) gets the object walked and a unit.
struct Object<'c, 'de, D, S> {
    inner: D,
    top: Top<'c, 'de, S>,
}

impl<'de, D: Deserializer<'de>, S: Slots<'de>> Object<'_, 'de, D, S> {
    fn map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let Object { inner, top } = self;
        inner.deserialize_map(ObjectVisitor { visitor, top })
    }
}

impl<'de, D: Deserializer<'de>, S: Slots<'de>> Deserializer<'de> for Object<'_, 'de, D, S> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.map(visitor)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.map(Unit(visitor))
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.map(Unit(visitor))
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        visitor.visit_some(self)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        visitor.visit_newtype_struct(self)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// A visitor that reads nothing: the object is walked (strictly), then the unit is visited.
struct Unit<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for Unit<V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.expecting(f)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        while map.next_key::<de::IgnoredAny>()?.is_some() {
            map.next_value::<de::IgnoredAny>()?;
        }
        self.0.visit_unit()
    }
}

struct ObjectVisitor<'c, 'de, V, S> {
    visitor: V,
    top: Top<'c, 'de, S>,
}

impl<'de, V: Visitor<'de>, S: Slots<'de>> Visitor<'de> for ObjectVisitor<'_, 'de, V, S> {
    type Value = V::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.visitor.expecting(f)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let ObjectVisitor { visitor, top } = self;
        visitor.visit_map(StrictMap {
            inner: map,
            depth: 1,
            keys: Keys::default(),
            top: Some(top),
            captured: None,
            slot: None,
        })
    }
}

/// One value of the input, checked as it is read: every object and array below it goes through
/// [`StrictMap`] / [`StrictSeq`].
struct Strict<D> {
    inner: D,
    depth: usize,
}

impl<D> Strict<D> {
    fn visitor<V>(&self, visitor: V) -> CheckedVisitor<V> {
        CheckedVisitor { inner: visitor, depth: self.depth }
    }
}

macro_rules! forward_checked {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            let checked = self.visitor(visitor);
            self.inner.$method(checked)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward_checked! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit deserialize_seq
        deserialize_map deserialize_identifier
    }

    /// An ignored value is walked like any other: a duplicate key is refused even where nothing
    /// reads it.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let checked = self.visitor(visitor);
        self.inner.deserialize_any(checked)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let checked = self.visitor(visitor);
        self.inner.deserialize_unit_struct(name, checked)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        if name == RAW_VALUE_NAME {
            // A `RawValue` keeps its text: check the text, then hand it over as serde_json would.
            let raw = <&RawValue>::deserialize(self.inner)?;
            check_raw(raw, self.depth).map_err(de::Error::custom)?;
            return raw.deserialize_newtype_struct(name, visitor).map_err(de::Error::custom);
        }
        let checked = self.visitor(visitor);
        self.inner.deserialize_newtype_struct(name, checked)
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
        let checked = self.visitor(visitor);
        self.inner.deserialize_tuple(len, checked)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let checked = self.visitor(visitor);
        self.inner.deserialize_tuple_struct(name, len, checked)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let checked = self.visitor(visitor);
        self.inner.deserialize_struct(name, fields, checked)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let checked = self.visitor(visitor);
        self.inner.deserialize_enum(name, variants, checked)
    }
    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// Whether JSON string text has an escape (a backslash).
fn has_escape(text: &str) -> bool {
    memchr::memchr(b'\\', text.as_bytes()).is_some()
}

/// Checks the text of a captured member (or a `RawValue`) found at `depth`.
fn check_raw(raw: &RawValue, depth: usize) -> Result<(), serde_json::Error> {
    let text = raw.get();
    let mut de = serde_json::Deserializer::from_str(text);
    if text.starts_with(['{', '[']) {
        de::IgnoredAny::deserialize(Strict { inner: &mut de, depth })?;
    } else if text.starts_with('"') && has_escape(text) {
        // Capturing checks an escape's syntax, not what it decodes to (a lone surrogate).
        String::deserialize(&mut de)?;
    } else {
        // Other scalars: serde_json has validated their syntax while capturing.
        return Ok(());
    }
    de.end()
}

/// A value's seed, with the value read through [`Strict`].
struct StrictSeed<S> {
    seed: S,
    depth: usize,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for StrictSeed<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Strict { inner: d, depth: self.depth })
    }
}

/// A visitor seeing objects, arrays, options and enums through the strict wrappers.
struct CheckedVisitor<V> {
    inner: V,
    depth: usize,
}

impl<V> CheckedVisitor<V> {
    fn deeper<E: de::Error>(&self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > MAX_NESTING { Err(E::custom(TOO_DEEP)) } else { Ok(depth) }
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for CheckedVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.expecting(f)
    }
    forward_visit! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
        visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128) visit_f32(f32)
        visit_f64(f64) visit_char(char) visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
        visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Strict { inner: d, depth: self.depth })
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Strict { inner: d, depth: self.depth })
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let depth = self.deeper()?;
        self.inner.visit_seq(StrictSeq { inner: seq, depth })
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let depth = self.deeper()?;
        let keys = Keys::default();
        self.inner.visit_map(StrictMap::<A, ()> {
            inner: map,
            depth,
            keys,
            top: None,
            captured: None,
            slot: None,
        })
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        // `{"Variant": value}`: the variant's value is one level down.
        let depth = self.deeper()?;
        self.inner.visit_enum(StrictEnum { inner: data, depth })
    }
}

struct StrictSeq<A> {
    inner: A,
    depth: usize,
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for StrictSeq<A> {
    type Error = A::Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.inner.next_element_seed(StrictSeed { seed, depth: self.depth })
    }
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// An object's members: each key checked against the keys before it ([`Keys`]), each value read
/// through [`Strict`]. The top level's (`top`) also go to the captured members and the slots.
struct StrictMap<'c, 'de, A, S> {
    inner: A,
    depth: usize,
    keys: Keys<'de>,
    top: Option<Top<'c, 'de, S>>,
    /// The current member's text when it was captured: its value is read from it.
    captured: Option<&'de RawValue>,
    /// The current member's slot when it has one and was not captured.
    slot: Option<u8>,
}

impl<'de, A: de::MapAccess<'de>, S: Slots<'de>> de::MapAccess<'de> for StrictMap<'_, 'de, A, S> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.inner.next_key_seed(KeySeed)? else {
            return Ok(None);
        };
        if !self.keys.insert(key.clone()) {
            return Err(de::Error::custom(DUPLICATE_KEY));
        }
        self.captured = None;
        self.slot = None;
        if let Some(top) = &mut self.top {
            let slot = top.slots.slot(&key);
            if top.names.iter().any(|name| same(name, &key)) {
                let raw: &'de RawValue = self.inner.next_value()?;
                check_raw(raw, self.depth).map_err(de::Error::custom)?;
                if let Some(slot) = slot {
                    top.slots.read(slot, raw).map_err(de::Error::custom)?;
                }
                top.members.members.push((key.clone(), raw));
                self.captured = Some(raw);
            } else {
                self.slot = slot;
            }
        }
        let value = seed.deserialize(KeyDeserializer { key, error: PhantomData })?;
        Ok(Some(value))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        if self.captured.is_some() || self.slot.is_some() {
            return self.next_top_value(seed);
        }
        self.inner.next_value_seed(StrictSeed { seed, depth: self.depth })
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: de::MapAccess<'de>, S: Slots<'de>> StrictMap<'_, 'de, A, S> {
    /// The value of a captured member, or of one with a slot. Kept out of line: the target's code
    /// for each of its fields then holds only the plain path, which is what most fields take.
    #[inline(never)]
    fn next_top_value<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        if let Some(raw) = self.captured.take() {
            return seed.deserialize(Captured(raw)).map_err(de::Error::custom);
        }
        let depth = self.depth;
        match (self.slot.take(), &mut self.top) {
            (Some(slot), Some(top)) => {
                self.inner.next_value_seed(SlotSeed { seed, slot, slots: &mut *top.slots, depth })
            }
            _ => self.inner.next_value_seed(StrictSeed { seed, depth }),
        }
    }
}

struct StrictEnum<A> {
    inner: A,
    depth: usize,
}

impl<'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for StrictEnum<A> {
    type Error = A::Error;
    type Variant = StrictEnum<A::Variant>;
    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.inner.variant_seed(seed)?;
        Ok((value, StrictEnum { inner: variant, depth: self.depth }))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for StrictEnum<A> {
    type Error = A::Error;
    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }
    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.inner.newtype_variant_seed(StrictSeed { seed, depth: self.depth })
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner.tuple_variant(len, CheckedVisitor { inner: visitor, depth: self.depth })
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner.struct_variant(fields, CheckedVisitor { inner: visitor, depth: self.depth })
    }
}

/// Objects up to this many keys are checked for duplicates by comparing each key with those before
/// it; larger ones (never Clerk's) through a hash set, so a header of thousands of keys costs a
/// linear, not a quadratic, check before the signature is.
const SCANNED_KEYS: usize = 32;

/// The keys of one object so far.
#[derive(Default)]
struct Keys<'de> {
    /// Bit [`hint`] of every key in `scanned`: a key whose bit is clear is new without a comparison,
    /// which is most keys of an object of a few dozen.
    hints: u64,
    /// On the stack: checking an object's keys allocates nothing.
    scanned: SmallVec<[Cow<'de, str>; SCANNED_KEYS]>,
    /// All of them, once there are more than [`SCANNED_KEYS`].
    hashed: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> Keys<'de> {
    /// Adds `key`; `false` when it was there already.
    fn insert(&mut self, key: Cow<'de, str>) -> bool {
        if self.hashed.is_none() && self.scanned.len() < SCANNED_KEYS {
            let bit = 1 << hint(&key);
            if self.hints & bit != 0 && self.scanned.iter().any(|seen| same(seen, &key)) {
                return false;
            }
            self.hints |= bit;
            self.scanned.push(key);
            return true;
        }
        self.insert_hashed(key)
    }

    /// [`Keys::insert`] for an object past [`SCANNED_KEYS`] keys.
    #[cold]
    fn insert_hashed(&mut self, key: Cow<'de, str>) -> bool {
        let scanned = &mut self.scanned;
        self.hashed.get_or_insert_with(|| scanned.drain(..).collect()).insert(key)
    }
}

/// Which of 64 bits a key sets in [`Keys::hints`]: its length, first, middle and last bytes, mixed
/// (Clerk's claims are mostly three letters long, so all four count).
fn hint(key: &str) -> u32 {
    let bytes = key.as_bytes();
    let byte = |i: usize| u32::from(bytes.get(i).copied().unwrap_or(0));
    let len = bytes.len();
    let packed = byte(0) | byte(len / 2) << 8 | byte(len.wrapping_sub(1)) << 16 | (len as u32) << 24;
    // Fibonacci hashing: the top six bits of the product.
    packed.wrapping_mul(0x9E37_79B9) >> 26
}

/// Whether two keys are equal, deciding most pairs on their length and first byte: keys are short
/// and many share a length, so this saves a call to `memcmp` for nearly every pair.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// A JSON string's text, borrowed from the input when it has no escapes (serde's own `Cow<str>`
/// always copies).
pub(crate) struct Text<'de>(Cow<'de, str>);

impl Text<'_> {
    /// The string.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// An optional member's string, when it is there.
    pub(crate) fn of<'a>(member: &'a Option<Text<'_>>) -> Option<&'a str> {
        member.as_ref().map(Text::as_str)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        KeySeed.deserialize(d).map(Text)
    }
}

/// Reads a key (or any string) as text, borrowed from the input when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

/// A key already read, handed to the target's key seed the way serde_json would: as a string, or
/// parsed for integer-keyed maps, or as a unit variant for enum-keyed ones.
struct KeyDeserializer<'de, E> {
    key: Cow<'de, str>,
    error: PhantomData<E>,
}

macro_rules! integer_key {
    ($($method:ident $visit:ident $ty:ty)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
            match self.key.parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(E::invalid_type(de::Unexpected::Str(&self.key), &visitor)),
            }
        }
    )*};
}

impl<'de, E: de::Error> Deserializer<'de> for KeyDeserializer<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.key {
            Cow::Borrowed(key) => visitor.visit_borrowed_str(key),
            Cow::Owned(key) => visitor.visit_string(key),
        }
    }
    integer_key! {
        deserialize_i8 visit_i8 i8 deserialize_i16 visit_i16 i16 deserialize_i32 visit_i32 i32
        deserialize_i64 visit_i64 i64 deserialize_i128 visit_i128 i128 deserialize_u8 visit_u8 u8
        deserialize_u16 visit_u16 u16 deserialize_u32 visit_u32 u32 deserialize_u64 visit_u64 u64
        deserialize_u128 visit_u128 u128
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.key {
            Cow::Borrowed(key) => {
                de::value::BorrowedStrDeserializer::new(key).deserialize_enum(name, variants, visitor)
            }
            Cow::Owned(key) => key.into_deserializer().deserialize_enum(name, variants, visitor),
        }
    }
    serde::forward_to_deserialize_any! {
        bool f32 f64 char str string bytes byte_buf option unit unit_struct seq tuple tuple_struct map
        struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Deserialize;
    use serde_json::Value;

    use super::*;

    fn read<T: de::DeserializeOwned>(json: &str) -> Result<T, String> {
        read_object::<T, ()>(json.as_bytes(), &[], &mut ())
            .map(|(value, _)| value)
            .map_err(|e| strict_error(&e).message)
    }

    const DUPLICATE: &str = "Invalid JWT form. The header or payload has a duplicate key.";

    #[test]
    fn duplicates_are_refused_where_the_type_reads_and_where_it_ignores() {
        #[derive(Deserialize, Debug)]
        struct Reads {
            #[allow(dead_code)]
            meta: Value,
        }
        assert_eq!(read::<Reads>(r#"{"meta": {"a": 1, "a": 2}}"#).unwrap_err(), DUPLICATE);
        assert_eq!(read::<Reads>(r#"{"meta": {}, "other": [{"b": 1, "b": 1}]}"#).unwrap_err(), DUPLICATE);
        assert_eq!(read::<()>(r#"{"x": 1, "x": 1}"#).unwrap_err(), DUPLICATE);
        assert_eq!(read::<Value>(r#"{"x": {"y": {"z": 1, "z": 1}}}"#).unwrap_err(), DUPLICATE);
        // One key spelled two ways is still one key.
        assert_eq!(read::<()>(r#"{"sub": 1, "s\u0075b": 2}"#).unwrap_err(), DUPLICATE);
        assert!(read::<Reads>(r#"{"meta": {"a": 1, "b": {"a": 1}}, "a": 1}"#).is_ok());
    }

    #[test]
    fn wide_objects_are_checked_past_the_keys_compared_one_by_one() {
        let object = |n: usize, extra: &str| {
            let keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\": {i}")).collect();
            format!("{{{}{extra}}}", keys.join(", "))
        };
        for n in [SCANNED_KEYS - 1, SCANNED_KEYS, SCANNED_KEYS + 1, 600] {
            assert!(read::<()>(&object(n, "")).is_ok(), "{n} keys");
            assert!(read::<Value>(&format!("{{\"o\": {}}}", object(n, ""))).is_ok(), "{n} keys");
            let last = format!("k{}", n - 1);
            for again in ["k0", "\\u006b0", &last] {
                let duplicated = object(n, &format!(", \"{again}\": 0"));
                assert_eq!(read::<()>(&duplicated).unwrap_err(), DUPLICATE, "{n} keys, {again}");
                let nested = format!("{{\"o\": {duplicated}}}");
                assert_eq!(read::<Value>(&nested).unwrap_err(), DUPLICATE, "{n} keys, {again}");
            }
        }
    }

    #[test]
    fn nesting_is_bounded_at_every_depth() {
        let nested = |depth: usize| format!("{{\"a\": {}1{}}}", "[".repeat(depth - 1), "]".repeat(depth - 1));
        assert!(read::<Value>(&nested(MAX_NESTING)).is_ok());
        assert!(read::<()>(&nested(MAX_NESTING)).is_ok());
        let too_deep = read::<()>(&nested(MAX_NESTING + 1)).unwrap_err();
        assert!(too_deep.contains("deeper than 32"), "{too_deep}");
        assert!(read::<Value>(&nested(MAX_NESTING + 1)).unwrap_err().contains("deeper"));
    }

    #[test]
    fn the_top_level_is_an_object_whatever_the_type() {
        #[derive(Deserialize, Debug)]
        struct Pair {
            #[allow(dead_code)]
            a: u8,
        }
        // serde_json alone would read a struct from an array.
        assert!(serde_json::from_str::<Pair>("[1]").is_ok());
        assert!(read::<Pair>("[1]").unwrap_err().contains("could not be decoded"));
        assert!(read::<()>("1").is_err());
        assert!(read::<()>(r#"{"a": 1} x"#).is_err());
        assert!(read::<()>("{}").is_ok());
    }

    #[test]
    fn captured_members_are_read_by_the_type_too_and_checked() {
        #[derive(Deserialize, Debug)]
        struct Both {
            sub: String,
            n: BTreeMap<u32, bool>,
        }
        let json = br#"{"sub": "user_\u0031", "n": {"7": true}, "o": {"id": "org"}, "exp": 5}"#;
        let (both, members) = read_object::<Both, ()>(json, &["sub", "o", "exp", "absent"], &mut ()).unwrap();
        assert_eq!((both.sub.as_str(), both.n[&7]), ("user_1", true));
        assert_eq!(members.string("sub").as_deref(), Some("user_1"));
        assert_eq!(members.get("o").map(|raw| raw.get()), Some(r#"{"id": "org"}"#));
        assert_eq!(members.value("exp"), Some(Value::from(5)));
        assert!(members.get("absent").is_none() && members.string("exp").is_none());
        let dup = br#"{"o": {"id": 1, "id": 2}}"#;
        assert!(read_object::<(), ()>(dup, &["o"], &mut ()).is_err());
        let surrogate = br#"{"sub": "\ud800"}"#;
        assert!(serde_json::from_slice::<&RawValue>(&surrogate[8..16]).is_ok(), "capturing alone accepts it");
        assert!(read_object::<(), ()>(surrogate, &["sub"], &mut ()).is_err());
    }

    #[test]
    fn raw_values_are_checked_before_they_are_handed_over() {
        #[derive(Deserialize, Debug)]
        struct Raw {
            #[allow(dead_code)]
            meta: Box<RawValue>,
        }
        assert_eq!(read::<Raw>(r#"{"meta": {"a": 1, "a": 2}}"#).unwrap_err(), DUPLICATE);
        let (raw, _) = read_object::<Raw, ()>(br#"{"meta": {"a": [1]}}"#, &[], &mut ()).unwrap();
        assert_eq!(raw.meta.get(), r#"{"a": [1]}"#);
    }

    #[test]
    fn enums_and_unit_types_read_through_the_checks() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum Plan {
            Pro { seats: u8 },
        }
        #[derive(Deserialize, Debug, PartialEq)]
        struct WithEnum {
            plan: Plan,
        }
        let ok = read::<WithEnum>(r#"{"plan": {"Pro": {"seats": 3}}}"#).unwrap();
        assert_eq!(ok, WithEnum { plan: Plan::Pro { seats: 3 } });
        assert_eq!(
            read::<WithEnum>(r#"{"plan": {"Pro": {"seats": 3, "seats": 4}}}"#).unwrap_err(),
            DUPLICATE
        );
        #[derive(Deserialize, Debug)]
        struct Nothing;
        assert!(read::<Nothing>(r#"{"a": [1, {"b": null}]}"#).is_ok());
    }

    /// Any JSON value of bounded depth (objects from maps, so without duplicate keys).
    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(6, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                proptest::collection::btree_map(".{0,8}", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn reads_what_serde_json_reads_and_never_more(
            fields in proptest::collection::btree_map(".{0,8}", json(), 0..8),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let object = Value::Object(fields.into_iter().collect());
            let text = object.to_string();
            let (read, _) = read_object::<Value, ()>(text.as_bytes(), &[], &mut ()).unwrap();
            prop_assert_eq!(&read, &object);
            // One byte changed: whatever the reader accepts, serde_json reads to the same value.
            let mut bytes = text.into_bytes();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            if let Ok((read, _)) = read_object::<Value, ()>(&bytes, &[], &mut ()) {
                prop_assert_eq!(Some(read), serde_json::from_slice::<Value>(&bytes).ok());
            }
        }
    }
}
