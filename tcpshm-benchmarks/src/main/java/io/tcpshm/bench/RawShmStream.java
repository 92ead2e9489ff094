package io.tcpshm.bench;

import java.io.IOException;
import java.nio.MappedByteBuffer;

import static io.tcpshm.bench.NodeOutput.ready;
import static io.tcpshm.bench.NodeOutput.writeResult;
import static io.tcpshm.bench.RawShmFiles.LONG;

/**
 * The raw one-way stream floor: a mapped ring of 64-byte slots with one write and one read position,
 * each side caching the other's so it reads it only when the ring looks full or empty.
 */
final class RawShmStream
{
    private static final int RING_SLOTS = 1 << 14;
    private static final int RING_WRITE = RING_SLOTS * 64;
    private static final int RING_READ = RING_WRITE + 128;

    private RawShmStream()
    {
    }

    /**
     * Fills the ring as fast as the consumer frees it; runs until killed.
     *
     * @param options the node's options.
     * @throws IOException if the ring cannot be mapped.
     */
    static void produce(final NodeOptions options) throws IOException
    {
        final int payload = options.intOpt("payload", 32);
        final MappedByteBuffer b = RawShmFiles.map(options, options.opt("file", "raw-stream"), RING_READ + 128);
        long w = (long)LONG.getAcquire(b, RING_WRITE);
        long readCache = (long)LONG.getAcquire(b, RING_READ);
        while (true)
        {
            if (w - readCache >= RING_SLOTS)
            {
                readCache = (long)LONG.getAcquire(b, RING_READ);
                if (w - readCache >= RING_SLOTS)
                {
                    Thread.onSpinWait();
                    continue;
                }
            }
            final int slot = (int)(w & (RING_SLOTS - 1)) * 64;
            b.putLong(slot, w);
            for (int k = 8; k + 8 <= 8 + payload; k += 8)
            {
                b.putLong(slot + k, w + k);
            }
            w++;
            LONG.setRelease(b, RING_WRITE, w);
        }
    }

    /**
     * Drains the ring, measuring its rate after the warm-up; returns once it has written the stream's result.
     *
     * @param options the node's options.
     * @throws IOException if the ring cannot be mapped or the result cannot be written.
     */
    static void consume(final NodeOptions options) throws IOException
    {
        final int payload = options.intOpt("payload", 32);
        final MappedByteBuffer b = RawShmFiles.map(options, options.opt("file", "raw-stream"), RING_READ + 128);
        ready(0);
        long r = (long)LONG.getAcquire(b, RING_READ);
        long writeCache = r;
        long count = 0;
        long sink = 0;
        long firstAt = 0;
        long measureStart = 0;
        long startCount = 0;
        final long warmup = options.warmupNs();
        final long measure = options.measureNs();
        while (true)
        {
            if (r == writeCache)
            {
                writeCache = (long)LONG.getAcquire(b, RING_WRITE);
                if (r == writeCache)
                {
                    Thread.onSpinWait();
                    continue;
                }
            }
            final int slot = (int)(r & (RING_SLOTS - 1)) * 64;
            sink += b.getLong(slot + 8);
            r++;
            LONG.setRelease(b, RING_READ, r);
            if ((++count & 1023) == 0)
            {
                final long nanos = System.nanoTime();
                if (firstAt == 0)
                {
                    firstAt = nanos;
                }
                else if (measureStart == 0 && nanos - firstAt >= warmup)
                {
                    measureStart = nanos;
                    startCount = count;
                }
                else if (measureStart != 0 && nanos - measureStart >= measure)
                {
                    final double secs = (nanos - measureStart) / 1e9;
                    final long messages = count - startCount;
                    writeResult(options, new BenchResult(BenchResult.STREAM, options.opt("name", "raw-shm-stream"))
                        .put("messages", messages).put("seconds", secs).put("msgsPerSec", messages / secs)
                        .put("mbPerSec", messages * (double)payload / secs / 1e6).put("sink", sink & 1));
                    return;
                }
            }
        }
    }
}
