package io.tcpshm.bench;

import io.tcpshm.internal.ShmRing;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;

import static io.tcpshm.bench.NodeOutput.ready;
import static io.tcpshm.bench.NodeOutput.writeResult;
import static io.tcpshm.bench.RttHistograms.MAX_RTT_NS;
import static io.tcpshm.bench.RttHistograms.newHistogram;

/**
 * The SHM ping-pong over two bare tcpshm rings ({@link ShmRing}, the format of the library's SHM connections)
 * and nothing else: no connection, no callbacks, no login. Between the 2-line floor and the library row, it
 * tells the ring's share of a round trip from the API's.
 */
final class BareRingPingPong
{
    private BareRingPingPong()
    {
    }

    private static ShmRing ring(final NodeOptions options, final String name, final boolean producer) throws IOException
    {
        final int size = options.intOpt("shmQueueSize", 2048);
        final ByteBuffer mapped = RawShmFiles.map(options, name, ShmRing.fileSize(size));
        return producer ? ShmRing.producer(mapped, size) : ShmRing.consumer(mapped, size);
    }

    /**
     * Echoes each message of the ping ring into the pong ring; runs until killed.
     *
     * @param options the node's options.
     * @throws IOException if a ring cannot be mapped.
     */
    static void pong(final NodeOptions options) throws IOException
    {
        final ShmRing in = ring(options, "bare-ping", false);
        final ShmRing out = ring(options, "bare-pong", true);
        final ByteBuffer inBuffer = in.buffer();
        final ByteBuffer outBuffer = out.buffer();
        ready(0);
        while (true)
        {
            final int at = in.front();
            if (at < 0)
            {
                if (at == ShmRing.CORRUPT)
                {
                    throw new IllegalStateException("corrupt ping ring");
                }
                continue;
            }
            final int payload = in.frontSize() - 8;
            final int to = out.alloc(payload);
            if (to < 0)
            {
                continue; // the client pops every echo before its next ping: cannot stay full
            }
            outBuffer.put(to + 8, inBuffer, at + 8, payload); // the echo copies the payload, as the other servers do
            in.pop();
            out.push();
        }
    }

    /**
     * Pings for the warm-up and measurement periods, then writes the round-trip result.
     *
     * @param options the node's options.
     * @throws IOException if a ring cannot be mapped or the result cannot be written.
     */
    static void ping(final NodeOptions options) throws IOException
    {
        final int payload = options.intOpt("payload", 64);
        final ShmRing out = ring(options, "bare-ping", true);
        final ShmRing in = ring(options, "bare-pong", false);
        final ByteBuffer outBuffer = out.buffer();
        final Histogram h = newHistogram();
        final long warmEnd = System.nanoTime() + options.warmupNs();
        final long end = warmEnd + options.measureNs();
        while (true)
        {
            final long t0 = System.nanoTime();
            if (t0 >= end)
            {
                break;
            }
            final int at = out.alloc(payload);
            if (at < 0)
            {
                throw new IllegalStateException("ping ring full with one message in flight");
            }
            for (int k = 0; k + 8 <= payload; k += 8)
            {
                outBuffer.putLong(at + 8 + k, t0 + k);
            }
            out.push();
            int echo;
            while ((echo = in.front()) < 0)
            {
                if (echo == ShmRing.CORRUPT)
                {
                    throw new IllegalStateException("corrupt pong ring");
                }
            }
            in.pop(); // like the other clients it does not read the echoed payload
            if (t0 >= warmEnd)
            {
                h.recordValue(Math.min(System.nanoTime() - t0, MAX_RTT_NS));
            }
        }
        writeResult(options, new BenchResult(BenchResult.RTT, options.opt("name", "bare-ring")).latency(h));
    }
}
