package io.tcpshm.bench;

import io.tcpshm.MsgHeader;
import io.tcpshm.ServerHandler;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.TcpShmServer;
import io.tcpshm.runner.BackoffIdleStrategy;
import io.tcpshm.runner.BusySpinIdleStrategy;
import io.tcpshm.runner.IdleStrategy;
import io.tcpshm.runner.PollRunner;
import io.tcpshm.runner.Polls;
import io.tcpshm.runner.YieldingIdleStrategy;

import java.nio.file.Path;

import static io.tcpshm.bench.NodeOutput.ready;
import static io.tcpshm.bench.NodeOutput.writeResult;
import static io.tcpshm.bench.TcpShmSetup.seconds;

/**
 * The server side of the tcpshm rows: echoes each message back for ping-pong, or counts a stream and
 * measures its rate (a stream is measured where it arrives).
 */
final class TcpShmServerPeer
{
    private TcpShmServerPeer()
    {
    }

    /** @return the strategy of an {@code idle=} option. */
    static IdleStrategy idleStrategy(final String name)
    {
        return switch (name)
        {
            case "busy-spin" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            case "backoff" -> new BackoffIdleStrategy();
            default -> throw new IllegalArgumentException("idle = " + name + ": busy-spin, yield or backoff");
        };
    }

    /**
     * Echo (ping-pong) or count (stream) server; pollCtl every {@code ctlEvery} iterations. Runs until
     * killed when echoing; when counting, returns once it has written the stream's result. With a {@code stats}
     * file it appends, about four times a second, {@code nanoTime iterations threadCpuNanos threadAllocatedBytes} of
     * its polling loop.
     *
     * @param options the node's options.
     * @param stream true to count a stream, false to echo.
     * @throws Exception if the server cannot start or the result cannot be written.
     */
    static void run(final NodeOptions options, final boolean stream) throws Exception
    {
        final boolean shm = Boolean.parseBoolean(options.opt("shm", "true"));
        // the method of the C++ figures the targets were set against: the server's control poll every 16384
        // iterations (one row of the bench calls it in every iteration to show what that costs)
        final int ctlEvery = options.intOpt("ctlEvery", 16384);
        final TcpShmConfig config = TcpShmSetup.config(options, stream);
        final long[] count = new long[1];
        final ServerHandler handler = new BaseServerHandler()
        {
            @Override
            public void onClientMsg(final TcpShmConnection conn, final MsgHeader in)
            {
                if (stream)
                {
                    count[0]++;
                    conn.pop();
                    return;
                }
                final int length = in.payloadLength();
                final MsgHeader out = conn.alloc(length);
                if (out == null)
                {
                    return;
                }
                out.msgType(in.msgType());
                out.buffer().put(out.payloadOffset(), in.buffer(), in.payloadOffset(), length);
                conn.pop();
                conn.push();
            }
        };
        final TcpShmServer server = new TcpShmServer("bsrv", Path.of(options.opt("dir", ".")).resolve("server"), config, handler);
        if (!server.start("127.0.0.1", options.intOpt("listen", 0)))
        {
            throw new IllegalStateException("server did not start");
        }
        ready(server.localPort());
        final String idle = options.opt("idle", "");
        if (!idle.isEmpty())
        {
            // as a user of io.tcpshm.runner runs a server: every poll in each round, the strategy between idle rounds
            new PollRunner("bench-server", Polls.server(server, config, Polls.MONOTONIC_SECONDS), idleStrategy(idle)).run();
            return;
        }
        long now = seconds(System.nanoTime());
        long i = 0;
        long firstAt = 0;
        long measureStart = 0;
        long measureStartCount = 0;
        final long warmup = options.warmupNs();
        final long measure = options.measureNs();
        final String statsFile = options.opt("stats", "");
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long lastStats = 0;
        while (true)
        {
            if ((++i & 1023) == 0)
            {
                final long nanos = System.nanoTime();
                now = seconds(nanos);
                if (!statsFile.isEmpty() && nanos - lastStats >= 250_000_000L)
                {
                    lastStats = nanos;
                    java.nio.file.Files.writeString(Path.of(statsFile), nanos + " " + i + " " +
                        threads.getCurrentThreadCpuTime() + " " + threads.getCurrentThreadAllocatedBytes() + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
                if (stream && count[0] > 0)
                {
                    if (firstAt == 0)
                    {
                        firstAt = nanos;
                    }
                    else if (measureStart == 0 && nanos - firstAt >= warmup)
                    {
                        measureStart = nanos;
                        measureStartCount = count[0];
                    }
                    else if (measureStart != 0 && nanos - measureStart >= measure)
                    {
                        final double secs = (nanos - measureStart) / 1e9;
                        final long messages = count[0] - measureStartCount;
                        final int payload = options.intOpt("payload", 32);
                        writeResult(options, new BenchResult(BenchResult.STREAM, options.opt("name", "stream"))
                            .put("messages", messages).put("seconds", secs)
                            .put("msgsPerSec", messages / secs)
                            .put("mbPerSec", messages * (double)payload / secs / 1e6));
                        return;
                    }
                }
            }
            if (i % ctlEvery == 0)
            {
                server.pollCtl(now);
            }
            if (shm)
            {
                server.pollShm(0);
            }
            else
            {
                server.pollTcp(now, 0);
            }
        }
    }
}
