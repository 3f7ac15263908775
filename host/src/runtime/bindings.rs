//! Host bindings generated from `wit/` (the contract is the source of truth).

wasmtime::component::bindgen!({
    path: "../wit",
    world: "gate:policy/policy",
    imports: { default: trappable },
});

pub use gate::policy::host::LogLevel;
pub use gate::policy::types;
