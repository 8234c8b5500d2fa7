/* random.c: kernel randomness, or a seeded generator for repeatable test runs. */
#include "platform/platform.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int seeded = -1;
static uint64_t state;

/* splitmix64: small, fast and good enough for test determinism; never used without the env. */
static uint64_t next(void)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

void ck_random_bytes(void *buf, size_t n)
{
    pthread_mutex_lock(&lock);
    if (seeded < 0) {
        const char *seed = getenv("CK_TEST_SEED");
        seeded = seed && *seed;
        if (seeded)
            state = strtoull(seed, NULL, 10);
    }
    if (seeded) {
        unsigned char *p = buf;
        for (size_t i = 0; i < n; i++)
            p[i] = (unsigned char)next();
        pthread_mutex_unlock(&lock);
        return;
    }
    pthread_mutex_unlock(&lock);
    unsigned char *p = buf;
    while (n) {
        ssize_t got = getrandom(p, n, 0);
        if (got <= 0)
            continue; /* EINTR; getrandom only blocks before the pool is initialised */
        p += got;
        n -= (size_t)got;
    }
}
