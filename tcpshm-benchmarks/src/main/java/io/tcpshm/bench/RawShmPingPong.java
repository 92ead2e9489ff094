package io.tcpshm.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.MappedByteBuffer;

import static io.tcpshm.bench.NodeOutput.ready;
import static io.tcpshm.bench.NodeOutput.writeResult;
import static io.tcpshm.bench.RawShmFiles.LONG;
import static io.tcpshm.bench.RttHistograms.MAX_RTT_NS;
import static io.tcpshm.bench.RttHistograms.newHistogram;

/**
 * The raw shared-memory ping-pong floor: two slots in one mapped file, each a sequence number followed
 * by the payload, with no queue or protocol around them.
 */
final class RawShmPingPong
{
    // the sequence number shares its cache line with the first 56 payload bytes: the least traffic two
    // processes can exchange through shared memory (one line each way for small payloads)
    private static final int PING_SEQ = 0;
    private static final int PING_DATA = 8;
    private static final int PONG_SEQ = 4096;
    private static final int PONG_DATA = 4096 + 8;

    private RawShmPingPong()
    {
    }

    /**
     * Echoes each new ping into the pong slot; runs until killed.
     *
     * @param options the node's options.
     * @throws IOException if the file cannot be mapped.
     */
    static void pong(final NodeOptions options) throws IOException
    {
        final int payload = options.intOpt("payload", 64);
        final MappedByteBuffer b = RawShmFiles.map(options, options.opt("file", "raw-pingpong"), 8192);
        ready(0);
        long last = (long)LONG.getAcquire(b, PING_SEQ);
        while (true)
        {
            final long seq = (long)LONG.getAcquire(b, PING_SEQ);
            if (seq == last)
            {
                continue;
            }
            last = seq;
            b.put(PONG_DATA, b, PING_DATA, payload); // the echo copies the payload, as the tcpshm echo server does
            LONG.setRelease(b, PONG_SEQ, seq);
        }
    }

    /**
     * Pings for the warm-up and measurement periods, then writes the round-trip result.
     *
     * @param options the node's options.
     * @throws IOException if the file cannot be mapped or the result cannot be written.
     */
    static void ping(final NodeOptions options) throws IOException
    {
        final int payload = options.intOpt("payload", 64);
        final MappedByteBuffer b = RawShmFiles.map(options, options.opt("file", "raw-pingpong"), 8192);
        final Histogram h = newHistogram();
        final long warmEnd = System.nanoTime() + options.warmupNs();
        final long end = warmEnd + options.measureNs();
        long seq = (long)LONG.getAcquire(b, PING_SEQ);
        while (true)
        {
            final long t0 = System.nanoTime();
            if (t0 >= end)
            {
                break;
            }
            seq++;
            for (int k = 0; k + 8 <= payload; k += 8)
            {
                b.putLong(PING_DATA + k, t0 + k);
            }
            LONG.setRelease(b, PING_SEQ, seq);
            while ((long)LONG.getAcquire(b, PONG_SEQ) != seq)
            {
                // busy spin, as every measured side does; like the tcpshm client it does not read the echoed payload
            }
            if (t0 >= warmEnd)
            {
                h.recordValue(Math.min(System.nanoTime() - t0, MAX_RTT_NS));
            }
        }
        writeResult(options, new BenchResult(BenchResult.RTT, options.opt("name", "raw-shm")).latency(h));
    }
}
