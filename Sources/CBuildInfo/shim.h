#ifndef CHUNKFERRY_BUILD_INFO_H
#define CHUNKFERRY_BUILD_INFO_H

/* The commit a release was built from: scripts/build-release passes
   -Xcc -DCHUNKFERRY_COMMIT="\"<hash>\""; any other build says "unknown". */
#ifndef CHUNKFERRY_COMMIT
#define CHUNKFERRY_COMMIT "unknown"
#endif

static inline const char *cf_build_commit(void) { return CHUNKFERRY_COMMIT; }

#endif
