//! The `salvage` binary: parses the arguments and hands them to the library.

mod cli;

use clap::Parser;

/// Evaluation allocates many small, short-lived values per case; mimalloc
/// serves them in a fraction of the instructions of the system allocator.
#[global_allocator]
static ALLOCATOR: allocator::Mimalloc = allocator::Mimalloc;

/// mimalloc through its plain entry points wherever its natural alignment
/// suffices (the `mimalloc` crate always takes the aligned ones, which cost
/// about twice the instructions per allocation).
#[allow(unsafe_code)]
mod allocator {
    use libmimalloc_sys::{mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned};
    use std::alloc::{GlobalAlloc, Layout};
    use std::ffi::c_void;

    /// The largest alignment mimalloc's plain entry points give
    /// (`MI_MAX_ALIGN_SIZE`).
    const NATURAL: usize = 16;

    /// Whether the plain entry points give a block aligned for `layout`.
    /// mimalloc's blocks are aligned to the word (8 bytes), and to 16 bytes
    /// when the size is a multiple of 16 (its size classes for such sizes
    /// are multiples of 16 too, and pages start 16-aligned). Anything else
    /// takes the aligned entry points.
    fn natural(layout: &Layout) -> bool {
        layout.align() <= 8 || (layout.align() <= NATURAL && layout.size() % NATURAL == 0)
    }

    /// The global allocator.
    pub struct Mimalloc;

    // SAFETY: every block comes from mimalloc and goes back to it; blocks
    // whose alignment the plain entry points do not guarantee go through the
    // aligned ones, exactly as in the `mimalloc` crate.
    unsafe impl GlobalAlloc for Mimalloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: mimalloc accepts any size; alignment as above.
            unsafe {
                if natural(&layout) {
                    mi_malloc(layout.size()) as *mut u8
                } else {
                    mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
                }
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
            // SAFETY: `ptr` came from this allocator, so from mimalloc.
            unsafe { mi_free(ptr as *mut c_void) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: `ptr` came from mimalloc; the new block keeps the
            // alignment by the same rule as `alloc`.
            unsafe {
                let grown = Layout::from_size_align_unchecked(new_size, layout.align());
                if natural(&layout) && natural(&grown) {
                    mi_realloc(ptr as *mut c_void, new_size) as *mut u8
                } else {
                    mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Every block is aligned as its layout asks, through every entry
        /// point, for sizes around each size class and alignments up to 64.
        #[test]
        fn blocks_are_aligned_as_asked() {
            for align in [1usize, 2, 4, 8, 16, 32, 64] {
                for size in (1..600).chain([1024, 1040, 4096, 70_000]) {
                    let Ok(layout) = Layout::from_size_align(size, align) else {
                        continue;
                    };
                    // SAFETY: each block is freed once, with its own layout.
                    unsafe {
                        let block = Mimalloc.alloc(layout);
                        assert!(!block.is_null() && block as usize % align == 0);
                        block.write_bytes(0xa5, size);
                        let grown = Mimalloc.realloc(block, layout, size * 3);
                        assert!(!grown.is_null() && grown as usize % align == 0);
                        assert_eq!(*grown, 0xa5);
                        let grown_layout = Layout::from_size_align_unchecked(size * 3, align);
                        Mimalloc.dealloc(grown, grown_layout);
                    }
                }
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse())
}
