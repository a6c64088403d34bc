//! The server's memory and the kernel's thread stacks, sampled while a load runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::procfs;

pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<MemorySamples>,
}

#[derive(Default, Clone, Copy)]
pub struct MemorySamples {
    pub peak_rss_kb: u64,
    /// The median VmRSS over the second half of the run.
    pub steady_rss_kb: u64,
    pub peak_kernel_stack_kb: u64,
    pub peak_threads: u64,
    /// The least-squares slope of VmRSS over the second half of the run, in KB per minute.
    pub rss_slope_kb_per_min: Option<f64>,
}

impl Sampler {
    pub fn start(pid: u32) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut rss = Vec::new();
            let mut out = MemorySamples::default();
            while !flag.load(Ordering::Relaxed) {
                let now = procfs::tree_status_field(pid, "VmRSS:");
                rss.push((started.elapsed().as_secs_f64() / 60.0, now));
                out.peak_rss_kb = out.peak_rss_kb.max(now);
                out.peak_kernel_stack_kb = out.peak_kernel_stack_kb.max(procfs::kernel_stack_kb());
                out.peak_threads = out.peak_threads.max(procfs::tree_status_field(pid, "Threads:"));
                std::thread::sleep(Duration::from_millis(100));
            }
            let second_half = rss.split_off(rss.len() / 2);
            out.rss_slope_kb_per_min = slope(&second_half);
            let mut values: Vec<u64> = second_half.iter().map(|&(_, kb)| kb).collect();
            values.sort_unstable();
            out.steady_rss_kb = values.get(values.len() / 2).copied().unwrap_or(0);
            out
        });
        Sampler { stop, thread }
    }

    pub fn finish(self) -> MemorySamples {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

/// The least-squares slope of `(x, y)` points; `None` for fewer than two distinct x.
fn slope(points: &[(f64, u64)]) -> Option<f64> {
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1 as f64).sum::<f64>() / n;
    let covariance: f64 = points
        .iter()
        .map(|p| (p.0 - mean_x) * (p.1 as f64 - mean_y))
        .sum();
    let variance: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    (variance > 0.0).then(|| covariance / variance)
}

#[cfg(test)]
mod tests {
    #[test]
    fn slope_of_a_line_and_of_noise_around_it() {
        let line: Vec<(f64, u64)> = (0..10).map(|i| (i as f64, 1000 + 3 * i)).collect();
        assert_eq!(super::slope(&line), Some(3.0));
        let flat: Vec<(f64, u64)> = (0..10).map(|i| (i as f64, 1000 + (i % 2) * 8)).collect();
        assert!(super::slope(&flat).unwrap().abs() < 1.0);
        assert_eq!(super::slope(&[(1.0, 5)]), None);
    }
}
