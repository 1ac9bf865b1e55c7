@testable import ChunkFerryPipeline
import Synchronization
import Testing

/// How the workers share UPLOAD_CONCURRENCY slots: a big file borrows idle ones, gives them
/// back when other jobs wait, and a lowered capacity parks the workers past it.
@Suite struct UploadSlotsTests {
    final class Queue: Sendable {
        let waiting = Mutex(0)
    }

    @Test func aJobBorrowsOnlyIdleSlotsAndNoneWhileAnotherJobWaits() {
        let queue = Queue()
        let slots = UploadSlots(capacity: 4) { queue.waiting.withLock { $0 } }
        slots.enter()
        #expect(slots.borrow(upTo: 10) == 3, "four slots, one busy")
        #expect(slots.borrow(upTo: 1) == 0, "all lent already")
        slots.giveBack(3)
        queue.waiting.withLock { $0 = 1 }
        #expect(slots.borrow(upTo: 2) == 0, "a job waits: it gets the slot")
    }

    @Test func borrowedSlotsGoBackOneAtATimeWhenJobsArriveOrTheCapacityShrinks() {
        let queue = Queue()
        let slots = UploadSlots(capacity: 4) { queue.waiting.withLock { $0 } }
        slots.enter()
        #expect(slots.borrow(upTo: 3) == 3)
        #expect(!slots.returnIfNeeded(), "nothing waits and all fit")
        queue.waiting.withLock { $0 = 1 }
        #expect(slots.returnIfNeeded())
        queue.waiting.withLock { $0 = 0 }
        slots.resize(2)  // one busy and two borrowed no longer fit in two
        #expect(slots.returnIfNeeded())
        #expect(!slots.returnIfNeeded(), "one busy and one borrowed fit in two")
    }

    @Test func aWorkerPastALoweredCapacityWaitsUntilItGrowsOrTheWorkersStop() async {
        let slots = UploadSlots(capacity: 2) { 0 }
        #expect(await slots.admit(1))
        slots.resize(1)
        async let admitted = slots.admit(1)
        slots.resize(3)
        #expect(await admitted, "admitted once the capacity grew back")
        slots.resize(1)
        async let parked = slots.admit(2)
        slots.close()
        #expect(await parked == false, "the workers stopped: it gives up")
    }
}
