//! The `salvage` binary: parses the arguments and hands them to the library.

mod cli;

use clap::Parser;

/// Evaluation allocates many small, short-lived values per case; mimalloc
/// serves them in a fraction of the instructions of the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse())
}
