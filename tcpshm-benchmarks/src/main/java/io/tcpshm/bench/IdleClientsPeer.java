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
 * The crowd of the {@code connections} rows: {@code conns} clients that log on to the server and then only keep
 * their sessions alive, polling their TCP links (heartbeats) a few times per heartbeat interval and sleeping in
 * between, so that they take little of the CPU the measured pair runs on. Logs on from {@value #CONNECT_THREADS}
 * threads at once (a login waits for the server's next round of socket work), then prints {@code READY n}.
 */
final class IdleClientsPeer
{
    /** Threads that log the clients on. */
    static final int CONNECT_THREADS = 16;
    /** Pause between two polls of every client, ms: well inside the heartbeat interval. */
    static final long SWEEP_PAUSE_MS = 100;

    private IdleClientsPeer()
    {
    }

    /**
     * Logs on and keeps alive {@code conns} clients until killed.
     *
     * @param options the node's options ({@code conns}, {@code shm}, {@code port}, {@code dir}, {@code shmDir}).
     * @throws Exception if a client cannot log on.
     */
    static void run(final NodeOptions options) throws Exception
    {
        final int count = options.intOpt("conns", 100);
        final boolean shm = Boolean.parseBoolean(options.opt("shm", "true"));
        final int port = options.intOpt("port", 0);
        final TcpShmConfig config = TcpShmSetup.config(options, false);
        final Path dir = Path.of(options.opt("dir", ".")).resolve("idle");
        final TcpShmClient[] clients = new TcpShmClient[count];
        final AtomicInteger next = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(CONNECT_THREADS);
        final List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < CONNECT_THREADS; t++)
        {
            done.add(pool.submit(() ->
            {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement())
                {
                    final TcpShmClient client = new TcpShmClient(String.format("idle%05d", i), dir, config,
                        new BaseClientHandler());
                    boolean in = false;
                    for (int attempt = 0; attempt < 200 && !in; attempt++)
                    {
                        in = client.connect(shm, "127.0.0.1", port, null);
                        if (!in)
                        {
                            Thread.sleep(50);
                        }
                    }
                    if (!in)
                    {
                        throw new IllegalStateException("idle client " + i + " could not log on");
                    }
                    clients[i] = client;
                }
                return null;
            }));
        }
        for (final Future<?> f : done)
        {
            f.get(); // the clients are this thread's from here on (the pool's work happens-before get's return)
        }
        pool.shutdown();
        NodeOutput.ready(count);
        while (true)
        {
            final long now = seconds(System.nanoTime());
            for (final TcpShmClient client : clients)
            {
                client.pollTcp(now);
            }
            Thread.sleep(SWEEP_PAUSE_MS);
        }
    }
}
