//! The queue of cross-thread wakes (patch of this vendored copy; see `PATCH.md`).
//!
//! A lock-free stack that the executor takes whole: a producer publishes its id with one
//! compare-and-swap, so there is no moment at which an id is claimed but not yet readable, and the
//! executor never waits for a producer. The bounded `ArrayQueue` it replaces has such a moment: its
//! `pop` spins while a producer that has claimed a slot has not written it, and a producer of lower
//! priority on the same core (a `SCHED_IDLE` pool thread preempted between the two steps) could keep
//! the executor spinning for hundreds of milliseconds. Unbounded, as every task is queued at most once
//! at a time (its `SCHEDULED` flag), so a producer never waits for room either.

use std::ptr;

use crate::{AtomicPtr, Ordering, queue::TaskId};

struct Node {
    id: TaskId,
    next: *mut Node,
}

pub(crate) struct RemoteQueue {
    head: AtomicPtr<Node>,
}

// SAFETY: the nodes are owned by the queue (pushed from any thread, freed by the one taker) and hold
// only `Copy` ids.
unsafe impl Send for RemoteQueue {}
unsafe impl Sync for RemoteQueue {}

impl RemoteQueue {
    pub fn new() -> Self {
        Self {
            head: AtomicPtr::new(ptr::null_mut()),
        }
    }

    pub fn push(&self, id: TaskId) {
        let node = Box::into_raw(Box::new(Node {
            id,
            next: ptr::null_mut(),
        }));
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // SAFETY: `node` is ours until the exchange below publishes it.
            unsafe { (*node).next = head };
            match self
                .head
                .compare_exchange_weak(head, node, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(current) => head = current,
            }
        }
    }

    /// Takes every id pushed so far and calls `f` on each, oldest first. Only one thread (the
    /// executor's) may call this.
    pub fn drain(&self, mut f: impl FnMut(TaskId)) -> usize {
        if self.head.load(Ordering::Acquire).is_null() {
            return 0;
        }
        // Newest first as pushed: reverse the links so the wakes run in the order they came.
        let mut newest = self.head.swap(ptr::null_mut(), Ordering::Acquire);
        let mut oldest = ptr::null_mut();
        while !newest.is_null() {
            // SAFETY: the swap made the whole list ours; each node was published by `push`.
            let next = unsafe { (*newest).next };
            unsafe { (*newest).next = oldest };
            oldest = newest;
            newest = next;
        }
        let mut drained = 0;
        while !oldest.is_null() {
            // SAFETY: as above; each node is freed once, here.
            let node = unsafe { Box::from_raw(oldest) };
            oldest = node.next;
            f(node.id);
            drained += 1;
        }
        drained
    }
}

impl Drop for RemoteQueue {
    fn drop(&mut self) {
        self.drain(|_| {});
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use slotmap::{Key, KeyData};

    use super::*;

    fn id(n: u64) -> TaskId {
        TaskId::from(KeyData::from_ffi(1 << 32 | n)) // version 1 (slotmap wants it odd), index n
    }

    #[test]
    fn drain_yields_every_id_oldest_first_and_empties_the_queue() {
        let queue = RemoteQueue::new();
        for n in 1..=5 {
            queue.push(id(n));
        }
        let mut seen = Vec::new();
        assert_eq!(queue.drain(|id| seen.push(id)), 5);
        assert_eq!(seen, (1..=5).map(id).collect::<Vec<_>>());
        assert_eq!(queue.drain(|_| panic!("drained twice")), 0);
    }

    #[test]
    fn ids_pushed_from_many_threads_while_draining_all_arrive_once() {
        let queue = std::sync::Arc::new(RemoteQueue::new());
        let (threads, each) = (4u64, 10_000u64);
        let producers: Vec<_> = (0..threads)
            .map(|t| {
                let queue = queue.clone();
                std::thread::spawn(move || (0..each).for_each(|n| queue.push(id(t * each + n + 1))))
            })
            .collect();
        let mut seen = Vec::new();
        let mut take = || queue.drain(|id| seen.push(id.data().as_ffi() & 0xffff_ffff));
        while !producers.iter().all(|p| p.is_finished()) {
            take();
        }
        take();
        producers.into_iter().for_each(|p| p.join().unwrap());
        seen.sort_unstable();
        assert!(
            seen.iter().copied().eq(1..=threads * each),
            "an id lost or delivered twice"
        );
    }
}
