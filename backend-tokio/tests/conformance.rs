mod tokio {
    server_core::conformance_suite!(backend_tokio::Tokio);
}

mod blocking_pool {
    server_core::conformance_suite!(backend_tokio::TokioBlockingPool);
}
