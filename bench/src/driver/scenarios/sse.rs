//! sse: 10,000 subscribers to a server-sent event stream, one event a second each.

use std::time::{Duration, Instant};

use super::{Headline, Scenario};
use crate::driver::measure::{Context, Loaded, Sample, under_load};
use crate::driver::report::columns::{
    Better, Column, col, cpu_col, errors_col, loadgen_col, memory_per_connection, num, p99_col, threads_col,
};
use crate::driver::report::reading::extremes;
use crate::driver::row::Run;
use crate::driver::settings::Settings;
use crate::driver::tools::{procfs, sse_load};

pub struct Sse;

/// Server CPU per event delivered.
static CPU_PER_EVENT: Headline = Headline {
    value: Sample::cpu_us_per_request,
    unit: "CPU-µs/event",
    ratio_of: "CPU/event",
    higher_is_better: false,
    baseline_figure: |r| Some(format!("{} CPU-µs/event", num(r.cpu_us_per_req?))),
};

impl Scenario for Sse {
    fn id(&self) -> &'static str {
        "sse"
    }

    fn help(&self) -> &'static str {
        "10,000 subscribers to /sse at one event per second each (sse-load): events delivered, lag, memory per \
         subscriber, CPU per event"
    }

    fn intro(&self) -> &'static str {
        "10,000 subscribers to GET /sse, one event a second each, held open (bench's sse-load, one thread on the \
         load CPU): the notes' 10,000 users, now listening. CPU is the server's over the measuring window, after \
         every subscription has opened, divided by the events delivered in it."
    }

    fn connections(&self, settings: &Settings) -> Vec<usize> {
        vec![settings.wait_connections]
    }

    fn settles_kernel_stacks(&self) -> bool {
        true
    }

    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        under_load(ctx, |ctx| {
            let sse_load = ctx.tools.sse_load.as_ref().ok_or("sse-load is not built")?;
            let server = ctx.server;
            let fds_before = server.pid().map(procfs::open_fds);
            let child = sse_load::spawn(
                sse_load,
                server.addr,
                ctx.connections(),
                ctx.duration,
                server.pid(),
                ctx.load_cpus(),
            )?;
            // The load generator's own window (subscriptions open and settled), not their ramp.
            let (load, window_cpu) = sse_load::finish(child)?;
            // A blocking backend notices a subscriber left only at its next event (up to a second):
            // the next rep must not open 10,000 more while those are still held (10,000 threads
            // twice over would pass the kernel's limit on memory maps).
            if let Some((pid, before)) = server.pid().zip(fds_before) {
                let until = Instant::now() + Duration::from_secs(15);
                while procfs::open_fds(pid) > before + 16 && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            Ok(Loaded {
                load,
                heavy: None,
                server_cpu_s: window_cpu,
            })
        })
    }

    /// One event per subscriber per second.
    fn ceiling_rps(&self, _: &Settings, connections: usize) -> Option<f64> {
        Some(connections as f64)
    }

    fn headline(&self) -> &'static Headline {
        &CPU_PER_EVENT
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            col("events/s", Better::Higher, |r| r.rps),
            col("% of 1/s each", Better::Higher, |r| r.ceiling_pct),
            col("lag p50 ms", Better::Lower, |r| r.p50_ms),
            p99_col("lag p99 ms (min–max)"),
            col("lag max ms", Better::Lower, |r| r.max_ms),
            Column {
                title: "CPU-µs/event (min–max)",
                ..cpu_col()
            },
            col("RSS KB/subscriber", Better::Lower, |r| r.rss_per_conn_kb),
            col("kernel stack KB/subscriber", Better::Lower, |r| {
                r.kernel_stack_per_conn_kb
            }),
            threads_col(),
            loadgen_col(),
            errors_col(),
        ]
    }

    fn reading(&self, runs: &[&Run]) -> String {
        format!(
            "Each subscriber should get one event a second; lag is how much later than a second after the previous \
             one an event arrived. {} {}",
            extremes(
                runs,
                memory_per_connection,
                "memory per subscriber (RSS + kernel stack)",
                "KB"
            ),
            extremes(runs, |r| r.cpu_us_per_req, "CPU per event", "µs"),
        )
    }
}
