//! idle: memory per open keep-alive connection, one request each, then held.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{Headline, Scenario, Tables};
use crate::driver::charts;
use crate::driver::measure::{Context, Sample};
use crate::driver::report::columns::{
    Better, Column, col, errors_col, int_col, memory_per_connection, num, threads_col,
};
use crate::driver::report::plots::{bars, labels};
use crate::driver::report::reading::extremes;
use crate::driver::report::rows::at_connections;
use crate::driver::row::Run;
use crate::driver::settings::Settings;
use crate::driver::tools::clients::hold_keep_alive;
use crate::driver::tools::load::Load;
use crate::driver::tools::procfs;
use crate::driver::tools::sampler::MemorySamples;

pub struct Idle;

/// Memory per connection, RSS and kernel stacks.
static MEMORY_PER_CONNECTION: Headline = Headline {
    value: Sample::memory_per_connection_kb,
    unit: "KB/conn",
    ratio_of: "KB/conn",
    higher_is_better: false,
    baseline_figure: |r| Some(format!("{} KB/conn", num(memory_per_connection(r)?))),
};

impl Scenario for Idle {
    fn id(&self) -> &'static str {
        "idle"
    }

    fn help(&self) -> &'static str {
        "1,000 and 10,000 open keep-alive connections: memory per connection"
    }

    fn intro(&self) -> &'static str {
        "Open keep-alive connections, one request each, then held: memory per connection."
    }

    fn connections(&self, settings: &Settings) -> Vec<usize> {
        settings.idle_connections.clone()
    }

    fn needs_local_server(&self) -> bool {
        true
    }

    fn measures_axum(&self) -> bool {
        true
    }

    /// Opening the connections, then 1.5 s for the memory to settle.
    fn planned_seconds(&self, settings: &Settings, connections: usize) -> f64 {
        settings.reps as f64 * (1.5 + connections as f64 / 20_000.0)
    }

    /// Memory per connection is read from the fresh server's base at start.
    fn fresh_server_per_round(&self) -> bool {
        true
    }

    /// Opens the connections, holds them, and reads the server's memory.
    fn measure(&self, ctx: &Context<'_>) -> Result<Sample, String> {
        let server = ctx.server;
        let pid = server
            .pid()
            .ok_or("idle reads the server's memory from /proc: not for a --target server")?;
        let started = Instant::now();
        let held = hold_keep_alive(server.addr, ctx.connections());
        std::thread::sleep(Duration::from_millis(1500));
        let rss = procfs::tree_status_field(pid, "VmRSS:");
        let memory = MemorySamples {
            peak_rss_kb: rss,
            steady_rss_kb: rss,
            peak_kernel_stack_kb: procfs::kernel_stack_kb(),
            peak_threads: procfs::tree_status_field(pid, "Threads:"),
            rss_slope_kb_per_min: None,
        };
        let served = held.streams.len();
        drop(held.streams);
        Ok(Sample {
            load: Load {
                requests: served as u64,
                errors: held.errors,
                ..Load::default()
            },
            wall_s: started.elapsed().as_secs_f64(),
            memory,
            base_rss_kb: server.start_rss_kb,
            base_kernel_stack_kb: server.start_kernel_stack_kb,
            connections: served,
            ..Sample::default()
        })
    }

    fn drives_load(&self) -> bool {
        false
    }

    fn headline(&self) -> &'static Headline {
        &MEMORY_PER_CONNECTION
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            col("RSS KB/conn", Better::Lower, |r| r.rss_per_conn_kb),
            col("kernel stack KB/conn", Better::Lower, |r| {
                r.kernel_stack_per_conn_kb
            }),
            col("total KB/conn", Better::Lower, memory_per_connection),
            col("RSS MB", Better::Lower, |r| {
                (r.peak_rss_kb > 0).then(|| r.peak_rss_kb as f64 / 1024.0)
            }),
            threads_col(),
            int_col("connections held", |r| Some(r.requests as f64)),
            errors_col(),
        ]
    }

    fn reading(&self, runs: &[&Run]) -> String {
        format!(
            "Memory the server holds per open keep-alive connection after one request each. {}",
            extremes(
                runs,
                memory_per_connection,
                "memory per connection (RSS + kernel stack)",
                "KB"
            )
        )
    }

    fn tables(&self) -> Tables {
        Tables::PerConnectionCount
    }

    fn summary_at(&self, run: &Run) -> String {
        format!(" at {}", num(run.connections as f64))
    }

    /// RSS and kernel stack per connection at the largest count.
    fn chart(&self, path: &Path, runs: &[&Run]) -> Result<(), String> {
        let largest = runs.iter().map(|r| r.connections).max().unwrap_or(0);
        let at = at_connections(runs, largest);
        let series = [
            bars("RSS", &at, |r| r.rss_per_conn_kb),
            bars("kernel stack", &at, |r| r.kernel_stack_per_conn_kb),
        ];
        charts::file(path, 1, |areas| {
            let title = format!("Memory per idle connection, {largest} connections");
            charts::bars(&areas[0], &title, "KB per connection", &labels(&at), &series)
        })
    }
}
