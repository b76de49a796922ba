// hiredis (Debian's libhiredis-dev, 0.14 and later) for Swift: the header as it is, plus
// accessors for what Swift imports awkwardly (the fixed-size error string, the untyped
// reply pointers). Nothing else: every call goes through Sources/RedisStream/Client/.
#ifndef DRIFTSCOPE_CHIREDIS_SHIM_H
#define DRIFTSCOPE_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>

/// The context's error text ("Connection refused"), or "" when there is none.
static inline const char *chr_errstr(const redisContext *c) { return c->err ? c->errstr : ""; }

/// Sends one command (binary-safe arguments) and waits for its reply; NULL on an I/O error.
static inline redisReply *chr_command(redisContext *c, int argc, const char **argv, const size_t *argvlen) {
    return (redisReply *)redisCommandArgv(c, argc, argv, argvlen);
}

/// Reads the next reply of a pipeline; NULL on an I/O error.
static inline redisReply *chr_get_reply(redisContext *c) {
    void *reply = NULL;
    if (redisGetReply(c, &reply) != REDIS_OK) return NULL;
    return (redisReply *)reply;
}

#endif
