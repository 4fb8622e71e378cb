//! Near-valid protocols: the bundled protocols (imports inlined) mutated at
//! the token level by a custom mutator, compiled, and when they compile, a
//! few of the example cases decided on them.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};
use salvage_fuzz::mutate::{mutate, Rng};

/// How many example cases each compiled input decides. Deciding all of
/// them (about a hundred) made an input some twenty times slower; the
/// input chooses which, so that across a run every case is decided on many
/// mutants.
const CASES_PER_INPUT: usize = 4;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Some(protocol) = salvage_fuzz::compile(&text) else {
        return;
    };
    let cases: Vec<&str> = salvage_fuzz::EXAMPLE_CASES
        .iter()
        .flat_map(|cases| cases.lines())
        .filter(|l| !l.trim().is_empty())
        .collect();
    let chooser = data.iter().fold(0usize, |h, b| {
        h.wrapping_mul(31).wrapping_add(usize::from(*b))
    });
    let first = chooser.checked_rem(cases.len()).unwrap_or(0);
    for case in cases.iter().cycle().skip(first).take(CASES_PER_INPUT) {
        salvage_fuzz::decide(&protocol, case);
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
