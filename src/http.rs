//! The operations endpoint: `/metrics` (Prometheus text format), `/healthz` (the consumer
//! loop is alive and has not failed), `/readyz` (partitions assigned and caught up), and
//! `POST /-/reload` (load the rules again). Plain hyper 1: four fixed routes need no
//! router. Nothing here returns alert contents; only the reload changes anything, so only
//! it takes a token (a bearer token from a file, compared in constant time).

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use crate::telemetry::metrics;

/// What the consumer loop reports and the endpoint reads.
pub struct Health {
    started: Instant,
    /// Milliseconds since `started` of the loop's last turn.
    heartbeat_ms: AtomicU64,
    ready: AtomicBool,
    failed: AtomicBool,
    /// The loop may legitimately block this long (waiting for deliveries during an outage).
    stale_after: Duration,
}

impl Health {
    pub fn new(stale_after: Duration) -> Health {
        Health {
            started: Instant::now(),
            heartbeat_ms: AtomicU64::new(0),
            ready: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            stale_after,
        }
    }

    pub fn beat(&self) {
        self.beat_at(Instant::now());
    }

    /// A heartbeat at `now` (a clock the caller read anyway).
    pub fn beat_at(&self, now: Instant) {
        self.heartbeat_ms.store(now.saturating_duration_since(self.started).as_millis() as u64, Ordering::Relaxed);
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Relaxed);
        metrics().ready.set(ready as i64);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    pub fn set_failed(&self) {
        self.failed.store(true, Ordering::Relaxed);
    }

    pub fn is_live(&self) -> bool {
        let last = Duration::from_millis(self.heartbeat_ms.load(Ordering::Relaxed));
        !self.failed.load(Ordering::Relaxed) && self.started.elapsed().saturating_sub(last) < self.stale_after
    }
}

fn reply(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .expect("a static response is valid")
}

/// `POST /-/reload`: the token it must carry, and the reload to run.
#[derive(Clone)]
pub struct Reload {
    /// None: the endpoint is off (no token file configured).
    pub token: Option<Arc<str>>,
    pub run: Arc<dyn Fn() -> Result<String, String> + Send + Sync>,
}

/// Equal secrets, compared as SHA-256 digests in time that depends on neither where they
/// differ nor their lengths.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let (x, y) = (Sha256::digest(a), Sha256::digest(b));
    x.iter().zip(y.iter()).fold(0u8, |d, (p, q)| d | (p ^ q)) == 0
}

async fn reload(req: &Request<Incoming>, r: Option<Reload>) -> Response<Full<Bytes>> {
    let text = "text/plain; charset=utf-8";
    if req.method() != hyper::Method::POST {
        let mut resp = reply(StatusCode::METHOD_NOT_ALLOWED, text, "use POST\n");
        resp.headers_mut().insert("allow", hyper::header::HeaderValue::from_static("POST"));
        return resp;
    }
    let Some(r) = r else { return reply(StatusCode::NOT_FOUND, text, "not found\n") };
    let Some(token) = &r.token else {
        return reply(StatusCode::FORBIDDEN, text, "reload over HTTP is off: set reload_token_file\n");
    };
    let given = req.headers().get(hyper::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let bearer = given.and_then(|v| v.split_once(' ')).filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"));
    let ok = bearer.is_some_and(|(_, t)| same_secret(t.trim().as_bytes(), token.as_bytes()));
    if !ok {
        tracing::warn!("rules reload over HTTP refused: missing or wrong token");
        let mut resp = reply(StatusCode::UNAUTHORIZED, text, "a valid bearer token is required\n");
        resp.headers_mut().insert("www-authenticate", hyper::header::HeaderValue::from_static("Bearer"));
        return resp;
    }
    let run = r.run.clone();
    match tokio::task::spawn_blocking(move || run()).await {
        Ok(Ok(summary)) => reply(StatusCode::OK, text, format!("reloaded: {summary}\n")),
        Ok(Err(problems)) => {
            reply(StatusCode::BAD_REQUEST, text, format!("refused, the running rules stay:\n{problems}\n"))
        }
        Err(e) => reply(StatusCode::INTERNAL_SERVER_ERROR, text, format!("reload failed: {e}\n")),
    }
}

fn route(req: &Request<Incoming>, health: &Health) -> Response<Full<Bytes>> {
    let text = "text/plain; charset=utf-8";
    let check = |ok: bool, yes: &'static str, no: &'static str| {
        if ok {
            reply(StatusCode::OK, text, yes)
        } else {
            reply(StatusCode::SERVICE_UNAVAILABLE, text, no)
        }
    };
    match req.uri().path() {
        "/metrics" => reply(StatusCode::OK, "text/plain; version=0.0.4; charset=utf-8", metrics().render()),
        "/healthz" => check(health.is_live(), "ok\n", "consumer loop stalled or failed\n"),
        "/readyz" => check(health.is_ready(), "ready\n", "not ready: partitions not assigned or not caught up\n"),
        _ => reply(StatusCode::NOT_FOUND, text, "not found: try /metrics, /healthz, /readyz, POST /-/reload\n"),
    }
}

/// Serves until the runtime stops. `listener` was bound by the caller, so a bad address
/// fails at start-up rather than in the background.
pub async fn serve(listener: std::net::TcpListener, health: Arc<Health>, reloads: Option<Reload>) {
    let listener = match listener.set_nonblocking(true).and_then(|()| tokio::net::TcpListener::from_std(listener)) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("http listener: {e}");
            return;
        }
    };
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("http accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let health = health.clone();
        let reloads = reloads.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req: Request<Incoming>| {
                let (health, reloads) = (health.clone(), reloads.clone());
                async move {
                    let resp = if req.uri().path() == "/-/reload" {
                        reload(&req, reloads).await
                    } else {
                        route(&req, &health)
                    };
                    Ok::<_, Infallible>(resp)
                }
            });
            if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await {
                tracing::debug!("http connection: {e}");
            }
        });
    }
}
