import Testing
@testable import ChunkFerryCore

/// The job queue's order, as the workers see it.
@Suite struct WorkQueueTests {
    /// A job taken by a worker that a lowered UPLOAD_CONCURRENCY parked goes back to the head,
    /// ahead of what was queued after it, or straight to a worker already waiting.
    @Test func aJobPutBackIsTakenNextAndFirst() async {
        let queue = WorkQueue<Int>()
        queue.push(1)
        queue.push(2)
        let first = await queue.next()
        #expect(first == 1)
        queue.putBack(1)
        #expect(queue.count == 2)
        let again = await queue.next()
        let second = await queue.next()
        #expect(again == 1 && second == 2)

        async let waiting = queue.next()
        while queue.count != 0 { await Task.yield() }
        try? await Task.sleep(for: .milliseconds(50))  // the waiter is parked on the queue by now
        queue.putBack(7)
        #expect(await waiting == 7)
        queue.close()
        #expect(await queue.next() == nil)
    }
}
