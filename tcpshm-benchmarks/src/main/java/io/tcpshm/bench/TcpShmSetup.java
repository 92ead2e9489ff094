package io.tcpshm.bench;

import io.tcpshm.ClientHandler;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;

import java.nio.file.Path;

/**
 * What the tcpshm peers share: their configuration, the clock unit they poll with, and the client's log-on.
 */
final class TcpShmSetup
{
    private TcpShmSetup()
    {
    }

    /**
     * @param options the node's options ({@code shmDir}, {@code forceInterval}, {@code mxbeans}, {@code readiness}, {@code ringsPerPoll},
     *     {@code conns}: the idle connections of a {@code connections} row, {@code shmQueueSize}: the rings of a
     *     ping-pong row, the library's default when absent).
     * @param stream true to size the queues for a stream in flight rather than one message at a time.
     * @return the configuration both sides of a tcpshm pair use.
     */
    static TcpShmConfig config(final NodeOptions options, final boolean stream)
    {
        final TcpShmConfig.Builder b = TcpShmConfig.builder().shmDir(Path.of(options.opt("shmDir", "/dev/shm")))
            .ptcpForceInterval(Long.parseLong(options.opt("forceInterval", "-1")))
            .registerMXBeans("on".equals(options.opt("mxbeans", "off")))
            .tcpReadinessThreshold(options.intOpt("readiness", TcpShmConfig.DEFAULT_TCP_READINESS_THRESHOLD))
            .shmRingsPerPoll(options.intOpt("ringsPerPoll", TcpShmConfig.DEFAULT_SHM_RINGS_PER_POLL));
        final int crowd = options.intOpt("conns", 0);
        if (crowd > 0)
        {
            // the connections rows: room for the idle crowd and the measured client in group 0, and logins in bulk
            b.maxTcpConnectionsPerGroup(crowd + 1).maxShmConnectionsPerGroup(crowd + 1).maxNewConnections(64);
        }
        final int ring = options.intOpt("shmQueueSize", 0);
        if (ring > 0)
        {
            b.shmQueueSize(ring);
        }
        if (stream)
        {
            // room for a stream in flight; heartbeat and timeouts stay at their defaults
            b.shmQueueSize(1 << 20).tcpQueueSize(1 << 20).tcpReceiveBufferInitialSize(1 << 18).tcpReceiveBufferMaxSize(1 << 18);
        }
        return b.build();
    }

    /**
     * A shift rather than a division, so the timed loops can afford it.
     *
     * @param nanos a {@link System#nanoTime()} reading.
     * @return the time in the unit the tcpshm polls take.
     */
    static long seconds(final long nanos)
    {
        return nanos >> 30; // ~1.07 s: the timeouts' unit in these benchmarks
    }

    /**
     * Logs a client on to the server at the {@code port} option, retrying while the server starts.
     *
     * @param options the node's options ({@code dir}, {@code port}).
     * @param shm true for an SHM session, false for TCP.
     * @param config the client's configuration.
     * @param handler the client's callbacks.
     * @return the logged-on client.
     * @throws Exception if it cannot log on within about five seconds.
     */
    static TcpShmClient connectClient(final NodeOptions options, final boolean shm, final TcpShmConfig config,
        final ClientHandler handler) throws Exception
    {
        final TcpShmClient client = new TcpShmClient("bcli", Path.of(options.opt("dir", ".")).resolve("client"), config, handler);
        final int port = options.intOpt("port", 0);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (client.connect(shm, "127.0.0.1", port, null))
            {
                return client;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("could not log on to port " + port);
    }
}
