//! Fitting a piece of content into the attribute size limit, as valid JSON of its schema (the
//! steps are described in the docs of [`content`](super)).
//!
//! Sizes here are exact: [`json_len`] is the length of `serde_json::to_string`, so the result
//! is never over the limit. [`fit_in`] succeeds whenever the budget is at least [`min_len`]:
//! the invariant every recursive step relies on. A string or array cut by an earlier pass
//! (the bounded serializer) is cut again with one suffix or marker counting both.

use serde_json::{Map, Value};

use super::ContentKind;
use super::markers::{self, Place, suffix};

/// Strings are not cut below this many bytes by the common cap: it keeps roles, part types,
/// finish reasons and most ids whole.
pub(crate) const FLOOR: usize = 32;

/// A string cut before, as what it kept and how many bytes it left out (0 if it was not cut):
/// cutting it again counts the bytes left out both times.
fn split_cut(text: &str) -> (&str, usize) {
    let Some(rest) = text.strip_suffix(" bytes]") else {
        return (text, 0);
    };
    let Some(at) = rest.rfind("…[truncated ") else {
        return (text, 0);
    };
    let digits = &rest[at + "…[truncated ".len()..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return (text, 0);
    }
    digits
        .parse()
        .map_or((text, 0), |count| (&text[..at], count))
}

/// `text` cut to at most `keep` bytes (before the suffix) at a character boundary, with the
/// truncation suffix when anything was cut.
pub(crate) fn cut(text: &str, keep: usize) -> String {
    if text.len() <= keep {
        return text.to_owned();
    }
    let (body, before) = split_cut(text);
    let end = floor_boundary(body, keep);
    let mut out = String::with_capacity(end + 32);
    out.push_str(&body[..end]);
    out.push_str(&suffix(before + body.len() - end));
    out
}

/// The largest character boundary of `text` at or below `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut end = at.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// The bytes one character of a JSON string takes once escaped (as `serde_json` escapes).
fn escaped_char_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// The bytes `text` takes inside a JSON string, quotes excluded.
pub(crate) fn escaped_len(text: &str) -> usize {
    text.bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x0c | b'\n' | b'\r' | b'\t' => 2,
            0..0x20 => 6,
            _ => 1,
        })
        .sum()
}

fn digits(mut n: usize) -> usize {
    let mut count = 1;
    while n >= 10 {
        n /= 10;
        count += 1;
    }
    count
}

/// The length of `suffix(bytes)`.
fn suffix_len(bytes: usize) -> usize {
    "…[truncated ".len() + digits(bytes) + " bytes]".len()
}

/// The length of `serde_json::to_string(value)`.
pub(crate) fn json_len(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Number(n) => number_len(n),
        Value::String(s) => 2 + escaped_len(s),
        Value::Array(items) => {
            2 + items.len().saturating_sub(1) + items.iter().map(json_len).sum::<usize>()
        }
        Value::Object(map) => {
            2 + map.len().saturating_sub(1)
                + map
                    .iter()
                    .map(|(k, v)| 3 + escaped_len(k) + json_len(v))
                    .sum::<usize>()
        }
    }
}

fn number_len(n: &serde_json::Number) -> usize {
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = std::fmt::Write::write_fmt(&mut count, format_args!("{n}"));
    count.0
}

/// The smallest JSON length `text` (quoted) can be cut to: all of it, or the suffix alone.
fn min_string_len(text: &str) -> usize {
    let (body, before) = split_cut(text);
    (2 + escaped_len(text)).min(2 + suffix_len(before + body.len()))
}

/// Cuts `text` so that its JSON takes at most `budget` bytes; `false` if even the suffix alone
/// does not fit.
fn shrink_string(text: &mut String, budget: usize) -> bool {
    if 2 + escaped_len(text) <= budget {
        return true;
    }
    let (body, before) = split_cut(text);
    let total = before + body.len();
    if 2 + suffix_len(total) > budget {
        return false;
    }
    // Growing the prefix by a character adds at least one byte and shortens the suffix by at
    // most one (a digit), so the first character that does not fit ends the prefix.
    let mut end = 0;
    let mut used = 0;
    for (at, c) in body.char_indices() {
        let next_end = at + c.len_utf8();
        let next_used = used + escaped_char_len(c);
        if 2 + next_used + suffix_len(total - next_end) > budget {
            break;
        }
        end = next_end;
        used = next_used;
    }
    let dropped = total - end;
    text.truncate(end);
    text.push_str(&suffix(dropped));
    true
}

/// The JSON length of `value` with every string longer than `cap` bytes cut to `cap` (where
/// that makes it shorter).
fn capped_len(value: &Value, cap: usize) -> usize {
    match value {
        Value::String(s) => capped_string_len(s, cap),
        Value::Array(items) => {
            2 + items.len().saturating_sub(1)
                + items.iter().map(|v| capped_len(v, cap)).sum::<usize>()
        }
        Value::Object(map) => {
            2 + map.len().saturating_sub(1)
                + map
                    .iter()
                    .map(|(k, v)| 3 + escaped_len(k) + capped_len(v, cap))
                    .sum::<usize>()
        }
        other => json_len(other),
    }
}

fn capped_string_len(text: &str, cap: usize) -> usize {
    let full = 2 + escaped_len(text);
    if text.len() <= cap {
        return full;
    }
    let (body, before) = split_cut(text);
    let end = floor_boundary(body, cap);
    full.min(2 + escaped_len(&body[..end]) + suffix_len(before + body.len() - end))
}

fn apply_cap(value: &mut Value, cap: usize) {
    match value {
        Value::String(s) if s.len() > cap && capped_string_len(s, cap) < 2 + escaped_len(s) => {
            *s = cut(s, cap);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| apply_cap(v, cap)),
        Value::Object(map) => map.values_mut().for_each(|v| apply_cap(v, cap)),
        _ => {}
    }
}

fn longest_string(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len(),
        Value::Array(items) => items.iter().map(longest_string).max().unwrap_or(0),
        Value::Object(map) => map.values().map(longest_string).max().unwrap_or(0),
        _ => 0,
    }
}

/// Fits `value`, a piece of content of `kind`, into `limit` bytes of JSON.
pub(crate) fn fit(kind: ContentKind, value: &mut Value, limit: usize) {
    let full = json_len(value);
    if full <= limit {
        return;
    }
    // Step 1: the largest common cap that fits, if one at or above the floor does.
    let (mut low, mut high) = (FLOOR, longest_string(value));
    if high > low && capped_len(value, low) <= limit {
        while low < high {
            let mid = low + (high - low).div_ceil(2);
            if capped_len(value, mid) <= limit {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        apply_cap(value, low);
        return;
    }
    apply_cap(value, FLOOR);
    // Steps 2 and 3.
    if !fit_in(value, limit, Place::of(kind)) {
        *value = markers::whole(kind, full);
    }
}

/// The JSON length of the entry marking `count` dropped entries, with its comma.
fn entries_reserve(count: usize) -> usize {
    1 + 3 + escaped_len(markers::ENTRIES_KEY) + 2 + markers::dropped_entries(count).len()
}

/// The room kept at the end of an array for the marker of up to `count` dropped elements,
/// with its comma.
fn reserve(place: Place, count: usize) -> usize {
    1 + json_len(&markers::dropped(place, count))
}

/// The smallest JSON length `value` can be fitted to at `place`.
fn min_len(value: &Value, place: Place) -> usize {
    match value {
        Value::String(s) => min_string_len(s),
        // One byte spare: the reserve counts a comma the lone marker does not need.
        Value::Array(items) => json_len(value).min(2 + reserve(place, items.len().max(1) * 2)),
        Value::Object(map) if place.drops_entries() => {
            json_len(value).min(2 + entries_reserve(map.len().max(1) * 2))
        }
        Value::Object(map) => json_len(value).min(
            2 + map.len().saturating_sub(1)
                + map
                    .iter()
                    .map(|(k, v)| 3 + escaped_len(k) + min_len(v, place.member(k)))
                    .sum::<usize>(),
        ),
        other => json_len(other),
    }
}

/// Fits `value` into `budget` bytes; `false` when its smallest form is larger. Whenever
/// `budget >= min_len(value, place)`, this succeeds.
fn fit_in(value: &mut Value, budget: usize, place: Place) -> bool {
    if json_len(value) <= budget {
        return true;
    }
    match value {
        Value::String(s) => shrink_string(s, budget),
        Value::Array(items) => fit_array(items, budget, place),
        Value::Object(map) if place.drops_entries() => fit_open_object(map, budget),
        Value::Object(map) => fit_object(map, budget, place),
        _ => false,
    }
}

/// An object whose keys all stay: each value is shortened, earlier ones taking what later ones
/// can spare (in a message, `parts` gets what `role` does not need).
fn fit_object(map: &mut Map<String, Value>, budget: usize, place: Place) -> bool {
    let entries: Vec<(usize, Place)> = map
        .iter()
        .map(|(k, v)| (min_len(v, place.member(k)), place.member(k)))
        .collect();
    let overhead =
        2 + map.len().saturating_sub(1) + map.keys().map(|k| 3 + escaped_len(k)).sum::<usize>();
    let needed = overhead + entries.iter().map(|(min, _)| min).sum::<usize>();
    if needed > budget {
        return false;
    }
    let mut slack = budget - needed;
    for (item, (min, member)) in map.values_mut().zip(entries) {
        let allowed = min + slack;
        if !fit_in(item, allowed, member) {
            return false;
        }
        slack = allowed.saturating_sub(json_len(item));
    }
    true
}

/// An object of arbitrary JSON: entries are kept in order while they fit, the first that does
/// not is shortened into the room left, the rest are replaced by one `"…"` entry that counts
/// them (and the entries an earlier pass dropped).
fn fit_open_object(map: &mut Map<String, Value>, budget: usize) -> bool {
    let before = markers::take_dropped_entries(map);
    let total = map.len() + before;
    let reserve = entries_reserve(total);
    let Some(avail) = budget.checked_sub(2) else {
        return false;
    };
    if avail < reserve {
        return false;
    }
    let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
    let count = entries.len();
    let mut used = 0;
    for (i, (key, mut item)) in entries.into_iter().enumerate() {
        let comma = usize::from(!map.is_empty());
        let key_len = 3 + escaped_len(&key);
        let keep_room = if i + 1 == count && before == 0 {
            0
        } else {
            reserve
        };
        let full = key_len + json_len(&item);
        if used + comma + full + keep_room <= avail {
            used += comma + full;
            map.insert(key, item);
            continue;
        }
        let room = avail.saturating_sub(used + comma + keep_room + key_len);
        if min_len(&item, Place::Generic) <= room && fit_in(&mut item, room, Place::Generic) {
            map.insert(key, item);
        }
        break;
    }
    let dropped = total - map.len();
    if dropped > 0 {
        map.insert(
            markers::ENTRIES_KEY.to_owned(),
            Value::String(markers::dropped_entries(dropped)),
        );
    }
    true
}

fn fit_array(items: &mut Vec<Value>, budget: usize, place: Place) -> bool {
    // A marker left by an earlier pass is folded into the one this pass may add.
    let before = markers::take_dropped(place, items);
    let total = items.len() + before;
    let reserve = reserve(place, total);
    let Some(avail) = budget.checked_sub(2) else {
        return false;
    };
    if avail < reserve {
        return false;
    }
    let element = place.element();
    let mut used = 0;
    let mut kept = 0;
    for i in 0..items.len() {
        let comma = usize::from(kept > 0);
        let last = i + 1 == items.len();
        let full = json_len(&items[i]);
        let keep_room = if last && before == 0 { 0 } else { reserve };
        if used + comma + full + keep_room <= avail {
            used += comma + full;
            kept += 1;
            continue;
        }
        // It does not fit whole: shorten it into what is left. Room for the marker stays
        // reserved unless it is the last element and fits without one.
        let room = avail.saturating_sub(used + comma + keep_room);
        if min_len(&items[i], element) <= room && fit_in(&mut items[i], room, element) {
            kept += 1;
        }
        break;
    }
    items.truncate(kept);
    let dropped = total - kept;
    if dropped > 0 {
        markers::append_dropped(place, items, dropped);
    }
    true
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cuts_never_split_a_character() {
        let text = "aé€😀";
        for keep in 0..=text.len() {
            let out = cut(text, keep);
            let prefix = out.split('…').next().unwrap_or("");
            assert!(prefix.len() <= keep, "{keep}: {out}");
            assert!(text.starts_with(prefix));
        }
        assert_eq!(cut("aé€😀", 4), "aé…[truncated 7 bytes]");
        assert_eq!(cut("short", 10), "short");
    }

    #[test]
    fn json_len_is_exact() {
        for value in [
            json!(null),
            json!(true),
            json!(false),
            json!(-12.5e300),
            json!(1.0),
            json!(u64::MAX),
            json!("quote \" backslash \\ newline \n nul \u{0} bell \u{7} del \u{7f} é 😀"),
            json!([1, "two", [], {}, {"k\n": [null]}]),
        ] {
            assert_eq!(
                json_len(&value),
                serde_json::to_string(&value).unwrap().len(),
                "{value}"
            );
        }
    }

    #[test]
    fn shrunk_strings_fit_exactly_and_say_so() {
        let original = "é\"\n".repeat(50);
        for budget in 0..200 {
            let mut text = original.clone();
            if shrink_string(&mut text, budget) {
                let len = serde_json::to_string(&text).unwrap().len();
                assert!(len <= budget, "{budget}: {len}");
                assert!(
                    len + 3 >= budget.min(2 + escaped_len(&original)),
                    "{budget}: wasted room"
                );
                assert!(text.ends_with("bytes]"));
            } else {
                assert!(budget < 2 + suffix_len(original.len()));
            }
        }
    }

    #[test]
    fn strings_are_shortened_evenly_first() {
        let mut value = json!([
            {"role": "system", "parts": [{"type": "text", "content": "s".repeat(1000)}]},
            {"role": "user", "parts": [{"type": "text", "content": "u".repeat(1000)}]},
        ]);
        fit(ContentKind::InputMessages, &mut value, 600);
        let json = serde_json::to_string(&value).unwrap();
        assert!(json.len() <= 600, "{}", json.len());
        let contents: Vec<&str> = value
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["parts"][0]["content"].as_str().unwrap())
            .collect();
        assert!(contents[0].starts_with("sss") && contents[0].ends_with("bytes]"));
        assert!(contents[1].starts_with("uuu") && contents[1].ends_with("bytes]"));
        assert_eq!(contents[0].len(), contents[1].len());
    }

    #[test]
    fn too_many_messages_are_dropped_with_a_marker_in_the_last_kept() {
        let messages: Vec<Value> = (0..200)
            .map(|i| json!({"role": "user", "parts": [{"type": "text", "content": format!("message {i}")}]}))
            .collect();
        let mut value = Value::Array(messages);
        fit(ContentKind::InputMessages, &mut value, 1000);
        assert!(serde_json::to_string(&value).unwrap().len() <= 1000);
        let kept = value.as_array().unwrap();
        assert!(kept.len() > 5 && kept.len() < 200);
        let last_parts = kept.last().unwrap()["parts"].as_array().unwrap();
        let marker = last_parts.last().unwrap();
        assert_eq!(marker["type"], "text");
        let dropped = 200 - kept.len();
        assert_eq!(
            marker["content"],
            format!("…[truncated {dropped} messages]")
        );
    }

    #[test]
    fn arrays_that_cannot_fit_keep_only_their_marker() {
        let mut value = json!({"a": vec![1_000_000; 13]});
        assert!(fit_in(&mut value, 40, Place::Generic));
        assert_eq!(value, json!({"a": ["…[truncated 13 elements]"]}));
    }

    #[test]
    fn objects_of_arbitrary_json_drop_entries_and_count_them() {
        let map: serde_json::Map<String, Value> =
            (0..100).map(|i| (format!("key{i:03}"), json!(i))).collect();
        let mut value = Value::Object(map);
        fit(ContentKind::ToolCallArguments, &mut value, 256);
        assert!(serde_json::to_string(&value).unwrap().len() <= 256);
        let object = value.as_object().unwrap();
        assert_eq!(object["key000"], 0);
        let dropped = 100 - (object.len() - 1);
        assert_eq!(object["…"], format!("[truncated {dropped} entries]"));

        // A second pass counts what the first dropped.
        fit(ContentKind::ToolCallArguments, &mut value, 128);
        let object = value.as_object().unwrap();
        let dropped = 100 - (object.len() - 1);
        assert_eq!(object["…"], format!("[truncated {dropped} entries]"));
    }

    #[test]
    fn cutting_twice_counts_every_byte_left_out() {
        let original = "0123456789".repeat(10);
        let once = cut(&original, 50);
        assert_eq!(once, format!("{}…[truncated 50 bytes]", &original[..50]));
        assert_eq!(
            cut(&once, 20),
            format!("{}…[truncated 80 bytes]", &original[..20])
        );
        let mut twice = Value::String(once);
        assert!(fit_in(&mut twice, 40, Place::Generic));
        let text = twice.as_str().unwrap();
        let (kept, said) = text.split_once('…').unwrap();
        assert_eq!(said, format!("[truncated {} bytes]", 100 - kept.len()));
    }

    #[test]
    fn markers_of_an_earlier_pass_are_folded_in() {
        let mut messages: Vec<Value> = (0..50)
            .map(|i| json!({"role": "user", "parts": [{"type": "text", "content": format!("message {i}")}]}))
            .collect();
        markers::append_dropped(Place::InputMessages, &mut messages, 1000);
        let mut value = Value::Array(messages);
        fit(ContentKind::InputMessages, &mut value, 600);
        let kept = value.as_array().unwrap();
        let parts = kept.last().unwrap()["parts"].as_array().unwrap();
        assert_eq!(parts.len(), 2, "one marker: {parts:?}");
        let dropped = 1050 - kept.len();
        assert_eq!(
            parts[1]["content"],
            format!("…[truncated {dropped} messages]")
        );
    }

    #[test]
    fn fitted_values_are_never_over_the_limit() {
        let mut value = json!([
            {"role": "user", "parts": [
                {"type": "text", "content": "x".repeat(5000)},
                {"type": "tool_call", "name": "f", "arguments": {"deep": [[["y".repeat(3000)]]], "n": [1, 2, 3]}},
                {"type": "blob", "modality": "image", "content": "A".repeat(9000)}
            ]},
            {"role": "assistant", "parts": [{"type": "text", "content": "z".repeat(100)}]}
        ]);
        for limit in [256, 300, 512, 1000, 4096] {
            let mut v = value.clone();
            fit(ContentKind::InputMessages, &mut v, limit);
            let len = serde_json::to_string(&v).unwrap().len();
            assert!(len <= limit, "{limit}: {len}");
        }
        fit(ContentKind::InputMessages, &mut value, 100_000);
        assert_eq!(
            value[0]["parts"][0]["content"].as_str().unwrap().len(),
            5000
        );
    }
}
