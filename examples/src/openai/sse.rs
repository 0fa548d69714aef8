//! A server-sent events decoder, as the [WHATWG HTML standard] defines the format.
//!
//! Bytes go in as the network delivers them ([`SseDecoder::feed`]), events come out once they
//! are complete ([`SseDecoder::next_event`]). A line may be split anywhere across the pieces
//! fed, even between the `\r` and `\n` of a `\r\n`. What the standard says, and what this
//! decoder does:
//!
//! - lines end in `\r\n`, `\n` or `\r`;
//! - a blank line dispatches the event built so far, if it has data;
//! - a line starting with `:` is a comment (servers send them as keep-alives);
//! - `field: value` sets a field; one space after the colon is dropped; a line without a colon
//!   is a field with an empty value;
//! - `data` lines append to the event's data, joined with `\n` (one event may span several
//!   `data:` lines); `event` sets its type, `id` the last event id (unless it holds a NUL);
//!   `retry` and unknown fields are ignored;
//! - a UTF-8 byte order mark at the start of the stream is skipped; invalid UTF-8 is replaced
//!   by U+FFFD;
//! - at the end of the stream, an event without its closing blank line is discarded
//!   ([`SseDecoder::is_mid_event`] tells whether there was one).
//!
//! One limit the standard leaves to implementations: a line or an event's data longer than
//! [`SseDecoder::max_event_len`] bytes is an error ([`SseError::EventTooLarge`]), so a server
//! that never ends a line cannot make the client buffer without bound.
//!
//! [WHATWG HTML standard]: https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream

use std::fmt;

/// The byte order mark a stream may start with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One event of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event` field, if the event had one (the standard's default type is `message`).
    pub event: Option<String>,
    /// The `data` lines, joined with `\n`.
    pub data: String,
    /// The last event id seen so far in the stream, if any.
    pub id: Option<String>,
}

/// What makes a stream undecodable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SseError {
    /// A line, or the data of one event, went past the decoder's limit.
    EventTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::EventTooLarge { limit } => {
                write!(f, "an event of the stream is larger than {limit} bytes")
            }
        }
    }
}

impl std::error::Error for SseError {}

/// An incremental decoder of an event stream.
///
/// ```
/// use genai_span_examples::openai::sse::SseDecoder;
///
/// let mut decoder = SseDecoder::new();
/// decoder.feed(b": keep-alive\r\ndata: {\"a\"");
/// assert_eq!(decoder.next_event().unwrap(), None, "the event is not complete yet");
/// decoder.feed(b":1}\r\n\r\ndata: [DONE]\n\n");
/// assert_eq!(decoder.next_event().unwrap().unwrap().data, r#"{"a":1}"#);
/// assert_eq!(decoder.next_event().unwrap().unwrap().data, "[DONE]");
/// assert_eq!(decoder.next_event().unwrap(), None);
/// ```
#[derive(Debug, Clone)]
pub struct SseDecoder {
    /// Bytes fed and not yet decoded start at `pos`; what is before was decoded.
    buf: Vec<u8>,
    pos: usize,
    /// The last line ended in `\r` at the end of what was fed: a `\n` that comes next is
    /// part of that line ending.
    skip_lf: bool,
    /// Whether the start of the stream (and a byte order mark there) was looked at.
    started: bool,
    /// The event being built.
    data: String,
    event: Option<String>,
    last_id: Option<String>,
    max_len: usize,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl SseDecoder {
    /// The default limit on a line, or on the data of an event: 8 MiB.
    pub const DEFAULT_MAX_EVENT_LEN: usize = 8 << 20;

    /// A decoder at the start of a stream.
    #[must_use]
    pub fn new() -> Self {
        Self::with_max_event_len(Self::DEFAULT_MAX_EVENT_LEN)
    }

    /// A decoder whose lines and events may hold up to `max_len` bytes.
    #[must_use]
    pub fn with_max_event_len(max_len: usize) -> Self {
        SseDecoder {
            buf: Vec::new(),
            pos: 0,
            skip_lf: false,
            started: false,
            data: String::new(),
            event: None,
            last_id: None,
            max_len,
        }
    }

    /// The limit on a line, or on the data of one event, in bytes.
    #[must_use]
    pub fn max_event_len(&self) -> usize {
        self.max_len
    }

    /// Adds bytes as they came from the network.
    pub fn feed(&mut self, bytes: &[u8]) {
        // Only the tail of an unfinished line is ever kept.
        self.buf.drain(..self.pos);
        self.pos = 0;
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete event in what was fed, or `None` until more bytes come.
    pub fn next_event(&mut self) -> Result<Option<SseEvent>, SseError> {
        if !self.started {
            let rest = &self.buf[self.pos..];
            if rest.len() < BOM.len() && BOM.starts_with(rest) {
                return Ok(None); // Maybe a byte order mark: wait for more.
            }
            if rest.starts_with(BOM) {
                self.pos += BOM.len();
            }
            self.started = true;
        }
        loop {
            if self.skip_lf && self.pos < self.buf.len() {
                if self.buf[self.pos] == b'\n' {
                    self.pos += 1;
                }
                self.skip_lf = false;
            }
            let rest = &self.buf[self.pos..];
            let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') else {
                if rest.len() > self.max_len {
                    return Err(SseError::EventTooLarge {
                        limit: self.max_len,
                    });
                }
                return Ok(None);
            };
            let line_start = self.pos;
            let line_end = self.pos + end;
            self.pos = line_end + 1;
            if self.buf[line_end] == b'\r' {
                match self.buf.get(self.pos) {
                    Some(b'\n') => self.pos += 1,
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
            if line_end == line_start {
                if let Some(event) = self.dispatch() {
                    return Ok(Some(event));
                }
                continue;
            }
            let (field, value) = split_field(&self.buf[line_start..line_end]);
            // Ignored: comments (an empty name), `retry`, an `id` with a NUL, unknown fields.
            match field {
                b"data" => {
                    self.data.push_str(&String::from_utf8_lossy(value));
                    self.data.push('\n');
                    if self.data.len() > self.max_len {
                        return Err(SseError::EventTooLarge {
                            limit: self.max_len,
                        });
                    }
                }
                b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
                b"id" if !value.contains(&0) => {
                    self.last_id = Some(String::from_utf8_lossy(value).into_owned());
                }
                _ => {}
            }
        }
    }

    /// Whether the stream, if it ended now, would end in the middle of an event: a line
    /// without its end, or data without the blank line that dispatches it.
    #[must_use]
    pub fn is_mid_event(&self) -> bool {
        self.pos < self.buf.len() || !self.data.is_empty()
    }

    /// Ends the event built so far: `None` when it has no data.
    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // The `\n` after the last data line.
        Some(SseEvent {
            event,
            data,
            id: self.last_id.clone(),
        })
    }
}

/// Splits a non-empty line into its field name and value; a comment has an empty name.
fn split_field(line: &[u8]) -> (&[u8], &[u8]) {
    match line.iter().position(|&b| b == b':') {
        Some(colon) => {
            let value = &line[colon + 1..];
            (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
        }
        None => (line, &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` fed in pieces of `piece` bytes, returning the data of every event.
    fn decode_in_pieces(input: &[u8], piece: usize) -> Vec<SseEvent> {
        let mut decoder = SseDecoder::new();
        let mut events = Vec::new();
        for bytes in input.chunks(piece) {
            decoder.feed(bytes);
            while let Some(event) = decoder.next_event().unwrap() {
                events.push(event);
            }
        }
        events
    }

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    const STREAM: &[u8] = b"\xEF\xBB\xBF: comment\r\n\
        data: {\"a\": 1}\r\n\r\n\
        data:{\"b\":\n\
        data:  2}\n\n\
        event: error\r\
        data: x\r\r\
        id: 7\n\
        retry: 100\n\
        unknown: field\n\
        data\n\n\
        : trailing comment\n\
        data: [DONE]\n\n";

    #[test]
    fn every_line_ending_comment_and_field_form() {
        let events = decode_in_pieces(STREAM, STREAM.len());
        assert_eq!(
            data(&events),
            ["{\"a\": 1}", "{\"b\":\n 2}", "x", "", "[DONE]"]
        );
        assert_eq!(events[2].event.as_deref(), Some("error"));
        assert_eq!(events[3].event, None, "the type is reset after each event");
        assert_eq!(events[3].id.as_deref(), Some("7"));
        assert_eq!(events[4].id.as_deref(), Some("7"), "the last id is kept");
    }

    #[test]
    fn split_at_every_byte_gives_the_same_events() {
        let whole = decode_in_pieces(STREAM, STREAM.len());
        for piece in 1..STREAM.len() {
            assert_eq!(decode_in_pieces(STREAM, piece), whole, "pieces of {piece}");
        }
        // And at every single split point.
        for split in 0..=STREAM.len() {
            let mut decoder = SseDecoder::new();
            let mut events = Vec::new();
            for bytes in [&STREAM[..split], &STREAM[split..]] {
                decoder.feed(bytes);
                while let Some(event) = decoder.next_event().unwrap() {
                    events.push(event);
                }
            }
            assert_eq!(events, whole, "split at {split}");
        }
    }

    #[test]
    fn a_crlf_split_between_its_bytes_is_one_line_ending() {
        let mut decoder = SseDecoder::new();
        decoder.feed(b"data: a\r");
        assert_eq!(decoder.next_event().unwrap(), None);
        decoder.feed(b"\n");
        assert_eq!(decoder.next_event().unwrap(), None, "no blank line yet");
        decoder.feed(b"\r\n");
        assert_eq!(decoder.next_event().unwrap().unwrap().data, "a");
    }

    #[test]
    fn an_unfinished_event_is_not_dispatched() {
        let mut decoder = SseDecoder::new();
        decoder.feed(b"data: a\n\ndata: b\n");
        assert_eq!(decoder.next_event().unwrap().unwrap().data, "a");
        assert_eq!(decoder.next_event().unwrap(), None);
        assert!(decoder.is_mid_event());

        let mut decoder = SseDecoder::new();
        decoder.feed(b"data: a\n\ndata: b");
        decoder.next_event().unwrap().unwrap();
        assert_eq!(decoder.next_event().unwrap(), None);
        assert!(decoder.is_mid_event(), "a line without its end");

        let mut decoder = SseDecoder::new();
        decoder.feed(b"data: a\n\n: done\n");
        decoder.next_event().unwrap().unwrap();
        assert_eq!(decoder.next_event().unwrap(), None);
        assert!(!decoder.is_mid_event());
    }

    #[test]
    fn invalid_utf8_is_replaced_and_a_bom_only_counts_at_the_start() {
        let events = decode_in_pieces(b"data: a\xFFb\n\n\xEF\xBB\xBFdata: c\n\n", 3);
        assert_eq!(
            data(&events),
            ["a\u{FFFD}b"],
            "a BOM later is part of a field name"
        );
    }

    #[test]
    fn lines_and_events_past_the_limit_are_errors() {
        let mut decoder = SseDecoder::with_max_event_len(16);
        decoder.feed(b"data: 012345678");
        assert_eq!(decoder.next_event(), Ok(None));
        decoder.feed(b"9abcdef");
        assert_eq!(
            decoder.next_event(),
            Err(SseError::EventTooLarge { limit: 16 })
        );

        let mut decoder = SseDecoder::with_max_event_len(16);
        decoder.feed(b"data: 0123456789\ndata: 0123456789\n");
        assert_eq!(
            decoder.next_event(),
            Err(SseError::EventTooLarge { limit: 16 })
        );
    }
}
