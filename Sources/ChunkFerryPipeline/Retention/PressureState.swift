import ChunkFerrySupport
import Logging

/// Whether WATCH_DIR is short of `MIN_FREE_SPACE` with nothing left that may be deleted: one loud
/// line when that begins, one when it ends, and the figure in Redis for `status`.
actor PressureState {
    private var short = false

    package func update(short isShort: Bool, disk: DiskSpace, minimum: RetentionSettings.FreeSpace, context: PipelineContext) async {
        let metadata: Logger.Metadata = [
            "disk.free": "\(disk.available)", "disk.total": "\(disk.total)", "disk.minimum": "\(minimum.bytes(ofTotal: disk.total))",
            "watch.dir": "\(context.watchRoot)",
        ]
        if isShort && !short {
            context.logger.warning("disk nearly full of footage not yet uploaded; nothing more may be deleted until the store has it", metadata: metadata)
        } else if !isShort && short {
            context.logger.info("disk has enough free space again", metadata: metadata)
        }
        short = isShort
        try? await context.store.noteDisk(node: context.upload.nodeID, (disk.available, disk.total, isShort), now: WallClock.nowMilliseconds())
    }
}
