package io.tcpshm.harness.netfaults;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link TestServer} (polled by its own thread), a {@link FaultProxy} in front of it and a
 * {@link TestClient} polled by the test thread that always connects through the proxy. The
 * {@link TestClient} throws on any gap, duplicate or damaged echo; {@link #checkFinalCounts} checks
 * the totals on both sides.
 */
final class Rig implements AutoCloseable
{
    /** Multiplies message counts and cut counts: {@code -Dtcpshm.netfaults.scale=20} for a long run. */
    static final double SCALE = Double.parseDouble(System.getProperty("tcpshm.netfaults.scale", "1"));
    /** Seed of every random choice; a failure message names it ({@code -Dtcpshm.netfaults.seed=...} replays it). */
    static final long BASE_SEED = Long.getLong("tcpshm.netfaults.seed", 20240601L);

    static final long T0 = 1000;

    final AtomicLong clock = new AtomicLong(T0);
    final boolean shm;
    final long seed;
    final Random random;
    final TestServer server;
    final TestClient client;
    final FaultProxy proxy;
    /** When > 0 the fake clock follows real time in units of this many nanoseconds ({@link #tick()}). */
    long unitNanos;
    private final long startNanos = System.nanoTime();
    int connectAttempts;
    int connectFailures;
    /** {@link #pollUntil} logs in again when the session ends. */
    boolean reconnect = true;
    /** When > 0, sending is spread over about this many milliseconds of real time from the start. */
    long paceMillis;
    /** Sends with pushMore in batches (TCP) when set. */
    boolean batch = true;

    static long scaled(final long n)
    {
        return Math.max(1, Math.round(n * SCALE));
    }

    Rig(final Path dir, final TcpShmConfig config, final boolean shm, final long seed, final long lifetimeMillis)
        throws IOException
    {
        this.shm = shm;
        this.seed = seed;
        this.random = new Random(seed);
        server = new TestServer("srv", dir.resolve("server"), config, clock);
        FaultProxy p = null;
        TestClient c = null;
        try
        {
            p = new FaultProxy(server.port(), seed, lifetimeMillis);
            c = new TestClient("cli", dir.resolve("client"), config, clock);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (p != null)
            {
                p.close();
            }
            server.close();
            throw ex;
        }
        proxy = p;
        client = c;
    }

    static TcpShmConfig.Builder config(final Path dir) throws IOException
    {
        Files.createDirectories(dir.resolve("shm"));
        return TcpShmConfig.builder().shmDir(dir.resolve("shm")).loginTimeoutMillis(2000);
    }

    /** Moves the fake clock with real time when {@link #unitNanos} is set. */
    void tick()
    {
        if (unitNanos > 0)
        {
            clock.set(T0 + (System.nanoTime() - startNanos) / unitNanos);
        }
    }

    /** One login attempt through the proxy. */
    boolean connect()
    {
        connectAttempts++;
        final boolean ok = client.connect(shm, proxy.port());
        if (!ok)
        {
            connectFailures++;
        }
        return ok;
    }

    /**
     * Logs in again after the session ended. A session can end inside a push (a send error) as
     * well as inside a poll; the client's next poll (or connect) completes the close, reporting
     * onDisconnected.
     */
    void relogin()
    {
        client.poll();
        if (client.conn().isClosed())
        {
            connect();
        }
    }

    /** Pushes what fits, then polls once. */
    void step(final long total)
    {
        server.checkAlive();
        tick();
        final long limit = paceMillis <= 0 ? total :
            Math.min(total, 1 + total * ((System.nanoTime() - startNanos) / 1_000_000L) / paceMillis);
        while (client.sent < limit && client.trySend(batch && !shm && random.nextInt(8) != 0))
        {
            // fill the queue
        }
        client.poll();
    }

    /**
     * Echoes until {@code total} echoes came back, logging in again through the proxy whenever
     * the session ends. {@code hook} runs after every poll.
     */
    void run(final long total, final long maxMillis, final Runnable hook)
    {
        final long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (client.received < total)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("run did not complete in " + maxMillis + " ms: " + describe() + threadDump());
            }
            if (client.conn().isClosed())
            {
                server.checkAlive();
                tick();
                relogin();
                continue;
            }
            step(total);
            hook.run();
        }
        assertThat(client.sent).isEqualTo(total);
    }

    /**
     * Polls the client (and sends) until {@code done} or the deadline, logging in again when the
     * session ends if {@link #reconnect} is set; fails on the deadline.
     */
    void pollUntil(final BooleanSupplier done, final long maxMillis, final String what)
    {
        final long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError(what + " did not happen in " + maxMillis + " ms: " + describe());
            }
            if (reconnect && client.conn().isClosed())
            {
                tick();
                relogin();
                continue;
            }
            step(client.sent);
        }
    }

    /** The server's connection of client "cli", or null before its first login. */
    TcpShmConnection serverConn()
    {
        final TcpShmConnection[] conns = shm ? server.server.shmGroupConnections(0) : server.server.tcpGroupConnections(0);
        for (final TcpShmConnection c : conns)
        {
            if ("cli".equals(c.remoteName()))
            {
                return c;
            }
        }
        return null;
    }

    /**
     * After {@code total} echoes: every message was consumed exactly once on each side (the
     * TestClient already checked order and content), and on TCP both queues drain (every message
     * acked) once acks have gone round.
     */
    void checkFinalCounts(final long total)
    {
        assertThat(client.received).as(describe()).isEqualTo(total);
        assertThat(client.conn().stats().messagesReceived()).as("client pops").isEqualTo(total);
        final TcpShmConnection sc = serverConn();
        assertThat(sc).isNotNull();
        // the server's poll thread counts an SHM push just after publishing it: let it finish an iteration after the
        // last echo so that the counts read here are its final ones (awaitIterations orders these reads after it)
        server.awaitIterations(1);
        assertThat(sc.stats().messagesReceived()).as("server pops " + describe()).isEqualTo(total);
        assertThat(sc.stats().messagesSent()).as("server echoes pushed").isEqualTo(total);
        assertThat(client.conn().stats().messagesSent()).as("client pushes").isEqualTo(total);
        if (!shm)
        {
            assertThat(client.conn().myAck()).isEqualTo(total);
            // the server learns the client's last acks from a heartbeat; the clock must move for it
            final long extra = client.config.heartbeatInterval() + 1;
            final long target = clock.get() + extra;
            pollUntil(() ->
            {
                if (unitNanos == 0 && clock.get() < target)
                {
                    clock.incrementAndGet();
                }
                return client.conn().queuedCount() == 0 && sc.queuedCount() == 0 && sc.myAck() == total;
            }, 10_000, "both queues drained");
        }
    }

    String describe()
    {
        final TcpShmConnection sc = serverConn();
        return "seed=" + seed + " sent=" + client.sent + " received=" + client.received + " clock=" + clock.get() +
            " client q/ack/closed=" + client.conn().queuedCount() + "/" + client.conn().myAck() + "/" +
            client.conn().isClosed() + " server q/ack/closed=" + (sc == null ? null : sc.queuedCount() + "/" + sc.myAck() +
            "/" + sc.isClosed()) + " ptcp client " + ptcpIndices(client.conn().ptcpFile()) + " server " + ptcpIndices(sc == null ? null : sc.ptcpFile()) +
            " cfields " + fields(client.conn()) + " sfields " + fields(sc) +
            " connects=" + connectAttempts + " (failed " + connectFailures + ") client=" + client.conn().stats() +
            " server=" + (sc == null ? null : sc.stats()) + " " + proxy.stats() + "\nclient events:\n" +
            tail(client.events) + "\nserver events:\n" + tail(server.events);
    }

    /** writeIdx, readIdx, sendIdx, readSeq, myAck of a PTCP queue file (docs/PROTOCOL.md), or "-". */
    private static String ptcpIndices(final Path file)
    {
        if (file == null)
        {
            return "-";
        }
        try
        {
            final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(file))
                .order(java.nio.ByteOrder.nativeOrder());
            final int q = b.capacity() - 20;
            return "[w=" + b.getInt(q) + " r=" + b.getInt(q + 4) + " s=" + b.getInt(q + 8) + " readSeq=" + b.getInt(q + 12) +
                " myAck=" + b.getInt(q + 16) + "]";
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    private static String fields(final Object o)
    {
        if (o == null)
        {
            return "-";
        }
        final StringBuilder b = new StringBuilder("{");
        for (final String name : new String[] {"announcedAck", "lastPushedAck", "unannouncedBytes", "lastSendTime",
            "lastRecvTime", "recvRead", "recvWrite", "frontFrame", "ackScan", "recvBuf", "heartbeat"})
        {
            try
            {
                final java.lang.reflect.Field f = o.getClass().getDeclaredField(name);
                f.setAccessible(true);
                b.append(name).append('=').append(f.get(o)).append(' ');
            }
            catch (final ReflectiveOperationException | RuntimeException ex)
            {
                b.append(name).append("=? ");
            }
        }
        return b.append('}').toString();
    }

    private static String threadDump()
    {
        final StringBuilder b = new StringBuilder("\nthreads:\n");
        for (final java.util.Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet())
        {
            if (e.getKey().getName().startsWith("proxy") || e.getKey().getName().startsWith("test-server"))
            {
                b.append(e.getKey().getName()).append(' ').append(e.getKey().getState()).append('\n');
                for (int i = 0; i < Math.min(8, e.getValue().length); i++)
                {
                    b.append("    ").append(e.getValue()[i]).append('\n');
                }
            }
        }
        return b.toString();
    }

    /** The first and last 20 lines, and how many in all: a failed run may have logged a great many. */
    private static String tail(final io.tcpshm.testing.Events events)
    {
        final java.util.List<String> all = events.all();
        if (all.size() <= 40)
        {
            return String.join("\n", all);
        }
        return String.join("\n", all.subList(0, 20)) + "\n... (" + all.size() + " lines in all) ...\n" +
            String.join("\n", all.subList(all.size() - 20, all.size()));
    }

    @Override
    public void close()
    {
        try
        {
            client.close();
        }
        finally
        {
            try
            {
                proxy.close();
            }
            finally
            {
                server.close();
            }
        }
    }
}
