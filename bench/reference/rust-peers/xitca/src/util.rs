use rand::{
    RngExt, SeedableRng,
    distr::Uniform,
    rngs::{SmallRng, SysRng},
};

#[cfg(feature = "pg")]
pub use parse::QueryParse;

#[cfg(feature = "pg")]
mod parse {
    pub trait QueryParse {
        fn parse_query(self) -> u16;
    }

    impl QueryParse for Option<&str> {
        fn parse_query(self) -> u16 {
            // The bench's parameter is `queries=N` (the entry reads `q=N`).
            self.and_then(|q| q.find("queries=").map(|pos| q.split_at(pos + 8).1.parse_query()))
                .unwrap_or(1)
        }
    }

    impl QueryParse for &str {
        fn parse_query(self) -> u16 {
            use atoi::FromRadix10;
            u16::from_radix_10(self.as_bytes()).0.clamp(1, 500)
        }
    }
}

pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;

pub type HandleResult<T> = Result<T, Error>;

/// The database (the entry's is a constant): `DATABASE_URL`, without which the db routes are not served.
pub fn db_url() -> Option<String> {
    std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty())
}

/// Each worker's pool capacity: the entry's 1, or `DB_POOL` connections in all shared out among the
/// workers (rounded up).
#[allow(dead_code)]
pub fn pool_capacity() -> usize {
    match std::env::var("DB_POOL").ok().and_then(|size| size.parse::<usize>().ok()) {
        Some(total) => total.div_ceil(workers()).max(1),
        None => 1,
    }
}

/// The worker count: the CPUs this process may run on (the bench pins servers with taskset).
pub fn workers() -> usize {
    std::thread::available_parallelism().map(|num| num.get()).unwrap_or(1)
}

/// The listen address: the first argument, `HOST:PORT` (port 0 allowed).
pub fn listen_addr() -> std::net::SocketAddr {
    use std::net::ToSocketAddrs;
    let arg = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8080".into());
    match arg.to_socket_addrs().ok().and_then(|mut addrs| addrs.next()) {
        Some(addr) => addr,
        None => {
            eprintln!("usage: {} HOST:PORT", std::env::args().next().unwrap_or_default());
            std::process::exit(2)
        }
    }
}

/// `GET /wait?ms=N`: N ms, at most 60 s (bench::MAX_WAIT); 0 when missing or not a number.
pub fn wait_time(query: Option<&str>) -> core::time::Duration {
    let ms = query
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("ms=")?.parse::<u64>().ok()))
        .unwrap_or(0);
    core::time::Duration::from_millis(ms.min(60_000))
}

pub struct Rand(SmallRng);

impl Default for Rand {
    fn default() -> Self {
        Self(SmallRng::try_from_rng(&mut SysRng).unwrap())
    }
}

impl Clone for Rand {
    #[inline]
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl Rand {
    #[inline]
    pub fn gen_id(&mut self) -> i32 {
        self.0.random_range(1..=10000)
    }

    #[inline]
    pub fn gen_multi(&mut self) -> impl Iterator<Item = i32> {
        (&mut self.0).sample_iter(Uniform::new(1, 10001).unwrap())
    }
}
