package io.tcpshm.harness.netfaults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A fault-injecting TCP proxy on 127.0.0.1: every accepted connection is paired with a new
 * connection to the target port and both directions are forwarded by their own thread ("up" is
 * client to server, "down" server to client). Faults, switchable at any time:
 * <ul>
 * <li>cuts: {@link #cutAll} (test-driven) or a byte budget per connection drawn from
 * {@link #cutBudget} (the connection is cut when that many bytes, both directions together, have
 * been forwarded, possibly inside a chunk); a cut closes both sockets, each one either with a FIN
 * or with a RST (SO_LINGER 0), chosen at random;</li>
 * <li>stalls: {@link #stall} stops forwarding a direction without closing anything;</li>
 * <li>delays: each chunk waits a random time before it is forwarded ({@link #maxDelayMicros}; one
 * chunk in a hundred waits up to {@link #longDelayMicros});</li>
 * <li>splitting: {@link #splitBytes} writes every byte with its own write on a TCP_NODELAY socket,
 * so each goes out as a segment of its own; {@link #downByteDelayMicros} does that from server to
 * client only, with a wait before each byte (a trickling server).</li>
 * </ul>
 * Randomness comes from one seeded {@link Random} per connection and direction, derived from the
 * proxy's seed. Bounded: every loop checks the proxy's deadline and stops by itself; {@link #close()}
 * joins every thread (with a bound) and rethrows any unexpected failure of one of them.
 */
final class FaultProxy implements AutoCloseable
{
    private static final int POLL_MILLIS = 10;

    private final int targetPort;
    private final long seed;
    private final long deadline;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Pair> pairs = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final Random cutRandom;
    private volatile boolean closed;

    /** Forward every byte with a write of its own. */
    volatile boolean splitBytes;
    /** Server to client only: every byte goes with a write of its own after this wait (0: off), a trickle. */
    volatile int downByteDelayMicros;
    /** Upper bound of the random wait before each chunk is forwarded (0: none). */
    volatile int maxDelayMicros;
    /** Upper bound of the rare (1 %) longer wait of a chunk, when delays are on. */
    volatile int longDelayMicros;
    /** Draws the cut budget (bytes) of each new connection; negative: no automatic cut. Null: none. */
    volatile LongSupplier cutBudget;
    private volatile boolean disarmed;
    private volatile boolean stallUp;
    private volatile boolean stallDown;
    /** End of a timed stall ({@link System#nanoTime()}), or 0: until {@link #stall} ends it. */
    private volatile long stallUntil;

    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger cuts = new AtomicInteger();
    final AtomicInteger autoCuts = new AtomicInteger();
    final AtomicInteger rstSides = new AtomicInteger();
    final AtomicInteger cutsInsideChunk = new AtomicInteger();
    final AtomicLong bytesUp = new AtomicLong();
    final AtomicLong bytesDown = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong delayedChunks = new AtomicLong();

    /**
     * @param targetPort the server's port on 127.0.0.1.
     * @param seed seed of every random choice.
     * @param lifetimeMillis after this the proxy stops forwarding and accepting by itself.
     */
    FaultProxy(final int targetPort, final long seed, final long lifetimeMillis) throws IOException
    {
        this.targetPort = targetPort;
        this.seed = seed;
        this.cutRandom = new Random(seed);
        this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetimeMillis);
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        listener.setSoTimeout(POLL_MILLIS);
        acceptor = start("proxy-accept", this::acceptLoop);
    }

    int port()
    {
        return listener.getLocalPort();
    }

    private boolean running()
    {
        return !closed && System.nanoTime() - deadline < 0;
    }

    private Thread start(final String name, final Runnable body)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failures.add(ex);
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    private void acceptLoop()
    {
        while (running())
        {
            final Socket client;
            try
            {
                client = listener.accept();
            }
            catch (final SocketTimeoutException ex)
            {
                continue;
            }
            catch (final IOException ex)
            {
                if (running())
                {
                    throw new IllegalStateException("proxy accept failed", ex);
                }
                return;
            }
            final Socket server = new Socket();
            try
            {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
            }
            catch (final IOException ex)
            {
                closeQuietly(client);
                closeQuietly(server);
                continue; // the client sees its login fail
            }
            final int index = connections.getAndIncrement();
            final LongSupplier budgets = cutBudget;
            final long budget;
            synchronized (cutRandom)
            {
                budget = budgets == null ? -1 : budgets.getAsLong();
            }
            final Pair pair = new Pair(index, client, server, budget);
            pairs.add(pair);
            start("proxy-up-" + index, () -> pair.pump(true));
            start("proxy-down-" + index, () -> pair.pump(false));
        }
    }

    /** No more automatic cuts, on live connections either. */
    void disarm()
    {
        cutBudget = null;
        disarmed = true;
    }

    /** Stops (or resumes) forwarding in one direction or both, closing nothing. */
    void stall(final boolean up, final boolean down)
    {
        stallUntil = 0;
        stallUp = up;
        stallDown = down;
    }

    /** Stops forwarding in one direction or both for {@code millis}; the proxy resumes by itself. */
    void stallFor(final boolean up, final boolean down, final long millis)
    {
        stallUp = false;
        stallDown = false;
        stallUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        stallUp = up;
        stallDown = down;
    }

    private boolean stalled(final boolean up)
    {
        if (!(up ? stallUp : stallDown))
        {
            return false;
        }
        final long until = stallUntil;
        return until == 0 || System.nanoTime() - until < 0;
    }

    /**
     * Waits until no live connection forwards in a stalled direction: each pump of a stalled
     * direction has parked (finished the write it was in) or its connection is closed. Runs
     * {@code meanwhile} repeatedly while waiting (e.g. poll the client, so that a write blocked on
     * its full receive buffer can finish).
     */
    void awaitStalled(final long maxMillis, final Runnable meanwhile)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        for (final Pair p : pairs)
        {
            while (!p.closed() && ((stallUp && !p.parkedUp) || (stallDown && !p.parkedDown)))
            {
                if (System.nanoTime() - end > 0)
                {
                    throw new AssertionError("proxy pumps did not stall within " + maxMillis + " ms");
                }
                meanwhile.run();
            }
        }
    }

    /** Cuts every live connection, each side with a FIN or (at random) a RST; returns whether there was one. */
    boolean cutAll()
    {
        boolean any = false;
        for (final Pair p : pairs)
        {
            final boolean rstClient;
            final boolean rstServer;
            synchronized (cutRandom)
            {
                rstClient = cutRandom.nextBoolean();
                rstServer = cutRandom.nextBoolean();
            }
            any |= p.cut(rstClient, rstServer, true);
        }
        return any;
    }

    /**
     * Half-open every live connection: the client's side is closed (FIN or RST at random), the
     * server's side stays open and silent, forwarding nothing, until the proxy closes.
     */
    void abandonAll()
    {
        for (final Pair p : pairs)
        {
            final boolean rstClient;
            synchronized (cutRandom)
            {
                rstClient = cutRandom.nextBoolean();
            }
            p.abandon(rstClient);
        }
    }

    /** @return connections accepted and not yet closed. */
    int liveConnections()
    {
        int n = 0;
        for (final Pair p : pairs)
        {
            if (!p.closed())
            {
                n++;
            }
        }
        return n;
    }

    String stats()
    {
        return "proxy{seed=" + seed + ", connections=" + connections + ", cuts=" + cuts + " (auto " + autoCuts +
            ", inside a chunk " + cutsInsideChunk + ", RST sides " + rstSides + "), bytes up/down=" + bytesUp + "/" +
            bytesDown + ", writes=" + writes + ", delayed chunks=" + delayedChunks + "}";
    }

    @Override
    public void close()
    {
        closed = true;
        closeQuietly(listener);
        for (final Pair p : pairs)
        {
            p.cut(false, false, false);
            if (p.abandoned)
            {
                closeQuietly(p.server);
            }
        }
        final List<String> stuck = new ArrayList<>();
        for (final Thread t : threads)
        {
            try
            {
                t.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive())
            {
                stuck.add(t.getName());
            }
        }
        if (!stuck.isEmpty())
        {
            throw new AssertionError("proxy threads did not stop: " + stuck);
        }
        final Throwable failure = failures.peek();
        if (failure != null)
        {
            throw new AssertionError("proxy thread failed", failure);
        }
    }

    private static void closeQuietly(final java.io.Closeable c)
    {
        try
        {
            c.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }

    /** One proxied connection: the accepted socket, the socket to the server, two pumps. */
    private final class Pair
    {
        final int index;
        final Socket client;
        final Socket server;
        /** Bytes still to forward (both directions) before an automatic cut; negative budget: never. */
        final AtomicLong budget;
        final boolean autoCut;
        private final AtomicInteger state = new AtomicInteger(); // 0 open, 1 closed
        volatile boolean abandoned;
        volatile boolean parkedUp;
        volatile boolean parkedDown;

        Pair(final int index, final Socket client, final Socket server, final long budget)
        {
            this.index = index;
            this.client = client;
            this.server = server;
            this.autoCut = budget >= 0;
            this.budget = new AtomicLong(budget);
        }

        boolean closed()
        {
            return state.get() != 0;
        }

        /**
         * Closes both sockets, each with a FIN or a RST.
         *
         * @param injected a fault (counted), not the end of a pair an endpoint closed.
         * @return true when this call closed the pair.
         */
        boolean cut(final boolean rstClient, final boolean rstServer, final boolean injected)
        {
            if (!state.compareAndSet(0, 1))
            {
                return false;
            }
            if (injected)
            {
                cuts.incrementAndGet();
            }
            close(client, rstClient);
            close(server, rstServer);
            return true;
        }

        /** Closes the client's side only; the server's stays open with nothing forwarded. */
        void abandon(final boolean rstClient)
        {
            if (!state.compareAndSet(0, 1))
            {
                return;
            }
            abandoned = true;
            cuts.incrementAndGet();
            close(client, rstClient);
        }

        private void close(final Socket s, final boolean rst)
        {
            try
            {
                if (rst)
                {
                    s.setSoLinger(true, 0);
                    rstSides.incrementAndGet();
                }
            }
            catch (final IOException ignore)
            {
                // already closed: no RST then
            }
            closeQuietly(s);
        }

        void pump(final boolean up)
        {
            final Random random = new Random(seed * 31 + index * 2L + (up ? 1 : 0));
            final Socket from = up ? client : server;
            final Socket to = up ? server : client;
            final byte[] buf = new byte[8192];
            try
            {
                from.setSoTimeout(POLL_MILLIS);
                final InputStream in = from.getInputStream();
                final OutputStream out = to.getOutputStream();
                while (running() && !closed())
                {
                    if (awaitUnstalled(up))
                    {
                        break;
                    }
                    final int n;
                    try
                    {
                        n = in.read(buf);
                    }
                    catch (final SocketTimeoutException ex)
                    {
                        continue;
                    }
                    if (n < 0)
                    {
                        break; // the endpoint closed: end the pair
                    }
                    delay(random);
                    if (forward(up, random, buf, n, out))
                    {
                        break;
                    }
                }
            }
            catch (final IOException ex)
            {
                // an endpoint closed or reset its socket, or the pair was cut: end the pair
            }
            finally
            {
                cut(false, false, false);
            }
        }

        /** @return true when the pair closed or the proxy stopped while stalled. */
        private boolean awaitUnstalled(final boolean up)
        {
            while (stalled(up))
            {
                if (up)
                {
                    parkedUp = true;
                }
                else
                {
                    parkedDown = true;
                }
                if (!running() || closed())
                {
                    return true;
                }
                LockSupport.parkNanos(200_000);
            }
            if (up)
            {
                parkedUp = false;
            }
            else
            {
                parkedDown = false;
            }
            return false;
        }

        private void delay(final Random random)
        {
            final int max = maxDelayMicros;
            if (max <= 0)
            {
                return;
            }
            final int longMax = longDelayMicros;
            final int micros = longMax > 0 && random.nextInt(100) == 0 ? random.nextInt(longMax) : random.nextInt(max);
            delayedChunks.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
        }

        /** @return true when the pair was cut here. */
        private boolean forward(final boolean up, final Random random, final byte[] buf, final int n,
            final OutputStream out) throws IOException
        {
            int allowed = n;
            boolean cutHere = false;
            if (autoCut && !disarmed)
            {
                final long before = budget.getAndAdd(-n);
                if (before <= n)
                {
                    allowed = (int)Math.max(0, before);
                    cutHere = true;
                }
            }
            final AtomicLong counter = up ? bytesUp : bytesDown;
            final int byteDelay = up ? 0 : downByteDelayMicros;
            if (splitBytes || byteDelay > 0)
            {
                for (int i = 0; i < allowed; i++)
                {
                    if (byteDelay > 0)
                    {
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(byteDelay));
                    }
                    if (closed() || !running() || awaitUnstalled(up))
                    {
                        return true;
                    }
                    out.write(buf, i, 1);
                    out.flush();
                    writes.incrementAndGet();
                    counter.incrementAndGet();
                }
            }
            else if (allowed > 0)
            {
                out.write(buf, 0, allowed);
                out.flush();
                writes.incrementAndGet();
                counter.addAndGet(allowed);
            }
            if (cutHere)
            {
                if (cut(random.nextBoolean(), random.nextBoolean(), true))
                {
                    autoCuts.incrementAndGet();
                    if (allowed > 0 && allowed < n)
                    {
                        cutsInsideChunk.incrementAndGet();
                    }
                }
                return true;
            }
            return false;
        }
    }
}
