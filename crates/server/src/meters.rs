//! What the server counts for Prometheus (`GET /metrics`): requests by route template, method
//! and status with their latency, sign-ins by outcome, and, read when scraped, connections, the
//! store's reads and writes, its caches, its connection pool and the logged-out tokens it holds.
//!
//! Each server owns its recorder rather than installing the process-wide one the `metrics`
//! macros use, so that two servers in one process (as in the tests) count apart.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::Method;

use metrics::{Counter, Histogram, Key, Label, Level, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use tessera_store::Stats;

use crate::connections::LimitAcceptor;

const REQUESTS: &str = "tessera_http_requests_total";
const REQUEST_SECONDS: &str = "tessera_http_request_duration_seconds";
const LOGINS: &str = "tessera_logins_total";

/// Request latency buckets, in seconds: from a cached read (well under a millisecond) to a
/// sign-in's hashing and a large bulk write.
const LATENCY_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

const METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, None);

/// The recorder keeps every latency sample until an upkeep folds them into the histograms, and
/// nothing else runs one unless `/metrics` is scraped: one is run every this many requests, so
/// that an unscraped server's memory stays bounded.
const UPKEEP_EVERY: u64 = 4096;

/// How a sign-in ended, a label of `tessera_logins_total`.
#[derive(Debug, Clone, Copy)]
pub enum LoginOutcome {
    Success,
    UnknownUser,
    InactiveUser,
    WrongPassword,
    Throttled,
}

impl LoginOutcome {
    fn label(self) -> &'static str {
        match self {
            LoginOutcome::Success => "success",
            LoginOutcome::UnknownUser => "unknown_user",
            LoginOutcome::InactiveUser => "inactive_user",
            LoginOutcome::WrongPassword => "wrong_password",
            LoginOutcome::Throttled => "throttled",
        }
    }
}

/// The method as a label: the standard ones by name, any other as `other`, so that requests
/// with made-up methods add no series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The handles of one route's series: registering a series builds its key (label strings) and
/// looks it up in the recorder's registry, too much to do on every request, so each is
/// registered once and its handles kept.
#[derive(Default)]
struct RouteSeries {
    /// By (method, status).
    requests: HashMap<(&'static str, u16), Counter>,
    /// By method.
    seconds: HashMap<&'static str, Histogram>,
}

/// The server's meters and the connections they report on.
pub struct Meters {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    connections: LimitAcceptor,
    /// Route template → its series.
    routes: RwLock<HashMap<String, RouteSeries>>,
    /// Requests metered, to pace the upkeep.
    metered: AtomicU64,
}

impl Meters {
    pub fn new(connections: LimitAcceptor) -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), LATENCY_BUCKETS)
            // Refused only for an empty bucket list, which this is not.
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        let meters = Meters {
            recorder,
            handle,
            connections,
            routes: RwLock::default(),
            metered: AtomicU64::new(0),
        };
        meters.describe();
        let build =
            Key::from_parts("tessera_build_info", vec![Label::new("version", crate::VERSION)]);
        meters.recorder.register_gauge(&build, &METADATA).set(1.0);
        meters
    }

    /// One answered request: `route` is the matched template (`/api/v1/users/{id}`), never the
    /// path, so that the series stay few.
    pub fn request(&self, method: &Method, route: &str, status: u16, latency: Duration) {
        let method = method_label(method);
        let seconds = latency.as_secs_f64();
        let recorded = {
            let routes = self.routes.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            routes.get(route).and_then(|series| {
                let counter = series.requests.get(&(method, status))?;
                let histogram = series.seconds.get(method)?;
                counter.increment(1);
                histogram.record(seconds);
                Some(())
            })
        };
        if recorded.is_none() {
            self.register_and_record(method, route, status, seconds);
        }
        if self.metered.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1 {
            self.handle.run_upkeep();
        }
    }

    /// The first request of a (method, route, status): registers its series, then records.
    fn register_and_record(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let series = routes.entry(route.to_owned()).or_default();
        let labels = || vec![Label::new("method", method), Label::new("route", route.to_owned())];
        series
            .requests
            .entry((method, status))
            .or_insert_with(|| {
                let mut with_status = labels();
                with_status.push(Label::new("status", status.to_string()));
                self.recorder.register_counter(&Key::from_parts(REQUESTS, with_status), &METADATA)
            })
            .increment(1);
        series
            .seconds
            .entry(method)
            .or_insert_with(|| {
                self.recorder
                    .register_histogram(&Key::from_parts(REQUEST_SECONDS, labels()), &METADATA)
            })
            .record(seconds);
    }

    pub fn login(&self, outcome: LoginOutcome) {
        let key = Key::from_parts(LOGINS, vec![Label::new("outcome", outcome.label())]);
        self.recorder.register_counter(&key, &METADATA).increment(1);
    }

    /// The Prometheus text exposition, with the store's figures as of now.
    pub fn render(&self, store: &Stats) -> String {
        self.gauge("tessera_http_connections_open", &[], self.connections.open());
        self.total("tessera_http_connections_refused_total", &[], self.connections.refused());
        self.total("tessera_store_reads_total", &[], store.reads);
        self.total("tessera_store_writes_total", &[], store.writes);
        for cache in &store.caches {
            let labels = [("cache", cache.name)];
            self.total("tessera_cache_hits_total", &labels, cache.hits);
            self.total("tessera_cache_misses_total", &labels, cache.misses);
            self.gauge("tessera_cache_entries", &labels, cache.entries);
        }
        self.gauge("tessera_store_pool_max_connections", &[], store.pool.max_size);
        self.gauge("tessera_store_pool_connections", &[("state", "idle")], store.pool.idle);
        let busy = store.pool.open.saturating_sub(store.pool.idle);
        self.gauge("tessera_store_pool_connections", &[("state", "in_use")], busy);
        self.gauge("tessera_store_pool_waiting", &[], store.pool.waiting);
        self.gauge("tessera_revoked_tokens", &[], store.revoked_tokens);
        self.handle.run_upkeep();
        self.handle.render()
    }

    fn key(name: &'static str, labels: &[(&'static str, &'static str)]) -> Key {
        Key::from_parts(name, labels.iter().map(|&(k, v)| Label::new(k, v)).collect::<Vec<_>>())
    }

    fn total(&self, name: &'static str, labels: &[(&'static str, &'static str)], value: u64) {
        self.recorder.register_counter(&Self::key(name, labels), &METADATA).absolute(value);
    }

    #[expect(
        clippy::cast_precision_loss,
        reason = "a gauge is a float; counts stay far below 2^52"
    )]
    fn gauge(&self, name: &'static str, labels: &[(&'static str, &'static str)], value: u64) {
        self.recorder.register_gauge(&Self::key(name, labels), &METADATA).set(value as f64);
    }

    /// The `# HELP` lines.
    fn describe(&self) {
        self.recorder.describe_histogram(
            REQUEST_SECONDS.into(),
            Some(Unit::Seconds),
            SharedString::const_str("Time from a request's arrival to its answer."),
        );
        let counters = [
            (REQUESTS, "Requests answered, by method, route template and status."),
            (LOGINS, "Sign-ins by outcome."),
            (
                "tessera_http_connections_refused_total",
                "Connections closed on arrival: limit reached.",
            ),
            (
                "tessera_store_reads_total",
                "Reads that reached the database (cache answers are not).",
            ),
            ("tessera_store_writes_total", "Write transactions."),
            ("tessera_cache_hits_total", "Lookups a read-through cache answered."),
            ("tessera_cache_misses_total", "Lookups a read-through cache could not answer."),
        ];
        for (name, help) in counters {
            self.recorder.describe_counter(name.into(), None, SharedString::const_str(help));
        }
        let gauges = [
            ("tessera_build_info", "1, with the version and commit as a label."),
            ("tessera_http_connections_open", "Connections open now."),
            ("tessera_cache_entries", "Entries a read-through cache holds."),
            ("tessera_store_pool_max_connections", "The database connection pool's bound."),
            ("tessera_store_pool_connections", "Database connections open, idle or in use."),
            ("tessera_store_pool_waiting", "Callers waiting for a database connection."),
            ("tessera_revoked_tokens", "Logged-out tokens held until they would have expired."),
        ];
        for (name, help) in gauges {
            self.recorder.describe_gauge(name.into(), None, SharedString::const_str(help));
        }
    }
}
