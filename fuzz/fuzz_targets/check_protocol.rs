//! Protocol text, any bytes read as UTF-8 (lossily), parsed and checked as
//! `salvage check` does; the report must hold together and render.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    salvage_fuzz::check(&String::from_utf8_lossy(data));
});
