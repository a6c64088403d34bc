server_core::conformance_suite!(backend_coroutine::Coroutine, gaps = [
    "a_client_that_leaves_cancels_its_handler" => "a connection's one coroutine is inside the handler: it sees the client leave only at its next write",
    "websocket_broadcast" => "a member's one coroutine blocks reading its client: what others publish reaches it only when its client sends",
    "websocket_shutdown_says_going_away" => "a session's one coroutine blocks reading its client: shutdown's close 1001 goes out only when the client sends or the read times out",
]);
