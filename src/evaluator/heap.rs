//! Counting the heap one call holds at its peak.
//!
//! FlashAttention and linear attention exist to avoid the (l_q × l_k) matrix,
//! so their judges measure memory rather than take it on trust. The
//! evaluator's `main` installs [`CountingAllocator`] as the global allocator;
//! it forwards to the system allocator and keeps, per thread, the bytes live
//! now and the most that were live since the last [`measure`] began.
//!
//! ```
//! use attn_quiz::evaluator::heap;
//! // Without the counting allocator installed nothing is known.
//! let (sum, peak) = heap::measure(|| vec![1u8; 1000].iter().map(|&x| x as u32).sum::<u32>());
//! assert_eq!((sum, peak), (1000, None));
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// The system allocator, counting what each thread holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

/// Whether any allocation went through a [`CountingAllocator`]: only then
/// do the counts mean anything.
static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Bytes this thread holds now (memory freed on another thread than the
    /// one that took it can make this dip below zero).
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// The most `LIVE` has been since the current measurement began.
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

/// Adds `bytes` (negative: freed) to this thread's count.
fn count(bytes: isize) {
    // `try_with`: while a thread is torn down its counters may be gone already.
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(bytes);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// bookkeeping around it touches only this thread's counters and allocates nothing.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            count(layout.size() as isize);
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        let block = unsafe { System.alloc_zeroed(layout) };
        if !block.is_null() {
            count(layout.size() as isize);
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: `block` came from this allocator, that is from `System`.
        unsafe { System.dealloc(block, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, with the caller's contract for `realloc`.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        moved
    }
}

/// Runs `f` and returns its result with the most heap (in bytes) this thread
/// held at once during the call, above what it held when the call began
/// (what `f` returns included); `None` when no [`CountingAllocator`] is installed.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, Option<usize>) {
    let start = LIVE.with(Cell::get);
    let outer_peak = PEAK.replace(start);
    let result = f();
    let peak = PEAK.with(Cell::get);
    // A measurement inside another one leaves the outer peak as it would be.
    PEAK.set(outer_peak.max(peak));
    let held = usize::try_from(peak - start).unwrap_or(0);
    (result, INSTALLED.load(Ordering::Relaxed).then_some(held))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The library's own tests count their heap, as an evaluator does.
    #[global_allocator]
    static COUNTING: CountingAllocator = CountingAllocator;

    #[test]
    fn the_peak_counts_what_was_held_at_once_and_freed_since() {
        let (length, peak) = measure(|| {
            let big = vec![1u8; 1 << 20];
            let small = vec![2u8; 1000];
            big.len() + small.len()
        });
        assert_eq!(length, (1 << 20) + 1000);
        let peak = peak.expect("the counting allocator is installed");
        assert!(((1 << 20) + 1000..(1 << 20) + 4096).contains(&peak), "{peak}");
    }

    #[test]
    fn what_was_held_before_the_call_does_not_count() {
        let before = vec![0u8; 1 << 20];
        let (_, peak) = measure(|| vec![0u8; 100]);
        assert!(peak.unwrap() < 1024, "{peak:?}");
        let (_, outer) = measure(|| {
            let (_, inner) = measure(|| vec![0u8; 5000].len());
            assert!(inner.unwrap() >= 5000);
            vec![0u8; 10]
        });
        assert!(outer.unwrap() >= 5000, "an inner measurement still counts for the outer one: {outer:?}");
        drop(before);
    }
}
