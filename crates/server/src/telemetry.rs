//! Structured logs with tracing: text for people, JSON lines for machines.
//! The level comes from `RUST_LOG` (default `info`).
//!
//! Every request has an `info` span with its id; handlers and store calls have `debug` spans
//! inside it. At `debug`, each of those spans logs when it closes, with its time and the
//! request's id, so one slow request can be taken apart; at `info` they cost nothing.

use tracing::level_filters::LevelFilter;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::LogFormat;

/// Installs the global subscriber. Calling it again (as tests do) changes nothing.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let debug = filter.max_level_hint().is_some_and(|level| level >= LevelFilter::DEBUG);
    let span_events = if debug { FmtSpan::CLOSE } else { FmtSpan::NONE };
    // Colour codes only for a person at a terminal, never in a file or a log collector.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(span_events)
        .with_ansi(ansi)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        // `span` is the span an event happened in: at `info` always the request's (its id,
        // client, route), so the list of enclosing spans would only repeat it. At `debug` the
        // handler and store spans nest inside it, and the list carries the request's id to
        // their lines.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(debug)
            .try_init(),
    };
}
