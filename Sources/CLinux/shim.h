#ifndef CHUNKFERRY_CLINUX_SHIM_H
#define CHUNKFERRY_CLINUX_SHIM_H

// glibc declares these only under _GNU_SOURCE, which Swift's Glibc module does not set.
#define _GNU_SOURCE 1
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

// Copies up to `length` bytes from `source` at `*source_offset` to `target` at `*target_offset`
// inside the kernel (reflinked or server-side where the filesystem can); advances both offsets.
static inline ssize_t cf_copy_file_range(int source, int64_t *source_offset, int target, int64_t *target_offset, size_t length) {
    loff_t from = (loff_t)*source_offset, to = (loff_t)*target_offset;
    ssize_t copied = copy_file_range(source, &from, target, &to, length, 0);
    if (copied > 0) { *source_offset = from; *target_offset = to; }
    return copied;
}

static inline int cf_fsetxattr(int descriptor, const char *name, const void *value, size_t size) {
    return fsetxattr(descriptor, name, value, size, 0);
}

// The attribute's size when `value` is NULL; -1 with errno ENODATA when there is none.
static inline ssize_t cf_fgetxattr(int descriptor, const char *name, void *value, size_t size) {
    return fgetxattr(descriptor, name, value, size);
}

#endif
