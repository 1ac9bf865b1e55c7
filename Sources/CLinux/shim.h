#ifndef CHUNKFERRY_CLINUX_SHIM_H
#define CHUNKFERRY_CLINUX_SHIM_H

// No _GNU_SOURCE here: it renames members of structs other C modules share (fd_set's
// fds_bits), and Clang then refuses the two definitions as different, depending on which module
// was built first. The one GNU-only function is declared as glibc declares it.
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

extern ssize_t copy_file_range(int infd, __off64_t *pinoff, int outfd, __off64_t *poutoff, size_t length, unsigned int flags);

// Copies up to `length` bytes from `source` at `*source_offset` to `target` at `*target_offset`
// inside the kernel (reflinked or server-side where the filesystem can); advances both offsets.
static inline ssize_t cf_copy_file_range(int source, int64_t *source_offset, int target, int64_t *target_offset, size_t length) {
    __off64_t from = (__off64_t)*source_offset, to = (__off64_t)*target_offset;
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
