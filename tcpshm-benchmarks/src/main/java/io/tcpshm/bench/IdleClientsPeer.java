package io.tcpshm.bench;

import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.harness.ParallelLogon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tcpshm.bench.TcpShmSetup.seconds;

/**
 * The crowd of the {@code connections} rows: {@code conns} clients (named from {@code first} on) that log on to
 * the server and then only keep their sessions alive, polling their TCP links (heartbeats) a few times per heartbeat
 * interval and sleeping in between, so that they take little of the CPU the measured pair runs on. Logs on from
 * {@value ParallelLogon#THREADS} threads at once (a login waits for the server's next round of socket work), then prints
 * {@code READY n}. When the server goes away, every client logs on again as soon as it can, and once all are back
 * the peer prints {@code BACK n}.
 */
final class IdleClientsPeer
{
    /** How long one client may take to log on (the server may be restarting). */
    static final long LOGON_TIMEOUT_MS = 60_000;
    /** Pause between two polls of every client, ms: well inside the heartbeat interval. */
    static final long SWEEP_PAUSE_MS = 100;

    /** The last error any client reported: thousands of refused connects while the server restarts are expected. */
    private static volatile String lastError;

    /** Callbacks that keep only the last error, for the message of a failure. */
    private static final BaseClientHandler QUIET = new BaseClientHandler()
    {
        @Override
        public void onSystemError(final String message, final Exception cause)
        {
            lastError = message;
        }

        @Override
        public void onDisconnected(final io.tcpshm.DisconnectReason reason, final String detail, final Exception cause)
        {
            lastError = "disconnected: " + reason.describe(detail);
        }
    };

    private IdleClientsPeer()
    {
    }

    /**
     * Logs on and keeps alive {@code conns} clients until killed.
     *
     * @param options the node's options ({@code conns}, {@code first}, {@code shm}, {@code port}, {@code dir},
     *     {@code shmDir}).
     * @throws Exception if a client cannot be made or log on.
     */
    static void run(final NodeOptions options) throws Exception
    {
        final int count = options.intOpt("conns", 100);
        final int first = options.intOpt("first", 0);
        final boolean shm = Boolean.parseBoolean(options.opt("shm", "true"));
        final int port = options.intOpt("port", 0);
        final TcpShmConfig config = TcpShmSetup.config(options, false);
        final Path dir = Path.of(options.opt("dir", ".")).resolve("idle");
        final List<TcpShmClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            clients.add(new TcpShmClient(String.format("idle%05d", first + i), dir, config, QUIET));
        }
        final ParallelLogon logon = new ParallelLogon();
        logon.logOn(clients, shm, port, LOGON_TIMEOUT_MS, () -> lastError);
        NodeOutput.ready(count);
        boolean lostSome = false;
        while (true)
        {
            final long now = seconds(System.nanoTime());
            final List<TcpShmClient> gone = new ArrayList<>();
            for (final TcpShmClient client : clients)
            {
                client.pollTcp(now);
                if (client.connection().isClosed())
                {
                    gone.add(client);
                }
            }
            if (!gone.isEmpty())
            {
                lostSome = true;
                logon.logOn(gone, shm, port, LOGON_TIMEOUT_MS, () -> lastError); // the server restarts: all again
            }
            else if (lostSome)
            {
                lostSome = false;
                System.out.println("BACK " + count);
                System.out.flush();
            }
            Thread.sleep(SWEEP_PAUSE_MS);
        }
    }
}
