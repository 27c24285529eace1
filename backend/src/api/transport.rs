//! The one place where rejections made below axum become problem documents.
//!
//! hyper refuses some requests before any of our code runs: a request line or header it
//! cannot parse (a NUL in a header value: 400), a URI longer than 65,534 bytes (414), more
//! than 100 headers or a head larger than its buffer (431). It answers those itself, with
//! an empty body, and offers no hook to change that. So each connection's stream is
//! wrapped: when hyper writes one of these automatic answers (a 4xx head without a
//! `content-type`, which no response of ours lacks: every error we send is
//! `application/problem+json`), the wrapper writes the same status with a problem document
//! instead, with a stable `code`. Everything else passes through untouched.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::error::ApiError;

/// A TCP listener whose connections turn hyper's automatic rejections into problem
/// documents.
#[derive(Debug)]
pub struct ProblemListener(pub TcpListener);

impl axum::serve::Listener for ProblemListener {
    type Io = ProblemStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (ProblemStream, SocketAddr) {
        let (stream, peer) = axum::serve::Listener::accept(&mut self.0).await;
        (
            ProblemStream {
                inner: stream,
                replacement: Vec::new(),
                written: 0,
            },
            peer,
        )
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// The peer's address, as [`axum::extract::ConnectInfo`] of a [`ProblemListener`].
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, ProblemListener>>
    for PeerAddr
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, ProblemListener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}

/// A connection's stream; see the module documentation.
#[derive(Debug)]
pub struct ProblemStream {
    inner: TcpStream,
    /// A rewritten answer still to be sent, and how much of it was.
    replacement: Vec<u8>,
    written: usize,
}

impl ProblemStream {
    /// Sends what is left of a rewritten answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.replacement.len() {
            let n = ready!(
                Pin::new(&mut self.inner).poll_write(cx, &self.replacement[self.written..])
            )?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.replacement.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

/// The problem document answering hyper's automatic response `head`, if it is one.
fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    let rest = head.strip_prefix(b"HTTP/1.1 ")?;
    let status: u16 = std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()?;
    let (code, detail) = match status {
        400 => (
            "malformed_request",
            "the request is not valid HTTP/1.1: its request line or a header is malformed \
             (header values may not hold control characters such as NUL)",
        ),
        414 => (
            "uri_too_long",
            "the request's URI is longer than 65,534 bytes",
        ),
        431 => (
            "headers_too_large",
            "the request has more than 100 headers, or its head is too large",
        ),
        _ => return None,
    };
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let lines = std::str::from_utf8(&head[..end]).ok()?;
    if lines
        .lines()
        .any(|line| line.to_ascii_lowercase().starts_with("content-type:"))
    {
        return None;
    }
    let status = StatusCode::from_u16(status).ok()?;
    let body = serde_json::to_vec(ApiError::new(status, code, detail).problem()).ok()?;
    let date = lines
        .lines()
        .find(|line| line.to_ascii_lowercase().starts_with("date:"));
    let mut answer = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error"),
        body.len()
    );
    if let Some(date) = date {
        answer.push_str(date);
        answer.push_str("\r\n");
    }
    answer.push_str("\r\n");
    let mut bytes = answer.into_bytes();
    bytes.extend_from_slice(&body);
    Some(bytes)
}

impl AsyncRead for ProblemStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ProblemStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        // Cheap first test: our own answers never reach the full parse below.
        if buf.starts_with(b"HTTP/1.1 4")
            && let Some(replacement) = rewrite(buf)
        {
            self.replacement = replacement;
            self.written = 0;
            // The bytes are ours now; they go out here or on the flush that follows.
            if let Poll::Ready(Err(error)) = self.drain(cx) {
                return Poll::Ready(Err(error));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then writes each response head as one contiguous buffer, which
    // is what `rewrite` reads.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_automatic_answers_are_rewritten() {
        let automatic = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 06:00:00 GMT\r\n\r\n";
        let rewritten = String::from_utf8(rewrite(automatic).unwrap()).unwrap();
        let (head, body) = rewritten.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "));
        assert!(head.contains("content-type: application/problem+json"));
        assert!(head.contains("date: Wed, 02 Dec 2026 06:00:00 GMT"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["code"], "headers_too_large");
        assert_eq!(problem["status"], 431);

        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 2\r\n\r\n{}";
        assert!(rewrite(ours).is_none(), "our own answers pass untouched");
        assert!(rewrite(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(rewrite(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
    }
}
