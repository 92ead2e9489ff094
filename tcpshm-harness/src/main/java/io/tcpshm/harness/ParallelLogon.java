package io.tcpshm.harness;

import io.tcpshm.TcpShmClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Logs many clients on at once, as the clients of a gateway do after its restart: a pool of threads takes the clients
 * in turn, and each {@code connect} is retried until the server answers (a login waits for the server's next round of
 * socket work, and while the server restarts every connect is refused). The clients are the calling thread's again
 * when {@link #logOn} returns: the pool's work happens-before the return of the futures it waits for.
 */
public final class ParallelLogon implements AutoCloseable
{
    /** Threads that log clients on. */
    public static final int THREADS = 16;
    private static final long RETRY_PAUSE_MILLIS = 20;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    /**
     * Logs the clients on over TCP or SHM, each retried until it is in or {@code timeoutMillis} have passed.
     *
     * @param clients the clients (not logged on), touched by no other thread meanwhile.
     * @param shm SHM or TCP.
     * @param port the server's port on 127.0.0.1.
     * @param timeoutMillis how long one client may take.
     * @param lastError what the clients reported last, for the message of a failure.
     * @return the logins made (one per client).
     * @throws Exception when a client could not log on in time, or the pool failed.
     */
    public int logOn(final List<TcpShmClient> clients, final boolean shm, final int port, final long timeoutMillis,
        final Supplier<String> lastError) throws Exception
    {
        final AtomicInteger next = new AtomicInteger();
        final List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            done.add(pool.submit(() ->
            {
                int in = 0;
                for (int k = next.getAndIncrement(); k < clients.size(); k = next.getAndIncrement())
                {
                    final TcpShmClient client = clients.get(k);
                    final long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                    while (!client.connect(shm, "127.0.0.1", port, null))
                    {
                        if (System.nanoTime() - deadline > 0)
                        {
                            throw new IllegalStateException("client " + client.clientName() + " could not log on: " +
                                lastError.get());
                        }
                        Thread.sleep(RETRY_PAUSE_MILLIS);
                    }
                    in++;
                }
                return in;
            }));
        }
        int logins = 0;
        for (final Future<Integer> f : done)
        {
            logins += f.get();
        }
        return logins;
    }

    /** Stops the pool's threads. */
    @Override
    public void close()
    {
        pool.shutdownNow();
    }
}
