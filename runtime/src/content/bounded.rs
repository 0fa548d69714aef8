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

use std::fmt::{self, Display};

use serde::ser::{self, Serialize};
use serde_json::{Map, Number, Value};

use super::lengths::Lengths;
use super::map_keys::KeySerializer;
use super::text::{base64, bounded_display};
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

/// How much further than the budget the measuring pass reads.
const MEASURE_FACTOR: usize = 16;

/// A string gets at least this much room even when the budget is nearly spent.
pub(crate) const MIN_STRING_ROOM: usize = 64;

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
pub(crate) struct Error(pub(crate) String);

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
///
/// Two passes: the first only measures (how many strings, how long, how much else), without
/// keeping anything; the second builds, with every string capped so that the whole fits the
/// budget. So a long conversation keeps all its messages, each shortened, rather than its
/// first ones whole and none of the rest. The budget still bounds the second pass whatever the
/// estimate (or a `Serialize` that changes between passes) says.
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T, limits: Limits) -> Result<Value, Error> {
    let mut measure = State {
        limits,
        used: 0,
        lengths: Some(Lengths::default()),
    };
    value.serialize(Bounded {
        state: &mut measure,
        depth: 0,
        calls: 0,
    })?;
    let string_cap = measure
        .lengths
        .as_ref()
        .map_or(limits.string_cap, |lengths| {
            lengths.cap_for(
                limits.budget.saturating_sub(measure.used),
                limits.string_cap,
            )
        });
    let mut state = State {
        limits: Limits {
            string_cap,
            budget: limits.budget,
        },
        used: 0,
        lengths: None,
    };
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

struct State {
    limits: Limits,
    used: usize,
    /// Set in the measuring pass: strings are only measured, nothing is kept or dropped.
    lengths: Option<Lengths>,
}

impl State {
    fn exhausted(&self) -> bool {
        // Measuring reads further than building keeps, but not without end: a `Serialize` may
        // generate a huge tree lazily. Past this, the estimate works with what it has seen.
        let limit = if self.measuring() {
            self.limits.budget.saturating_mul(MEASURE_FACTOR)
        } else {
            self.limits.budget
        };
        self.used >= limit
    }

    fn measuring(&self) -> bool {
        self.lengths.is_some()
    }

    fn charge(&mut self, bytes: usize) {
        self.used = self.used.saturating_add(bytes.max(NODE_COST));
    }

    fn string(&mut self, text: &str) -> Value {
        if let Some(lengths) = &mut self.lengths {
            lengths.record(text.len());
            self.charge(2);
            return Value::Null;
        }
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
        if let (Some(lengths), Value::String(text)) = (&mut self.lengths, &value) {
            lengths.record(text.len());
            self.charge(2);
            return Value::Null;
        }
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
        if !self.ser.state.measuring() {
            self.items.push(item);
        }
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
        if !self.ser.state.measuring() {
            self.map.insert(key, item);
        }
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        if !self.admit() {
            return Ok(());
        }
        self.ser.state.charge(key.len() + 3);
        let item = value.serialize(self.ser.child())?;
        if !self.ser.state.measuring() {
            self.map.insert(key.to_owned(), item);
        }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    const SMALL: Limits = Limits {
        string_cap: 16,
        budget: 200,
    };

    /// `[[[...]]]` nested `depth` deep, serialized lazily (no value of that depth exists).
    struct Nested(usize);

    impl Serialize for Nested {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeSeq;
            let mut seq = serializer.serialize_seq(Some(1))?;
            if self.0 > 0 {
                seq.serialize_element(&Nested(self.0 - 1))?;
            }
            seq.end()
        }
    }

    /// `Some(Some(...))` chains `depth` deep through `serialize_some`.
    struct Wrapped(usize);

    impl Serialize for Wrapped {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            if self.0 == 0 {
                serializer.serialize_str("core")
            } else {
                serializer.serialize_some(&Wrapped(self.0 - 1))
            }
        }
    }

    fn depth(value: &Value) -> usize {
        match value {
            Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    #[test]
    fn deep_nesting_stops_at_the_limit_with_a_marker() {
        let roomy = Limits {
            string_cap: 64,
            budget: 100_000,
        };
        let value = to_value(&Nested(100_000), roomy).unwrap();
        assert_eq!(depth(&value), MAX_DEPTH);
        let mut innermost = &value;
        while let Value::Array(items) = innermost {
            innermost = &items[0];
        }
        assert_eq!(innermost, &Value::String(TOO_DEEP.to_owned()));
        assert_eq!(to_value(&Nested(3), SMALL).unwrap(), json!([[[[]]]]));

        let wrapped = to_value(&Wrapped(100_000), SMALL).unwrap();
        assert_eq!(wrapped, Value::String(TOO_DEEP.to_owned()));
        assert_eq!(to_value(&Wrapped(10), SMALL).unwrap(), json!("core"));
    }

    #[test]
    fn strings_are_cut_at_character_boundaries() {
        let value = to_value("ab€€€€€€€€", SMALL).unwrap();
        assert_eq!(value, json!("ab€€€€…[truncated 12 bytes]"));
        let emoji = to_value(&"👩‍👩‍👧".repeat(3), SMALL).unwrap();
        let text = emoji.as_str().unwrap();
        // A grapheme cluster may be split between its characters, never inside one.
        assert_eq!(text, "👩\u{200d}👩\u{200d}…[truncated 40 bytes]");
        assert!(text.ends_with("bytes]"));
    }

    #[test]
    fn the_budget_drops_elements_and_entries_with_sentinels() {
        let list: Vec<String> = (0..1000).map(|i| format!("item {i}")).collect();
        let value = to_value(&list, SMALL).unwrap();
        let items = value.as_array().unwrap();
        let dropped = sentinel(items.last().unwrap()).unwrap();
        assert_eq!(items.len() - 1 + dropped, 1000);
        assert!(items.len() < 30);

        let map: BTreeMap<String, u32> = (0..1000).map(|i| (format!("k{i:04}"), i)).collect();
        let value = to_value(&map, SMALL).unwrap();
        let object = value.as_object().unwrap();
        let dropped = usize::try_from(object[SENTINEL].as_u64().unwrap()).unwrap();
        assert_eq!(object.len() - 1 + dropped, 1000);
    }

    #[test]
    fn strings_share_the_budget_so_every_element_is_kept() {
        let turns: Vec<String> = (0..40)
            .map(|i| format!("{i:02}{}", "x".repeat(2400)))
            .collect();
        let limits = Limits::for_attribute(16 * 1024);
        let value = to_value(&turns, limits).unwrap();
        let items = value.as_array().unwrap();
        assert_eq!(items.len(), 40, "no element dropped");
        for (i, item) in items.iter().enumerate() {
            let text = item.as_str().unwrap();
            assert!(text.starts_with(&format!("{i:02}xx")) && text.ends_with(" bytes]"));
        }
        let total: usize = items.iter().map(|v| v.as_str().unwrap().len()).sum();
        assert!(total <= limits.budget, "{total}");
    }

    #[test]
    fn scalars_follow_serde_json() {
        let value = to_value(
            &(
                f64::NAN,
                f32::INFINITY,
                u128::MAX,
                -5_i128,
                'x',
                (),
                Some(1.5),
            ),
            SMALL,
        )
        .unwrap();
        assert_eq!(
            value,
            json!([
                null,
                null,
                "340282366920938463463374607431768211455",
                -5,
                "x",
                null,
                1.5
            ])
        );
        let keys: BTreeMap<i32, bool> = [(1, true), (-2, false)].into();
        assert_eq!(
            to_value(&keys, SMALL).unwrap(),
            json!({"-2": false, "1": true})
        );
    }

    #[test]
    fn non_string_keys_and_failing_impls_are_errors() {
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: ser::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(ser::Error::custom("no".repeat(1000)))
            }
        }

        let keys: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        assert!(to_value(&keys, SMALL).is_err());
        let error = to_value(&[Fails], SMALL).unwrap_err().to_string();
        assert!(error.len() < 300 && error.ends_with("bytes]"), "{error}");
    }

    #[test]
    fn bytes_become_bounded_base64() {
        struct Bytes<'a>(&'a [u8]);
        impl Serialize for Bytes<'_> {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bytes(self.0)
            }
        }
        assert_eq!(
            to_value(&Bytes(b"hello"), SMALL).unwrap(),
            json!("aGVsbG8=")
        );
        assert_eq!(to_value(&Bytes(b"hi"), SMALL).unwrap(), json!("aGk="));
        assert_eq!(
            to_value(&Bytes(&[0; 100]), SMALL).unwrap(),
            json!("AAAAAAAAAAAAAAAA…[truncated 88 bytes]")
        );
    }

    #[test]
    fn displays_are_bounded() {
        struct Endless;
        impl Display for Endless {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for _ in 0..10_000 {
                    f.write_str("é")?;
                }
                Ok(())
            }
        }
        struct Shown;
        impl Serialize for Shown {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&Endless)
            }
        }
        assert_eq!(
            to_value(&Shown, SMALL).unwrap(),
            json!("éééééééé…[truncated 19984 bytes]")
        );
    }

    #[test]
    fn enums_serialize_like_serde_json() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(u8, u8),
            Struct { a: u8 },
        }
        let value = to_value(
            &[E::Unit, E::New(1), E::Tuple(1, 2), E::Struct { a: 3 }],
            SMALL,
        );
        assert_eq!(
            value.unwrap(),
            json!(["Unit", {"New": 1}, {"Tuple": [1, 2]}, {"Struct": {"a": 3}}])
        );
    }
}
