package io.tcpshm.bench;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;

import static io.tcpshm.bench.NodeOutput.ready;
import static io.tcpshm.bench.NodeOutput.writeResult;
import static io.tcpshm.bench.RttHistograms.MAX_RTT_NS;
import static io.tcpshm.bench.RttHistograms.newHistogram;

/**
 * The Aeron IPC ping-pong peer: the serving side embeds the media driver (SHARED threading, backoff
 * idle) and echoes; both ends busy-spin on their publication and subscription.
 */
final class AeronPingPong
{
    private static final String IPC = "aeron:ipc";
    private static final int PING_STREAM = 1001;
    private static final int PONG_STREAM = 1002;

    private AeronPingPong()
    {
    }

    /**
     * Launches the embedded media driver in the {@code aeronDir} option's directory and echoes each
     * ping; runs until killed.
     *
     * @param options the node's options.
     */
    static void pong(final NodeOptions options)
    {
        final String dir = options.opt("aeronDir", "/dev/shm/tcpshm-bench-aeron");
        final MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        try (MediaDriver driver = MediaDriver.launchEmbedded(ctx);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            Publication pub = aeron.addPublication(IPC, PONG_STREAM);
            Subscription sub = aeron.addSubscription(IPC, PING_STREAM))
        {
            ready(0);
            final FragmentHandler echo = (buffer, offset, length, header) ->
            {
                while (pub.offer(buffer, offset, length) < 0)
                {
                    // back-pressure: retry
                }
            };
            while (true)
            {
                sub.poll(echo, 1);
            }
        }
    }

    /**
     * Connects to the serving side's media driver, pings for the warm-up and measurement periods,
     * then writes the round-trip result.
     *
     * @param options the node's options.
     * @throws IOException if the result cannot be written.
     */
    static void ping(final NodeOptions options) throws IOException
    {
        final int payload = options.intOpt("payload", 64);
        final String dir = options.opt("aeronDir", "/dev/shm/tcpshm-bench-aeron");
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            Publication pub = aeron.addPublication(IPC, PING_STREAM);
            Subscription sub = aeron.addSubscription(IPC, PONG_STREAM))
        {
            while (!pub.isConnected() || !sub.isConnected())
            {
                Thread.onSpinWait();
            }
            final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(8, payload)));
            final boolean[] echoed = new boolean[1];
            final FragmentHandler onPong = (buffer, offset, length, header) -> echoed[0] = true;
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
                for (int k = 0; k + 8 <= payload; k += 8)
                {
                    out.putLong(k, t0 + k);
                }
                while (pub.offer(out, 0, payload) < 0)
                {
                    // back-pressure: retry
                }
                echoed[0] = false;
                while (!echoed[0])
                {
                    sub.poll(onPong, 1);
                }
                if (t0 >= warmEnd)
                {
                    h.recordValue(Math.min(System.nanoTime() - t0, MAX_RTT_NS));
                }
            }
            writeResult(options, new BenchResult(BenchResult.RTT, options.opt("name", "aeron")).latency(h));
        }
    }
}
