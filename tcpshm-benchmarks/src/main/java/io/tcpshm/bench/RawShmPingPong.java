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
 * by the payload, with no queue or protocol around them. With {@code layout=split} each slot's sequence
 * number sits on a cache line of its own, 2048 bytes into the slot with the payload at its start, as a tcpshm
 * ring's {@code writeIdx} sits apart from its blocks: the floor of that format, two cache lines each way. With {@code readEcho=true} the
 * client also reads the echo's first 8 bytes, as a ring's consumer reads a message's header after the index.
 */
final class RawShmPingPong
{
    // by default the sequence number shares its cache line with the first 56 payload bytes: the least traffic two
    // processes can exchange through shared memory (one line each way for small payloads)
    private static final int PING = 0;
    private static final int PONG = 4096;
    /** {@code layout=split}: the payload at the slot's start, the sequence number at this offset in the slot. */
    private static final int SPLIT_SEQ = 2048;

    private RawShmPingPong()
    {
    }

    /** Where the two slots' sequence numbers and payloads are, by the {@code layout} option. */
    private record Slots(int pingSeq, int pingData, int pongSeq, int pongData)
    {
        static Slots of(final NodeOptions options)
        {
            final String layout = options.opt("layout", "one-line");
            return switch (layout)
            {
                case "one-line" -> new Slots(PING, PING + 8, PONG, PONG + 8);
                case "split" -> new Slots(PING + SPLIT_SEQ, PING, PONG + SPLIT_SEQ, PONG);
                default -> throw new IllegalArgumentException("layout = " + layout + ": one-line or split");
            };
        }
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
        final Slots slots = Slots.of(options);
        // locals, so that the loop reads no field
        final int pingSeq = slots.pingSeq();
        final int pingData = slots.pingData();
        final int pongSeq = slots.pongSeq();
        final int pongData = slots.pongData();
        final MappedByteBuffer b = RawShmFiles.map(options, options.opt("file", "raw-pingpong"), 8192);
        ready(0);
        long last = (long)LONG.getAcquire(b, pingSeq);
        while (true)
        {
            final long seq = (long)LONG.getAcquire(b, pingSeq);
            if (seq == last)
            {
                continue;
            }
            last = seq;
            b.put(pongData, b, pingData, payload); // the echo copies the payload, as the tcpshm echo server does
            LONG.setRelease(b, pongSeq, seq);
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
        final Slots slots = Slots.of(options);
        final int pingSeq = slots.pingSeq();
        final int pingData = slots.pingData();
        final int pongSeq = slots.pongSeq();
        final int pongData = slots.pongData();
        final boolean readEcho = Boolean.parseBoolean(options.opt("readEcho", "false"));
        long sink = 0;
        final MappedByteBuffer b = RawShmFiles.map(options, options.opt("file", "raw-pingpong"), 8192);
        final Histogram h = newHistogram();
        final long warmEnd = System.nanoTime() + options.warmupNs();
        final long end = warmEnd + options.measureNs();
        long seq = (long)LONG.getAcquire(b, pingSeq);
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
                b.putLong(pingData + k, t0 + k);
            }
            LONG.setRelease(b, pingSeq, seq);
            while ((long)LONG.getAcquire(b, pongSeq) != seq)
            {
                // busy spin, as every measured side does; it reads the echoed payload only with readEcho
            }
            if (readEcho)
            {
                sink += b.getLong(pongData);
            }
            if (t0 >= warmEnd)
            {
                h.recordValue(Math.min(System.nanoTime() - t0, MAX_RTT_NS));
            }
        }
        // the sum of what readEcho read is kept in the result, so that the JIT keeps the reads
        writeResult(options, new BenchResult(BenchResult.RTT, options.opt("name", "raw-shm")).latency(h)
            .put("echoSink", sink));
    }
}
