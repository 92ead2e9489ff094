package io.tcpshm.bench;

import io.tcpshm.MsgHeader;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConnection;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;

import static io.tcpshm.bench.NodeOutput.writeResult;
import static io.tcpshm.bench.RttHistograms.MAX_RTT_NS;
import static io.tcpshm.bench.RttHistograms.newHistogram;
import static io.tcpshm.bench.TcpShmSetup.seconds;

/**
 * The measuring side of the tcpshm ping-pong rows: sends one message at a time to the echo server
 * over SHM or TCP and records each round trip, and what this thread allocated per round trip.
 */
final class TcpShmPingPeer
{
    private TcpShmPingPeer()
    {
    }

    /**
     * Pings for the warm-up and measurement periods, then writes the round-trip result.
     *
     * @param options the node's options.
     * @throws Exception if the client cannot log on or the result cannot be written.
     */
    static void run(final NodeOptions options) throws Exception
    {
        final boolean shm = Boolean.parseBoolean(options.opt("shm", "true"));
        final int payload = options.intOpt("payload", 64);
        // a pause between round trips lets the server go idle (the idle strategies' rows); 0: back to back
        final long intervalNs = options.intOpt("intervalUs", 0) * 1000L;
        final boolean[] echoed = new boolean[1];
        final TcpShmClient[] holder = new TcpShmClient[1];
        final TcpShmClient client = TcpShmSetup.connectClient(options, shm, TcpShmSetup.config(options, false),
            new BaseClientHandler()
            {
                @Override
                public void onServerMsg(final MsgHeader header)
                {
                    holder[0].connection().pop();
                    echoed[0] = true;
                }
            });
        holder[0] = client;
        final TcpShmConnection conn = client.connection();
        final Histogram h = newHistogram();
        final long start = System.nanoTime();
        final long warmEnd = start + options.warmupNs();
        final long end = warmEnd + options.measureNs();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long allocatedAtWarmEnd = -1;
        long n = 0;
        while (true)
        {
            final long t0 = System.nanoTime();
            if (t0 >= end)
            {
                break;
            }
            if (allocatedAtWarmEnd < 0 && t0 >= warmEnd)
            {
                allocatedAtWarmEnd = threads.getCurrentThreadAllocatedBytes();
            }
            final MsgHeader m = conn.alloc(payload);
            if (m == null)
            {
                client.pollTcp(seconds(t0));
                continue;
            }
            m.msgType(1);
            final ByteBuffer b = m.buffer();
            final int off = m.payloadOffset();
            for (int k = 0; k + 8 <= payload; k += 8)
            {
                b.putLong(off + k, t0 + k);
            }
            conn.push();
            echoed[0] = false;
            if (shm)
            {
                while (!echoed[0])
                {
                    client.pollShm();
                }
            }
            else
            {
                final long now = seconds(t0);
                while (!echoed[0])
                {
                    client.pollTcp(now);
                }
            }
            final long rtt = System.nanoTime() - t0;
            if (t0 >= warmEnd)
            {
                h.recordValue(Math.min(rtt, MAX_RTT_NS));
            }
            if (intervalNs > 0)
            {
                final long next = t0 + intervalNs;
                while (System.nanoTime() < next)
                {
                    Thread.onSpinWait();
                }
            }
            if (shm && (++n & 1023) == 0)
            {
                // the SHM session's TCP link (heartbeats): between round trips, not inside the one being timed
                client.pollTcp(seconds(t0));
            }
        }
        // bytes this thread allocated per round trip while measuring (the histogram records without allocating)
        final double allocPerMsg = (threads.getCurrentThreadAllocatedBytes() - allocatedAtWarmEnd) /
            (double)Math.max(1, h.getTotalCount());
        writeResult(options, new BenchResult(BenchResult.RTT, options.opt("name", "tcpshm")).latency(h)
            .put("allocBytesPerMsg", allocPerMsg));
        client.stop();
    }
}
