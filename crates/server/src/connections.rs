//! How many connections the server holds, and for how long: a slow or idle client cannot keep
//! a socket forever (the header deadline), cannot make the server run out of file descriptors
//! (connections beyond the limit are closed as they arrive), and cannot keep a stopping server
//! from stopping (the shutdown deadline).

use std::future::{Ready, ready};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The connection limits of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections served at once; the next is closed as soon as it is accepted.
    pub max_connections: usize,
    /// Time to send a request's headers, and to start the next request on a kept-alive
    /// connection.
    pub header_timeout: Duration,
    /// Time a client may pause while sending a request body (reset by each part that arrives).
    pub body_timeout: Duration,
    /// Time requests in flight get to finish once the server is told to stop.
    pub shutdown_timeout: Duration,
}

impl Default for ConnectionLimits {
    /// 1,000 connections (under the common 1,024 file-descriptor limit, with room for the
    /// database and the log), 30 s for headers, 30 s of silence in a body, 30 s to finish when
    /// stopping.
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1000,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// Accepts a connection only while fewer than the limit are open; each accepted connection
/// holds a permit until it closes. A connection over the limit is refused at once rather than
/// queued, so that it does not hold a file descriptor while it waits.
#[derive(Clone)]
pub struct LimitAcceptor {
    permits: Arc<Semaphore>,
    max_connections: usize,
    refused: Arc<AtomicU64>,
}

impl LimitAcceptor {
    pub fn new(max_connections: usize) -> Self {
        LimitAcceptor {
            permits: Arc::new(Semaphore::new(max_connections)),
            max_connections,
            refused: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Connections open now.
    pub fn open(&self) -> u64 {
        let open = self.max_connections.saturating_sub(self.permits.available_permits());
        u64::try_from(open).unwrap_or(u64::MAX)
    }

    /// Connections refused because the limit was reached, since the server started.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl<I, S> Accept<I, S> for LimitAcceptor {
    type Stream = Limited<I>;
    type Service = S;
    type Future = Ready<io::Result<(Limited<I>, S)>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        match self.permits.clone().try_acquire_owned() {
            Ok(permit) => ready(Ok((Limited { inner: stream, _permit: permit }, service))),
            Err(_) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                tracing::debug!("connection refused: the connection limit is reached");
                ready(Err(io::Error::other("the connection limit is reached")))
            }
        }
    }
}

/// A connection that counts against the limit until it is dropped.
pub struct Limited<I> {
    inner: I,
    _permit: OwnedSemaphorePermit,
}

impl<I: AsyncRead + Unpin> AsyncRead for Limited<I> {
    fn poll_read(
        mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Limited<I> {
    fn poll_write(
        mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
