// Counts allocation calls and requested bytes (malloc, calloc, realloc, posix_memalign, aligned_alloc)
// for the ingest benchmark; preloaded with LD_PRELOAD. dbduck_malloc_stats() reports the totals.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static _Atomic uint64_t calls, bytes;
static void *(*real_malloc)(size_t), *(*real_calloc)(size_t, size_t), *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);

// dlsym(calloc) may itself call calloc: serve that from a static arena.
static char arena[4096];
static size_t arena_used;
static int resolving;

static void resolve(void) {
    if (real_malloc || resolving) return;
    resolving = 1;
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    resolving = 0;
}

void dbduck_malloc_stats(uint64_t *out) { out[0] = atomic_load(&calls); out[1] = atomic_load(&bytes); }

void *malloc(size_t size) {
    resolve();
    atomic_fetch_add(&calls, 1); atomic_fetch_add(&bytes, size);
    return real_malloc(size);
}

void *calloc(size_t count, size_t size) {
    if (!real_calloc) {
        if (resolving) { void *p = arena + arena_used; arena_used += (count * size + 15) & ~(size_t)15; memset(p, 0, count * size); return p; }
        resolve();
    }
    atomic_fetch_add(&calls, 1); atomic_fetch_add(&bytes, count * size);
    return real_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    resolve();
    atomic_fetch_add(&calls, 1); atomic_fetch_add(&bytes, size);
    return real_realloc(pointer, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    resolve();
    atomic_fetch_add(&calls, 1); atomic_fetch_add(&bytes, size);
    return real_posix_memalign(out, alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    resolve();
    atomic_fetch_add(&calls, 1); atomic_fetch_add(&bytes, size);
    return real_aligned_alloc(alignment, size);
}

void free(void *pointer) {
    static void (*real_free)(void *);
    if ((char *)pointer >= arena && (char *)pointer < arena + sizeof arena) return;
    if (!real_free) real_free = dlsym(RTLD_NEXT, "free");
    real_free(pointer);
}
