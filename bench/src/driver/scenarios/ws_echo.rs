//! ws-echo: WebSocket messages echoed over many open connections.

use super::{Headline, Scenario};
use crate::driver::measure::{Context, Loaded, Sample, under_load};
use crate::driver::report::columns::{Better, Column, col, cpu_col, errors_col, loadgen_col, num, p99_col};
use crate::driver::report::reading::extremes;
use crate::driver::row::Run;
use crate::driver::settings::Settings;
use crate::driver::tools::ws_load;

pub struct WsEcho;

/// Bytes per message: a chat line.
const MESSAGE_BYTES: usize = 32;

/// One rep of a WebSocket scenario: ws-load in `mode` over the run's connections, the server's CPU
/// read over ws-load's own window (every connection switched and settled).
pub(super) fn ws_load_rep(ctx: &Context<'_>, mode: &str, size: usize, rate: f64) -> Result<Sample, String> {
    under_load(ctx, |ctx| {
        let ws_load = ctx.tools.ws_load.as_ref().ok_or("ws-load is not built")?;
        let server = ctx.server;
        let child = ws_load::spawn(
            ws_load,
            server.addr,
            mode,
            ctx.connections(),
            size,
            rate,
            ctx.duration,
            server.pid(),
            ctx.load_cpus(),
        )?;
        let (load, window_cpu) = ws_load::finish(child)?;
        Ok(Loaded {
            load,
            heavy: None,
            server_cpu_s: window_cpu,
        })
    })
}

/// Server CPU per message echoed.
static CPU_PER_MESSAGE: Headline = Headline {
    value: Sample::cpu_us_per_request,
    unit: "CPU-µs/message",
    ratio_of: "CPU/message",
    higher_is_better: false,
    baseline_figure: |r| Some(format!("{} CPU-µs/message", num(r.cpu_us_per_req?))),
};

impl Scenario for WsEcho {
    fn id(&self) -> &'static str {
        "ws-echo"
    }

    fn help(&self) -> &'static str {
        "GET /ws/echo on 100 WebSocket connections, each sending 32-byte messages and waiting for each echo \
         (ws-load): messages/s, round trip, CPU per message"
    }

    fn intro(&self) -> &'static str {
        "100 WebSocket connections to GET /ws/echo, each sending a 32-byte message and waiting for it to come back \
         before sending the next (the bench's ws-load, one thread on the load CPU, shaped like uWebSockets' \
         load_test). CPU is the server's over the measuring window, after every connection has switched, divided \
         by the messages echoed in it. The axum rows use axum's own WebSocketUpgrade, which reaches our backends \
         through server_core::tower's upgrade bridge."
    }

    fn connections(&self, _: &Settings) -> Vec<usize> {
        vec![100]
    }

    fn measures_axum(&self) -> bool {
        true
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        ws_load_rep(ctx, "echo", MESSAGE_BYTES, 0.0)
    }

    fn headline(&self) -> &'static Headline {
        &CPU_PER_MESSAGE
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            col("messages/s", Better::Higher, |r| r.rps),
            col("round trip p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("round trip p99 ms (min–max)"),
            Column {
                title: "CPU-µs/message (min–max)",
                ..cpu_col()
            },
            loadgen_col(),
            errors_col(),
        ]
    }

    fn reading(&self, runs: &[&Run]) -> String {
        format!(
            "Each connection has one message in flight, so the rate is set by the round trip. {}",
            extremes(runs, |r| r.cpu_us_per_req, "CPU per message", "µs"),
        )
    }
}
