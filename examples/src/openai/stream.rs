//! A streamed chat completion: SSE events decoded into [`ChatChunk`]s, and the chunks put
//! back together into a [`ChatCompletion`].

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::error::{ApiError, Error};
use super::sse::{SseDecoder, SseEvent};
use super::types::{
    ChatChunk, ChatCompletion, Choice, FunctionCall, Message, Role, ToolCall, Usage,
};

/// The chunks of a streamed chat completion, read from the bytes of its event stream.
///
/// Each `data:` event is one [`ChatChunk`]; `data: [DONE]` ends the stream. An event whose
/// data is an error object (`{"error": {...}}`), or whose type is `error`, is yielded as an
/// [`Error::Api`]. The stream ends after its first error:
///
/// - the byte stream fails: [`Error::Transport`] (or whatever the byte stream's error is);
/// - an event's data is not a chunk: [`Error::InvalidJson`];
/// - the bytes are not server-sent events: [`Error::MalformedStream`];
/// - the bytes end before `[DONE]` and before any choice reported a finish reason:
///   [`Error::StreamTruncated`]. (A server that ends the stream without `[DONE]` after the
///   last choice finished is taken at its word.)
///
/// It is `Unpin` when the byte stream is; wrap a byte stream that is not in `Box::pin`.
#[derive(Debug)]
pub struct ChatStream<S> {
    bytes: S,
    decoder: SseDecoder,
    /// HTTP status of the response, for errors reported inside the stream.
    status: u16,
    done: bool,
    /// Whether a choice reported a finish reason.
    finished: bool,
}

impl<S> ChatStream<S> {
    /// The chunks in `bytes`, the body of a response whose status was `status`.
    pub fn new(bytes: S, status: u16) -> Self {
        ChatStream {
            bytes,
            decoder: SseDecoder::new(),
            status,
            done: false,
            finished: false,
        }
    }

    /// Decodes one event; `None` for `[DONE]`.
    fn decode(&mut self, event: &SseEvent) -> Option<Result<ChatChunk, Error>> {
        let data = event.data.trim();
        if data == "[DONE]" {
            return None;
        }
        if event.event.as_deref() == Some("error") {
            return Some(Err(ApiError::from_body(self.status, data.as_bytes()).into()));
        }
        Some(match serde_json::from_str::<ChatChunk>(data) {
            // Every field of a chunk is optional, so an error object reads as an empty chunk.
            Ok(chunk) if is_empty(&chunk) && is_error_object(data) => {
                Err(ApiError::from_body(self.status, data.as_bytes()).into())
            }
            Ok(chunk) => {
                self.finished |= chunk.choices.iter().any(|c| c.finish_reason.is_some());
                Ok(chunk)
            }
            Err(error) => Err(Error::InvalidJson(error)),
        })
    }
}

fn is_empty(chunk: &ChatChunk) -> bool {
    chunk.id.is_none() && chunk.model.is_none() && chunk.choices.is_empty() && chunk.usage.is_none()
}

fn is_error_object(data: &str) -> bool {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(data)
        .is_ok_and(|object| object.contains_key("error"))
}

impl<S, B, E> Stream for ChatStream<S>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: Into<Error>,
{
    type Item = Result<ChatChunk, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match this.decoder.next_event() {
                Ok(Some(event)) => {
                    let item = this.decode(&event);
                    this.done = !matches!(item, Some(Ok(_)));
                    match item {
                        Some(item) => return Poll::Ready(Some(item)),
                        None => return Poll::Ready(None),
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::MalformedStream(error))));
                }
            }
            match Pin::new(&mut this.bytes).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => this.decoder.feed(bytes.as_ref()),
                Poll::Ready(Some(Err(error))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(error.into())));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    if !this.finished {
                        return Poll::Ready(Some(Err(Error::StreamTruncated)));
                    }
                }
            }
        }
    }
}

/// Puts the chunks of a stream back together: text appended, tool calls assembled from their
/// pieces, the last id, model and usage reported.
///
/// ```
/// use genai_span_examples::openai::{ChatAccumulator, ChatChunk};
///
/// let mut answer = ChatAccumulator::default();
/// for data in [
///     r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#,
///     r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#,
/// ] {
///     answer.push(&serde_json::from_str::<ChatChunk>(data).unwrap());
/// }
/// let completion = answer.finish();
/// assert_eq!(completion.message().unwrap().content.as_deref(), Some("Hello"));
/// assert_eq!(completion.choices[0].finish_reason.as_deref(), Some("stop"));
/// ```
#[derive(Debug, Default, Clone)]
pub struct ChatAccumulator {
    id: Option<String>,
    model: Option<String>,
    choices: Vec<ChoiceState>,
    usage: Option<Usage>,
}

#[derive(Debug, Clone)]
struct ChoiceState {
    index: u32,
    role: Option<Role>,
    content: Option<String>,
    refusal: Option<String>,
    tool_calls: Vec<ToolCallState>,
    finish_reason: Option<String>,
}

#[derive(Debug, Clone)]
struct ToolCallState {
    index: u32,
    id: String,
    name: String,
    arguments: String,
}

impl ChatAccumulator {
    /// Adds one chunk.
    pub fn push(&mut self, chunk: &ChatChunk) {
        if chunk.id.is_some() {
            self.id.clone_from(&chunk.id);
        }
        if chunk.model.is_some() {
            self.model.clone_from(&chunk.model);
        }
        if chunk.usage.is_some() {
            self.usage.clone_from(&chunk.usage);
        }
        for part in &chunk.choices {
            let choice = self.choice(part.index);
            let delta = &part.delta;
            if delta.role.is_some() {
                choice.role = delta.role;
            }
            append(&mut choice.content, delta.content.as_deref());
            append(&mut choice.refusal, delta.refusal.as_deref());
            for piece in &delta.tool_calls {
                // Pieces of one call share an index; a new id at a known index is a new call
                // (servers that send whole calls without an index).
                let known = choice.tool_calls.iter().rposition(|call| {
                    call.index == piece.index
                        && piece
                            .id
                            .as_deref()
                            .is_none_or(|id| call.id.is_empty() || call.id == id)
                });
                let position = known.unwrap_or_else(|| {
                    choice.tool_calls.push(ToolCallState {
                        index: piece.index,
                        id: String::new(),
                        name: String::new(),
                        arguments: String::new(),
                    });
                    choice.tool_calls.len() - 1
                });
                let call = &mut choice.tool_calls[position];
                if let Some(id) = &piece.id {
                    call.id.clone_from(id);
                }
                if let Some(function) = &piece.function {
                    // The name comes whole in the first piece; some servers repeat it.
                    if let Some(name) = function.name.as_deref().filter(|n| *n != call.name) {
                        call.name.push_str(name);
                    }
                    if let Some(arguments) = &function.arguments {
                        call.arguments.push_str(arguments);
                    }
                }
            }
            if part.finish_reason.is_some() {
                choice.finish_reason.clone_from(&part.finish_reason);
            }
        }
    }

    /// The text of the first choice so far.
    #[must_use]
    pub fn text(&self) -> &str {
        self.choices
            .iter()
            .find(|c| c.index == 0)
            .and_then(|c| c.content.as_deref())
            .unwrap_or_default()
    }

    /// The completion the chunks make up. Its id and model are empty if no chunk had them.
    #[must_use]
    pub fn finish(self) -> ChatCompletion {
        let mut choices: Vec<Choice> = self
            .choices
            .into_iter()
            .map(|choice| Choice {
                index: choice.index,
                message: Message {
                    role: choice.role.unwrap_or(Role::Assistant),
                    content: choice.content,
                    tool_calls: choice
                        .tool_calls
                        .into_iter()
                        .map(|call| ToolCall {
                            id: call.id,
                            kind: "function".into(),
                            function: FunctionCall {
                                name: call.name,
                                arguments: call.arguments,
                            },
                        })
                        .collect(),
                    tool_call_id: None,
                    refusal: choice.refusal,
                },
                finish_reason: choice.finish_reason,
            })
            .collect();
        choices.sort_by_key(|c| c.index);
        ChatCompletion {
            id: self.id.unwrap_or_default(),
            model: self.model.unwrap_or_default(),
            created: 0,
            choices,
            usage: self.usage,
            system_fingerprint: None,
        }
    }

    fn choice(&mut self, index: u32) -> &mut ChoiceState {
        let position = self
            .choices
            .iter()
            .position(|c| c.index == index)
            .unwrap_or_else(|| {
                self.choices.push(ChoiceState {
                    index,
                    role: None,
                    content: None,
                    refusal: None,
                    tool_calls: Vec::new(),
                    finish_reason: None,
                });
                self.choices.len() - 1
            });
        &mut self.choices[position]
    }
}

fn append(text: &mut Option<String>, piece: Option<&str>) {
    if let Some(piece) = piece {
        text.get_or_insert_with(String::new).push_str(piece);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    /// Bytes from memory, in the pieces given.
    struct Pieces(VecDeque<Result<Vec<u8>, Error>>);

    impl Stream for Pieces {
        type Item = Result<Vec<u8>, Error>;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Ready(self.0.pop_front())
        }
    }

    /// Every item of the stream over `pieces`, errors as their `Display`.
    fn items(pieces: Vec<Result<&str, Error>>) -> Vec<Result<ChatChunk, String>> {
        let pieces = pieces
            .into_iter()
            .map(|p| p.map(|s| s.as_bytes().to_vec()))
            .collect();
        let mut stream = ChatStream::new(Pieces(pieces), 200);
        let mut out = Vec::new();
        // The stream is always ready: one poll each.
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        while let Poll::Ready(Some(item)) = Pin::new(&mut stream).poll_next(&mut cx) {
            out.push(item.map_err(|e| e.to_string()));
        }
        out
    }

    const TEXT: &str = r#"{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"a"}}]}"#;
    const STOP: &str =
        r#"{"id":"c","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#;

    #[test]
    fn done_ends_the_stream_and_nothing_after_it_is_read() {
        let stream = format!("data: {TEXT}\n\ndata: [DONE]\n\ndata: {TEXT}\n\n");
        let items = items(vec![Ok(&stream)]);
        assert_eq!(items.len(), 1);
        assert!(items[0].is_ok());
    }

    #[test]
    fn an_end_without_done_is_an_error_unless_a_choice_finished() {
        let unfinished = format!("data: {TEXT}\n\n");
        let items_unfinished = items(vec![Ok(&unfinished)]);
        assert_eq!(
            items_unfinished.last().unwrap().as_ref().unwrap_err(),
            "the event stream ended before it was done"
        );
        let finished = format!("data: {TEXT}\n\ndata: {STOP}\n\n");
        assert!(items(vec![Ok(&finished)]).iter().all(Result::is_ok));
    }

    #[test]
    fn error_events_bad_json_and_broken_bytes_end_the_stream() {
        let error =
            r#"data: {"error": {"message": "overloaded", "type": "server_error", "code": null}}"#;
        let stream = format!("data: {TEXT}\n\n{error}\n\ndata: {TEXT}\n\n");
        let seen = items(vec![Ok(&stream)]);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].as_ref().unwrap_err(), "200 OK: overloaded");

        let stream =
            "event: error\ndata: {\"message\": \"quota\", \"code\": \"insufficient_quota\"}\n\n";
        assert_eq!(
            items(vec![Ok(stream)])[0].as_ref().unwrap_err(),
            "200 OK: quota"
        );

        let seen = items(vec![Ok("data: {\"choices\": 3}\n\n")]);
        assert!(
            seen[0]
                .as_ref()
                .unwrap_err()
                .starts_with("invalid response: ")
        );
        assert_eq!(seen.len(), 1);

        let seen = items(vec![
            Ok("data: {}\n\n"),
            Err(Error::StreamTruncated),
            Ok("x"),
        ]);
        assert_eq!(
            seen.len(),
            2,
            "an empty object is an empty chunk, then the error"
        );
        assert!(seen[1].is_err());
    }

    fn chunk(json: &str) -> ChatChunk {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn tool_calls_are_assembled_by_index_and_id() {
        let mut acc = ChatAccumulator::default();
        for json in [
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","function":{"name":"get_time","arguments":"{}"}}]}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"get_weather","arguments":"\"Paris\"}"}}]}}]}"#,
            // A server that sends whole calls, each without an index.
            r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_c","function":{"name":"f","arguments":"{}"}}]}}]}"#,
            r#"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":null}"#,
            r#"{"id":"x","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}"#,
        ] {
            acc.push(&chunk(json));
        }
        let completion = acc.finish();
        let message = completion.message().unwrap();
        let calls: Vec<(&str, &str, &str)> = message
            .tool_calls
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.function.name.as_str(),
                    c.function.arguments.as_str(),
                )
            })
            .collect();
        assert_eq!(
            calls,
            [
                ("call_a", "get_weather", r#"{"city":"Paris"}"#),
                ("call_b", "get_time", "{}"),
                ("call_c", "f", "{}"),
            ]
        );
        assert_eq!(message.content, None);
        assert_eq!(
            completion.choices[0].finish_reason.as_deref(),
            Some("tool_calls")
        );
        assert_eq!(completion.usage.unwrap().completion_tokens, 7);
        assert_eq!(completion.id, "x");
    }
}
