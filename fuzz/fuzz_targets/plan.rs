//! The Terraform plan loader: whatever JSON parses is built into a graph as a plan, whether
//! or not it looks like one.
#![no_main]

use ecslint::load::{json, tfplan};
use ecslint::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = json::parse(text) else {
        return;
    };
    let source = SourceFile::new("fuzz.json", text.to_string());
    let _ = tfplan::build(source, &parsed.root);
});
