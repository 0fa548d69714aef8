//! The values `#[genai_span]` arguments accept, by the attribute's type in the conventions.
//!
//! Every argument is an expression over the function's arguments, borrowed, and evaluated
//! only when a subscriber wants the span. `None` records nothing.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

/// A value for a `string` attribute (`model`, `conversation_id`, `tool_name`, ...).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value for a string attribute",
    label = "expected `&str`, `String`, `Cow<str>`, `Arc<str>`, or an `Option` of one",
    note = "for a type that implements `Display`, write `value.to_string()`: it is evaluated only when the span is recorded"
)]
pub trait StrValue {
    /// The string to record, if any.
    fn str_value(&self) -> Option<&str>;
}

impl StrValue for str {
    fn str_value(&self) -> Option<&str> {
        Some(self)
    }
}
impl StrValue for String {
    fn str_value(&self) -> Option<&str> {
        Some(self)
    }
}
impl StrValue for Cow<'_, str> {
    fn str_value(&self) -> Option<&str> {
        Some(self)
    }
}
impl StrValue for Box<str> {
    fn str_value(&self) -> Option<&str> {
        Some(self)
    }
}
impl StrValue for Arc<str> {
    fn str_value(&self) -> Option<&str> {
        Some(self)
    }
}
impl StrValue for Rc<str> {
    fn str_value(&self) -> Option<&str> {
        Some(self)
    }
}
impl<T: StrValue + ?Sized> StrValue for &T {
    fn str_value(&self) -> Option<&str> {
        (**self).str_value()
    }
}
impl<T: StrValue> StrValue for Option<T> {
    fn str_value(&self) -> Option<&str> {
        self.as_ref().and_then(StrValue::str_value)
    }
}

/// A value for an `int` attribute (`max_tokens`, `seed`, `server_port`, `choice_count`, ...).
///
/// Recorded as OTel `int` (i64): wider unsigned values saturate at `i64::MAX`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value for an integer attribute",
    label = "expected an integer type, or an `Option` of one"
)]
pub trait IntValue {
    /// The integer to record, if any.
    fn int_value(&self) -> Option<i64>;
}

macro_rules! int_lossless {
    ($($t:ty),*) => {$(
        impl IntValue for $t {
            fn int_value(&self) -> Option<i64> {
                Some(i64::from(*self))
            }
        }
    )*};
}
int_lossless!(u8, u16, u32, i8, i16, i32, i64);

macro_rules! int_wide {
    ($($t:ty),*) => {$(
        impl IntValue for $t {
            fn int_value(&self) -> Option<i64> {
                Some(i64::try_from(*self).unwrap_or(if *self < 0 as $t { i64::MIN } else { i64::MAX }))
            }
        }
    )*};
}
int_wide!(u64, u128, usize, isize, i128);

impl<T: IntValue + ?Sized> IntValue for &T {
    fn int_value(&self) -> Option<i64> {
        (**self).int_value()
    }
}
impl<T: IntValue> IntValue for Option<T> {
    fn int_value(&self) -> Option<i64> {
        self.as_ref().and_then(IntValue::int_value)
    }
}

/// A value for a `double` attribute (`temperature`, `top_p`, `top_k`, penalties).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value for a floating-point attribute",
    label = "expected `f64`, `f32`, an integer, or an `Option` of one"
)]
pub trait DoubleValue {
    /// The number to record, if any.
    fn double_value(&self) -> Option<f64>;
}

macro_rules! double_lossless {
    ($($t:ty),*) => {$(
        impl DoubleValue for $t {
            fn double_value(&self) -> Option<f64> {
                Some(f64::from(*self))
            }
        }
    )*};
}
double_lossless!(f32, f64, u8, u16, u32, i8, i16, i32);

macro_rules! double_wide {
    ($($t:ty),*) => {$(
        impl DoubleValue for $t {
            #[allow(clippy::cast_precision_loss, reason = "a request parameter this large is not exact anyway")]
            fn double_value(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}
double_wide!(u64, i64, usize, isize);

impl<T: DoubleValue + ?Sized> DoubleValue for &T {
    fn double_value(&self) -> Option<f64> {
        (**self).double_value()
    }
}
impl<T: DoubleValue> DoubleValue for Option<T> {
    fn double_value(&self) -> Option<f64> {
        self.as_ref().and_then(DoubleValue::double_value)
    }
}

/// A value for a `boolean` attribute (`stream`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value for a boolean attribute",
    label = "expected `bool` or `Option<bool>`"
)]
pub trait BoolValue {
    /// The boolean to record, if any.
    fn bool_value(&self) -> Option<bool>;
}

impl BoolValue for bool {
    fn bool_value(&self) -> Option<bool> {
        Some(*self)
    }
}
impl<T: BoolValue + ?Sized> BoolValue for &T {
    fn bool_value(&self) -> Option<bool> {
        (**self).bool_value()
    }
}
impl<T: BoolValue> BoolValue for Option<T> {
    fn bool_value(&self) -> Option<bool> {
        self.as_ref().and_then(BoolValue::bool_value)
    }
}

/// A value for a `string[]` attribute (`stop_sequences`, `encoding_formats`): any slice,
/// array or `Vec` of string values, or an `Option` of one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value for a string-array attribute",
    label = "expected a slice, array or `Vec` of `&str`/`String`, or an `Option` of one"
)]
pub trait StrArrayValue {
    /// Calls `each` with every string, in order; returns `false` when there is no value.
    fn for_each_str(&self, each: &mut dyn FnMut(&str)) -> bool;
}

impl<T: StrValue> StrArrayValue for [T] {
    fn for_each_str(&self, each: &mut dyn FnMut(&str)) -> bool {
        for item in self {
            if let Some(s) = item.str_value() {
                each(s);
            }
        }
        true
    }
}
impl<T: StrValue> StrArrayValue for Vec<T> {
    fn for_each_str(&self, each: &mut dyn FnMut(&str)) -> bool {
        self.as_slice().for_each_str(each)
    }
}
impl<T: StrValue, const N: usize> StrArrayValue for [T; N] {
    fn for_each_str(&self, each: &mut dyn FnMut(&str)) -> bool {
        self.as_slice().for_each_str(each)
    }
}
impl<T: StrArrayValue + ?Sized> StrArrayValue for &T {
    fn for_each_str(&self, each: &mut dyn FnMut(&str)) -> bool {
        (**self).for_each_str(each)
    }
}
impl<T: StrArrayValue> StrArrayValue for Option<T> {
    fn for_each_str(&self, each: &mut dyn FnMut(&str)) -> bool {
        self.as_ref().is_some_and(|v| v.for_each_str(each))
    }
}

/// A value for a key outside the conventions (`fields("my.key" = value)`), recorded with the
/// type it has: strings, integers (as `int`, saturating), floats, booleans, or an `Option` of
/// one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value for a custom attribute",
    label = "expected a string, an integer, a float, a bool, or an `Option` of one"
)]
pub trait FieldValue {
    /// The `tracing` value recorded.
    type Traced<'a>: tracing::Value
    where
        Self: 'a;
    /// Converts to the recorded value.
    fn traced(&self) -> Self::Traced<'_>;
}

macro_rules! field_value_str {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            type Traced<'a> = &'a str;
            fn traced(&self) -> &str {
                self
            }
        }
    )*};
}
field_value_str!(str, String, Box<str>, Arc<str>, Rc<str>);

impl FieldValue for Cow<'_, str> {
    type Traced<'a>
        = &'a str
    where
        Self: 'a;
    fn traced(&self) -> &str {
        self
    }
}

macro_rules! field_value_int {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            type Traced<'a> = i64;
            fn traced(&self) -> i64 {
                IntValue::int_value(self).unwrap_or_default()
            }
        }
    )*};
}
field_value_int!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

impl FieldValue for f64 {
    type Traced<'a> = f64;
    fn traced(&self) -> f64 {
        *self
    }
}

impl FieldValue for f32 {
    type Traced<'a> = f64;
    fn traced(&self) -> f64 {
        f64::from(*self)
    }
}

impl FieldValue for bool {
    type Traced<'a> = bool;
    fn traced(&self) -> bool {
        *self
    }
}

impl<T: FieldValue + ?Sized> FieldValue for &T {
    type Traced<'a>
        = T::Traced<'a>
    where
        Self: 'a;
    fn traced(&self) -> Self::Traced<'_> {
        (**self).traced()
    }
}

impl<T: FieldValue> FieldValue for Option<T> {
    type Traced<'a>
        = Option<T::Traced<'a>>
    where
        Self: 'a;
    fn traced(&self) -> Self::Traced<'_> {
        self.as_ref().map(FieldValue::traced)
    }
}
