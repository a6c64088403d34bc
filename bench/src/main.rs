fn main() {
    eprintln!("the benchmark driver is not written yet; run `serve --help`");
    std::process::exit(2);
}
