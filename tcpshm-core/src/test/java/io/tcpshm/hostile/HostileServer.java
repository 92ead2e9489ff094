package io.tcpshm.hostile;

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

/**
 * A real {@link TcpShmServer} polled by its own thread on a fake clock. Any {@link Throwable} that
 * escapes a poll call is recorded (the thread then stops) and reported by {@link #check()}. Messages
 * of the clients named in {@code echoNames} are echoed (pop, then push the same type and payload);
 * everyone else's are popped and dropped.
 */
final class HostileServer implements ServerHandler, AutoCloseable
{
    /** A close reported by {@code onClientDisconnected}. */
    record Disconnect(String name, String reason, long at, long lastReceiveTime)
    {
    }

    final AtomicLong clock;
    final TcpShmConfig config;
    final TcpShmServer server;
    final Path ptcpDir;
    final Set<String> echoNames;
    final ConcurrentLinkedQueue<Disconnect> disconnects = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> logons = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile long iterations;

    HostileServer(final Path ptcpDir, final TcpShmConfig config, final AtomicLong clock, final Set<String> echoNames)
    {
        this.clock = clock;
        this.config = config;
        this.ptcpDir = ptcpDir;
        this.echoNames = echoNames;
        this.server = new TcpShmServer("srv", ptcpDir, config, this);
        if (!server.start("127.0.0.1", 0))
        {
            throw new IllegalStateException("server did not start: " + errors);
        }
        thread = new Thread(this::run, "hostile-server");
        thread.setDaemon(true);
        thread.start();
    }

    int port()
    {
        return server.localPort();
    }

    private void run()
    {
        try
        {
            while (running)
            {
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
                Thread.yield();
            }
        }
        catch (final Throwable t)
        {
            failure = t;
        }
    }

    /** Fails when a poll call has thrown or a callback saw something it must never see. */
    void check()
    {
        final Throwable t = failure;
        if (t != null)
        {
            throw new AssertionError("an exception escaped a server poll call", t);
        }
    }

    /** Waits until the server thread has completed {@code n} more whole poll iterations. */
    void awaitIterations(final long n)
    {
        final long target = iterations + n + 1;
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (iterations < target)
        {
            check();
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("server thread stalled");
            }
            Thread.yield();
        }
    }

    /** Removes and returns the disconnects reported so far. */
    List<Disconnect> takeDisconnects()
    {
        final List<Disconnect> out = new ArrayList<>();
        Disconnect d;
        while ((d = disconnects.poll()) != null)
        {
            out.add(d);
        }
        return out;
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
        check();
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        errors.add(message);
    }

    @Override
    public int onNewConnection(final InetSocketAddress remoteAddress, final LoginRequest login, final LoginResponse response)
    {
        // every accessor must be safe on whatever the peer sent
        login.clientName();
        login.lastServerName();
        login.useShm();
        login.clientAck();
        login.clientSeqStart();
        login.clientSeqEnd();
        return 0;
    }

    @Override
    public void onClientFileError(final TcpShmConnection conn, final String reason, final Exception cause)
    {
        errors.add("fileError " + reason);
    }

    @Override
    public void onSeqNumberMismatch(final TcpShmConnection conn, final long localAck, final long localSeqStart,
        final long localSeqEnd, final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
    {
    }

    @Override
    public void onClientLogon(final InetSocketAddress remoteAddress, final TcpShmConnection conn)
    {
        logons.add(conn.remoteName());
    }

    @Override
    public void onClientDisconnected(final TcpShmConnection conn, final DisconnectReason reason, final String detail,
        final Exception cause)
    {
        disconnects.add(new Disconnect(conn.remoteName(), reason.describe(detail), clock.get(), conn.stats().lastReceiveTime()));
    }

    @Override
    public void onClientMsg(final TcpShmConnection conn, final MsgHeader header)
    {
        if (!echoNames.contains(conn.remoteName()))
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
