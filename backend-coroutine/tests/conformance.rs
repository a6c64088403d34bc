server_core::conformance_suite!(backend_coroutine::Coroutine, gaps = [
    "a_client_that_leaves_cancels_its_handler" => "a connection's one coroutine is inside the handler: it sees the client leave only at its next write",
]);
