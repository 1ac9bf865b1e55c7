@testable import ChunkFerryPipeline
import Testing

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

    /// With classes, the most urgent class that has a job goes first, oldest first within it; a
    /// job put back goes to the head of its own class (the seam the uplink's scheduler uses).
    @Test func theMostUrgentClassGoesFirstAndEachClassInOrder() async {
        let queue = WorkQueue<Int>(classes: 2) { $0 >= 100 ? 1 : 0 }
        for job in [100, 1, 101, 2, 102] { queue.push(job) }
        #expect(queue.count == 5)
        var taken: [Int] = []
        for _ in 0..<3 { taken.append(await queue.next() ?? -1) }
        #expect(taken == [1, 2, 100])
        queue.putBack(100)
        queue.push(3)
        var rest: [Int] = []
        for _ in 0..<4 { rest.append(await queue.next() ?? -1) }
        #expect(rest == [3, 100, 101, 102])
        #expect(queue.count == 0)
    }
}
