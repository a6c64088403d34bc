//! The facade's public surface is the application API and nothing else: every public item of
//! `src/lib.rs` is on this list, and every name on it is public there. A name added to the facade is
//! added here on purpose, and a backend author's item (`server_core::backend`) never leaks into it.

const APPLICATION_API: &[&str] = &[
    // Handlers and routing.
    "Handler",
    "BoxHandler",
    "BoxFuture",
    "Router",
    // Messages and bodies.
    "Request",
    "Response",
    "Body",
    "BodyError",
    "BoxError",
    "Disconnected",
    "Sender",
    "PeerAddr",
    "Bytes",
    "http",
    "header",
    "HeaderValue",
    "Method",
    "StatusCode",
    // Serving.
    "Config",
    "ServerHandle",
    "ShutdownSignals",
    "bind",
    "run",
    "serve_service",
    "Selected",
    "BACKEND",
    // Runtime-neutral waits, offload and outbound I/O.
    "sleep",
    "Sleep",
    "timeout",
    "Timeout",
    "Elapsed",
    "unblock",
    "Unblock",
    "try_unblock",
    "TryUnblock",
    "Overloaded",
    "set_offload_limit",
    "OFFLOAD_JOBS",
    "OFFLOAD_WAIT",
    "connect",
    "spawn",
    "Outbound",
    // A tower service (an axum Router) as a handler; WebSocket.
    "tower",
    "ws",
];

/// The names `src/lib.rs` makes public: `pub use` lists and single imports, and `pub` items (doc
/// comments are skipped).
fn public_names(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("pub ") {
        rest = &rest[at + 4..];
        let item = rest.trim_start();
        if let Some(used) = item.strip_prefix("use ") {
            let used = &used[..used.find(';').expect("`pub use` ends with `;`")];
            let list = match (used.find('{'), used.rfind('}')) {
                (Some(open), Some(close)) => &used[open + 1..close],
                _ => used,
            };
            names.extend(
                list.split(',')
                    .map(|name| name.split_whitespace().last().unwrap_or(""))
                    .filter(|name| !name.is_empty())
                    .map(|name| name.rsplit("::").next().unwrap_or(name).to_owned()),
            );
            continue;
        }
        for keyword in [
            "fn ", "type ", "const ", "struct ", "enum ", "trait ", "mod ", "static ",
        ] {
            if let Some(named) = item.strip_prefix(keyword) {
                let end = named
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(named.len());
                names.push(named[..end].to_owned());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_facade_exports_the_application_api_only() {
    let source = include_str!("../src/lib.rs");
    let public = public_names(source);
    let expected: Vec<String> = APPLICATION_API.iter().map(|name| name.to_string()).collect();
    let extra: Vec<&String> = public.iter().filter(|name| !expected.contains(name)).collect();
    let missing: Vec<&String> = expected.iter().filter(|name| !public.contains(name)).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "the facade's public names differ from the application API: extra {extra:?}, missing {missing:?}"
    );
    assert!(
        !source.contains("server_core::*") && !source.contains("backend::*"),
        "a glob re-export would pass the backend kit through"
    );
}
