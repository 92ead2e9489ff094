/*
 * The C floor of the SHM ping-pong rows of `tcpshm bench`: the same exchange as the Java raw-shm floor
 * (RawShmPingPong.java), in C, so that every SHM row can be read against what the machine allows.
 *
 * Two slots in one file of 8192 bytes under shmDir: the ping at offset 0, the pong at 4096, each a
 * 64-bit sequence number followed by the payload on the same cache line. The client writes the payload,
 * then the sequence with a release store; the server waits for it with acquire loads, copies the payload
 * into the pong slot and publishes the sequence there; the client waits for that and records the round
 * trip. Both sides busy-spin. With layout=split each slot's sequence number sits on a cache line of its own, 2048
 * bytes into the slot, with the payload at the slot's start: the floor of a format that, like tcpshm's rings, keeps
 * the index apart from the messages. With layout=ring the two directions are two rings of the tcpshm format (the
 * ping ring at offset 0, the pong ring at 4096; see docs/PROTOCOL.md, "SHM ring file"): shmQueueSize bytes of
 * 64-byte blocks (option shmQueueSize, 128..2048, default 2048 as in the library), each message an 8-byte header and
 * its payload, the producer's u32 writeIdx right after the blocks and the consumer's u32 readIdx 128 bytes further,
 * each side keeping its own index and a cache of the other's, as the C++ original does. That row is the ring's cost
 * in C, against which the Java rings are read.
 *
 * Usage (the bench passes key=value options; unknown keys are ignored):
 *   shm-pingpong-floor server shmDir=DIR payload=N [layout=one-line|split|ring]
 *   shm-pingpong-floor client shmDir=DIR payload=N [layout=one-line|split|ring] warmupMs=W measureMs=M result=FILE
 * The server prints "READY 0" once the file is mapped and runs until killed. The client writes its
 * round trips to FILE as text lines "nanoseconds count", then exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define FILE_SIZE 8192
#define PING 0
#define PONG 4096
#define SPLIT_SEQ 2048
#define MAX_PAYLOAD (2048 - 8)

/* offsets of the two slots' fields, set by main from the layout option */
static int ping_seq = PING, ping_data = PING + 8, pong_seq = PONG, pong_data = PONG + 8;
static int ring_layout = 0;

/* layout=ring: blocks per ring, and where the indices are (set by main from shmQueueSize) */
static uint32_t ring_blocks = 32;
static uint32_t ring_mask = 31;
static int ring_write_idx = 2048;
static int ring_read_idx = 2048 + 128;

/* one side of one ring: its own index, and its cache of the other side's */
struct ring
{
    unsigned char *base;
    uint32_t own;
    uint32_t other;
};

static uint32_t *u32_at(unsigned char *base, int offset)
{
    return (uint32_t *)(base + offset);
}

static struct ring ring_producer(unsigned char *base)
{
    struct ring r = {base, *u32_at(base, ring_write_idx), __atomic_load_n(u32_at(base, ring_read_idx), __ATOMIC_ACQUIRE)};
    return r;
}

static struct ring ring_consumer(unsigned char *base)
{
    struct ring r = {base, *u32_at(base, ring_read_idx), __atomic_load_n(u32_at(base, ring_write_idx), __ATOMIC_ACQUIRE)};
    return r;
}

/* producer: room for a message of this payload (a rewind marker first when it does not fit before the end), or NULL */
static unsigned char *ring_alloc(struct ring *r, int payload)
{
    uint32_t blocks = (uint32_t)(payload + 8 + 63) / 64;
    uint32_t tail = ring_blocks - (r->own & ring_mask);
    uint32_t padding = blocks > tail ? tail : 0;
    if (r->own + padding + blocks - r->other > ring_blocks)
    {
        r->other = __atomic_load_n(u32_at(r->base, ring_read_idx), __ATOMIC_ACQUIRE);
        if (r->own + padding + blocks - r->other > ring_blocks)
        {
            return NULL;
        }
    }
    if (padding != 0)
    {
        *(uint16_t *)(r->base + (r->own & ring_mask) * 64) = 0;
        r->own += padding;
        __atomic_store_n(u32_at(r->base, ring_write_idx), r->own, __ATOMIC_RELEASE);
    }
    unsigned char *h = r->base + (r->own & ring_mask) * 64;
    *(uint16_t *)h = (uint16_t)(payload + 8);
    *(uint16_t *)(h + 2) = 0;
    return h;
}

static void ring_push(struct ring *r, unsigned char *h)
{
    r->own += (*(uint16_t *)h + 63u) / 64;
    __atomic_store_n(u32_at(r->base, ring_write_idx), r->own, __ATOMIC_RELEASE);
}

/* consumer: the oldest message, skipping a rewind marker, or NULL */
static unsigned char *ring_front(struct ring *r)
{
    for (;;)
    {
        if (r->own == r->other)
        {
            r->other = __atomic_load_n(u32_at(r->base, ring_write_idx), __ATOMIC_ACQUIRE);
            if (r->own == r->other)
            {
                return NULL;
            }
        }
        unsigned char *h = r->base + (r->own & ring_mask) * 64;
        if (*(uint16_t *)h != 0)
        {
            return h;
        }
        r->own += ring_blocks - (r->own & ring_mask);
        __atomic_store_n(u32_at(r->base, ring_read_idx), r->own, __ATOMIC_RELEASE);
    }
}

static void ring_pop(struct ring *r, unsigned char *h)
{
    r->own += (*(uint16_t *)h + 63u) / 64;
    __atomic_store_n(u32_at(r->base, ring_read_idx), r->own, __ATOMIC_RELEASE);
}

static void serve_rings(unsigned char *b)
{
    struct ring in = ring_consumer(b + PING);
    struct ring out = ring_producer(b + PONG);
    printf("READY 0\n");
    fflush(stdout);
    for (;;)
    {
        unsigned char *h = ring_front(&in);
        if (h == NULL)
        {
            continue;
        }
        int payload = *(uint16_t *)h - 8;
        unsigned char *o = ring_alloc(&out, payload);
        if (o == NULL)
        {
            continue; /* the client pops every echo before its next ping: cannot stay full */
        }
        *(uint16_t *)(o + 2) = *(uint16_t *)(h + 2);
        memcpy(o + 8, h + 8, payload); /* the echo copies the payload, as the other servers do */
        ring_pop(&in, h);
        ring_push(&out, o);
    }
}
/* round trips below this are counted per nanosecond; longer ones are kept one by one (they are rare) */
#define EXACT_LIMIT (1u << 20)

static const char *opt(int argc, char **argv, const char *key, const char *fallback)
{
    size_t n = strlen(key);
    for (int i = 2; i < argc; i++)
    {
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
        {
            return argv[i] + n + 1;
        }
    }
    return fallback;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* the clock System.nanoTime reads on Linux */
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static unsigned char *map_file(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/c-pingpong", dir);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0 || ftruncate(fd, FILE_SIZE) != 0)
    {
        fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
        exit(2);
    }
    void *p = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
    {
        fprintf(stderr, "cannot map %s: %s\n", path, strerror(errno));
        exit(2);
    }
    close(fd);
    return p;
}

static int64_t *seq_at(unsigned char *base, int offset)
{
    return (int64_t *)(base + offset);
}

static void serve(unsigned char *b, int payload)
{
    if (ring_layout)
    {
        serve_rings(b);
        return;
    }
    /* read before READY: a client started on READY may publish its first ping before this line would run after it,
       and a server that took that ping for the starting point would never answer it */
    int64_t last = __atomic_load_n(seq_at(b, ping_seq), __ATOMIC_ACQUIRE);
    printf("READY 0\n");
    fflush(stdout);
    for (;;)
    {
        int64_t seq = __atomic_load_n(seq_at(b, ping_seq), __ATOMIC_ACQUIRE);
        if (seq == last)
        {
            continue;
        }
        last = seq;
        memcpy(b + pong_data, b + ping_data, payload); /* the echo copies the payload, as the Java floor does */
        __atomic_store_n(seq_at(b, pong_seq), seq, __ATOMIC_RELEASE);
    }
}

static int ping(unsigned char *b, int payload, int64_t warmup_ms, int64_t measure_ms, const char *result)
{
    uint32_t *counts = calloc(EXACT_LIMIT, sizeof *counts);
    size_t long_cap = 1024, long_n = 0;
    int64_t *longs = malloc(long_cap * sizeof *longs);
    if (counts == NULL || longs == NULL)
    {
        fprintf(stderr, "out of memory\n");
        return 2;
    }
    int64_t warm_end = now_ns() + warmup_ms * 1000000;
    int64_t end = warm_end + measure_ms * 1000000;
    int64_t seq = __atomic_load_n(seq_at(b, ping_seq), __ATOMIC_ACQUIRE);
    struct ring ping_ring = ring_producer(b + PING);
    struct ring pong_ring = ring_consumer(b + PONG);
    for (;;)
    {
        int64_t t0 = now_ns();
        if (t0 >= end)
        {
            break;
        }
        if (ring_layout)
        {
            unsigned char *h = ring_alloc(&ping_ring, payload);
            if (h == NULL)
            {
                fprintf(stderr, "ping ring full with one message in flight\n");
                return 2;
            }
            *(uint16_t *)(h + 2) = 1;
            for (int k = 0; k + 8 <= payload; k += 8)
            {
                int64_t v = t0 + k;
                memcpy(h + 8 + k, &v, 8);
            }
            ring_push(&ping_ring, h);
            unsigned char *echo;
            while ((echo = ring_front(&pong_ring)) == NULL)
            {
                /* busy spin; like the other clients it does not read the echoed payload */
            }
            ring_pop(&pong_ring, echo);
        }
        else
        {
            seq++;
            for (int k = 0; k + 8 <= payload; k += 8)
            {
                int64_t v = t0 + k;
                memcpy(b + ping_data + k, &v, 8);
            }
            __atomic_store_n(seq_at(b, ping_seq), seq, __ATOMIC_RELEASE);
            while (__atomic_load_n(seq_at(b, pong_seq), __ATOMIC_ACQUIRE) != seq)
            {
                /* busy spin; like the other clients it does not read the echoed payload */
            }
        }
        if (t0 >= warm_end)
        {
            int64_t rtt = now_ns() - t0;
            if (rtt < EXACT_LIMIT)
            {
                counts[rtt]++;
            }
            else
            {
                if (long_n == long_cap)
                {
                    long_cap *= 2;
                    longs = realloc(longs, long_cap * sizeof *longs);
                    if (longs == NULL)
                    {
                        fprintf(stderr, "out of memory\n");
                        return 2;
                    }
                }
                longs[long_n++] = rtt;
            }
        }
    }
    FILE *out = fopen(result, "w");
    if (out == NULL)
    {
        fprintf(stderr, "cannot write %s: %s\n", result, strerror(errno));
        return 2;
    }
    for (uint32_t v = 0; v < EXACT_LIMIT; v++)
    {
        if (counts[v] != 0)
        {
            fprintf(out, "%u %u\n", v, counts[v]);
        }
    }
    for (size_t i = 0; i < long_n; i++)
    {
        fprintf(out, "%lld 1\n", (long long)longs[i]);
    }
    return fclose(out) == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
    {
        fprintf(stderr, "usage: %s server|client key=value...\n", argv[0]);
        return 2;
    }
    int payload = atoi(opt(argc, argv, "payload", "64"));
    if (payload < 0 || payload > MAX_PAYLOAD)
    {
        fprintf(stderr, "payload must be 0..%d\n", MAX_PAYLOAD);
        return 2;
    }
    const char *layout = opt(argc, argv, "layout", "one-line");
    if (strcmp(layout, "split") == 0)
    {
        ping_seq = PING + SPLIT_SEQ;
        ping_data = PING;
        pong_seq = PONG + SPLIT_SEQ;
        pong_data = PONG;
    }
    else if (strcmp(layout, "ring") == 0)
    {
        ring_layout = 1;
        int size = atoi(opt(argc, argv, "shmQueueSize", "2048"));
        if (size < 128 || size > 2048 || (size & (size - 1)) != 0)
        {
            fprintf(stderr, "shmQueueSize must be a power of two in 128..2048 with layout=ring\n");
            return 2;
        }
        ring_blocks = (uint32_t)size / 64;
        ring_mask = ring_blocks - 1;
        ring_write_idx = size;
        ring_read_idx = size + 128;
        if (payload + 8 > size / 2)
        {
            fprintf(stderr, "payload must be 0..%d with layout=ring and shmQueueSize=%d\n", size / 2 - 8, size);
            return 2;
        }
    }
    else if (strcmp(layout, "one-line") != 0)
    {
        fprintf(stderr, "layout must be one-line, split or ring\n");
        return 2;
    }
    unsigned char *b = map_file(opt(argc, argv, "shmDir", "/dev/shm"));
    if (strcmp(argv[1], "server") == 0)
    {
        serve(b, payload);
        return 0;
    }
    if (strcmp(argv[1], "client") == 0)
    {
        const char *result = opt(argc, argv, "result", NULL);
        if (result == NULL)
        {
            fprintf(stderr, "client needs result=FILE\n");
            return 2;
        }
        return ping(b, payload, atoll(opt(argc, argv, "warmupMs", "2000")), atoll(opt(argc, argv, "measureMs", "8000")),
            result);
    }
    fprintf(stderr, "unknown role %s\n", argv[1]);
    return 2;
}
