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
        #expect(first?.job == 1)
        queue.putBack(first!)
        #expect(queue.count == 2)
        let again = await queue.next()
        let second = await queue.next()
        #expect(again?.job == 1 && second?.job == 2)

        async let waiting = queue.next()
        while queue.count != 0 { await Task.yield() }
        try? await Task.sleep(for: .milliseconds(50))  // the waiter is parked on the queue by now
        queue.putBack(again!)
        #expect(await waiting?.job == 1)
        queue.close()
        #expect(await queue.next() == nil)
    }

    /// The most urgent lane that has a job goes first; within a lane the lowest rank (the
    /// newest recording, for the backlog), then the oldest push; a job put back goes to the
    /// head of its own rank.
    @Test func theMostUrgentLaneGoesFirstThenRankThenAge() async throws {
        let queue = WorkQueue<Int>(lanes: 3)
        queue.push(200, lane: 2, rank: -5)
        queue.push(201, lane: 2, rank: -9)  // newer recording: first of the backlog
        queue.push(1, lane: 0)
        queue.push(202, lane: 2, rank: -9)
        queue.push(2, lane: 0)
        queue.push(100, lane: 1)
        #expect(queue.counts == [2, 1, 3])
        var taken: [Int] = []
        for _ in 0..<4 { taken.append(await queue.next()?.job ?? -1) }
        #expect(taken == [1, 2, 100, 201])
        let put = try #require(await queue.next())
        #expect(put.job == 202)
        queue.putBack(put)
        queue.push(3, lane: 0)
        var rest: [Int] = []
        for _ in 0..<3 { rest.append(await queue.next()?.job ?? -1) }
        #expect(rest == [3, 202, 200])
        #expect(queue.count == 0)
    }

    /// The live reserve waits for live work only: a backlog job pushed meanwhile goes to a
    /// worker that takes every lane, or waits in the queue.
    @Test func aWorkerReservedForLiveWorkIsNotGivenTheBacklog() async throws {
        let queue = WorkQueue<Int>(lanes: 3)
        async let reserve = queue.next(through: 0)
        try await Task.sleep(for: .milliseconds(50))
        queue.push(900, lane: 2)
        #expect(queue.counts == [0, 0, 1])
        queue.push(7, lane: 0)
        #expect(await reserve?.job == 7)
        #expect(await queue.next()?.job == 900)
    }
}
