/// Lua scripts: each runs atomically inside Redis, so no two writers can interleave.
extension CheckpointStore {
    /// KEYS: stream, state set. ARGV: id, field/value pairs. Creates only if absent.
    package static let createScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 2))
        redis.call('SADD', KEYS[2], ARGV[1])
        return 1
        """

    /// KEYS: stream, chunks, lease. ARGV: expected offset, index, size, record, now, file size, lease
    /// owner, lease ttl ms. Returns {1, offset} committed, {0, offset} someone else moved the offset,
    /// {-1, 0} no stream, {-2, offset} another instance holds the stream's lease. A lease nobody
    /// holds (it lapsed, or Redis lost it) is taken for the caller.
    /// Re-committing the very chunk that moved the offset (a retry whose reply was lost) counts as committed.
    package static let commitScript = """
        local current = redis.call('HGET', KEYS[1], 'committed')
        if not current then return {-1, 0} end
        current = tonumber(current)
        if ARGV[7] ~= '' then
            local holder = redis.call('GET', KEYS[3])
            if not holder then redis.call('SET', KEYS[3], ARGV[7], 'PX', ARGV[8])
            elseif holder ~= ARGV[7] then return {-2, current} end
        end
        local expected = tonumber(ARGV[1])
        local size = tonumber(ARGV[3])
        if current == expected then
            redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
            redis.call('HSET', KEYS[1], 'committed', tostring(expected + size), 'chunk_count', tostring(tonumber(ARGV[2]) + 1),
                'last_chunk_at', ARGV[5], 'updated_at', ARGV[5], 'file_size', ARGV[6])
            redis.call('HDEL', KEYS[1], 'last_error', 'failed')
            return {1, expected + size}
        end
        if current == expected + size and redis.call('HGET', KEYS[2], ARGV[2]) == ARGV[4] then
            return {1, current}
        end
        return {0, current}
        """

    /// KEYS: lease. ARGV: owner, ttl ms. Takes a free lease or extends one's own; 1 if held.
    package static let acquireLeaseScript = """
        local owner = redis.call('GET', KEYS[1])
        if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
        if owner then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """

    /// KEYS: lease. ARGV: owner, ttl ms. Extends the lease if still one's own; 1 if so.
    package static let renewLeaseScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """

    /// KEYS: lease. ARGV: owner. Gives the lease up if it is one's own.
    package static let releaseLeaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """

    /// KEYS: stream, chunks. ARGV: index, record, now. Records a chunk re-sent because its bytes
    /// changed after upload (or its record was missing); the offset does not move.
    package static let repairScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        redis.call('HINCRBY', KEYS[1], 'repaired', 1)
        redis.call('HSET', KEYS[1], 'updated_at', ARGV[3])
        return 1
        """

    /// KEYS: stream, chunks, active set, finalized set. ARGV: id, expected offset, new offset,
    /// chunk count, tail index or -1, now. A finalized file grew: its partial tail chunk is
    /// dropped so the stream continues at the tail's start. Returns 1, or 0 if the offset moved.
    package static let reopenScript = """
        local current = redis.call('HGET', KEYS[1], 'committed')
        if not current or tonumber(current) ~= tonumber(ARGV[2]) then return 0 end
        if tonumber(ARGV[5]) >= 0 then redis.call('HDEL', KEYS[2], ARGV[5]) end
        redis.call('HSET', KEYS[1], 'state', 'active', 'committed', ARGV[3], 'chunk_count', ARGV[4], 'updated_at', ARGV[6])
        redis.call('HDEL', KEYS[1], 'sha256', 'completed_at')
        redis.call('SREM', KEYS[4], ARGV[1])
        redis.call('SADD', KEYS[3], ARGV[1])
        return 1
        """

    /// KEYS: stream, target state set, then every state set. ARGV: id, new state, expected state
    /// and expected committed offset ('' for any), then field/value pairs to set. Returns 0,
    /// changing nothing, unless the stream is in the expected state at the expected offset.
    package static let transitionScript = """
        local state = redis.call('HGET', KEYS[1], 'state')
        if not state then return 0 end
        if ARGV[3] ~= '' and state ~= ARGV[3] then return 0 end
        if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'committed') ~= ARGV[4] then return 0 end
        for i = 3, #KEYS do redis.call('SREM', KEYS[i], ARGV[1]) end
        redis.call('HSET', KEYS[1], 'state', ARGV[2], unpack(ARGV, 5))
        redis.call('HDEL', KEYS[1], 'last_error')
        redis.call('SADD', KEYS[2], ARGV[1])
        return 1
        """

    /// KEYS: stream, chunks, finalized hash, then every state set. ARGV: id, expected committed
    /// offset, compact value. An active stream with every byte committed becomes its compact record.
    /// KEYS: stream, finalized hash. ARGV: id, compact record. 0 if the stream exists either way.
    package static let createFinalizedScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        return 1
        """

    package static let finalizeScript = """
        if redis.call('HGET', KEYS[1], 'state') ~= 'active' then return 0 end
        if redis.call('HGET', KEYS[1], 'committed') ~= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
        redis.call('DEL', KEYS[1], KEYS[2])
        for i = 4, #KEYS do redis.call('SREM', KEYS[i], ARGV[1]) end
        return 1
        """

    /// KEYS: stream, chunks, finalized hash, finalized set. ARGV: id, number of field values n,
    /// n field/value items, then chunk index/record pairs. A compact record back to a full one
    /// (a finalized file grew), its chunk records restored from the manifest. 0 if not compact.
    package static let expandScript = """
        if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then return 0 end
        redis.call('HDEL', KEYS[3], ARGV[1])
        local n = tonumber(ARGV[2])
        redis.call('HSET', KEYS[1], unpack(ARGV, 3, 2 + n))
        local i = 3 + n
        while i <= #ARGV do
            local last = math.min(i + 999, #ARGV)
            redis.call('HSET', KEYS[2], unpack(ARGV, i, last))
            i = last + 1
        end
        redis.call('SADD', KEYS[4], ARGV[1])
        return 1
        """

    /// KEYS: stream, finalized hash. ARGV: id, unix ms or '' to clear. Sets when the file left the
    /// disk, in the compact record (its 16th field, in c1 and c2 alike) or the full one.
    package static let goneScript = """
        local compact = redis.call('HGET', KEYS[2], ARGV[1])
        if compact then
            local fields = {}
            for field in string.gmatch(compact .. '\t', '([^\t]*)\t') do fields[#fields + 1] = field end
            fields[16] = ARGV[2]
            redis.call('HSET', KEYS[2], ARGV[1], table.concat(fields, '\t'))
            return 1
        end
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if ARGV[2] == '' then redis.call('HDEL', KEYS[1], 'local_deleted_at') else redis.call('HSET', KEYS[1], 'local_deleted_at', ARGV[2]) end
        return 1
        """

    /// KEYS: finalized hash. ARGV: id, expected value, its c1 form, new value.
    package static let replaceCompactScript = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current ~= ARGV[2] and current ~= ARGV[3] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
        return 1
        """

    /// KEYS: stream, chunks, finalized hash, finalized set. ARGV: id, compact record. A full
    /// finalized record (written before compact records existed) becomes its compact record.
    package static let compactLegacyScript = """
        if redis.call('HGET', KEYS[1], 'state') ~= 'finalized' then return 0 end
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
        redis.call('DEL', KEYS[1], KEYS[2])
        redis.call('SREM', KEYS[4], ARGV[1])
        return 1
        """

    /// KEYS: stream, chunks, lease, finalized hash, then every state set. ARGV: id, the compact
    /// value expected (and its c1 form), or '' and the full record's expected state and
    /// updated_at. Drops the stream only if it is still exactly what the janitor read and nobody
    /// holds its lease: a stream reopened meanwhile (its file grew back) is kept.
    package static let forgetScript = """
        if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
        if ARGV[2] ~= '' then
            local current = redis.call('HGET', KEYS[4], ARGV[1])
            if current ~= ARGV[2] and current ~= ARGV[3] then return 0 end
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        else
            if redis.call('HGET', KEYS[1], 'state') ~= ARGV[4] then return 0 end
            if redis.call('HGET', KEYS[1], 'updated_at') ~= ARGV[5] then return 0 end
            if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 1 then return 0 end
        end
        redis.call('HDEL', KEYS[4], ARGV[1])
        redis.call('DEL', KEYS[1], KEYS[2])
        for i = 5, #KEYS do redis.call('SREM', KEYS[i], ARGV[1]) end
        return 1
        """

}
