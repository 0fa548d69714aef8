//! A mock OpenAI-compatible server on 127.0.0.1.
//!
//! Hand-rolled HTTP/1.1 on tokio's `TcpListener` rather than a framework: the tests need to
//! decide which bytes go out in which TCP write (events cut mid-line, mid-character), and to
//! drop the connection in the middle of a body, which a server framework hides or forbids.
//! One connection per request (`Connection: close`), answered with the next scripted reply.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A request the server received.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    /// Header names lowercased.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: serde_json::Value,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How an event stream ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// The body's last chunk is sent, then the connection is closed.
    Complete,
    /// The connection is dropped in the middle of the body.
    Drop,
}

/// What the server answers to one request.
#[derive(Debug, Clone)]
pub(crate) enum Reply {
    /// A whole body with a `Content-Length`.
    Json { status: u16, body: String },
    /// `text/event-stream` in chunked transfer encoding: each piece is one chunk, written and
    /// flushed on its own, a few milliseconds after the one before.
    Events { pieces: Vec<Vec<u8>>, end: End },
}

impl Reply {
    pub(crate) fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::Json {
            status,
            body: body.to_string(),
        }
    }

    pub(crate) fn raw(status: u16, body: &str) -> Reply {
        Reply::Json {
            status,
            body: body.to_owned(),
        }
    }

    /// `stream` cut into pieces of `piece_len` bytes, wherever that falls.
    pub(crate) fn events(stream: &str, piece_len: usize, end: End) -> Reply {
        Reply::Events {
            pieces: stream
                .as_bytes()
                .chunks(piece_len)
                .map(<[u8]>::to_vec)
                .collect(),
            end,
        }
    }
}

/// `data: {event}` and a blank line for each event, `\n` line endings.
pub(crate) fn sse<S: AsRef<str>>(events: &[S]) -> String {
    let mut stream = String::new();
    for event in events {
        stream.push_str("data: ");
        stream.push_str(event.as_ref());
        stream.push_str("\n\n");
    }
    stream
}

/// The server; it stops with the runtime it was started on.
#[derive(Debug)]
pub(crate) struct MockServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl MockServer {
    /// Starts a server answering requests, in order, with `replies`.
    pub(crate) async fn start(replies: Vec<Reply>) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let mut replies: VecDeque<Reply> = replies.into();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let Some(reply) = replies.pop_front() else {
                    return;
                };
                let recorded = Arc::clone(&recorded);
                tokio::spawn(async move {
                    serve(socket, reply, &recorded).await;
                });
            }
        });
        MockServer { addr, requests }
    }

    /// The base URL a client is configured with.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub(crate) fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The requests received so far.
    pub(crate) fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("not poisoned").clone()
    }
}

async fn serve(socket: TcpStream, reply: Reply, recorded: &Mutex<Vec<Request>>) {
    socket.set_nodelay(true).expect("nodelay");
    let mut socket = BufReader::new(socket);
    let request = read_request(&mut socket).await;
    recorded.lock().expect("not poisoned").push(request);
    let socket = socket.get_mut();
    match reply {
        Reply::Json { status, body } => {
            let head = format!(
                "HTTP/1.1 {status} Mock\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            socket.write_all(head.as_bytes()).await.expect("write");
            socket.write_all(body.as_bytes()).await.expect("write");
        }
        Reply::Events { pieces, end } => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            socket.write_all(head.as_bytes()).await.expect("write");
            socket.flush().await.expect("flush");
            for piece in pieces {
                tokio::time::sleep(Duration::from_millis(1)).await;
                let mut chunk = format!("{:x}\r\n", piece.len()).into_bytes();
                chunk.extend_from_slice(&piece);
                chunk.extend_from_slice(b"\r\n");
                // The client may have stopped reading: a failed write ends the reply.
                if socket.write_all(&chunk).await.is_err() || socket.flush().await.is_err() {
                    return;
                }
            }
            if end == End::Drop {
                return; // Closes the connection without the body's last chunk.
            }
            let _ = socket.write_all(b"0\r\n\r\n").await;
        }
    }
    let _ = socket.shutdown().await;
}

async fn read_request(socket: &mut BufReader<TcpStream>) -> Request {
    let mut line = String::new();
    socket.read_line(&mut line).await.expect("request line");
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        socket.read_line(&mut line).await.expect("header");
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').expect("a header");
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().expect("a length"));
    let mut body = vec![0; length];
    socket.read_exact(&mut body).await.expect("body");
    Request {
        method,
        path,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    }
}
