server_core::conformance_suite!(backend_threads::Threads);
