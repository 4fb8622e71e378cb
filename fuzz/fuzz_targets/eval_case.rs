//! Bytes as one case's JSON text, loaded and decided against each bundled
//! protocol (compiled once) as `salvage eval --explain` does; both case
//! readers must give the same record.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (_, protocol) in salvage_fuzz::BUNDLED.iter() {
        salvage_fuzz::decide(protocol, text);
    }
});
