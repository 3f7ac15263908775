//! Test fixtures made at test time, so the crate's tests never wait for
//! the real policies' wasm build: a tiny component built with
//! `wasm-encoder` (its imports, an export, a nested core module) and a
//! pack directory around it.

use crate::pack::{ComponentCheck, ComponentInfo, PackToml, ParamsRejection};
use std::path::Path;
use wasm_encoder::{
    Component, ComponentExportKind, ComponentExportSection, ComponentImportSection,
    ComponentTypeRef, ComponentTypeSection, InstanceType, Module, ModuleSection,
    NestedComponentSection,
};

/// A component that only imports an empty instance as `name`.
fn importing(name: &str) -> Component {
    let mut c = Component::new();
    let mut types = ComponentTypeSection::new();
    types.instance(&InstanceType::new());
    c.section(&types);
    let mut section = ComponentImportSection::new();
    section.import(name, ComponentTypeRef::Instance(0));
    c.section(&section);
    c
}

/// A component importing an (empty) instance under each name, exporting
/// the first import back, with a nested core module and a nested
/// component (importing `nested:pkg/x@9.9.9`) whose own sections must not
/// be taken for the component's.
pub(crate) fn component(imports: &[&str]) -> Vec<u8> {
    let mut c = Component::new();
    c.section(&ModuleSection(&Module::new()));
    c.section(&NestedComponentSection(&importing("nested:pkg/x@9.9.9")));
    let mut types = ComponentTypeSection::new();
    types.instance(&InstanceType::new());
    c.section(&types);
    let mut section = ComponentImportSection::new();
    for name in imports {
        section.import(*name, ComponentTypeRef::Instance(0));
    }
    c.section(&section);
    if !imports.is_empty() {
        let mut exports = ComponentExportSection::new();
        exports.export(
            "gate:policy/policy@0.2.0",
            ComponentExportKind::Instance,
            0,
            None,
        );
        c.section(&exports);
    }
    c.finish()
}

/// Writes a one-policy pack (`fixture` 1.0.0, policy `only`) into `dir`;
/// `policy_extra` is added to its `[[policy]]`.
pub(crate) fn pack_dir(dir: &Path, policy_extra: &str) -> PackToml {
    let wasm = component(&["gate:policy/host@0.2.0"]);
    std::fs::write(dir.join("only.wasm"), wasm).unwrap();
    let text = format!(
        "name = \"fixture\"\nversion = \"1.0.0\"\n\n[[policy]]\nname = \"only\"\ncomponent = \"only.wasm\"\n{policy_extra}"
    );
    std::fs::write(dir.join("pack.toml"), &text).unwrap();
    let toml = PackToml::load(dir).unwrap();
    toml.check().unwrap();
    toml
}

/// A checker that accepts every component and params.
pub(crate) struct Accept;

impl ComponentCheck for Accept {
    fn info(&self, _: &[u8]) -> Result<ComponentInfo, String> {
        Ok(ComponentInfo {
            name: "fixture".into(),
            version: "0.0.1".into(),
            description: "a fixture".into(),
            params_schema: "{}".into(),
        })
    }

    fn check_params(&self, _: &str, _: &serde_json::Value) -> Result<(), ParamsRejection> {
        Ok(())
    }
}

/// A checker that refuses every component.
pub(crate) struct Refuse;

impl ComponentCheck for Refuse {
    fn info(&self, _: &[u8]) -> Result<ComponentInfo, String> {
        Err("no info".into())
    }

    fn check_params(&self, _: &str, _: &serde_json::Value) -> Result<(), ParamsRejection> {
        Ok(())
    }
}

/// A built fixture pack.
pub(crate) fn pack(dir: &Path) -> crate::manifest::Pack {
    let toml = pack_dir(dir, "");
    crate::pack::build(dir, &toml, &Accept).unwrap().0
}

/// An observer that keeps the notes it hears, as printed.
#[derive(Default)]
pub(crate) struct Notes(std::cell::RefCell<Vec<String>>);

impl Notes {
    pub(crate) fn taken(&self) -> Vec<String> {
        self.0.take()
    }
}

impl crate::observe::Observer for Notes {
    fn note(&self, note: crate::observe::Note) {
        self.0.borrow_mut().push(note.to_string());
    }
}
