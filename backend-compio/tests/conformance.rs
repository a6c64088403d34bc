server_core::conformance_suite!(backend_compio::Compio);
