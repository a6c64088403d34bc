#[cfg(feature = "smol")]
mod smol {
    server_core::conformance_suite!(backend_smol::Smol);
}

#[cfg(feature = "async-std")]
mod async_std {
    server_core::conformance_suite!(backend_smol::AsyncStd);
}
