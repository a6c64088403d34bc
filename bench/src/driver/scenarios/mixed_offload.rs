//! mixed-offload: the mixed load with the heavy work in `server_core::unblock`.

use super::mixed::Mixed;

pub static MIXED_OFFLOAD: Mixed = Mixed {
    id: "mixed-offload",
    help: "As mixed, with the heavy work offloaded (/cpu-offload)",
    intro: "The same mix with the heavy work in `server_core::unblock` (/cpu-offload).",
    heavy_path: "/cpu-offload?us=10000",
    heavy_runs: "offloaded with `server_core::unblock`",
};
