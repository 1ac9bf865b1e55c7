#ifndef CHUNKFERRY_CHIREDIS_SHIM_H
#define CHUNKFERRY_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>
#include <sys/time.h>

// Typed wrappers: hiredis returns `void *` replies and takes `struct timeval`,
// both awkward from Swift.

static inline redisContext *cf_redis_connect(const char *host, int port, long timeout_ms) {
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    return redisConnectWithTimeout(host, port, tv);
}

static inline int cf_redis_set_timeout(redisContext *context, long timeout_ms) {
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    return redisSetTimeout(context, tv);
}

static inline redisReply *cf_redis_command_argv(redisContext *context, int argc,
                                                const char **argv, const size_t *argvlen) {
    return (redisReply *)redisCommandArgv(context, argc, argv, argvlen);
}

static inline redisReply *cf_redis_get_reply(redisContext *context) {
    void *reply = NULL;
    if (redisGetReply(context, &reply) != REDIS_OK) { return NULL; }
    return (redisReply *)reply;
}

#endif
