package io.tcpshm;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A server polled by its own thread against a fake clock, echoing every message (same type and
 * payload, popping before pushing) unless told otherwise. Records every callback.
 */
public final class TestServer implements ServerHandler, AutoCloseable
{
    public final Events events = new Events();
    public final AtomicLong clock;
    public final TcpShmServer server;
    public final TcpShmConfig config;
    public volatile boolean echo = true;
    /** While set the server thread does not poll at all (a hung peer). */
    public volatile boolean paused;
    volatile String rejectWith;
    /** When set, onNewConnection throws it (a user's bug). */
    volatile RuntimeException throwOnNewConnection;
    /** When set, onClientLogon throws it (a user's bug). */
    volatile RuntimeException throwOnLogon;
    volatile BiConsumer<TcpShmConnection, MsgHeader> onMsg;
    private volatile boolean running = true;
    /** Completed poll iterations of the server thread. */
    volatile long iterations;
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

    /** Waits until the server thread has completed {@code n} more whole poll iterations. */
    public void awaitIterations(final long n)
    {
        final long target = iterations + n + 1;
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (iterations < target)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("server thread stalled");
            }
            Thread.onSpinWait();
        }
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
                Thread.onSpinWait();
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
    }

    @Override
    public int onNewConnection(final InetSocketAddress remoteAddress, final LoginRequest login, final LoginResponse response)
    {
        events.add("newConnection " + login.clientName() + " shm=" + login.useShm());
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
        if (!echo)
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
