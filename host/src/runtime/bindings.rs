//! Host bindings generated from `wit/` (the contract is the source of truth).

wasmtime::component::bindgen!({
    path: "../wit",
    world: "gate:policy/policy",
    imports: { default: trappable },
});

pub use self::gate::policy::host::LogLevel;
pub use self::gate::policy::types;
