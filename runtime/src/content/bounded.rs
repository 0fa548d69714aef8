//! A `serde::Serializer` into a `serde_json::Value` whose size stays bounded, whatever it is
//! given.
//!
//! Content can be huge (a 100 MB prompt) or hostile (JSON nested 100 000 deep, a `Display`
//! that never ends). This serializer never builds more than its budget:
//!
//! - every string (and map key) keeps at most `string_cap` bytes, cut at a character boundary
//!   and ending in `…[truncated N bytes]`;
//! - once the budget (approximate JSON bytes) is spent, further elements of arrays and entries
//!   of maps are not serialized at all, only counted: a *sentinel* records how many were
//!   dropped, for [`normalize`](super::normalize) to turn into a marker of the right shape;
//! - containers nested deeper than [`MAX_DEPTH`] become the string [`TOO_DEEP`], and chains of
//!   `Option`s and newtypes deeper than [`MAX_CALLS`] too, so the stack stays shallow.
//!
//! Bytes (`serialize_bytes`) become base64, which is how the conventions want binary content.

use std::fmt::{self, Display, Write as _};

use serde::ser::{self, Impossible, Serialize};
use serde_json::{Map, Number, Value};

use super::markers::suffix;
use super::truncate::cut;

/// The deepest nesting of arrays and objects kept.
pub(crate) const MAX_DEPTH: usize = 64;

/// The deepest chain of nested `serialize` calls (including `Some` and newtypes) followed.
const MAX_CALLS: usize = 256;

/// What stands for a value nested deeper than [`MAX_DEPTH`].
pub(crate) const TOO_DEEP: &str = "…[truncated: nested deeper than 64 levels]";

/// The key of a sentinel: an object `{SENTINEL: n}` in an array means `n` elements were
/// dropped there; the key in an object means `n` entries were. The NUL keeps it apart from
/// keys of real content.
pub(crate) const SENTINEL: &str = "\u{0}genai_span.truncated";

/// The bytes every node is charged at least, for the memory a `Value` takes.
const NODE_COST: usize = 8;

/// A string gets at least this much room even when the budget is nearly spent.
const MIN_STRING_ROOM: usize = 64;

/// How much one serialization may build.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) string_cap: usize,
    pub(crate) budget: usize,
}

impl Limits {
    /// The limits for an attribute of at most `max_len` bytes: no string needs more than the
    /// whole attribute, and four times the attribute leaves room for normalization to drop
    /// provider fields and for truncation to share the space out evenly.
    pub(crate) fn for_attribute(max_len: usize) -> Limits {
        Limits {
            string_cap: max_len,
            budget: max_len.saturating_mul(4),
        }
    }
}

/// Why a value could not be serialized.
#[derive(Debug)]
pub(crate) struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(bounded_display(&msg, 256))
    }
}

/// Serializes `value` within `limits`.
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T, limits: Limits) -> Result<Value, Error> {
    let mut state = State { limits, used: 0 };
    value.serialize(Bounded {
        state: &mut state,
        depth: 0,
        calls: 0,
    })
}

/// The sentinel for `dropped` elements or entries, if `value` is one.
pub(crate) fn sentinel(value: &Value) -> Option<usize> {
    match value {
        Value::Object(map) if map.len() == 1 => map
            .get(SENTINEL)
            .and_then(Value::as_u64)
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        _ => None,
    }
}

fn sentinel_value(dropped: usize) -> Value {
    let mut map = Map::new();
    map.insert(SENTINEL.to_owned(), Value::from(dropped));
    Value::Object(map)
}

/// Replaces arrays and objects deeper than [`MAX_DEPTH`] by [`TOO_DEEP`]: for values parsed
/// from strings or returned by the user's hook, which did not come through the serializer.
pub(crate) fn prune_depth(value: &mut Value) {
    fn prune(value: &mut Value, depth: usize) {
        match value {
            Value::Array(_) | Value::Object(_) if depth >= MAX_DEPTH => {
                *value = Value::String(TOO_DEEP.to_owned());
            }
            Value::Array(items) => items.iter_mut().for_each(|v| prune(v, depth + 1)),
            Value::Object(map) => map.values_mut().for_each(|v| prune(v, depth + 1)),
            _ => {}
        }
    }
    prune(value, 0);
}

/// `value`'s `Display`, at most `cap` bytes of it (then the truncation suffix): a `Display`
/// may write without end.
fn bounded_display<T: Display + ?Sized>(value: &T, cap: usize) -> String {
    struct Capped {
        buf: String,
        cap: usize,
        total: usize,
    }
    impl fmt::Write for Capped {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.total = self.total.saturating_add(s.len());
            let room = self.cap.saturating_sub(self.buf.len());
            if room > 0 {
                let mut end = room.min(s.len());
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                self.buf.push_str(&s[..end]);
            }
            Ok(())
        }
    }
    let mut out = Capped {
        buf: String::new(),
        cap,
        total: 0,
    };
    // A `Display` that fails leaves what it wrote so far: still worth showing.
    let _ = write!(out, "{value}");
    if out.total > out.buf.len() {
        let dropped = out.total - out.buf.len();
        out.buf.push_str(&suffix(dropped));
    }
    out.buf
}

/// Standard base64 of at most `cap` output bytes of `bytes`, then the truncation suffix
/// counting the input bytes left out.
fn base64(bytes: &[u8], cap: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let take = bytes.len().min(cap / 4 * 3);
    let mut out = String::with_capacity(take.div_ceil(3) * 4);
    for chunk in bytes[..take].chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    if take < bytes.len() {
        out.push_str(&suffix(bytes.len() - take));
    }
    out
}

struct State {
    limits: Limits,
    used: usize,
}

impl State {
    fn exhausted(&self) -> bool {
        self.used >= self.limits.budget
    }

    fn charge(&mut self, bytes: usize) {
        self.used = self.used.saturating_add(bytes.max(NODE_COST));
    }

    fn string(&mut self, text: &str) -> Value {
        let room = self
            .limits
            .budget
            .saturating_sub(self.used)
            .max(MIN_STRING_ROOM);
        let kept = cut(text, self.limits.string_cap.min(room));
        self.charge(kept.len() + 2);
        Value::String(kept)
    }

    fn value(&mut self, value: Value) -> Value {
        self.charge(match &value {
            Value::Number(_) => 20,
            Value::String(s) => s.len() + 2,
            _ => 5,
        });
        value
    }
}

struct Bounded<'a> {
    state: &'a mut State,
    depth: usize,
    calls: usize,
}

impl<'a> Bounded<'a> {
    /// The serializer for a value inside this one's container.
    fn child(&mut self) -> Bounded<'_> {
        Bounded {
            state: &mut *self.state,
            depth: self.depth + 1,
            calls: self.calls + 1,
        }
    }

    /// The serializer for a value this one only wraps (`Some`, a newtype): same depth.
    fn inner(self) -> Option<Self> {
        (self.calls < MAX_CALLS).then_some(Bounded {
            calls: self.calls + 1,
            ..self
        })
    }

    fn too_deep(self) -> Value {
        self.state.string(TOO_DEEP)
    }

    fn seq(self) -> Seq<'a> {
        Seq::new(self)
    }
}

/// Collects the elements of an array.
struct Seq<'a> {
    ser: Bounded<'a>,
    items: Vec<Value>,
    dropped: usize,
    dead: bool,
    variant: Option<&'static str>,
}

impl<'a> Seq<'a> {
    fn new(ser: Bounded<'a>) -> Self {
        let dead = ser.depth >= MAX_DEPTH || ser.calls >= MAX_CALLS;
        let mut ser = ser;
        if !dead {
            ser.state.charge(2);
        }
        Seq {
            ser,
            items: Vec::new(),
            dropped: 0,
            dead,
            variant: None,
        }
    }
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if self.dead {
            return Ok(());
        }
        if self.ser.state.exhausted() {
            self.dropped += 1;
            return Ok(());
        }
        let item = value.serialize(self.ser.child())?;
        self.ser.state.charge(1);
        self.items.push(item);
        Ok(())
    }

    fn finish(self) -> Value {
        if self.dead {
            return self.ser.too_deep();
        }
        let mut items = self.items;
        if self.dropped > 0 {
            items.push(sentinel_value(self.dropped));
        }
        wrap(self.variant, Value::Array(items))
    }
}

/// `{variant: value}` for enum variants, `value` otherwise.
fn wrap(variant: Option<&str>, value: Value) -> Value {
    match variant {
        Some(name) => {
            let mut map = Map::new();
            map.insert(name.to_owned(), value);
            Value::Object(map)
        }
        None => value,
    }
}

/// Collects the entries of an object.
struct Obj<'a> {
    ser: Bounded<'a>,
    map: Map<String, Value>,
    key: Option<String>,
    skip_value: bool,
    dropped: usize,
    dead: bool,
    variant: Option<&'static str>,
}

impl<'a> Obj<'a> {
    fn new(ser: Bounded<'a>, variant: Option<&'static str>) -> Self {
        let dead = ser.depth >= MAX_DEPTH || ser.calls >= MAX_CALLS;
        let mut ser = ser;
        if !dead {
            ser.state.charge(2);
        }
        Obj {
            ser,
            map: Map::new(),
            key: None,
            skip_value: false,
            dropped: 0,
            dead,
            variant,
        }
    }

    /// Whether the next entry is kept; counts it as dropped if not.
    fn admit(&mut self) -> bool {
        if self.dead {
            return false;
        }
        if self.ser.state.exhausted() {
            self.dropped += 1;
            return false;
        }
        true
    }

    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        if !self.admit() {
            self.skip_value = true;
            return Ok(());
        }
        let key = key.serialize(KeySerializer {
            cap: self.ser.state.limits.string_cap,
        })?;
        self.ser.state.charge(key.len() + 3);
        self.key = Some(key);
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if std::mem::take(&mut self.skip_value) {
            return Ok(());
        }
        let Some(key) = self.key.take() else {
            return Err(Error("a map value came without its key".to_owned()));
        };
        let item = value.serialize(self.ser.child())?;
        self.map.insert(key, item);
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        if !self.admit() {
            return Ok(());
        }
        self.ser.state.charge(key.len() + 3);
        let item = value.serialize(self.ser.child())?;
        self.map.insert(key.to_owned(), item);
        Ok(())
    }

    fn finish(self) -> Value {
        if self.dead {
            return self.ser.too_deep();
        }
        let mut map = self.map;
        if self.dropped > 0 {
            map.insert(SENTINEL.to_owned(), Value::from(self.dropped));
        }
        wrap(self.variant, Value::Object(map))
    }
}

impl<'a> ser::Serializer for Bounded<'a> {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Obj<'a>;
    type SerializeStruct = Obj<'a>;
    type SerializeStructVariant = Obj<'a>;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(self.state.value(Value::Bool(v)))
    }

    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(self.state.value(Value::Number(v.into())))
    }

    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        // Beyond 64 bits JSON numbers lose precision in most readers: keep the digits.
        Ok(match i64::try_from(v) {
            Ok(v) => self.state.value(Value::Number(v.into())),
            Err(_) => self.state.value(Value::String(v.to_string())),
        })
    }

    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(self.state.value(Value::Number(v.into())))
    }

    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        Ok(match u64::try_from(v) {
            Ok(v) => self.state.value(Value::Number(v.into())),
            Err(_) => self.state.value(Value::String(v.to_string())),
        })
    }

    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        // JSON has no NaN or infinity: `null`, as serde_json and JavaScript write them.
        Ok(self
            .state
            .value(Number::from_f64(v).map_or(Value::Null, Value::Number)))
    }

    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(self.state.string(v.encode_utf8(&mut [0; 4])))
    }

    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(self.state.string(v))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        let cap = self.state.limits.string_cap;
        let encoded = base64(v, cap);
        Ok(self.state.value(Value::String(encoded)))
    }

    fn serialize_none(self) -> Result<Value, Error> {
        Ok(self.state.value(Value::Null))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        match self.inner() {
            Some(ser) => value.serialize(ser),
            None => Ok(Value::String(TOO_DEEP.to_owned())),
        }
    }

    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(self.state.value(Value::Null))
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(self.state.string(variant))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        self.serialize_some(value)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        if self.depth >= MAX_DEPTH || self.calls >= MAX_CALLS {
            return Ok(self.too_deep());
        }
        self.state.charge(variant.len() + 5);
        let inner = value.serialize(self.child())?;
        Ok(wrap(Some(variant), inner))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        // The length hint is not trusted for capacity: it may be huge.
        Ok(self.seq())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Ok(self.seq())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Ok(self.seq())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        let mut seq = Seq::new(Bounded {
            depth: self.depth + 1,
            ..self
        });
        seq.variant = Some(variant);
        Ok(seq)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Ok(Obj::new(self, None))
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Ok(Obj::new(self, None))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Ok(Obj::new(
            Bounded {
                depth: self.depth + 1,
                ..self
            },
            Some(variant),
        ))
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<Value, Error> {
        let cap = self.state.limits.string_cap;
        let text = bounded_display(value, cap);
        Ok(self.state.value(Value::String(text)))
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleVariant for Seq<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeMap for Obj<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.value(value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for Obj<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for Obj<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

/// Map keys: JSON keys are strings; like serde_json, numbers, booleans, chars and unit
/// variants are written as strings, anything else is an error.
struct KeySerializer {
    cap: usize,
}

fn key_error() -> Error {
    Error("a map key is not a string, number, boolean or unit variant".to_owned())
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Impossible<String, Error>;
    type SerializeTuple = Impossible<String, Error>;
    type SerializeTupleStruct = Impossible<String, Error>;
    type SerializeTupleVariant = Impossible<String, Error>;
    type SerializeMap = Impossible<String, Error>;
    type SerializeStruct = Impossible<String, Error>;
    type SerializeStructVariant = Impossible<String, Error>;

    fn serialize_bool(self, v: bool) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_i8(self, v: i8) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_i16(self, v: i16) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_i32(self, v: i32) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_i64(self, v: i64) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_i128(self, v: i128) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_u8(self, v: u8) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_u16(self, v: u16) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_u32(self, v: u32) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_u64(self, v: u64) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_u128(self, v: u128) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_f32(self, v: f32) -> Result<String, Error> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<String, Error> {
        if v.is_finite() {
            Ok(v.to_string())
        } else {
            Err(Error("a map key is a NaN or infinite number".to_owned()))
        }
    }

    fn serialize_char(self, v: char) -> Result<String, Error> {
        Ok(v.to_string())
    }

    fn serialize_str(self, v: &str) -> Result<String, Error> {
        Ok(cut(v, self.cap))
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<String, Error> {
        Err(key_error())
    }

    fn serialize_none(self) -> Result<String, Error> {
        Err(key_error())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, Error> {
        Err(key_error())
    }

    fn serialize_unit(self) -> Result<String, Error> {
        Err(key_error())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, Error> {
        Err(key_error())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        Ok(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, Error> {
        Err(key_error())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<String, Error> {
        Ok(bounded_display(value, self.cap))
    }
}
