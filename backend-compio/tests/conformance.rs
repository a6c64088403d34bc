server_core::conformance_suite!(
    backend_compio::Compio,
    requires = backend_compio::io_uring_available
);
