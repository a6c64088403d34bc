server_core::conformance_suite!(backend_coroutine::Coroutine);

#[cfg(feature = "minihttp")]
mod minihttp {
    server_core::conformance_suite!(backend_coroutine::MiniHttp, gaps = [
        "keep_alive" => "may_minihttp always sends its own `Server: M`",
        "http10_closes" => "no HTTP/1.0 rules: the connection stays open",
        "http10_keep_alive" => "no `Connection: keep-alive` answer for HTTP/1.0",
        "connection_close" => "`Connection: close` is ignored",
        "head_has_no_body" => "HEAD responses carry the body",
        "chunked_body" => "no chunked request bodies",
        "expect_continue" => "no `100 Continue`",
        "malformed_request_line" => "malformed requests are dropped without an answer",
        "obs_fold" => "malformed requests are dropped without an answer",
        "space_before_colon" => "malformed requests are dropped without an answer",
        "nul_in_value" => "malformed requests are dropped without an answer",
        "bare_cr_in_value" => "malformed requests are dropped without an answer",
        "unsupported_version" => "malformed requests are dropped without an answer",
        "missing_host" => "requests without Host are served",
        "cl_and_te" => "Transfer-Encoding is ignored: Content-Length frames the body",
        "differing_content_lengths" => "the first Content-Length wins",
        "signed_content_length" => "the adapter answers 400, but may_minihttp keeps the connection open",
        "bad_chunk_size" => "no chunked request bodies",
        "unknown_transfer_coding" => "Transfer-Encoding is ignored",
        "chunked_body_too_large" => "no chunked request bodies",
        "body_too_large" => "the adapter answers 413, but the unread body is parsed as the next request",
        "header_too_large" => "no header size limit short of its buffer",
        "too_many_headers" => "more than 16 headers: dropped without an answer",
        "header_read_timeout" => "no timeouts",
        "slowloris_trickle" => "no timeouts",
        "idle_timeout" => "no timeouts",
        "max_connections" => "its own accept loop has no connection limit",
        "graceful_shutdown" => "connections are not tracked: shutdown stops only the acceptor",
    ]);
}
