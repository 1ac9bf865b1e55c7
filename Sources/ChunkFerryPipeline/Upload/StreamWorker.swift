import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Logging

/// Takes jobs from the stream manager and hands each to the stage that does it: chunks to the
/// `ChunkSender`, idle streams to the `Finalizer`, gone files to the `StreamCloser`. It holds the
/// stream's lease around the job and reports the outcome back to the manager.
package struct StreamWorker: Sendable {
    package let context: PipelineContext
    package let manager: StreamManager
    /// Shared by all workers (this struct is copied into each).
    let slots: UploadSlots
    let finisher: SmallFileFinisher

    package init(context: PipelineContext, manager: StreamManager) {
        self.context = context
        self.manager = manager
        let queue = manager.queue
        slots = UploadSlots(capacity: context.upload.concurrency) { queue.count }
        finisher = SmallFileFinisher(capacity: 2 * context.upload.concurrency)
    }

    var sender: ChunkSender { ChunkSender(context: context, manager: manager, slots: slots) }
    var finalizer: Finalizer { Finalizer(sender: sender, finisher: finisher) }

    /// Worker `index` (from 0) takes jobs while the upload slots reach it, the most urgent
    /// class first.
    package func run(index: Int) async {
        let queue = manager.queue
        while await slots.admit(index), let queued = await queue.next() {
            // UPLOAD_CONCURRENCY was lowered while this worker waited for a job: it parks.
            guard index < slots.capacity else {
                queue.putBack(queued)
                continue
            }
            await carryOut(queued)
        }
    }

    /// A live reserve worker: beyond UPLOAD_CONCURRENCY, it takes live and event work, never
    /// the backlog, so a recording's next chunk or piece, or an event's footage, never waits for
    /// backlog chunks crawling up a slow uplink (their bodies pause for it meanwhile, see
    /// `UplinkThrottle`).
    package func runReserve() async {
        let queue = manager.queue
        while let queued = await queue.next(through: UplinkClass.event.rawValue) {  // sub-streams, live, events
            await carryOut(queued)
        }
    }

    /// Carries out a queued job with its class set for the stores' uploads.
    func carryOut(_ queued: WorkQueue<StreamJob>.Queued) async {
        await UplinkClass.$current.withValue(UplinkClass(rawValue: queued.lane) ?? .backlog) {
            await carryOut(queued.job)
        }
    }

    /// Hands `job` to the stage that does it, under the stream's lease, and reports the outcome.
    func carryOut(_ job: StreamJob) async {
        switch job {
        case .upload(let path, let streamID), .finalize(let path, let streamID), .single(let path, let streamID),
             .tail(let path, let streamID):
            slots.enter()
            defer { slots.leave() }
            guard let begun = await manager.begin(path, streamID: streamID) else { return }
            if case .single = job {  // leaseless by design, see finalizeSingleChunk
                if let outcome = await finalizer.finalizeSingleChunk(begun) {
                    await manager.finish(begun.path, streamID: begun.streamID, outcome: outcome)
                }
                return
            }
            guard let work = await leased(begun) else { await finish(begun, .ownedElsewhere); return }
            let outcome = switch job {
            case .finalize: await finalizer.finalize(work)
            case .tail: await sender.sendProvisional(work)
            default: await sender.upload(work)
            }
            await sender.dropProvisionalIfCovered(work, outcome: outcome)
            await finish(work, outcome)
        case .abandon(let record, let reason):
            await StreamCloser(context: context).abandon(record, reason: reason)
        }
    }

    /// `work` once this instance holds the stream's lease (re-read from Redis if the lease is new);
    /// nil if another instance holds it.
    private func leased(_ work: StreamWork) async -> StreamWork? {
        guard let lease = await context.checkpoints.acquireLease(work.streamID), lease.held else { return nil }
        var work = work
        if lease.isNew {
            // Another instance may have worked on it meanwhile: its record and pieces are to be found again.
            work.record = nil
            work.provisional = nil
            work.sweepPieces = true
        }
        return work
    }

    private func finish(_ work: StreamWork, _ outcome: WorkOutcome) async {
        switch outcome {
        case .finalized, .vanished, .ownedElsewhere, .refused, .otherGeneration: await context.leases.release(work.streamID)
        // A finished stream found as it was (a touched file): nothing more to do under its lease.
        case .progressed(let record) where record.state == .finalized: await context.leases.release(work.streamID)
        default: break
        }
        if case .refused(let record, let reason) = outcome {
            await context.checkpoints.noteProblem(record.id, reason, failed: true)
        }
        if case .unreadable(let record?, let error) = outcome {
            await context.checkpoints.noteProblem(record.id, "\(error)")
        }
        await manager.finish(work.path, streamID: work.streamID, outcome: outcome)
    }
}
