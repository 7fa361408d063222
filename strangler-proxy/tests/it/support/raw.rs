//! Raw TCP peers for tests that need exact bytes: [`RawUpstream`], an upstream that parses
//! what the proxy sends, records every request with its framing headers and answers as the
//! test scripts it (or closes the connection), and [`RawClient`], a client that writes bytes
//! as given and reads responses without normalising anything. Neither is an HTTP
//! implementation: they parse just enough (head, `Content-Length`, chunked) to delimit
//! messages, and report what they could not parse instead of guessing.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::within;

/// One request as the raw upstream received it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// Which accepted connection it came on (0 for the first).
    pub connection: usize,
    /// Its position on that connection (0 for the first request).
    pub index_on_connection: usize,
    pub method: String,
    pub target: String,
    /// Names lower-cased, values as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The decoded body.
    pub body: Vec<u8>,
}

impl RawRequest {
    /// Every value of header `name` (lower case).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    pub fn has_header(&self, name: &str) -> bool {
        !self.header_values(name).is_empty()
    }
}

/// What the raw upstream does with a request it has read.
pub enum Action {
    /// Writes these bytes (a whole response) and keeps reading.
    Respond(Vec<u8>),
    /// Closes the connection without answering.
    Close,
}

/// A loopback TCP server that records requests and answers as scripted.
pub struct RawUpstream {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    /// Bytes left on a connection that did not form a complete request when it ended.
    leftovers: Arc<Mutex<Vec<Vec<u8>>>>,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl RawUpstream {
    /// Starts a server whose `script` decides, for each complete request, what to do.
    pub async fn start(
        script: impl Fn(&RawRequest) -> Action + Send + Sync + 'static,
    ) -> RawUpstream {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind raw upstream");
        let addr = listener.local_addr().expect("raw upstream address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let leftovers = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let script: Arc<dyn Fn(&RawRequest) -> Action + Send + Sync> = Arc::new(script);
        let task = tokio::spawn({
            let requests = Arc::clone(&requests);
            let leftovers = Arc::clone(&leftovers);
            let connections = Arc::clone(&connections);
            async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let connection = connections.fetch_add(1, Ordering::SeqCst);
                    let script = Arc::clone(&script);
                    let requests = Arc::clone(&requests);
                    let leftovers = Arc::clone(&leftovers);
                    tokio::spawn(async move {
                        let mut reader = ByteReader::new(stream);
                        for index_on_connection in 0.. {
                            let Some(mut request) = read_request(&mut reader).await else {
                                break;
                            };
                            request.connection = connection;
                            request.index_on_connection = index_on_connection;
                            let action = script(&request);
                            requests.lock().expect("request log lock").push(request);
                            match action {
                                Action::Respond(bytes) => {
                                    if reader.stream.write_all(&bytes).await.is_err() {
                                        break;
                                    }
                                }
                                Action::Close => break,
                            }
                        }
                        if !reader.buffer.is_empty() {
                            leftovers
                                .lock()
                                .expect("leftover lock")
                                .push(std::mem::take(&mut reader.buffer));
                        }
                    });
                }
            }
        });
        RawUpstream {
            addr,
            requests,
            leftovers,
            connections,
            task,
        }
    }

    /// An upstream answering every request `200` with body `ok`, keeping the connection.
    pub async fn recorder() -> RawUpstream {
        RawUpstream::start(|_request| Action::Respond(ok_response("ok"))).await
    }

    /// The requests received so far, in arrival order.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().expect("request log lock").clone()
    }

    /// Bytes that ended a connection without forming a complete request.
    pub fn leftovers(&self) -> Vec<Vec<u8>> {
        self.leftovers.lock().expect("leftover lock").clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawUpstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `HTTP/1.1 200 OK` with a `Content-Length` body.
pub fn ok_response(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A response as the raw client read it.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client connection that writes bytes exactly as given.
pub struct RawClient {
    reader: ByteReader,
}

impl RawClient {
    pub async fn connect(addr: SocketAddr) -> RawClient {
        let stream = within(TcpStream::connect(addr))
            .await
            .expect("connect to the proxy");
        let _ = stream.set_nodelay(true);
        RawClient {
            reader: ByteReader::new(stream),
        }
    }

    /// Writes `bytes`; `false` when the peer has closed the connection already.
    pub async fn send(&mut self, bytes: &[u8]) -> bool {
        let written = within(self.reader.stream.write_all(bytes)).await.is_ok();
        written && within(self.reader.stream.flush()).await.is_ok()
    }

    /// The next response, or `None` when the connection closed before a complete one; waits
    /// at most [`TIMEOUT`](super::TIMEOUT).
    pub async fn response(&mut self) -> Option<RawResponse> {
        within(read_response(&mut self.reader)).await
    }

    /// Like [`RawClient::response`], but gives up (with `None`) after `wait`.
    pub async fn response_within(&mut self, wait: Duration) -> Option<RawResponse> {
        tokio::time::timeout(wait, read_response(&mut self.reader))
            .await
            .ok()
            .flatten()
    }

    /// Reads until the proxy closes the connection (at most [`TIMEOUT`](super::TIMEOUT)) and
    /// returns what came before the end; a reset counts as closed.
    pub async fn rest_until_closed(&mut self) -> Vec<u8> {
        within(async { while let Ok(true) = self.reader.fill().await {} }).await;
        std::mem::take(&mut self.reader.buffer)
    }
}

/// A stream with a read buffer.
struct ByteReader {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl ByteReader {
    fn new(stream: TcpStream) -> ByteReader {
        ByteReader {
            stream,
            buffer: Vec::new(),
        }
    }

    /// Reads more bytes into the buffer; `Ok(false)` at the end of the stream.
    async fn fill(&mut self) -> std::io::Result<bool> {
        let mut chunk = [0u8; 8192];
        let n_read = self.stream.read(&mut chunk).await?;
        self.buffer.extend_from_slice(&chunk[..n_read]);
        Ok(n_read > 0)
    }

    /// Takes bytes up to and including `delimiter`; `None` if the stream ends first.
    async fn take_through(&mut self, delimiter: &[u8]) -> Option<Vec<u8>> {
        loop {
            if let Some(position) = self
                .buffer
                .windows(delimiter.len())
                .position(|window| window == delimiter)
            {
                return Some(self.buffer.drain(..position + delimiter.len()).collect());
            }
            if !self.fill().await.ok()? {
                return None;
            }
        }
    }

    /// Takes exactly `length` bytes; `None` if the stream ends first.
    async fn take_exact(&mut self, length: usize) -> Option<Vec<u8>> {
        while self.buffer.len() < length {
            if !self.fill().await.ok()? {
                return None;
            }
        }
        Some(self.buffer.drain(..length).collect())
    }

    /// Everything until the end of the stream.
    async fn take_to_end(&mut self) -> Vec<u8> {
        while let Ok(true) = self.fill().await {}
        std::mem::take(&mut self.buffer)
    }
}

/// Start line and headers (names lower-cased) of a head ending in an empty line.
fn parse_head(head: &[u8]) -> Option<(String, Vec<(String, String)>)> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.strip_suffix("\r\n\r\n")?.split("\r\n");
    let start_line = lines.next()?.to_owned();
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    Some((start_line, headers))
}

/// Reads a chunked body (and its trailer section), decoded.
async fn read_chunked(reader: &mut ByteReader) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let size_line = reader.take_through(b"\r\n").await?;
        let size_text = std::str::from_utf8(&size_line).ok()?.trim_end();
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        if size == 0 {
            // Trailer fields, then the empty line.
            loop {
                let line = reader.take_through(b"\r\n").await?;
                if line == b"\r\n" {
                    return Some(body);
                }
            }
        }
        body.extend(reader.take_exact(size).await?);
        if reader.take_exact(2).await? != b"\r\n" {
            return None;
        }
    }
}

/// Reads one request: chunked when `Transfer-Encoding` is present, else by `Content-Length`.
async fn read_request(reader: &mut ByteReader) -> Option<RawRequest> {
    let head = reader.take_through(b"\r\n\r\n").await?;
    let Some((start_line, headers)) = parse_head(&head) else {
        // Unparseable: put it back so that the leftovers show it.
        let mut rest = head;
        rest.append(&mut reader.buffer);
        reader.buffer = rest;
        return None;
    };
    let mut parts = start_line.split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let has = |name: &str| headers.iter().any(|(header, _)| header == name);
    let body = if has("transfer-encoding") {
        read_chunked(reader).await?
    } else if let Some((_, length)) = headers
        .iter()
        .find(|(header, _)| header == "content-length")
    {
        reader.take_exact(length.parse().ok()?).await?
    } else {
        Vec::new()
    };
    Some(RawRequest {
        connection: 0,
        index_on_connection: 0,
        method,
        target,
        headers,
        body,
    })
}

/// Reads one response: chunked, by `Content-Length`, or to the end of the stream.
async fn read_response(reader: &mut ByteReader) -> Option<RawResponse> {
    let head = reader.take_through(b"\r\n\r\n").await?;
    let (status_line, headers) = parse_head(&head)?;
    let status = status_line.split(' ').nth(1)?.parse().ok()?;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.clone())
    };
    let body = if header("transfer-encoding").is_some() {
        read_chunked(reader).await?
    } else if let Some(length) = header("content-length") {
        reader.take_exact(length.parse().ok()?).await?
    } else if status == 204 || status == 304 || (100..200).contains(&status) {
        Vec::new()
    } else {
        reader.take_to_end().await
    };
    Some(RawResponse {
        status,
        headers,
        body,
    })
}

/// How long [`RawClient::response_within`] callers wait to conclude that nothing comes.
pub const NOTHING_COMES: Duration = Duration::from_millis(500);
