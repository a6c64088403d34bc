mod tokio {
    server_core::conformance_suite!(backend_tokio::Tokio);
}

mod blocking_pool {
    server_core::conformance_suite!(backend_tokio::TokioBlockingPool);
}

/// hyper is the reference engine: where it answers differently, the case is a known gap, checked to
/// still fail (so that a hyper upgrade that closes a gap is noticed). With `pipeline_flush(true)`,
/// which the reference configuration uses for throughput, hyper 1.12 closes the connection without
/// flushing its own automatic `400`/`431` answers; with it off, the first ten of these pass.
#[cfg(feature = "hyper")]
mod hyper {
    server_core::conformance_suite!(backend_tokio::Hyper, gaps = [
        "malformed_request_line" => "pipeline_flush drops hyper's automatic 400: silent close",
        "obs_fold" => "pipeline_flush drops hyper's automatic 400: silent close",
        "space_before_colon" => "pipeline_flush drops hyper's automatic 400: silent close",
        "nul_in_value" => "pipeline_flush drops hyper's automatic 400: silent close",
        "bare_cr_in_value" => "pipeline_flush drops hyper's automatic 400: silent close",
        "differing_content_lengths" => "pipeline_flush drops hyper's automatic 400: silent close",
        "signed_content_length" => "pipeline_flush drops hyper's automatic 400: silent close",
        "unknown_transfer_coding" => "pipeline_flush drops hyper's automatic 400: silent close",
        "header_too_large" => "pipeline_flush drops hyper's automatic 431: silent close",
        "too_many_headers" => "pipeline_flush drops hyper's automatic 431: silent close",
        "missing_host" => "hyper serves HTTP/1.1 requests without Host",
        "cl_and_te" => "hyper ignores Content-Length when Transfer-Encoding is present (RFC 9112 allows it)",
        "bad_chunk_size" => "hyper closes on a bad chunk size without an answer",
        "unsupported_version" => "hyper closes on an unknown version without a 505",
        "body_too_large" => "413 comes from the body collector, so hyper keeps the connection open",
        "chunked_body_too_large" => "hyper closes on an oversized chunked body without an answer",
        "header_read_timeout" => "hyper's header_read_timeout closes without a 408",
        "idle_timeout" => "no idle timeout: an idle connection stays until header_read_timeout, which hyper starts when it waits for the next request",
        "streamed_upload_and_download_hold_little" => "a route's own body limit (Body::set_limit) does not reach hyper's body: max_body_bytes cuts the upload",
        "upload_over_its_limit" => "a route's own body limit (Body::set_limit) does not reach hyper's body",
        "stalled_download_is_bounded" => "RSS grew by ~1 GiB for an unread 1 GiB download through this adapter (not yet traced: hyper's write buffering or the adapter)",
        "expect_continue_on_upload" => "no `Connection: close` after answering an unread body announced with 100-continue",
        "ignored_body" => "closes a connection whose small body the handler left unread instead of skipping it",
        "channel_body_and_http10_stream" => "no `Connection: close` on a close-delimited HTTP/1.0 body",
        "chunk_extensions_outweighing_the_data" => "hyper closes on too much chunk-extension data without an answer",
        "a_client_that_leaves_cancels_its_handler" => "with `half_close(true)` hyper keeps serving a request whose client sent its end of input",
        "pipelined_large_answers_are_bounded" => "with `pipeline_flush(true)` hyper encodes every pipelined answer it has before it writes",
        "unread_last_responses_count_against_the_limit" => "unreliable: in about one full-suite run in three, hyper's connections whose clients left (and a few accepted after) are still registered 30 s later with the runtime idle and no timer armed; passes when run alone",
        "slow_reader_is_cut_by_the_minimum_rate" => "no write timeout or minimum write rate",
        "trickled_body_is_cut_by_the_minimum_rate" => "no body read timeout or minimum body rate",
    ]);
}

mod per_core {
    server_core::conformance_suite!(backend_tokio::TokioPerCore);
}
