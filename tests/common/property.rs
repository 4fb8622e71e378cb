//! Property-test runners that CI can repeat.

use proptest::test_runner::{Config, RngSeed, TestRunner};

/// A runner with `cases` cases (unless `PROPTEST_CASES` says otherwise), a
/// fixed seed (unless `PROPTEST_RNG_SEED` says otherwise), at most `shrinks`
/// shrinking steps, and no files written.
pub fn runner(cases: u32, seed: u64, shrinks: u32) -> TestRunner {
    let mut config = Config::default();
    if std::env::var("PROPTEST_CASES").is_err() {
        config.cases = cases;
    }
    if std::env::var("PROPTEST_RNG_SEED").is_err() {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config.failure_persistence = None;
    config.max_shrink_iters = shrinks;
    TestRunner::new(config)
}
