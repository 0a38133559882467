//! The YAML loader: any bytes, as a stream of documents.
#![no_main]

use ecslint::load::yaml;
use ecslint::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = SourceFile::new("fuzz.yaml", text.to_string());
    let _ = yaml::parse_stream(&source);
});
