//! `bench`: the whole comparison in one command; see `bench --help` and docs/method.md.

mod driver;

fn main() {
    driver::main();
}
