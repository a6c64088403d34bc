//! ws-broadcast: one WebSocket room, every message delivered to every member.

use std::time::Duration;

use super::ws_echo::ws_load_rep;
use super::{Headline, Scenario};
use crate::driver::measure::{Context, Sample};
use crate::driver::report::columns::{
    Better, Column, col, cpu_col, errors_col, loadgen_col, memory_per_connection, num, p99_col, threads_col,
};
use crate::driver::report::reading::extremes;
use crate::driver::row::Run;
use crate::driver::settings::Settings;

pub struct WsBroadcast;

/// Deliveries offered each second, whatever the room's size: one member publishes this many over
/// the members a second (10 a second to 1,000, 1 to 10,000), so that every room is measured at the
/// same operating point (at 10 a second to 10,000 members one server core was saturated, and every
/// row cost the same 10 µs: one core over 100,000 deliveries).
const DELIVERIES_PER_S: f64 = 10_000.0;
const MESSAGE_BYTES: usize = 32;

fn rate(members: usize) -> f64 {
    DELIVERIES_PER_S / members.max(1) as f64
}

/// Server CPU per message delivered to a member.
static CPU_PER_DELIVERY: Headline = Headline {
    value: Sample::cpu_us_per_request,
    unit: "CPU-µs/delivery",
    ratio_of: "CPU/delivery",
    higher_is_better: false,
    baseline_figure: |r| Some(format!("{} CPU-µs/delivery", num(r.cpu_us_per_req?))),
};

impl Scenario for WsBroadcast {
    fn id(&self) -> &'static str {
        "ws-broadcast"
    }

    fn help(&self) -> &'static str {
        "GET /ws/broadcast: rooms of --ws-members members, one publishing 10,000 / members messages a second that \
         every member receives (ws-load): deliveries, latency, losses, memory per member, CPU per delivery. Not in \
         the default run"
    }

    fn intro(&self) -> &'static str {
        "One room at GET /ws/broadcast with 1,000 and 10,000 members (--ws-members; a process here holds at most \
         20,000 descriptors, so about 19,000 is the most one server takes, and the clients are split over \
         processes of 9,000), each on a fresh server. One member publishes 32-byte messages at 10,000 / members a \
         second (10,000 deliveries a second in every room); every member, the sender included, times each delivery (the bench's ws-load, shaped like uWebSockets' broadcast_test). A delivery \
         still missing 2 s after the window counts as an error; so does a member the server dropped. CPU is the \
         server's over the window, divided by the deliveries."
    }

    fn in_default_run(&self) -> bool {
        false
    }

    fn connections(&self, settings: &Settings) -> Vec<usize> {
        settings.ws_members.clone()
    }

    fn settles_kernel_stacks(&self) -> bool {
        true
    }

    /// Memory per member is read from a server that has held no larger room.
    fn fresh_server_per_round(&self) -> bool {
        true
    }

    fn duration(&self, _: &Settings) -> Duration {
        Duration::from_secs(5)
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        ws_load_rep(ctx, "broadcast", MESSAGE_BYTES, rate(ctx.connections()))
    }

    /// Every member gets every message.
    fn ceiling_rps(&self, _: &Settings, connections: usize) -> Option<f64> {
        Some(rate(connections) * connections as f64)
    }

    fn headline(&self) -> &'static Headline {
        &CPU_PER_DELIVERY
    }

    fn summary_at(&self, run: &Run) -> String {
        format!(" at {}", run.connections)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            col("members", Better::Higher, |r| Some(r.connections as f64)),
            col("deliveries/s", Better::Higher, |r| r.rps),
            col("% delivered", Better::Higher, |r| r.ceiling_pct),
            col("latency p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("latency p99 ms (min–max)"),
            Column {
                title: "CPU-µs/delivery (min–max)",
                ..cpu_col()
            },
            col("KB/member", Better::Lower, memory_per_connection),
            threads_col(),
            loadgen_col(),
            errors_col(),
        ]
    }

    fn reading(&self, runs: &[&Run]) -> String {
        format!(
            "Latency is from the publisher's send to a member's receipt. {} {}",
            extremes(
                runs,
                memory_per_connection,
                "memory per member (RSS + kernel stack)",
                "KB"
            ),
            extremes(runs, |r| r.cpu_us_per_req, "CPU per delivery", "µs"),
        )
    }
}
