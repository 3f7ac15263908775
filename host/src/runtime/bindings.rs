//! Host bindings generated from `wit/` (the contract is the source of truth).
//! The input resources are the host types of [`super::stream`].

wasmtime::component::bindgen!({
    path: "../wit",
    world: "gate:policy/policy",
    imports: { default: trappable },
    with: {
        "gate:policy/types.coverage-files": super::stream::CoverageFiles,
        "gate:policy/types.security-findings": super::stream::SecurityFindings,
        "gate:policy/types.iac-resources": super::stream::IacResources,
        "gate:policy/types.test-cases": super::stream::TestCases,
        "gate:policy/types.measurements": super::stream::Measurements,
    },
});

pub use self::gate::policy::host::LogLevel;
pub use self::gate::policy::types;
