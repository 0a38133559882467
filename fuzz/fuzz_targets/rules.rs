//! The rule language: parsing and checking a rule file next to the built-in rules.
#![no_main]

use ecslint::dsl::Program;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Program::from_sources(vec![("rules/_fuzz.ecsl".to_string(), text.to_string())]);
});
