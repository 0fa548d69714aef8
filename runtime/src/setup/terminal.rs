//! The terminal view: the spans of a run drawn as one waterfall per trace, then totals.
//!
//! [`TerminalExporter`] is the span exporter [`setup`](super) installs when no OTLP endpoint is
//! configured. It keeps the spans it is given and, when asked ([`TerminalExporter::render`],
//! [`TerminalExporter::print`]), draws them:
//!
//! ```text
//! genai-span · 1 trace · 5 spans · 1 error · 1.00 s
//!
//! ── trace 0000000000000000000000000000002a · 5 spans · 1 error · 1.00 s ─────────────────────────────
//! span                                      kind     duration  0               500 ms           1.00 s
//! invoke_agent planner                      internal   1.00 s  ███████████████████████████████████████
//! │  agent asst_1 · tokens 280 in
//! ├─ chat gpt-4o                          ✗ client     100 ms  ████
//! │     ✗ rate_limit_exceeded: 429 Too Many Requests
//! ├─ chat gpt-4o                            client     280 ms      ████████████
//! │     gpt-4o → gpt-4o-2024-08-06 · tokens 120 in, 18 out, 64 cache read · finish tool_calls
//! │     1 tool call
//! ├─ execute_tool get_weather               internal   100 ms                 █████
//! │     call call_1
//! │     arguments {"city":"Paris"}
//! └─ chat gpt-4o                            client     500 ms                     ░░░░░░░░████████████
//!       tokens 160 in, 12 out · finish stop · streamed, first chunk after 200 ms
//!       input     2 messages, last tool: 21°C
//!                                                              ░ until the first chunk  █ streaming
//!
//! ── totals ──────────────────────────────────────────────────────────────────────────────────────────
//! tokens   input 280 (cache read 64) · output 30
//! calls    3 chat (1 failed, 1 streamed) · 1 execute_tool · 1 invoke_agent
//! errors   1 rate_limit_exceeded
//! time     1.00 s wall clock · 880 ms in chat · 100 ms in execute_tool · 1.00 s in invoke_agent
//! ```
//!
//! One line per span, indented under its parent, with its kind, duration and a bar placed on
//! the trace's time axis (a stream's bar is `░` until its first chunk, `█` after); errors are
//! marked `✗` with their `error.type`; under each span, its key GenAI attributes and, when
//! content capture recorded any, a one-line preview of the prompts, outputs and tool
//! arguments. Then the totals of the run: tokens by type, calls by operation, errors by
//! type, and time.
//!
//! The picture is plain text (Unicode box and block characters, no escape codes), so it reads
//! the same in a terminal and in a CI log, and it is a pure function of the spans
//! ([`render_spans`]): the same spans always draw the same picture.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use opentelemetry::trace::{SpanId, SpanKind, Status};
use opentelemetry::{Array, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use crate::TOOL_CALL_COUNT;
use crate::content::{ContentKind, EVENT_NAME as CONTENT_EVENT};
use crate::semconv::{
    ERROR_TYPE, GEN_AI_AGENT_ID as AGENT_ID, GEN_AI_CONVERSATION_ID as CONVERSATION_ID,
    GEN_AI_EMBEDDINGS_DIMENSION_COUNT as DIMENSIONS, GEN_AI_OPERATION_NAME as OPERATION,
    GEN_AI_REQUEST_MODEL as REQUEST_MODEL, GEN_AI_REQUEST_STREAM as STREAM,
    GEN_AI_RESPONSE_FINISH_REASONS as FINISH_REASONS, GEN_AI_RESPONSE_MODEL as RESPONSE_MODEL,
    GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK as TIME_TO_FIRST_CHUNK,
    GEN_AI_TOOL_CALL_ID as TOOL_CALL_ID, GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, GEN_AI_USAGE_INPUT_TOKENS, GEN_AI_USAGE_OUTPUT_TOKENS,
    GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
};

/// How many spans a [`TerminalExporter`] keeps unless told otherwise; the rest are counted.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The width of the picture, in columns, when `COLUMNS` does not give one.
pub const DEFAULT_WIDTH: usize = 100;

/// The narrowest and widest pictures drawn: below 60 columns the bars have no room, and a
/// `COLUMNS` in the thousands is a mistake, not a screen.
const MIN_WIDTH: usize = 60;
const MAX_WIDTH: usize = 400;

/// Token usage keys, in the order the totals list them.
const TOKENS: [(&str, &str); 5] = [
    ("input", GEN_AI_USAGE_INPUT_TOKENS),
    ("output", GEN_AI_USAGE_OUTPUT_TOKENS),
    ("cache read", GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
    ("cache creation", GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
    ("reasoning", GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
];

/// Content and the label of its preview line, in the order they are shown.
const CONTENT: [(ContentKind, &str); 7] = [
    (ContentKind::SystemInstructions, "system"),
    (ContentKind::ToolDefinitions, "tools"),
    (ContentKind::InputMessages, "input"),
    (ContentKind::OutputMessages, "output"),
    (ContentKind::ToolCallArguments, "arguments"),
    (ContentKind::ToolCallResult, "result"),
    (ContentKind::RetrievalDocuments, "documents"),
];

/// The width of the label column of content previews ("arguments" and a space).
const CONTENT_LABEL: usize = 10;

// ---------------------------------------------------------------------------------------------
// The exporter

/// A span exporter that keeps spans in memory and draws them as a picture of the run.
///
/// Clones share one store: hand one clone to the tracer provider and keep another to
/// [`print`](Self::print) once the provider has been shut down (or flushed). At most
/// [`capacity`](Self::with_capacity) spans are kept ([`DEFAULT_CAPACITY`] by default); the
/// spans exported after that are counted, and the picture says how many were not shown.
#[derive(Clone)]
pub struct TerminalExporter {
    store: Arc<Mutex<Store>>,
}

struct Store {
    spans: Vec<SpanData>,
    capacity: usize,
    not_shown: u64,
}

impl TerminalExporter {
    /// An exporter that keeps up to [`DEFAULT_CAPACITY`] spans.
    #[must_use]
    pub fn new() -> Self {
        TerminalExporter::with_capacity(DEFAULT_CAPACITY)
    }

    /// An exporter that keeps up to `capacity` spans and counts the rest.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        TerminalExporter {
            store: Arc::new(Mutex::new(Store {
                spans: Vec::new(),
                capacity,
                not_shown: 0,
            })),
        }
    }

    /// The spans kept so far, in the order they were exported.
    #[must_use]
    pub fn spans(&self) -> Vec<SpanData> {
        self.store().spans.clone()
    }

    /// How many exported spans were not kept, the store being full.
    #[must_use]
    pub fn not_shown(&self) -> u64 {
        self.store().not_shown
    }

    /// The picture of the spans kept so far, as wide as `COLUMNS` says ([`DEFAULT_WIDTH`]
    /// when it is unset or not a number).
    #[must_use]
    pub fn render(&self) -> String {
        self.render_with_width(width_from_env())
    }

    /// The picture of the spans kept so far, `width` columns wide (at least 60).
    #[must_use]
    pub fn render_with_width(&self, width: usize) -> String {
        let store = self.store();
        picture(&store.spans, width, Some((store.not_shown, store.capacity)))
    }

    /// Writes [`render`](Self::render) to standard output.
    pub fn print(&self) {
        let picture = self.render();
        let mut stdout = std::io::stdout().lock();
        // A closed standard output (the run piped into `head`) is no reason to panic at exit.
        let _ = stdout.write_all(picture.as_bytes());
        let _ = stdout.flush();
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the store half-written: every update is
        // one `extend` and one addition. Keep drawing what is there.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for TerminalExporter {
    fn default() -> Self {
        TerminalExporter::new()
    }
}

impl fmt::Debug for TerminalExporter {
    // The spans hold prompts when content capture is on: name how many, never what they say.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = self.store();
        f.debug_struct("TerminalExporter")
            .field("spans", &store.spans.len())
            .field("capacity", &store.capacity)
            .field("not_shown", &store.not_shown)
            .finish()
    }
}

impl SpanExporter for TerminalExporter {
    fn export(
        &self,
        batch: Vec<SpanData>,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let mut store = self.store();
        let room = store.capacity.saturating_sub(store.spans.len());
        let extra = batch.len().saturating_sub(room);
        store.spans.extend(batch.into_iter().take(room));
        store.not_shown = store
            .not_shown
            .saturating_add(u64::try_from(extra).unwrap_or(u64::MAX));
        // Nothing to wait for: the spans are in memory already. A ready future also means the
        // simple processor, which exports on the thread that ends the span, never blocks.
        std::future::ready(Ok(()))
    }
}

/// The width `COLUMNS` asks for.
fn width_from_env() -> usize {
    parse_width(std::env::var("COLUMNS").ok().as_deref())
}

/// `COLUMNS`, when it holds a positive number; else [`DEFAULT_WIDTH`].
fn parse_width(columns: Option<&str>) -> usize {
    columns
        .and_then(|columns| columns.trim().parse::<usize>().ok())
        .filter(|&columns| columns > 0)
        .unwrap_or(DEFAULT_WIDTH)
}

/// The picture of `spans`, `width` columns wide (clamped to 60..=400): a pure function, the
/// same spans always give the same picture.
///
/// Spans are grouped by trace (traces in order of their first start), each drawn as a
/// waterfall on its own time axis, children under their parents in order of start; a span
/// whose parent is not among `spans` is drawn as a root. Then the totals of all the spans.
#[must_use]
pub fn render_spans(spans: &[SpanData], width: usize) -> String {
    picture(spans, width, None)
}

// ---------------------------------------------------------------------------------------------
// Layout

/// Column widths of a picture.
#[derive(Debug, Clone, Copy)]
struct Layout {
    width: usize,
    /// The tree and span names.
    name: usize,
    /// The bars.
    bar: usize,
    /// Levels of indentation drawn before deeper ones are elided.
    max_levels: usize,
}

/// `✗ ` or two spaces.
const STATUS_COLUMN: usize = 2;
/// `internal`, the longest kind.
const KIND_COLUMN: usize = 8;
/// `99.99 s`, right-aligned.
const DURATION_COLUMN: usize = 8;

impl Layout {
    fn new(width: usize) -> Layout {
        let width = width.clamp(MIN_WIDTH, MAX_WIDTH);
        let name = width * 2 / 5;
        // name | status | kind | space | duration | two spaces | bar
        let bar = width - name - STATUS_COLUMN - KIND_COLUMN - 1 - DURATION_COLUMN - 2;
        Layout {
            width,
            name,
            bar,
            // Keep at least 12 columns of the name visible at any depth.
            max_levels: (name - 12) / 3,
        }
    }

    /// Where the bars start.
    fn bar_column(self) -> usize {
        self.width - self.bar
    }
}

// ---------------------------------------------------------------------------------------------
// The picture

/// `dropped`: the spans not kept and the capacity, when drawn for an exporter.
fn picture(spans: &[SpanData], width: usize, dropped: Option<(u64, usize)>) -> String {
    let layout = Layout::new(width);
    let not_shown = dropped.map_or(0, |(count, _)| count);
    let mut out = String::new();
    if spans.is_empty() && not_shown == 0 {
        out.push_str("genai-span · no spans were exported\n");
        return out;
    }

    let traces = traces(spans);
    let errors = spans.iter().filter(|span| is_error(span)).count();
    let mut title = vec![
        count(traces.len(), "trace", "traces"),
        count(spans.len(), "span", "spans"),
    ];
    if errors > 0 {
        title.push(count(errors, "error", "errors"));
    }
    if let Some(wall) = wall_clock(spans) {
        title.push(format_duration(wall));
    }
    push_line(&mut out, &format!("genai-span · {}", title.join(" · ")));

    let mut totals = Totals::default();
    for trace in &traces {
        out.push('\n');
        let rows = tree(&trace.spans, layout.max_levels);
        draw_trace(&mut out, layout, trace, &rows);
        totals.add(&rows);
    }

    out.push('\n');
    totals.draw(&mut out, layout, spans);

    if let Some((not_shown, capacity)) = dropped.filter(|&(count, _)| count > 0) {
        out.push('\n');
        push_line(
            &mut out,
            &format!(
                "{} more {} not shown: the terminal view keeps the first {}",
                group_digits(not_shown),
                if not_shown == 1 { "span" } else { "spans" },
                group_digits(u64::try_from(capacity).unwrap_or(u64::MAX)),
            ),
        );
    }
    out
}

/// One trace: its spans, in the order given.
struct Trace<'a> {
    id: opentelemetry::trace::TraceId,
    spans: Vec<&'a SpanData>,
    start: SystemTime,
    end: SystemTime,
}

/// The spans grouped by trace, traces in order of their first start (then of their id).
fn traces(spans: &[SpanData]) -> Vec<Trace<'_>> {
    let mut by_id: HashMap<opentelemetry::trace::TraceId, usize> = HashMap::new();
    let mut traces: Vec<Trace<'_>> = Vec::new();
    for span in spans {
        let id = span.span_context.trace_id();
        let index = *by_id.entry(id).or_insert_with(|| {
            traces.push(Trace {
                id,
                spans: Vec::new(),
                start: span.start_time,
                end: span.end_time,
            });
            traces.len() - 1
        });
        let trace = &mut traces[index];
        trace.spans.push(span);
        trace.start = trace.start.min(span.start_time);
        trace.end = trace.end.max(span.end_time);
    }
    traces.sort_by_key(|trace| (trace.start, u128::from_be_bytes(trace.id.to_bytes())));
    traces
}

/// One line of the waterfall: a span and where the tree puts it.
struct Row<'a> {
    span: &'a SpanData,
    /// The row of the parent, if it is drawn.
    parent: Option<usize>,
    /// Tree drawing before the name.
    prefix: String,
    /// Tree drawing before the lines under the name.
    detail_prefix: String,
}

/// The spans of one trace in drawing order: depth first, children in order of start.
///
/// Every span appears once, even in malformed input: a span whose parent is missing (or is
/// itself) is a root, and spans caught in a parent cycle are drawn from the earliest of them.
fn tree<'a>(spans: &[&'a SpanData], max_levels: usize) -> Vec<Row<'a>> {
    let count = spans.len();
    let mut index_of: HashMap<SpanId, usize> = HashMap::with_capacity(count);
    for (index, span) in spans.iter().enumerate() {
        index_of.entry(span.span_context.span_id()).or_insert(index);
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut roots = Vec::new();
    for (index, span) in spans.iter().enumerate() {
        match index_of.get(&span.parent_span_id) {
            Some(&parent) if parent != index && span.parent_span_id != SpanId::INVALID => {
                children[parent].push(index);
            }
            _ => roots.push(index),
        }
    }
    let order = |&index: &usize| {
        let span = spans[index];
        (
            span.start_time,
            span.end_time,
            u64::from_be_bytes(span.span_context.span_id().to_bytes()),
            index,
        )
    };
    roots.sort_by_key(order);
    for list in &mut children {
        list.sort_by_key(order);
    }
    let mut everything: Vec<usize> = (0..count).collect();
    everything.sort_by_key(order);

    let mut visited = vec![false; count];
    let mut rows = Vec::with_capacity(count);
    // For each level above the current span: whether a later sibling follows (draw `│`).
    let mut open: Vec<bool> = Vec::new();
    // Roots first; then whatever a cycle kept out of reach.
    for start in roots.into_iter().chain(everything) {
        if visited[start] {
            continue;
        }
        visited[start] = true;
        // (span, depth, last of its siblings, parent row); a stack, not recursion: a chain
        // of ten thousand spans must not overflow the stack.
        let mut stack = vec![(start, 0_usize, true, None::<usize>)];
        while let Some((index, depth, last, parent)) = stack.pop() {
            let kids: Vec<usize> = children[index]
                .iter()
                .copied()
                .filter(|&kid| !visited[kid])
                .collect();
            for &kid in &kids {
                visited[kid] = true;
            }
            open.truncate(depth.saturating_sub(1));
            let below = if kids.is_empty() { "   " } else { "│  " };
            let (line, detail): (&[&str], &[&str]) = match (depth, last) {
                (0, _) => (&[], &[below]),
                (_, true) => (&["└─ "], &["   ", below]),
                (_, false) => (&["├─ "], &["│  ", below]),
            };
            let row = rows.len();
            rows.push(Row {
                span: spans[index],
                parent,
                prefix: tree_prefix(&open, line, max_levels),
                detail_prefix: tree_prefix(&open, detail, max_levels),
            });
            if depth > 0 {
                open.push(!last);
            }
            for (position, &kid) in kids.iter().enumerate().rev() {
                stack.push((kid, depth + 1, position + 1 == kids.len(), Some(row)));
            }
        }
    }
    rows
}

/// The tree drawing before a line: a `│` or a blank for each level above (`open`), then
/// `last` (the connector, or what goes under a name). Three columns a level, at most
/// `max_levels` levels: deeper trees lose their outer levels, shown as one `⋯`, so a name
/// keeps its room however deep it is.
fn tree_prefix(open: &[bool], last: &[&str], max_levels: usize) -> String {
    let levels = open.len() + last.len();
    let mut out = String::new();
    let skip = if levels > max_levels {
        out.push_str("⋯  ");
        levels - (max_levels - 1)
    } else {
        0
    };
    for &more in &open[skip.min(open.len())..] {
        out.push_str(if more { "│  " } else { "   " });
    }
    for unit in &last[skip.saturating_sub(open.len())..] {
        out.push_str(unit);
    }
    out
}

fn draw_trace(out: &mut String, layout: Layout, trace: &Trace<'_>, rows: &[Row<'_>]) {
    let total = trace.end.duration_since(trace.start).unwrap_or_default();
    let errors = trace.spans.iter().filter(|span| is_error(span)).count();
    let mut about = format!(" · {}", count(trace.spans.len(), "span", "spans"));
    if errors > 0 {
        let _ = write!(about, " · {}", count(errors, "error", "errors"));
    }
    let _ = write!(about, " · {} ", format_duration(total));
    // The whole id, to look the trace up in a backend; its first half when space is short.
    let id = format!("{:032x}", trace.id);
    let mut heading = format!("── trace {id}{about}");
    if heading.chars().count() > layout.width {
        heading = format!("── trace {}…{about}", &id[..16]);
    }
    let fill = layout.width.saturating_sub(heading.chars().count());
    heading.extend(std::iter::repeat_n('─', fill));
    push_line(out, &heading);

    // Column headings, and the time axis over the bars: its start, middle and end.
    let mut header = pad("span", layout.name + STATUS_COLUMN);
    let _ = write!(
        header,
        "{:<KIND_COLUMN$} {:>DURATION_COLUMN$}  ",
        "kind", "duration"
    );
    header.push_str(&axis(total, layout.bar));
    push_line(out, &header);

    let mut streamed = false;
    // Instructions and tool definitions are sent again with every call of a conversation:
    // each is shown where it first appears, and again only where it changes.
    let mut repeated: HashMap<ContentKind, String> = HashMap::new();
    for row in rows {
        let span = row.span;
        let duration = span
            .end_time
            .duration_since(span.start_time)
            .unwrap_or_default();
        let mut line = pad(
            &truncate(
                &format!("{}{}", row.prefix, one_line(&span.name)),
                layout.name.saturating_sub(1),
            ),
            layout.name,
        );
        line.push_str(if is_error(span) { "✗ " } else { "  " });
        let _ = write!(
            line,
            "{:<KIND_COLUMN$} {:>DURATION_COLUMN$}  ",
            kind(&span.span_kind),
            format_duration(duration)
        );
        let (bar, waited) = bar(span, trace.start, total, layout.bar);
        streamed |= waited;
        line.push_str(&bar);
        push_line(out, &line);

        let room = layout
            .width
            .saturating_sub(row.detail_prefix.chars().count());
        // An error's description may run over several lines; the picture keeps one per fact.
        let facts: Vec<String> = facts(span).iter().map(|fact| one_line(fact)).collect();
        for text in wrap(&facts, room) {
            push_line(out, &format!("{}{text}", row.detail_prefix));
        }
        for (kind, label, preview) in content(span) {
            if matches!(
                kind,
                ContentKind::SystemInstructions | ContentKind::ToolDefinitions
            ) && repeated.get(&kind) == Some(&preview)
            {
                continue;
            }
            repeated.insert(kind, preview.clone());
            let text = format!("{label:<CONTENT_LABEL$}{preview}");
            push_line(
                out,
                &format!("{}{}", row.detail_prefix, truncate(&text, room)),
            );
        }
    }
    if streamed {
        let legend = "░ until the first chunk  █ streaming";
        let at = layout
            .bar_column()
            .min(layout.width - legend.chars().count());
        push_line(out, &format!("{}{legend}", " ".repeat(at)));
    }
}

/// The labels of a time axis `width` columns wide: `0` at the left, the total at the right,
/// and the middle when there is room for it.
fn axis(total: Duration, width: usize) -> String {
    let end = format_duration(total);
    let middle = format_duration(total / 2);
    let mut cells: Vec<char> = vec![' '; width];
    let mut put = |at: usize, text: &str| {
        for (offset, c) in text.chars().enumerate() {
            if let Some(cell) = cells.get_mut(at + offset) {
                *cell = c;
            }
        }
    };
    put(0, "0");
    let end_at = width.saturating_sub(end.chars().count());
    put(end_at, &end);
    let middle_len = middle.chars().count();
    let middle_at = (width / 2).saturating_sub(middle_len / 2);
    // Only with a column of space on either side, or the labels run together.
    if middle_at > 2 && middle_at + middle_len + 1 < end_at {
        put(middle_at, &middle);
    }
    cells.into_iter().collect()
}

/// The bar of `span` on an axis of `width` columns that starts at `start` and lasts `total`,
/// and whether part of it is drawn as waiting for a first chunk.
///
/// A bar fills every column its time touches, so a child's bar always lies within its
/// parent's. Columns are computed with integers: the same times always give the same bar. A
/// span shorter than half a column is thin: `▏` in the column (or two) it touches.
fn bar(span: &SpanData, start: SystemTime, total: Duration, width: usize) -> (String, bool) {
    let total_ns = total.as_nanos().max(1);
    let columns = width as u128;
    let column = |offset: Duration| {
        usize::try_from(offset.as_nanos() * columns / total_ns)
            .unwrap_or(width)
            .min(width - 1)
    };
    let from = span.start_time.duration_since(start).unwrap_or_default();
    let to = span
        .end_time
        .duration_since(start)
        .unwrap_or_default()
        .max(from);
    let (first, last) = (column(from), column(to));
    let mut cells = vec![' '; width];
    if to.saturating_sub(from).as_nanos() * columns * 2 < total_ns {
        for cell in &mut cells[first..=last] {
            *cell = '▏';
        }
        return (cells.into_iter().collect(), false);
    }
    // Columns before the one the first chunk arrived in are waiting.
    let first_chunk = float(span, TIME_TO_FIRST_CHUNK)
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map(|seconds| column(from + Duration::from_secs_f64(seconds.min(1e9))).clamp(first, last));
    for (at, cell) in cells.iter_mut().enumerate().take(last + 1).skip(first) {
        *cell = match first_chunk {
            Some(chunk) if at < chunk => '░',
            _ => '█',
        };
    }
    (
        cells.into_iter().collect(),
        first_chunk.is_some_and(|chunk| chunk > first),
    )
}

/// What the line under a span says: its error, then the GenAI attributes that matter most.
fn facts(span: &SpanData) -> Vec<String> {
    let mut facts = Vec::new();
    if is_error(span) {
        let error_type = text(span, ERROR_TYPE);
        let description = match &span.status {
            Status::Error { description } if !description.is_empty() => {
                Some(description.to_string())
            }
            _ => None,
        };
        facts.push(match (error_type, description) {
            (Some(kind), Some(description)) if kind != description => {
                format!("✗ {kind}: {description}")
            }
            (Some(kind), _) => format!("✗ {kind}"),
            (None, Some(description)) => format!("✗ {description}"),
            (None, None) => "✗ error".to_owned(),
        });
    }
    let operation = text(span, OPERATION);
    match operation.as_deref() {
        Some("invoke_agent" | "create_agent") => {
            if let Some(id) = text(span, AGENT_ID) {
                facts.push(format!("agent {id}"));
            }
            if let Some(model) = text(span, REQUEST_MODEL) {
                facts.push(format!("model {model}"));
            }
            if let Some(conversation) = text(span, CONVERSATION_ID) {
                facts.push(format!("conversation {conversation}"));
            }
        }
        Some("execute_tool") => {
            if let Some(id) = text(span, TOOL_CALL_ID) {
                facts.push(format!("call {id}"));
            }
        }
        Some(_) => {
            // The requested model is in the span's name already: say it again only to show
            // which model answered.
            match (text(span, REQUEST_MODEL), text(span, RESPONSE_MODEL)) {
                (Some(requested), Some(responded)) if requested != responded => {
                    facts.push(format!("{requested} → {responded}"));
                }
                (None, Some(responded)) => facts.push(format!("model {responded}")),
                _ => {}
            }
        }
        None => {}
    }
    let tokens: Vec<String> = TOKENS
        .iter()
        .filter_map(|(label, key)| {
            int(span, key).map(|n| {
                let label = match *label {
                    "input" => "in",
                    "output" => "out",
                    other => other,
                };
                format!("{} {label}", group_digits(n))
            })
        })
        .collect();
    if !tokens.is_empty() {
        facts.push(format!("tokens {}", tokens.join(", ")));
    }
    let reasons = strings(span, FINISH_REASONS);
    if !reasons.is_empty() {
        facts.push(format!("finish {}", reasons.join(", ")));
    }
    if let Some(calls) = int(span, TOOL_CALL_COUNT) {
        facts.push(count(calls, "tool call", "tool calls"));
    }
    if let Some(dimensions) = int(span, DIMENSIONS) {
        facts.push(format!("{dimensions} dimensions"));
    }
    if let Some(seconds) =
        float(span, TIME_TO_FIRST_CHUNK).filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
    {
        let first = format_duration(Duration::from_secs_f64(seconds.min(1e9)));
        facts.push(format!("streamed, first chunk after {first}"));
    } else if matches!(attribute(span, STREAM), Some(Value::Bool(true))) {
        facts.push("streamed".to_owned());
    }
    facts
}

/// The content a span carries (on the span or on its content event), one preview per kind.
fn content(span: &SpanData) -> Vec<(ContentKind, &'static str, String)> {
    let event = span.events.iter().find(|event| event.name == CONTENT_EVENT);
    CONTENT
        .iter()
        .filter_map(|&(kind, label)| {
            let key = kind.key();
            let value = attribute(span, key).or_else(|| {
                event.and_then(|event| {
                    event
                        .attributes
                        .iter()
                        .find(|kv| kv.key.as_str() == key)
                        .map(|kv| &kv.value)
                })
            })?;
            Some((kind, label, preview(kind, &value.as_str())))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Totals

/// What the totals section adds up over every trace.
#[derive(Default)]
struct Totals {
    /// By token type, in the order of `TOKENS`.
    tokens: [Option<i64>; 5],
    /// By operation: calls, failed, streamed, time.
    operations: BTreeMap<String, Calls>,
    /// By `error.type`.
    errors: BTreeMap<String, u64>,
}

#[derive(Default)]
struct Calls {
    count: u64,
    failed: u64,
    streamed: u64,
    time: Duration,
}

impl Totals {
    fn add(&mut self, rows: &[Row<'_>]) {
        // An agent span may report the usage of the calls under it: count each token once,
        // from the spans that report usage with none reported below them.
        let mut usage_below = vec![false; rows.len()];
        for (index, row) in rows.iter().enumerate().rev() {
            let reports = TOKENS.iter().any(|(_, key)| int(row.span, key).is_some());
            if reports && !usage_below[index] {
                for (total, (_, key)) in self.tokens.iter_mut().zip(TOKENS) {
                    if let Some(n) = int(row.span, key) {
                        *total = Some(total.unwrap_or(0).saturating_add(n));
                    }
                }
            }
            if reports || usage_below[index] {
                if let Some(parent) = row.parent {
                    usage_below[parent] = true;
                }
            }
        }
        for row in rows {
            let span = row.span;
            let failed = is_error(span);
            if failed {
                let kind = text(span, ERROR_TYPE).unwrap_or_else(|| "(no error.type)".to_owned());
                *self.errors.entry(kind).or_default() += 1;
            }
            if let Some(operation) = text(span, OPERATION) {
                let calls = self.operations.entry(operation).or_default();
                calls.count += 1;
                calls.failed += u64::from(failed);
                calls.streamed += u64::from(
                    matches!(attribute(span, STREAM), Some(Value::Bool(true)))
                        || attribute(span, TIME_TO_FIRST_CHUNK).is_some(),
                );
                calls.time += span
                    .end_time
                    .duration_since(span.start_time)
                    .unwrap_or_default();
            }
        }
    }

    fn draw(&self, out: &mut String, layout: Layout, spans: &[SpanData]) {
        let mut heading = "── totals ".to_owned();
        heading.extend(std::iter::repeat_n(
            '─',
            layout.width.saturating_sub(heading.chars().count()),
        ));
        push_line(out, &heading);

        let [input, output, cache_read, cache_creation, reasoning] = self.tokens;
        let mut tokens = Vec::new();
        if let Some(input) = input {
            let mut text = format!("input {}", group_digits(input));
            let parts: Vec<String> = [
                ("cache read", cache_read),
                ("cache creation", cache_creation),
            ]
            .iter()
            .filter_map(|(label, n)| n.map(|n| format!("{label} {}", group_digits(n))))
            .collect();
            if !parts.is_empty() {
                let _ = write!(text, " ({})", parts.join(", "));
            }
            tokens.push(text);
        } else {
            // Cached counts without an input count: still say them.
            for (label, n) in [
                ("cache read", cache_read),
                ("cache creation", cache_creation),
            ] {
                if let Some(n) = n {
                    tokens.push(format!("{label} {}", group_digits(n)));
                }
            }
        }
        if let Some(output) = output {
            let mut text = format!("output {}", group_digits(output));
            if let Some(reasoning) = reasoning {
                let _ = write!(text, " (reasoning {})", group_digits(reasoning));
            }
            tokens.push(text);
        } else if let Some(reasoning) = reasoning {
            tokens.push(format!("reasoning {}", group_digits(reasoning)));
        }
        if tokens.is_empty() {
            tokens.push("none reported".to_owned());
        }
        section(out, layout, "tokens", &tokens);

        let mut by_count: Vec<(&String, &Calls)> = self.operations.iter().collect();
        by_count.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        let calls: Vec<String> = if by_count.is_empty() {
            vec!["no GenAI operations".to_owned()]
        } else {
            by_count
                .iter()
                .map(|(operation, calls)| {
                    let mut text = format!("{} {operation}", calls.count);
                    let mut notes = Vec::new();
                    if calls.failed > 0 {
                        notes.push(format!("{} failed", calls.failed));
                    }
                    if calls.streamed > 0 {
                        notes.push(format!("{} streamed", calls.streamed));
                    }
                    if !notes.is_empty() {
                        let _ = write!(text, " ({})", notes.join(", "));
                    }
                    text
                })
                .collect()
        };
        section(out, layout, "calls", &calls);

        let mut errors: Vec<(&String, &u64)> = self.errors.iter().collect();
        errors.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let errors: Vec<String> = if errors.is_empty() {
            vec!["none".to_owned()]
        } else {
            errors
                .iter()
                .map(|(kind, n)| format!("{n} {kind}"))
                .collect()
        };
        section(out, layout, "errors", &errors);

        let mut time = Vec::new();
        if let Some(wall) = wall_clock(spans) {
            time.push(format!("{} wall clock", format_duration(wall)));
        }
        for (operation, calls) in &by_count {
            time.push(format!("{} in {operation}", format_duration(calls.time)));
        }
        section(out, layout, "time", &time);
    }
}

/// One line of totals: a label, then segments wrapped under each other.
fn section(out: &mut String, layout: Layout, label: &str, segments: &[String]) {
    const LABEL: usize = 9;
    for (index, text) in wrap(segments, layout.width - LABEL).iter().enumerate() {
        let label = if index == 0 { label } else { "" };
        push_line(out, &format!("{label:<LABEL$}{text}"));
    }
}

/// From the first start to the last end.
fn wall_clock(spans: &[SpanData]) -> Option<Duration> {
    let start = spans.iter().map(|span| span.start_time).min()?;
    let end = spans.iter().map(|span| span.end_time).max()?;
    Some(end.duration_since(start).unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// Content previews

/// A one-line preview of a piece of captured content (JSON in the conventions' shapes).
fn preview(kind: ContentKind, raw: &str) -> String {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(raw) else {
        return one_line(raw);
    };
    let shaped = match kind {
        ContentKind::InputMessages => messages(&json, true),
        ContentKind::OutputMessages => messages(&json, false),
        ContentKind::SystemInstructions => json.as_array().map(|parts| parts_text(parts)),
        ContentKind::ToolDefinitions => json.as_array().map(|tools| {
            tools
                .iter()
                .map(|tool| {
                    tool.get("name")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("?")
                })
                .collect::<Vec<_>>()
                .join(", ")
        }),
        ContentKind::RetrievalDocuments => json.as_array().map(|documents| {
            let ids: Vec<String> = documents
                .iter()
                .map(|document| document.get("id").map_or_else(|| "?".to_owned(), json_text))
                .collect();
            format!(
                "{}: {}",
                count(ids.len(), "document", "documents"),
                ids.join(", ")
            )
        }),
        _ => None,
    };
    one_line(&shaped.unwrap_or_else(|| json.to_string()))
}

/// Input: the last message (the new turn), after how many there are. Output: every message.
fn messages(json: &serde_json::Value, input: bool) -> Option<String> {
    let list = json.as_array()?;
    let message = |message: &serde_json::Value| -> Option<String> {
        let role = message.get("role")?.as_str()?;
        let parts = message.get("parts")?.as_array()?;
        Some(format!("{role}: {}", parts_text(parts)))
    };
    if input {
        let newest = message(list.last()?)?;
        Some(if list.len() == 1 {
            newest
        } else {
            format!("{} messages, last {newest}", list.len())
        })
    } else {
        let all: Option<Vec<String>> = list.iter().map(message).collect();
        Some(all?.join(" | "))
    }
}

/// Message parts as text: text as itself, tool calls as `name(arguments)`, tool results as
/// their value, other parts as `[type]`.
fn parts_text(parts: &[serde_json::Value]) -> String {
    parts
        .iter()
        .map(|part| {
            let field = |name: &str| part.get(name);
            match field("type").and_then(serde_json::Value::as_str) {
                Some("text") => field("content").map(json_text).unwrap_or_default(),
                Some("reasoning") => {
                    format!(
                        "(reasoning) {}",
                        field("content").map(json_text).unwrap_or_default()
                    )
                }
                Some("tool_call") => format!(
                    "{}({})",
                    field("name").map(json_text).unwrap_or_default(),
                    field("arguments").map(json_text).unwrap_or_default()
                ),
                Some("tool_call_response") => field("response").map(json_text).unwrap_or_default(),
                Some(other) => format!("[{other}]"),
                None => json_text(part),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A string as itself, anything else as compact JSON.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Line breaks, tabs and runs of spaces as one space: a preview is one line.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Attributes

fn attribute<'s>(span: &'s SpanData, key: &str) -> Option<&'s Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

fn text(span: &SpanData, key: &str) -> Option<String> {
    attribute(span, key).map(|value| value.as_str().into_owned())
}

/// An integer, also from a string: `tracing-opentelemetry` records `u64` values as strings.
fn int(span: &SpanData, key: &str) -> Option<i64> {
    match attribute(span, key)? {
        Value::I64(n) => Some(*n),
        Value::String(text) => text.as_str().trim().parse().ok(),
        _ => None,
    }
}

fn float(span: &SpanData, key: &str) -> Option<f64> {
    match attribute(span, key)? {
        Value::F64(x) => Some(*x),
        #[allow(
            clippy::cast_precision_loss,
            reason = "a duration in seconds, not a count"
        )]
        Value::I64(n) => Some(*n as f64),
        _ => None,
    }
}

fn strings(span: &SpanData, key: &str) -> Vec<String> {
    match attribute(span, key) {
        Some(Value::Array(Array::String(values))) => {
            values.iter().map(|v| v.as_str().to_owned()).collect()
        }
        Some(Value::String(one)) => vec![one.as_str().to_owned()],
        _ => Vec::new(),
    }
}

fn is_error(span: &SpanData) -> bool {
    matches!(span.status, Status::Error { .. }) || attribute(span, ERROR_TYPE).is_some()
}

fn kind(kind: &SpanKind) -> &'static str {
    match kind {
        SpanKind::Client => "client",
        SpanKind::Server => "server",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
        SpanKind::Internal => "internal",
    }
}

// ---------------------------------------------------------------------------------------------
// Text

/// Appends `line` without trailing spaces, and a newline.
fn push_line(out: &mut String, line: &str) {
    out.push_str(line.trim_end());
    out.push('\n');
}

/// `text` padded with spaces to `width` characters.
fn pad(text: &str, width: usize) -> String {
    let mut out = text.to_owned();
    out.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(text.chars().count()),
    ));
    out
}

/// `text` cut to `width` characters, ending in `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    // `word …` reads as a word that ended; `word…` as one that was cut.
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Segments joined by ` · ` into lines of at most `width` characters; a segment too long for
/// a line of its own is cut.
fn wrap(segments: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for segment in segments {
        let segment = truncate(segment, width);
        if line.is_empty() {
            line = segment;
        } else if line.chars().count() + 3 + segment.chars().count() <= width {
            line.push_str(" · ");
            line.push_str(&segment);
        } else {
            lines.push(std::mem::replace(&mut line, segment));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `1 span`, `3 spans`.
fn count<N: TryInto<u64>>(n: N, one: &str, many: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(0);
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Thousands separated by commas from 10,000 on: `9999`, `12,345`.
fn group_digits<N: Into<i128>>(n: N) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    if digits.len() <= 4 {
        return n.to_string();
    }
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A duration in at most 7 characters, integers only: `850 ns`, `412 µs`, `4.2 ms`, `41 ms`,
/// `1.09 s`, `2m05s`, `1h02m`.
fn format_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    match nanos {
        0..1_000 => format!("{nanos} ns"),
        1_000..1_000_000 => format!("{} µs", nanos / 1_000),
        1_000_000..9_950_000 => {
            let tenths = (nanos + 50_000) / 100_000;
            format!("{}.{} ms", tenths / 10, tenths % 10)
        }
        9_950_000..999_500_000 => format!("{} ms", (nanos + 500_000) / 1_000_000),
        999_500_000..59_995_000_000 => {
            let hundredths = (nanos + 5_000_000) / 10_000_000;
            format!("{}.{:02} s", hundredths / 100, hundredths % 100)
        }
        59_995_000_000..3_600_000_000_000 => {
            let seconds = (nanos + 500_000_000) / 1_000_000_000;
            format!("{}m{:02}s", seconds / 60, seconds % 60)
        }
        _ => {
            let minutes = nanos / 60_000_000_000;
            format!("{}h{:02}m", minutes / 60, minutes % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::future::Future as _;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};
    use std::time::UNIX_EPOCH;

    use opentelemetry::trace::{SpanContext, TraceFlags, TraceId, TraceState};
    use opentelemetry::{InstrumentationScope, KeyValue};
    use opentelemetry_sdk::trace::{SpanEvents, SpanLinks};

    use super::*;

    /// A span of trace `trace`, `start_ms..end_ms` after a fixed instant.
    fn span(
        trace: u128,
        id: u64,
        parent: u64,
        name: &'static str,
        start_ms: u64,
        end_ms: u64,
    ) -> SpanData {
        let at =
            |ms: u64| UNIX_EPOCH + Duration::from_secs(1_800_000_000) + Duration::from_millis(ms);
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(trace),
                SpanId::from(id),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::from(parent),
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: Cow::Borrowed(name),
            start_time: at(start_ms),
            end_time: at(end_ms),
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: Status::Unset,
            instrumentation_scope: InstrumentationScope::default(),
        }
    }

    fn with(mut span: SpanData, kind: SpanKind, attributes: Vec<KeyValue>) -> SpanData {
        span.span_kind = kind;
        span.attributes = attributes;
        span
    }

    fn failed(mut span: SpanData, error_type: &'static str, description: &'static str) -> SpanData {
        span.attributes.push(KeyValue::new(ERROR_TYPE, error_type));
        span.status = Status::error(description);
        span
    }

    fn strings_value(values: &[&'static str]) -> Value {
        Value::Array(Array::String(values.iter().map(|v| (*v).into()).collect()))
    }

    /// An agent run: a rate-limited chat, its retry asking for a tool, the tool, a streamed
    /// answer.
    fn agent_run() -> Vec<SpanData> {
        vec![
            failed(
                with(
                    span(42, 2, 1, "chat gpt-4o", 0, 100),
                    SpanKind::Client,
                    vec![
                        KeyValue::new(OPERATION, "chat"),
                        KeyValue::new(REQUEST_MODEL, "gpt-4o"),
                    ],
                ),
                "rate_limit_exceeded",
                "429 Too Many Requests",
            ),
            with(
                span(42, 3, 1, "chat gpt-4o", 120, 400),
                SpanKind::Client,
                vec![
                    KeyValue::new(OPERATION, "chat"),
                    KeyValue::new(REQUEST_MODEL, "gpt-4o"),
                    KeyValue::new(RESPONSE_MODEL, "gpt-4o-2024-08-06"),
                    KeyValue::new("gen_ai.usage.input_tokens", 120_i64),
                    KeyValue::new("gen_ai.usage.output_tokens", 18_i64),
                    KeyValue::new("gen_ai.usage.cache_read.input_tokens", 64_i64),
                    KeyValue::new(FINISH_REASONS, strings_value(&["tool_calls"])),
                    KeyValue::new(TOOL_CALL_COUNT, 1_i64),
                ],
            ),
            with(
                span(42, 4, 1, "execute_tool get_weather", 400, 500),
                SpanKind::Internal,
                vec![
                    KeyValue::new(OPERATION, "execute_tool"),
                    KeyValue::new(TOOL_CALL_ID, "call_1"),
                    KeyValue::new("gen_ai.tool.call.arguments", r#"{"city":"Paris"}"#),
                ],
            ),
            with(
                span(42, 5, 1, "chat gpt-4o", 500, 1000),
                SpanKind::Client,
                vec![
                    KeyValue::new(OPERATION, "chat"),
                    KeyValue::new(REQUEST_MODEL, "gpt-4o"),
                    KeyValue::new(STREAM, true),
                    KeyValue::new(TIME_TO_FIRST_CHUNK, 0.2),
                    KeyValue::new("gen_ai.usage.input_tokens", 160_i64),
                    KeyValue::new("gen_ai.usage.output_tokens", 12_i64),
                    KeyValue::new(FINISH_REASONS, strings_value(&["stop"])),
                    KeyValue::new(
                        "gen_ai.input.messages",
                        r#"[{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"21°C"}]}]"#,
                    ),
                ],
            ),
            with(
                span(42, 1, 0, "invoke_agent planner", 0, 1000),
                SpanKind::Internal,
                vec![
                    KeyValue::new(OPERATION, "invoke_agent"),
                    KeyValue::new(AGENT_ID, "asst_1"),
                    KeyValue::new("gen_ai.usage.input_tokens", 280_i64),
                ],
            ),
        ]
    }

    #[test]
    fn a_small_agent_run_draws_exactly_this() {
        let expected = "\
genai-span · 1 trace · 5 spans · 1 error · 1.00 s

── trace 0000000000000000000000000000002a · 5 spans · 1 error · 1.00 s ─────────────────────────────
span                                      kind     duration  0               500 ms           1.00 s
invoke_agent planner                      internal   1.00 s  ███████████████████████████████████████
│  agent asst_1 · tokens 280 in
├─ chat gpt-4o                          ✗ client     100 ms  ████
│     ✗ rate_limit_exceeded: 429 Too Many Requests
├─ chat gpt-4o                            client     280 ms      ████████████
│     gpt-4o → gpt-4o-2024-08-06 · tokens 120 in, 18 out, 64 cache read · finish tool_calls
│     1 tool call
├─ execute_tool get_weather               internal   100 ms                 █████
│     call call_1
│     arguments {\"city\":\"Paris\"}
└─ chat gpt-4o                            client     500 ms                     ░░░░░░░░████████████
      tokens 160 in, 12 out · finish stop · streamed, first chunk after 200 ms
      input     2 messages, last tool: 21°C
                                                             ░ until the first chunk  █ streaming

── totals ──────────────────────────────────────────────────────────────────────────────────────────
tokens   input 280 (cache read 64) · output 30
calls    3 chat (1 failed, 1 streamed) · 1 execute_tool · 1 invoke_agent
errors   1 rate_limit_exceeded
time     1.00 s wall clock · 880 ms in chat · 100 ms in execute_tool · 1.00 s in invoke_agent
";
        let picture = render_spans(&agent_run(), 100);
        assert_eq!(picture, expected, "got:\n{picture}");
    }

    #[test]
    fn the_order_spans_arrive_in_does_not_change_the_picture() {
        let spans = agent_run();
        let mut reversed = spans.clone();
        reversed.reverse();
        assert_eq!(render_spans(&spans, 100), render_spans(&reversed, 100));
    }

    #[test]
    fn at_sixty_columns_nothing_overflows() {
        for width in [0, 10, 60] {
            let picture = render_spans(&agent_run(), width);
            for line in picture.lines() {
                assert!(
                    line.chars().count() <= 60,
                    "{} columns: {line:?}",
                    line.chars().count()
                );
            }
            assert!(
                picture.contains("── trace 0000000000000000… · 5 spans"),
                "{picture}"
            );
        }
    }

    /// A deterministic pseudo-random forest: `traces` traces of `per_trace` spans, each span a
    /// child of an earlier one of its trace (or a root), lying within its parent's time.
    fn forest(traces: u128, per_trace: u64) -> (Vec<SpanData>, HashMap<u64, u64>) {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below.max(1)
        };
        let mut spans = Vec::new();
        let mut parents = HashMap::new();
        for trace in 1..=traces {
            let mut times: HashMap<u64, (u64, u64)> = HashMap::new();
            for n in 0..per_trace {
                let id = u64::try_from(trace).unwrap() * 100_000 + n + 1;
                let (parent, (from, to)) = if n == 0 || next(10) == 0 {
                    (0, (next(1000), 100_000 + next(1000)))
                } else {
                    let parent = u64::try_from(trace).unwrap() * 100_000 + 1 + next(n);
                    (parent, times[&parent])
                };
                let start = from + next(to - from);
                let end = start + next(to - start + 1);
                times.insert(id, (start, end));
                parents.insert(id, parent);
                let name: &'static str = Box::leak(format!("s{id}").into_boxed_str());
                spans.push(span(trace, id, parent, name, start, end));
            }
        }
        (spans, parents)
    }

    /// The waterfall lines of a picture: the span id in their name (`s<id>`), the column the
    /// name starts at, the line.
    fn lines_by_id(picture: &str) -> Vec<(u64, usize, String)> {
        picture
            .lines()
            .filter_map(|line| {
                let chars: Vec<char> = line.chars().collect();
                let column = (0..chars.len().saturating_sub(1)).find(|&at| {
                    chars[at] == 's'
                        && chars[at + 1].is_ascii_digit()
                        && (at == 0 || chars[at - 1] == ' ')
                })?;
                let digits: String = chars[column + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                Some((digits.parse().ok()?, column, line.to_owned()))
            })
            .collect()
    }

    #[test]
    fn every_span_is_drawn_once_under_its_parent_with_its_bar_on_the_axis() {
        let (spans, parents) = forest(3, 400);
        let layout = Layout::new(DEFAULT_WIDTH);
        let picture = render_spans(&spans, DEFAULT_WIDTH);
        let lines = lines_by_id(&picture);
        assert_eq!(lines.len(), spans.len(), "one line per span");
        let mut position: HashMap<u64, usize> = HashMap::new();
        for (index, (id, _, _)) in lines.iter().enumerate() {
            assert!(
                position.insert(*id, index).is_none(),
                "span {id} drawn twice"
            );
        }
        let depth = |mut id: u64| {
            let mut depth = 0;
            while parents[&id] != 0 {
                id = parents[&id];
                depth += 1;
            }
            depth
        };
        for (id, parent) in &parents {
            // Three columns a level; the deepest levels are drawn at the deepest column.
            let column = depth(*id).min(layout.max_levels) * 3;
            assert_eq!(
                lines[position[id]].1,
                column,
                "{id} at depth {}",
                depth(*id)
            );
            if *parent == 0 {
                continue;
            }
            assert!(
                position[parent] < position[id],
                "{id} drawn before its parent {parent}"
            );
            // Everything between a parent and its child is the parent's.
            for (between, _, _) in &lines[position[parent] + 1..position[id]] {
                let mut ancestor = parents[between];
                while ancestor != 0 && ancestor != *parent {
                    ancestor = parents[&ancestor];
                }
                assert_eq!(
                    ancestor, *parent,
                    "{between} sits between {parent} and its child {id}"
                );
            }
        }
        let bar_of = |line: &str| -> (usize, usize) {
            let chars: Vec<char> = line.chars().collect();
            let bar = &chars[layout.bar_column().min(chars.len())..];
            assert!(
                chars.len() <= layout.width,
                "line longer than the picture: {line}"
            );
            assert!(bar.iter().all(|c| " █░▏".contains(*c)), "{line}");
            let first = bar
                .iter()
                .position(|c| *c != ' ')
                .expect("every span has a bar");
            let last = bar.iter().rposition(|c| *c != ' ').unwrap();
            assert!(
                bar[first..=last].iter().all(|c| *c != ' '),
                "one bar per line: {line}"
            );
            (first, last)
        };
        for (id, parent) in &parents {
            let (first, last) = bar_of(&lines[position[id]].2);
            if *parent != 0 {
                let (parent_first, parent_last) = bar_of(&lines[position[parent]].2);
                assert!(
                    first >= parent_first && last <= parent_last,
                    "{id}'s bar outside {parent}'s"
                );
            }
        }
    }

    #[test]
    fn a_chain_ten_thousand_deep_is_drawn_and_elided() {
        let spans: Vec<SpanData> = (1..=10_000_u64)
            .map(|id| span(7, id, id - 1, "deep", id, 20_001 - id))
            .collect();
        let picture = render_spans(&spans, DEFAULT_WIDTH);
        let layout = Layout::new(DEFAULT_WIDTH);
        let drawn: Vec<&str> = picture
            .lines()
            .filter(|line| line.contains("deep"))
            .collect();
        assert_eq!(drawn.len(), 10_000);
        for line in &drawn {
            assert!(line.chars().count() <= layout.width);
            let name_at = line.find("deep").unwrap();
            assert!(
                line[..name_at].chars().count() <= layout.max_levels * 3,
                "{line}"
            );
        }
        assert!(drawn[9_999].starts_with("⋯  "), "{}", drawn[9_999]);
    }

    #[test]
    fn spans_in_a_parent_cycle_or_without_their_parent_are_still_drawn() {
        let spans = vec![
            span(9, 1, 2, "cycle-a", 0, 10),
            span(9, 2, 1, "cycle-b", 1, 9),
            span(9, 3, 77, "orphan", 2, 3),
            span(9, 4, 4, "own-parent", 4, 5),
        ];
        let picture = render_spans(&spans, DEFAULT_WIDTH);
        for name in ["cycle-a", "cycle-b", "orphan", "own-parent"] {
            assert_eq!(picture.matches(name).count(), 1, "{name} in\n{picture}");
        }
        assert!(
            picture.contains("\ncycle-a ") && picture.contains("\n└─ cycle-b "),
            "{picture}"
        );
    }

    #[test]
    fn traces_are_drawn_in_order_of_start_each_on_its_own_axis() {
        let spans = vec![
            span(2, 20, 0, "later", 5_000, 5_010),
            span(1, 10, 0, "earlier", 0, 2_000),
        ];
        let picture = render_spans(&spans, DEFAULT_WIDTH);
        let earlier = picture.find("earlier").unwrap();
        let later = picture.find("later ").unwrap();
        assert!(earlier < later, "{picture}");
        assert!(
            picture.starts_with("genai-span · 2 traces · 2 spans · 5.01 s\n"),
            "{picture}"
        );
        // Each trace's root spans its whole axis.
        for name in ["earlier", "later "] {
            let line = picture.lines().find(|line| line.starts_with(name)).unwrap();
            assert!(
                line.ends_with(&"█".repeat(Layout::new(DEFAULT_WIDTH).bar)),
                "{line}"
            );
        }
    }

    #[test]
    fn tokens_are_counted_once_where_an_agent_repeats_its_calls_usage() {
        let tokens = |input: i64, output: i64| {
            vec![
                KeyValue::new("gen_ai.usage.input_tokens", input),
                KeyValue::new("gen_ai.usage.output_tokens", output),
            ]
        };
        let mut agent_attributes = tokens(30, 3);
        agent_attributes.push(KeyValue::new(OPERATION, "invoke_agent"));
        let spans = vec![
            with(
                span(1, 1, 0, "agent", 0, 10),
                SpanKind::Internal,
                agent_attributes,
            ),
            with(span(1, 2, 1, "chat", 0, 4), SpanKind::Client, tokens(10, 1)),
            with(span(1, 3, 1, "chat", 5, 9), SpanKind::Client, tokens(20, 2)),
            // A remote agent reports its own usage, with no call under it.
            with(
                span(2, 4, 0, "remote agent", 20, 30),
                SpanKind::Client,
                tokens(100, 7),
            ),
            // u64 counts arrive as strings from `tracing-opentelemetry`.
            with(
                span(3, 5, 0, "chat", 40, 50),
                SpanKind::Client,
                vec![
                    KeyValue::new("gen_ai.usage.input_tokens", "12000"),
                    KeyValue::new("gen_ai.usage.reasoning.output_tokens", 5_i64),
                ],
            ),
        ];
        let picture = render_spans(&spans, DEFAULT_WIDTH);
        assert!(
            picture.contains("\ntokens   input 12,130 · output 10 (reasoning 5)\n"),
            "{picture}"
        );
    }

    #[test]
    fn content_recorded_on_the_event_is_previewed_too() {
        let mut chat = span(1, 1, 0, "chat gpt-4o", 0, 10);
        chat.events.events.push(opentelemetry::trace::Event::new(
            CONTENT_EVENT,
            UNIX_EPOCH,
            vec![
                KeyValue::new("gen_ai.system_instructions", r#"[{"type":"text","content":"Be\nbrief."}]"#),
                KeyValue::new("gen_ai.tool.definitions", r#"[{"type":"function","name":"get_weather"},{"type":"function","name":"to_f"}]"#),
                KeyValue::new(
                    "gen_ai.output.messages",
                    r#"[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}]"#,
                ),
            ],
            0,
        ));
        chat.attributes
            .push(KeyValue::new("gen_ai.tool.call.result", "not json at all"));
        let picture = render_spans(&[chat], DEFAULT_WIDTH);
        for expected in [
            "   system    Be brief.\n",
            "   tools     get_weather, to_f\n",
            "   output    assistant: get_weather({\"city\":\"Paris\"})\n",
            "   result    not json at all\n",
        ] {
            assert!(picture.contains(expected), "{expected:?} in\n{picture}");
        }
    }

    #[test]
    fn instructions_and_tools_are_shown_again_only_when_they_change() {
        let system = |text: &'static str| KeyValue::new("gen_ai.system_instructions", text);
        let chats = [r#"["Be brief."]"#, r#"["Be brief."]"#, r#"["Be kind."]"#]
            .into_iter()
            .zip(1_u64..)
            .map(|(text, id)| {
                with(
                    span(1, id, 0, "chat", id * 10, id * 10 + 5),
                    SpanKind::Client,
                    vec![
                        system(text),
                        KeyValue::new("gen_ai.input.messages", "\"hi\""),
                    ],
                )
            })
            .collect::<Vec<_>>();
        let picture = render_spans(&chats, DEFAULT_WIDTH);
        let system_lines: Vec<&str> = picture
            .lines()
            .filter(|line| line.contains("system"))
            .collect();
        assert_eq!(
            system_lines,
            ["   system    Be brief.", "   system    Be kind."],
            "{picture}"
        );
        assert_eq!(picture.matches("input").count(), 3, "{picture}");
    }

    #[test]
    fn a_long_preview_is_cut_to_the_line() {
        let long = format!(
            "[{{\"role\":\"user\",\"parts\":[{{\"type\":\"text\",\"content\":\"{}\"}}]}}]",
            "word ".repeat(100)
        );
        let chat = with(
            span(1, 1, 0, "chat", 0, 10),
            SpanKind::Client,
            vec![KeyValue::new("gen_ai.input.messages", long)],
        );
        let picture = render_spans(&[chat], DEFAULT_WIDTH);
        let line = picture.lines().find(|line| line.contains("input")).unwrap();
        assert!(line.chars().count() <= DEFAULT_WIDTH, "{line}");
        assert!(line.ends_with(" word…"), "{line}");
    }

    #[test]
    fn the_exporter_keeps_up_to_its_capacity_and_counts_the_rest() {
        let exporter = TerminalExporter::with_capacity(3);
        let shared = exporter.clone();
        let batch =
            |ids: std::ops::Range<u64>| ids.map(|id| span(1, id, 0, "s", id, id + 1)).collect();
        let mut context = Context::from_waker(Waker::noop());
        for ids in [1..3, 3..6] {
            // Ready at once: the simple processor calls it on the thread that ends the span.
            let export = pin!(shared.export(batch(ids)));
            assert!(matches!(export.poll(&mut context), Poll::Ready(Ok(()))));
        }
        assert_eq!(exporter.spans().len(), 3);
        assert_eq!(exporter.not_shown(), 2);
        let picture = exporter.render_with_width(DEFAULT_WIDTH);
        assert!(
            picture.ends_with("\n2 more spans not shown: the terminal view keeps the first 3\n"),
            "{picture}"
        );
        assert_eq!(
            format!("{exporter:?}"),
            "TerminalExporter { spans: 3, capacity: 3, not_shown: 2 }"
        );
    }

    #[test]
    fn no_spans_say_so() {
        assert_eq!(
            render_spans(&[], 100),
            "genai-span · no spans were exported\n"
        );
        assert_eq!(
            TerminalExporter::new().render_with_width(100),
            "genai-span · no spans were exported\n"
        );
    }

    #[test]
    fn columns_sets_the_width() {
        assert_eq!(parse_width(None), 100);
        assert_eq!(parse_width(Some(" 132 ")), 132);
        assert_eq!(parse_width(Some("0")), 100);
        assert_eq!(parse_width(Some("wide")), 100);
    }

    #[test]
    fn durations_and_counts_read_at_a_glance() {
        let cases = [
            (Duration::from_nanos(850), "850 ns"),
            (Duration::from_micros(412), "412 µs"),
            (Duration::from_micros(4_240), "4.2 ms"),
            (Duration::from_micros(9_960), "10 ms"),
            (Duration::from_millis(41), "41 ms"),
            (Duration::from_micros(999_600), "1.00 s"),
            (Duration::from_millis(1_094), "1.09 s"),
            (Duration::from_secs(125), "2m05s"),
            (Duration::from_secs(3_720), "1h02m"),
        ];
        for (duration, text) in cases {
            assert_eq!(format_duration(duration), text);
            assert!(text.chars().count() <= DURATION_COLUMN);
        }
        assert_eq!(group_digits(9_999_i64), "9999");
        assert_eq!(group_digits(12_345_i64), "12,345");
        assert_eq!(group_digits(-1_234_567_i64), "-1,234,567");
        assert_eq!(count(1_u64, "span", "spans"), "1 span");
        assert_eq!(count(2_usize, "span", "spans"), "2 spans");
    }
}
