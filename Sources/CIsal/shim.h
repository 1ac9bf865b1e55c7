#ifndef CHUNKFERRY_CISAL_SHIM_H
#define CHUNKFERRY_CISAL_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <isa-l/crc.h>

// ISA-L's crc32_iscsi takes a non-const buffer and an int length, and neither pre- nor
// post-inverts. This wrapper continues a standard CRC32C (RFC 3720, as S3's
// x-amz-checksum-crc32c) over any length: start with 0, feed pieces, use the result.
static inline uint32_t cf_crc32c_update(uint32_t crc, const void *bytes, size_t length) {
    uint32_t state = ~crc;
    const unsigned char *cursor = (const unsigned char *)bytes;
    while (length > 0) {
        int piece = length > (1u << 30) ? (1 << 30) : (int)length;
        state = crc32_iscsi((unsigned char *)cursor, piece, state);
        cursor += piece;
        length -= (size_t)piece;
    }
    return ~state;
}

#endif
