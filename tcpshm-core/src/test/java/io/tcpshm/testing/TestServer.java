package io.tcpshm.testing;

import io.tcpshm.DisconnectReason;
import io.tcpshm.LoginRequest;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.ServerHandler;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.TcpShmServer;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A server polled by its own thread against a fake clock, echoing every message (same type and
 * payload, popping before pushing) unless told otherwise. Records every callback as a line of
 * {@link #events}; logons, closes and errors also in lists of their own, for tests that face many
 * hostile peers. Any {@link Throwable} that escapes a poll stops the thread and is reported by
 * {@link #checkAlive()}, {@link #awaitIterations} and {@link #close()}.
 */
public final class TestServer implements ServerHandler, AutoCloseable
{
    /** A close reported by {@code onClientDisconnected}: the fake clock's time then and the connection's last receive time. */
    public record Disconnect(String name, String reason, long at, long lastReceiveTime)
    {
    }

    public final Events events = new Events();
    /** Closes reported, in order; {@link #takeDisconnects()} drains it. */
    public final ConcurrentLinkedQueue<Disconnect> disconnects = new ConcurrentLinkedQueue<>();
    /** Names of the clients that logged on, in order. */
    public final ConcurrentLinkedQueue<String> logons = new ConcurrentLinkedQueue<>();
    /** System errors and client file errors, in order. */
    public final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    /** When set, only these clients' messages are echoed; everyone else's are popped and dropped. */
    public volatile Set<String> echoOnly;
    public final AtomicLong clock;
    public final TcpShmServer server;
    public final TcpShmConfig config;
    public volatile boolean echo = true;
    /** While set the server thread does not poll at all (a hung peer). */
    public volatile boolean paused;
    public volatile String rejectWith;
    /** When set, onNewConnection throws it (a user's bug). */
    public volatile RuntimeException throwOnNewConnection;
    /** When set, onClientLogon throws it (a user's bug). */
    public volatile RuntimeException throwOnLogon;
    public volatile BiConsumer<TcpShmConnection, MsgHeader> onMsg;
    private volatile boolean running = true;
    /** Completed poll iterations of the server thread. */
    public volatile long iterations;
    private final Thread thread;
    private volatile Throwable failure;

    public TestServer(final String name, final Path dir, final TcpShmConfig config, final AtomicLong clock)
    {
        this.clock = clock;
        this.config = config;
        this.server = new TcpShmServer(name, dir, config, this);
        if (!server.start("127.0.0.1", 0))
        {
            throw new IllegalStateException("server did not start: " + events);
        }
        thread = new Thread(this::run, "test-server-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A server named "srv" that echoes the messages of the clients named in {@code echoNames} only; everyone
     * else's are popped and dropped (the hostile peers of a test).
     */
    public static TestServer echoingOnly(final Path dir, final TcpShmConfig config, final AtomicLong clock,
        final Set<String> echoNames)
    {
        final TestServer server = new TestServer("srv", dir, config, clock);
        server.echoOnly = echoNames;
        return server;
    }

    /** Waits until the server thread has completed {@code n} more whole poll iterations. */
    public void awaitIterations(final long n)
    {
        final long target = iterations + n + 1;
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (iterations < target)
        {
            checkAlive();
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("server thread stalled");
            }
            Thread.yield();
        }
    }

    /** Removes and returns the closes reported so far. */
    public List<Disconnect> takeDisconnects()
    {
        final List<Disconnect> out = new ArrayList<>();
        Disconnect d;
        while ((d = disconnects.poll()) != null)
        {
            out.add(d);
        }
        return out;
    }

    /** Throws when an exception escaped a poll of the server thread (the thread has then stopped). */
    public void checkAlive()
    {
        if (failure != null)
        {
            throw new AssertionError("server thread failed", failure);
        }
    }

    public int port()
    {
        return server.localPort();
    }

    private void run()
    {
        try
        {
            while (running)
            {
                if (paused)
                {
                    Thread.onSpinWait();
                    continue;
                }
                final long now = clock.get();
                server.pollCtl(now);
                for (int g = 0; g < config.maxTcpGroups(); g++)
                {
                    server.pollTcp(now, g);
                }
                for (int g = 0; g < config.maxShmGroups(); g++)
                {
                    server.pollShm(g);
                }
                iterations++;
                Thread.yield(); // two cores shared with the test thread and the peers' threads
            }
        }
        catch (final Throwable t)
        {
            failure = t;
        }
    }

    /** Stops the polling thread (the server stays up) so that the test thread can poll it itself. */
    public void detach()
    {
        running = false;
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** One poll of everything, from the caller's thread (after {@link #detach()}). */
    public void pollOnce(final long now)
    {
        server.pollCtl(now);
        for (int g = 0; g < config.maxTcpGroups(); g++)
        {
            server.pollTcp(now, g);
        }
        for (int g = 0; g < config.maxShmGroups(); g++)
        {
            server.pollShm(g);
        }
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        server.stop();
        if (failure != null)
        {
            throw new AssertionError("server thread failed", failure);
        }
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        events.add("systemError " + message);
        errors.add(message);
    }

    @Override
    public int onNewConnection(final InetSocketAddress remoteAddress, final LoginRequest login, final LoginResponse response)
    {
        events.add("newConnection " + login.clientName() + " shm=" + login.useShm());
        // every accessor must be safe on whatever the peer sent
        login.lastServerName();
        login.clientAck();
        login.clientSeqStart();
        login.clientSeqEnd();
        response.userData().put(response.userDataOffset(), (byte)0x52);
        final RuntimeException fail = throwOnNewConnection;
        if (fail != null)
        {
            throw fail;
        }
        final String reject = rejectWith;
        if (reject != null)
        {
            response.errorMessage(reject);
            return -1;
        }
        return 0;
    }

    @Override
    public void onClientFileError(final TcpShmConnection conn, final String reason, final Exception cause)
    {
        events.add("fileError " + reason);
        errors.add("fileError " + reason);
    }

    @Override
    public void onSeqNumberMismatch(final TcpShmConnection conn, final long localAck, final long localSeqStart,
        final long localSeqEnd, final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
    {
        events.add("seqMismatch " + localAck + " " + localSeqStart + " " + localSeqEnd + " " + remoteAck + " " +
            remoteSeqStart + " " + remoteSeqEnd);
    }

    @Override
    public void onClientLogon(final InetSocketAddress remoteAddress, final TcpShmConnection conn)
    {
        events.add("logon " + conn.remoteName());
        logons.add(conn.remoteName());
        final RuntimeException fail = throwOnLogon;
        if (fail != null)
        {
            throw fail;
        }
    }

    @Override
    public void onClientDisconnected(final TcpShmConnection conn, final DisconnectReason reason, final String detail,
        final Exception cause)
    {
        events.add("disconnected " + conn.remoteName() + " " + reason.describe(detail));
        disconnects.add(new Disconnect(conn.remoteName(), reason.describe(detail), clock.get(), conn.stats().lastReceiveTime()));
    }

    @Override
    public void onClientMsg(final TcpShmConnection conn, final MsgHeader header)
    {
        final BiConsumer<TcpShmConnection, MsgHeader> custom = onMsg;
        if (custom != null)
        {
            custom.accept(conn, header);
            return;
        }
        final Set<String> only = echoOnly;
        if (!echo || (only != null && !only.contains(conn.remoteName())))
        {
            conn.pop();
            return;
        }
        final int length = header.payloadLength();
        final MsgHeader out = conn.alloc(length);
        if (out == null)
        {
            return; // no room: the same message comes again at the next poll
        }
        out.msgType(header.msgType());
        out.buffer().put(out.payloadOffset(), header.buffer(), header.payloadOffset(), length);
        conn.pop();
        conn.push();
    }
}
