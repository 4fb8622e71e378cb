//! Near-valid protocols: the bundled protocols (imports inlined) mutated at
//! the token level by a custom mutator, compiled, and when they compile, the
//! example cases decided on them.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};
use salvage_fuzz::mutate::{mutate, Rng};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Some(protocol) = salvage_fuzz::compile(&text) else {
        return;
    };
    for cases in salvage_fuzz::EXAMPLE_CASES {
        for case in cases.lines().filter(|l| !l.trim().is_empty()) {
            salvage_fuzz::decide(&protocol, case);
        }
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng::new(seed);
    // Now and then a byte-level mutation, to leave the token grid.
    if seed.is_multiple_of(16) {
        return fuzzer_mutate(data, size, max_size);
    }
    let text = String::from_utf8_lossy(data.get(..size).unwrap_or(data)).into_owned();
    let mutated = mutate(&text, &mut rng);
    match data.get_mut(..mutated.len()) {
        Some(room) if mutated.len() <= max_size => {
            room.copy_from_slice(mutated.as_bytes());
            mutated.len()
        }
        _ => fuzzer_mutate(data, size, max_size),
    }
});
