//! The smallest HTTP/1.1 server `serve` needs: `GET /metrics` and `GET /healthz`, one request
//! per connection, bounded in size and time so that a slow or hostile client holds nothing.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The largest request head read; anything longer is refused.
const MAX_HEAD: usize = 8 * 1024;
/// How long a client may take to send its request.
const READ_WITHIN: Duration = Duration::from_secs(5);

pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// An answer: status line, content type, body.
pub struct Answer {
    pub status: &'static str,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    pub fn text(status: &'static str, body: impl Into<String>) -> Answer {
        Answer {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }
}

/// Serves `listener` until the process ends; `route` answers a method and path.
pub async fn serve<F>(listener: TcpListener, route: F)
where
    F: Fn(&str, &str) -> Answer + Send + Sync + Clone + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, or the like: wait rather than spin.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let route = route.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(READ_WITHIN * 2, handle(stream, route)).await;
        });
    }
}

async fn handle<F>(mut stream: TcpStream, route: F) -> std::io::Result<()>
where
    F: Fn(&str, &str) -> Answer,
{
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    let complete = tokio::time::timeout(READ_WITHIN, async {
        loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok::<bool, std::io::Error>(false);
            }
            head.extend_from_slice(&buf[..n]);
            if head.windows(4).any(|w| w == b"\r\n\r\n") {
                return Ok(true);
            }
            if head.len() > MAX_HEAD {
                return Ok(false);
            }
        }
    })
    .await;
    let answer = match complete {
        Ok(Ok(true)) => {
            let text = String::from_utf8_lossy(&head);
            let mut words = text.lines().next().unwrap_or("").split_whitespace();
            let method = words.next().unwrap_or("");
            let target = words.next().unwrap_or("");
            let path = target.split('?').next().unwrap_or("");
            route(method, path)
        }
        Ok(Ok(false)) if head.len() > MAX_HEAD => {
            Answer::text("431 Request Header Fields Too Large", "request too large\n")
        }
        _ => return Ok(()),
    };
    let head_only = head.starts_with(b"HEAD ");
    let response = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.status,
        answer.content_type,
        answer.body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    if !head_only {
        stream.write_all(answer.body.as_bytes()).await?;
    }
    stream.shutdown().await
}
