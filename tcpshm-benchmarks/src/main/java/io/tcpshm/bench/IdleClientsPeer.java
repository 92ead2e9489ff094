package io.tcpshm.bench;

import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tcpshm.bench.TcpShmSetup.seconds;

/**
 * The crowd of the {@code connections} rows: {@code conns} clients (named from {@code first} on) that log on to
 * the server and then only keep their sessions alive, polling their TCP links (heartbeats) a few times per heartbeat
 * interval and sleeping in between, so that they take little of the CPU the measured pair runs on. Logs on from
 * {@value #CONNECT_THREADS} threads at once (a login waits for the server's next round of socket work), then prints
 * {@code READY n}. When the server goes away, every client logs on again as soon as it can, and once all are back
 * the peer prints {@code BACK n}.
 */
final class IdleClientsPeer
{
    /** Threads that log the clients on. */
    static final int CONNECT_THREADS = 16;
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
        final TcpShmClient[] clients = new TcpShmClient[count];
        for (int i = 0; i < count; i++)
        {
            clients[i] = new TcpShmClient(String.format("idle%05d", first + i), dir, config, QUIET);
        }
        final ExecutorService pool = Executors.newFixedThreadPool(CONNECT_THREADS);
        final List<Integer> all = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            all.add(i);
        }
        logOn(pool, clients, all, shm, port);
        NodeOutput.ready(count);
        boolean lostSome = false;
        while (true)
        {
            final long now = seconds(System.nanoTime());
            final List<Integer> gone = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                clients[i].pollTcp(now);
                if (clients[i].connection().isClosed())
                {
                    gone.add(i);
                }
            }
            if (!gone.isEmpty())
            {
                lostSome = true;
                logOn(pool, clients, gone, shm, port); // the server restarts: all log on again, in parallel
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

    /** Logs the given clients on from the pool's threads, each retrying until the server answers. */
    private static void logOn(final ExecutorService pool, final TcpShmClient[] clients, final List<Integer> which,
        final boolean shm, final int port) throws Exception
    {
        final AtomicInteger next = new AtomicInteger();
        final List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < CONNECT_THREADS; t++)
        {
            done.add(pool.submit(() ->
            {
                for (int k = next.getAndIncrement(); k < which.size(); k = next.getAndIncrement())
                {
                    final TcpShmClient client = clients[which.get(k)];
                    boolean in = false;
                    for (int attempt = 0; attempt < 1200 && !in; attempt++)
                    {
                        in = client.connect(shm, "127.0.0.1", port, null);
                        if (!in)
                        {
                            Thread.sleep(50);
                        }
                    }
                    if (!in)
                    {
                        throw new IllegalStateException("idle client " + which.get(k) + " could not log on: " + lastError);
                    }
                }
                return null;
            }));
        }
        for (final Future<?> f : done)
        {
            f.get(); // the clients are the calling thread's again (the pool's work happens-before get's return)
        }
    }
}
