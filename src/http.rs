//! The operations endpoint: `/metrics` (Prometheus text format), `/healthz` (the consumer
//! loop is alive and has not failed), `/readyz` (partitions assigned and caught up).
//! Plain hyper 1: three fixed routes need no router. Nothing here returns alert contents,
//! so nothing here needs a token.

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
        self.heartbeat_ms.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
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
        _ => reply(StatusCode::NOT_FOUND, text, "not found: try /metrics, /healthz, /readyz\n"),
    }
}

/// Serves until the runtime stops. `listener` was bound by the caller, so a bad address
/// fails at start-up rather than in the background.
pub async fn serve(listener: std::net::TcpListener, health: Arc<Health>) {
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
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let resp = route(&req, &health);
                async move { Ok::<_, Infallible>(resp) }
            });
            if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await {
                tracing::debug!("http connection: {e}");
            }
        });
    }
}
