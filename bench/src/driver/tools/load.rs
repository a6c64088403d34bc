//! What a load generator saw, whichever one ran, and waiting for it.

use std::process::Child;

/// What one load-generator run saw.
#[derive(Clone, Debug, Default)]
pub struct Load {
    /// Requests answered with any status.
    pub requests: u64,
    pub rps: f64,
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub p999_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// Connection and protocol failures (not the requests cut off by the run's deadline).
    pub errors: u64,
    pub non_2xx: u64,
}

/// Waits for a load generator and returns its standard output.
pub fn output(child: Child, what: &str) -> Result<String, String> {
    let out = child
        .wait_with_output()
        .map_err(|e| format!("waiting for {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
