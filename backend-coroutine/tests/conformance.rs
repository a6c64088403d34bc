server_core::conformance_suite!(backend_coroutine::Coroutine);
