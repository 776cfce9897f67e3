//! A real HTTP/1.1 server on 127.0.0.1 that answers as GitHub's REST API would, from replies
//! a test sets per request target, and records every request it gets. One request per
//! connection (`Connection: close`), one thread per connection, so a slow reply (a time-out
//! test) does not hold up the others.

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One reply: status, headers, JSON body, and a delay before it is written.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub content_type: &'static str,
    pub delay: Duration,
    /// A binary body (an artifact zip), sent instead of `body`.
    pub bytes: Option<Vec<u8>>,
}

impl Reply {
    pub fn json(body: &serde_json::Value) -> Self {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: body.to_string(),
            content_type: "application/json; charset=utf-8",
            delay: Duration::ZERO,
            bytes: None,
        }
    }

    /// A binary reply, as an artifact's storage serves its zip.
    pub fn zip(bytes: Vec<u8>) -> Self {
        Reply {
            content_type: "application/zip",
            bytes: Some(bytes),
            ..Reply::json(&serde_json::Value::Null)
        }
    }

    /// A plain-text reply, as a job log is served.
    pub fn text(body: &str) -> Self {
        Reply {
            body: body.to_owned(),
            content_type: "text/plain",
            ..Reply::json(&serde_json::Value::Null)
        }
    }

    /// A `302 Found` to `location`, as the logs endpoint answers.
    pub fn redirect(location: &str) -> Self {
        Reply {
            status: 302,
            body: String::new(),
            ..Reply::json(&serde_json::Value::Null)
        }
        .header("Location", location)
    }

    /// An error reply with GitHub's `{"message": …}` body.
    pub fn error(status: u16, message: &str) -> Self {
        Reply {
            status,
            ..Reply::json(&serde_json::json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest"
            }))
        }
    }

    /// An `ETag` that changes with the body, as GitHub's do.
    pub fn with_content_etag(self) -> Self {
        // FNV-1a: any hash that tells two bodies apart will do.
        let hash = self
            .body
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            });
        let tag = format!("\"{hash:016x}\"");
        self.header("ETag", &tag)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    fn etag(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("etag"))
            .map(|(_, value)| value.as_str())
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub target: String,
    pub if_none_match: Option<String>,
    pub authorization: Option<String>,
    pub at: Instant,
    pub status: u16,
}

/// Answers requests no route names (`None`: not this one).
pub type Handler = Box<dyn Fn(&str) -> Option<Reply> + Send + Sync>;

#[derive(Default)]
struct Routes {
    /// Replies used once each, in order, before the standing one.
    once: HashMap<String, VecDeque<Reply>>,
    standing: HashMap<String, Reply>,
    handlers: Vec<Handler>,
}

pub struct GitHubServer {
    /// `http://127.0.0.1:PORT`, the API URL to give the client.
    pub url: String,
    routes: Arc<Mutex<Routes>>,
    log: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl GitHubServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let routes = Arc::new(Mutex::new(Routes::default()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (routes, log, stop) = (routes.clone(), log.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (routes, log) = (routes.clone(), log.clone());
                    std::thread::spawn(move || serve(stream, &routes, &log));
                }
            })
        };
        GitHubServer {
            url,
            routes,
            log,
            stop,
            accept: Some(accept),
        }
    }

    /// Answer `target` (path and query) with `reply` whenever no one-time reply is queued.
    /// A reply with an `ETag` answers `304 Not Modified` to a request that sends it back.
    pub fn route(&self, target: &str, reply: Reply) {
        self.routes
            .lock()
            .expect("routes")
            .standing
            .insert(target.to_owned(), reply);
    }

    /// Answer the next request for `target` with `reply`, once.
    pub fn once(&self, target: &str, reply: Reply) {
        self.routes
            .lock()
            .expect("routes")
            .once
            .entry(target.to_owned())
            .or_default()
            .push_back(reply);
    }

    /// Answer the requests no route names with `handler`, where it has an answer.
    pub fn handle(&self, handler: Handler) {
        self.routes.lock().expect("routes").handlers.push(handler);
    }

    /// Every request so far, in the order they arrived.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("log").clone()
    }

    /// Forget the requests so far.
    pub fn clear_log(&self) {
        self.log.lock().expect("log").clear();
    }
}

impl Drop for GitHubServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        304 => "Not Modified",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

fn serve(mut stream: TcpStream, routes: &Mutex<Routes>, log: &Mutex<Vec<Recorded>>) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65_536 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => request.extend_from_slice(&buffer[..read]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let mut lines = text.split("\r\n");
    let target = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("")
        .to_owned();
    let mut header = HashMap::new();
    for line in lines.take_while(|line| !line.is_empty()) {
        if let Some((name, value)) = line.split_once(':') {
            header.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let reply = {
        let mut routes = routes.lock().expect("routes");
        match routes.once.get_mut(&target).and_then(VecDeque::pop_front) {
            Some(reply) => reply,
            None => match routes.standing.get(&target) {
                Some(reply)
                    if reply.etag().is_some()
                        && reply.etag() == header.get("if-none-match").map(String::as_str) =>
                {
                    Reply {
                        status: 304,
                        body: String::new(),
                        ..reply.clone()
                    }
                }
                Some(reply) => reply.clone(),
                None => routes
                    .handlers
                    .iter()
                    .find_map(|handler| handler(&target))
                    .unwrap_or_else(|| Reply::error(404, "Not Found")),
            },
        }
    };
    log.lock().expect("log").push(Recorded {
        target,
        if_none_match: header.get("if-none-match").cloned(),
        authorization: header.get("authorization").cloned(),
        at: Instant::now(),
        status: reply.status,
    });
    std::thread::sleep(reply.delay);
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.bytes.as_ref().map_or(reply.body.len(), Vec::len)
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = match &reply.bytes {
        Some(bytes) => stream.write_all(bytes),
        None => stream.write_all(reply.body.as_bytes()),
    };
    let _ = stream.flush();
}
