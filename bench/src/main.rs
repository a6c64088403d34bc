//! `bench`: the whole comparison in one command; see `bench --help` and docs/method.md.

fn main() {
    bench::driver::main();
}
