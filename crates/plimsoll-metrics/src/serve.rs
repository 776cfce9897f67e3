//! The HTTP side of `plimsoll metrics serve`: `/metrics` (the latest report as OpenMetrics),
//! `/healthz` (the process answers) and `/readyz` (a first sync has completed), until a
//! shutdown is asked for.
//!
//! Requests are answered one at a time, each with a 5-second read and write limit: the
//! callers are a Prometheus scraper and probes, and the answer is text already rendered.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The content type of the OpenMetrics text format.
pub const OPENMETRICS_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What the endpoints serve, updated by the sync loop.
#[derive(Debug, Default, Clone)]
pub struct Exposition {
    /// The latest report as OpenMetrics text; `None` until a first sync completes.
    pub metrics: Option<String>,
    /// When the last sync succeeded (Unix seconds).
    pub last_success: Option<i64>,
    /// Syncs that failed since the start.
    pub failures: u64,
}

/// The state the sync loop and the server share.
pub type SharedExposition = Arc<RwLock<Exposition>>;

impl Exposition {
    /// The served text: the report's families and the sync loop's own, then `# EOF`.
    pub fn render(&self) -> Option<String> {
        let report = self.metrics.as_deref()?;
        let mut text = report.strip_suffix("# EOF\n").unwrap_or(report).to_owned();
        text.push_str(
            "# TYPE plimsoll_metrics_last_sync_success_timestamp_seconds gauge\n\
             # UNIT plimsoll_metrics_last_sync_success_timestamp_seconds seconds\n\
             # HELP plimsoll_metrics_last_sync_success_timestamp_seconds When the last sync succeeded.\n",
        );
        if let Some(at) = self.last_success {
            text.push_str(&format!(
                "plimsoll_metrics_last_sync_success_timestamp_seconds {at}\n"
            ));
        }
        text.push_str(&format!(
            "# TYPE plimsoll_metrics_sync_failures counter\n\
             # HELP plimsoll_metrics_sync_failures Syncs that failed since the server started.\n\
             plimsoll_metrics_sync_failures_total {}\n# EOF\n",
            self.failures
        ));
        Some(text)
    }
}

/// Answer requests on `listener` until `shutdown` is set; the request being answered is
/// finished first.
pub fn serve(
    listener: &TcpListener,
    exposition: &SharedExposition,
    shutdown: &AtomicBool,
) -> std::io::Result<()> {
    // Polled, so a shutdown is seen within 50 ms without a request to wake the loop.
    listener.set_nonblocking(true)?;
    while !shutdown.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Err(error) = answer(stream, exposition) {
                    tracing::debug!("request not answered: {error}");
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => {
                tracing::warn!("accept failed: {error}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    Ok(())
}

/// The longest request head read.
const MAX_HEAD: usize = 8 * 1024;

fn answer(mut stream: TcpStream, exposition: &SharedExposition) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return respond(
                &mut stream,
                431,
                "text/plain",
                "request head too large\n",
                false,
            );
        }
        let read = stream.read(&mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(&mut stream, 405, "text/plain", "only GET and HEAD\n", false);
    }
    let state = match exposition.read() {
        Ok(state) => state.clone(),
        // A sync thread that panicked while writing left the last complete state.
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    match path {
        "/healthz" => respond(&mut stream, 200, "text/plain", "ok\n", head_only),
        "/readyz" => match state.metrics {
            Some(_) => respond(&mut stream, 200, "text/plain", "ready\n", head_only),
            None => respond(
                &mut stream,
                503,
                "text/plain",
                "not ready: the first sync has not completed\n",
                head_only,
            ),
        },
        "/metrics" => match state.render() {
            Some(text) => respond(&mut stream, 200, OPENMETRICS_TYPE, &text, head_only),
            None => respond(
                &mut stream,
                503,
                "text/plain",
                "no metrics yet: the first sync has not completed\n",
                head_only,
            ),
        },
        _ => respond(
            &mut stream,
            404,
            "text/plain",
            "not found: /metrics, /healthz, /readyz\n",
            head_only,
        ),
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &str,
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if !head_only {
        response.push_str(body);
    }
    stream.write_all(response.as_bytes())?;
    stream.flush()
}
