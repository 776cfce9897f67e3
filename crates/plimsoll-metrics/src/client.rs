//! GET requests to GitHub's REST API as its documentation asks clients to make them
//! (<https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api>,
//! <https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api>):
//!
//! - conditional requests: a response's `ETag` is kept with its body in the store and sent
//!   back as `If-None-Match`; a `304 Not Modified` reuses the stored body (and does not count
//!   against the primary rate limit);
//! - the primary rate limit: when `x-ratelimit-remaining` is 0, no request is made before the
//!   `x-ratelimit-reset` time, whether the limit showed on a success or on a 403/429;
//! - secondary rate limits: a 403/429 with `retry-after` waits that many seconds; a 429
//!   without either header waits a minute, then exponentially longer;
//! - transient failures (5xx, time-outs, refused or reset connections) are retried with
//!   exponential backoff and jitter; any other 4xx fails at once, since asking again gets the
//!   same answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::{MetricsError, Result};
use crate::store::{CachedResponse, Store};

/// How the client talks to the API.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `https://api.github.com`, or a GitHub Enterprise Server's `https://HOST/api/v3`.
    pub api_url: String,
    pub token: Option<String>,
    /// The longest one request may take, response body included.
    pub timeout: Duration,
    /// How many times a transient failure is retried before the sync fails.
    pub max_retries: u32,
    /// The first backoff delay; each retry doubles it.
    pub backoff_base: Duration,
    /// The longest the client waits for a rate limit to reset before giving up.
    pub max_rate_limit_wait: Duration,
}

impl ClientOptions {
    pub fn new(api_url: &str, token: Option<String>) -> Self {
        ClientOptions {
            api_url: api_url.trim_end_matches('/').to_owned(),
            token,
            timeout: Duration::from_secs(30),
            max_retries: 5,
            backoff_base: Duration::from_millis(500),
            max_rate_limit_wait: Duration::from_secs(3600),
        }
    }
}

/// What the client did, for the sync summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RequestCounts {
    /// Requests sent, retries included.
    pub requests: u64,
    /// Responses answered `304 Not Modified` from the stored body.
    pub not_modified: u64,
    /// Retries after a transient failure.
    pub retries: u64,
    /// Waits for a primary or secondary rate limit.
    pub rate_limit_waits: u64,
}

/// One response body and the next page's URL from its `Link` header.
#[derive(Debug, Clone)]
pub struct Page {
    pub body: String,
    /// The body of a binary download ([`Client::get_binary`]); empty otherwise.
    pub bytes: Vec<u8>,
    pub next_url: Option<String>,
}

/// A GitHub REST API client that keeps within the rate limits.
pub struct Client {
    agent: ureq::Agent,
    options: ClientOptions,
    /// No request before this instant: the primary limit is spent until its reset.
    /// Shared by the clients of one `--org` sync ([`Client::sharing_limits`]): the limit is
    /// the token's, whichever thread spent it.
    paused_until: Arc<Mutex<Option<Instant>>>,
    random: u64,
    pub counts: RequestCounts,
}

/// What one exchange came to.
enum Outcome {
    Done(Page),
    /// Ask again after the delay (a rate limit); does not use up a retry.
    WaitFor(Duration, String),
    /// A transient failure: retry with backoff.
    Transient(String),
}

/// The largest binary download read: artifacts past it are not asked for (their listing gives
/// their size), so this only guards against a server that lies.
pub const BINARY_LIMIT: u64 = 512 << 20;

/// Rate-limit waits allowed for one URL: a limit that keeps coming back is a failure.
const MAX_RATE_LIMIT_WAITS: u32 = 10;

impl Client {
    pub fn new(options: ClientOptions) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .user_agent(concat!("plimsoll/", env!("CARGO_PKG_VERSION")))
            .build();
        // Jitter needs no strong randomness: the clock's nanoseconds seed a xorshift.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |elapsed| elapsed.as_nanos() as u64)
            | 1;
        Client {
            agent: config.new_agent(),
            options,
            paused_until: Arc::new(Mutex::new(None)),
            random: seed,
            counts: RequestCounts::default(),
        }
    }

    /// Another client of the same API and token, for another thread, that waits for the same
    /// rate limit as this one; its request counts are its own.
    pub fn sharing_limits(&self) -> Client {
        let mut client = Client::new(self.options.clone());
        client.paused_until = self.paused_until.clone();
        client
    }

    pub fn api_url(&self) -> &str {
        &self.options.api_url
    }

    /// GET `url` (absolute, or a path under the API URL), conditionally when the store has
    /// its ETag.
    pub fn get(&mut self, url: &str, store: &Store) -> Result<Page> {
        self.fetch(url, Some(store), false)
    }

    /// GET `url` without keeping the response: a job log, large and read once.
    pub fn get_uncached(&mut self, url: &str) -> Result<Page> {
        self.fetch(url, None, false)
    }

    /// GET a binary body (an artifact zip), following redirects to where it is stored, and
    /// without keeping it.
    pub fn get_binary(&mut self, url: &str) -> Result<Vec<u8>> {
        Ok(self.fetch(url, None, true)?.bytes)
    }

    /// `url` as requested: absolute, or a path under the API URL.
    pub fn absolute_url(&self, url: &str) -> String {
        if url.starts_with("http://") || url.starts_with("https://") {
            url.to_owned()
        } else {
            format!("{}{url}", self.options.api_url)
        }
    }

    fn fetch(&mut self, url: &str, store: Option<&Store>, binary: bool) -> Result<Page> {
        let url = self.absolute_url(url);
        let cached = match store {
            Some(store) => store.cached_response(&url)?,
            None => None,
        };
        let mut failures = 0u32;
        let mut waits = 0u32;
        loop {
            self.wait_for_rate_limit(&url)?;
            self.counts.requests += 1;
            match self.exchange(&url, cached.as_ref(), store, binary)? {
                Outcome::Done(page) => return Ok(page),
                Outcome::WaitFor(delay, reason) => {
                    waits += 1;
                    if waits > MAX_RATE_LIMIT_WAITS || delay > self.options.max_rate_limit_wait {
                        return Err(MetricsError::RateLimited { url, reason });
                    }
                    self.counts.rate_limit_waits += 1;
                    tracing::warn!("{reason}: waiting {} s", delay.as_secs_f32().ceil());
                    std::thread::sleep(delay);
                }
                Outcome::Transient(reason) => {
                    failures += 1;
                    if failures > self.options.max_retries {
                        return Err(MetricsError::Transport {
                            url,
                            reason,
                            attempts: failures,
                        });
                    }
                    self.counts.retries += 1;
                    let delay = self.backoff(failures);
                    tracing::info!("GET {url}: {reason}; retrying in {delay:?}");
                    std::thread::sleep(delay);
                }
            }
        }
    }

    /// Sleep until the primary limit resets, when the last response spent it.
    fn wait_for_rate_limit(&mut self, url: &str) -> Result<()> {
        let paused = self.paused_until.lock().map(|until| *until).unwrap_or(None);
        if let Some(until) = paused {
            let delay = until.saturating_duration_since(Instant::now());
            if delay > self.options.max_rate_limit_wait {
                return Err(MetricsError::RateLimited {
                    url: url.to_owned(),
                    reason: format!(
                        "the rate limit resets in {} s, more than the {} s allowed",
                        delay.as_secs(),
                        self.options.max_rate_limit_wait.as_secs()
                    ),
                });
            }
            if !delay.is_zero() {
                self.counts.rate_limit_waits += 1;
                tracing::warn!(
                    "rate limit spent: waiting {} s for its reset",
                    delay.as_secs()
                );
                std::thread::sleep(delay);
            }
        }
        Ok(())
    }

    /// Exponential backoff with "equal jitter": a random delay up to `base × 2^(failures−1)`, never
    /// below half of it, so retries of many clients spread out but still back off.
    fn backoff(&mut self, failures: u32) -> Duration {
        let ceiling = self
            .options
            .backoff_base
            .saturating_mul(1u32 << (failures - 1).min(16));
        self.random ^= self.random << 13;
        self.random ^= self.random >> 7;
        self.random ^= self.random << 17;
        let fraction = 0.5 + (self.random % 1000) as f64 / 2000.0;
        ceiling.mul_f64(fraction)
    }

    fn exchange(
        &mut self,
        url: &str,
        cached: Option<&CachedResponse>,
        store: Option<&Store>,
        binary: bool,
    ) -> Result<Outcome> {
        let mut request = self
            .agent
            .get(url)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(token) = &self.options.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(cached) = cached {
            request = request.header("If-None-Match", cached.etag.as_str());
        }
        let mut response = match request.call() {
            Ok(response) => response,
            Err(error) => return transport_failure(url, error),
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
                .map(str::to_owned)
        };
        let remaining = header("x-ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
        let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok());
        let retry_after = header("retry-after").and_then(|v| v.parse::<u64>().ok());
        let etag = header("etag");
        let next_url = header("link").and_then(|link| next_link(&link));
        let until_reset = reset.map(|reset| {
            // One second past the reset: the reset time is rounded down to the second.
            Duration::from_secs((reset - crate::time::now()).max(0) as u64 + 1)
        });
        if remaining == Some(0) && (200..400).contains(&status) {
            // A reset past the longest wait fails the next request; capped, so a reset far in
            // the future cannot overflow the clock.
            let longest = self.options.max_rate_limit_wait + Duration::from_secs(1);
            if let (Some(delay), Ok(mut paused)) = (until_reset, self.paused_until.lock()) {
                let until = Instant::now() + delay.min(longest);
                *paused = Some(paused.map_or(until, |earlier| earlier.max(until)));
            }
        }

        match status {
            304 => {
                let Some(cached) = cached else {
                    return Ok(Outcome::Transient(
                        "304 Not Modified to a request that sent no ETag".to_owned(),
                    ));
                };
                self.counts.not_modified += 1;
                Ok(Outcome::Done(Page {
                    body: cached.body.clone(),
                    bytes: Vec::new(),
                    next_url: next_url.or_else(|| cached.next_url.clone()),
                }))
            }
            200..=299 if binary => {
                match response
                    .body_mut()
                    .with_config()
                    .limit(BINARY_LIMIT)
                    .read_to_vec()
                {
                    Ok(bytes) => Ok(Outcome::Done(Page {
                        body: String::new(),
                        bytes,
                        next_url,
                    })),
                    Err(error) => transport_failure(url, error),
                }
            }
            200..=299 => {
                let body = match response
                    .body_mut()
                    .with_config()
                    .limit(256 << 20)
                    .read_to_string()
                {
                    Ok(body) => body,
                    Err(error) => return transport_failure(url, error),
                };
                if let (Some(etag), Some(store)) = (etag, store) {
                    store.save_response(
                        url,
                        &CachedResponse {
                            etag,
                            body: body.clone(),
                            next_url: next_url.clone(),
                        },
                    )?;
                }
                Ok(Outcome::Done(Page {
                    body,
                    bytes: Vec::new(),
                    next_url,
                }))
            }
            403 | 429 => {
                if let Some(seconds) = retry_after {
                    return Ok(Outcome::WaitFor(
                        Duration::from_secs(seconds),
                        format!("GET {url}: secondary rate limit (HTTP {status}, retry-after {seconds} s)"),
                    ));
                }
                if remaining == Some(0) {
                    let delay = until_reset.unwrap_or(Duration::from_secs(60));
                    return Ok(Outcome::WaitFor(
                        delay,
                        format!("GET {url}: primary rate limit spent (HTTP {status})"),
                    ));
                }
                if status == 429 {
                    return Ok(Outcome::WaitFor(
                        Duration::from_secs(60),
                        format!("GET {url}: too many requests (HTTP 429)"),
                    ));
                }
                Err(http_error(url, status, &mut response))
            }
            500..=599 => Ok(Outcome::Transient(format!("HTTP {status}"))),
            _ => Err(http_error(url, status, &mut response)),
        }
    }
}

/// A failure to exchange: the ones that may pass (time-outs, I/O, refused connections) are
/// retried; an invalid URL or response is not.
fn transport_failure(url: &str, error: ureq::Error) -> Result<Outcome> {
    match error {
        ureq::Error::Timeout(_)
        | ureq::Error::Io(_)
        | ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::Protocol(_) => Ok(Outcome::Transient(error.to_string())),
        other => Err(MetricsError::Transport {
            url: url.to_owned(),
            reason: other.to_string(),
            attempts: 1,
        }),
    }
}

/// The error of a final HTTP status, with GitHub's `message` when the body has one.
fn http_error(
    url: &str,
    status: u16,
    response: &mut ureq::http::Response<ureq::Body>,
) -> MetricsError {
    let body = response
        .body_mut()
        .with_config()
        .limit(64 << 10)
        .read_to_string()
        .unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|value| value.get("message")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "no message".to_owned());
    MetricsError::Http {
        url: url.to_owned(),
        status,
        message,
    }
}

/// The `rel="next"` target of a `Link` header (RFC 8288), as GitHub paginates.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|link| {
        let (target, parameters) = link.split_once(';')?;
        let is_next = parameters.split(';').any(|parameter| {
            let parameter = parameter.trim();
            parameter
                .strip_prefix("rel=")
                .map(|rel| {
                    rel.trim_matches('"')
                        .split_whitespace()
                        .any(|r| r == "next")
                })
                .unwrap_or(false)
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| target.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_reads_githubs_link_header() {
        let header = "<https://api.github.com/repositories/1/actions/runs?page=2>; rel=\"next\", \
                      <https://api.github.com/repositories/1/actions/runs?page=5>; rel=\"last\"";
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://api.github.com/repositories/1/actions/runs?page=2")
        );
        let last_page = "<https://api.github.com/x?page=1>; rel=\"prev\", <https://api.github.com/x?page=1>; rel=\"first\"";
        assert_eq!(next_link(last_page), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn backoff_doubles_and_stays_within_its_ceiling() {
        let mut options = ClientOptions::new("http://127.0.0.1:1", None);
        options.backoff_base = Duration::from_millis(100);
        let mut client = Client::new(options);
        for failures in 1..=4u32 {
            let ceiling = Duration::from_millis(100) * (1 << (failures - 1));
            let delay = client.backoff(failures);
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "{failures}: {delay:?}"
            );
        }
    }
}
