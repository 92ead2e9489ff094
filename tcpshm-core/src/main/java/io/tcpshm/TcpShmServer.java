package io.tcpshm;

import io.tcpshm.internal.Closeables;
import io.tcpshm.internal.CloseSignal;
import io.tcpshm.internal.Closing;
import io.tcpshm.internal.FlightEvents;
import io.tcpshm.internal.MappedRegion;
import io.tcpshm.internal.Names;
import io.tcpshm.internal.OwnerLock;
import io.tcpshm.internal.ShmOwnerLock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The server side of tcpshm: accepts logins and serves persistent connections, sharded into
 * groups of TCP connections and groups of SHM connections so that the user maps threads to
 * connections.
 *
 * <pre>{@code
 * TcpShmServer server = new TcpShmServer("srv", Path.of("/var/lib/app"), TcpShmConfig.defaults(), handler);
 * server.start("0.0.0.0", 12345);
 * while (running) {                 // one thread for everything, or one per group
 *     long now = nowSeconds();
 *     server.pollCtl(now);
 *     server.pollTcp(now, 0);
 *     server.pollShm(0);
 * }
 * server.stop();
 * }</pre>
 *
 * <p><b>Threads.</b> {@link #pollCtl} (logins, closes, the TCP links of SHM connections) runs on one
 * thread; each group's {@link #pollTcp} or {@link #pollShm} runs on one thread, the same or
 * another. A connection is handed between the control thread and its group's thread through two
 * volatile counters per group, so neither ever touches what the other owns:
 * <ul>
 * <li>to add a connection, the control thread sets it up, marks its slot as in the group
 *     (volatile) and increments the group's {@code version} (volatile write). The group's poll
 *     reads {@code version} (volatile read) on every call; on a change it rebuilds its private
 *     list of live connections from the slots, so everything the control thread wrote before
 *     its volatile write is visible to it (happens-before);</li>
 * <li>to remove a connection (closed by either side), the control thread unmarks the slot and
 *     increments {@code version}; the group's poll, once it has dropped the connection from its
 *     list, publishes the version it has seen ({@code seenVersion}, volatile write). Only when the
 *     control thread reads a {@code seenVersion} at least that of the removal does it close the
 *     socket, report {@code onClientDisconnected} and let the slot be reused. So a connection that
 *     logs on, closes and logs on again is never touched by two threads at once.</li>
 * </ul>
 * (The hand-off is {@code io.tcpshm.internal.GroupHandoff}, where the ordering argument is spelled
 * out; the jcstress module runs it under stress.)
 * A closed connection is released only once its group has been polled; keep polling every group
 * that has connections. Call {@link #stop()} after every polling thread has finished.
 *
 * <p><b>Cost of the control poll.</b> {@code pollCtl} makes its system calls (accept, reading
 * pending logins, heartbeats and reads on the TCP links of SHM connections) on one call out of
 * {@link TcpShmConfig#controlSocketPollPeriod()}; the other calls read a few fields of memory. So it can
 * be called in every iteration of a busy loop that also polls SHM groups.
 */
public final class TcpShmServer
{
    private final String serverName;
    private final Path ptcpDir;
    private final TcpShmConfig config;
    private final ServerHandler handler;
    private final ServerGroup[] tcpGroups;
    private final ServerGroup[] shmGroups;
    private final ServerGroup[] allGroups;
    private final TcpGroupPoller[] tcpPollers;
    private final ShmGroupPoller[] shmPollers;
    private final ServerLogins logins;
    private ServerSocketChannel listener;
    private MappedRegion counters;
    /** Held from {@link #start} to {@link #stop()}: this server's name is in use in its ptcp directory. */
    private OwnerLock ownerLock;
    /** The connections' MXBeans while started with {@link TcpShmConfig#registerMXBeans()} set, else null. */
    private ConnectionMXBeans mxBeans;
    /** Raised by every close request of this server's connections. */
    private final CloseSignal closeSignal = new CloseSignal();
    /** This server's owner lock in the SHM directory, taken at its first SHM login, shared by its slots. */
    private final ShmOwnerLock shmOwnerLock;
    /** Control thread: the signal's count at the last walk; the slots DRAINING. */
    private int closesSeen;
    private int draining;
    private int socketCountdown;
    private long lastSocketRound;
    private final long socketRoundInterval;
    private boolean stopped;

    /**
     * Creates a server; nothing is opened until {@link #start}.
     *
     * @param serverName this server's name: 1 to {@code nameSize - 1} UTF-8 bytes, no '/' or control
     *     character, not . or .. (docs/PROTOCOL.md, "Names").
     * @param ptcpDir directory of the PTCP queue files (created if missing).
     * @param config settings, matching the clients'.
     * @param handler the callbacks.
     * @throws IllegalArgumentException for an invalid name.
     */
    public TcpShmServer(final String serverName, final Path ptcpDir, final TcpShmConfig config,
        final ServerHandler handler)
    {
        this.config = Objects.requireNonNull(config, "config");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.ptcpDir = Objects.requireNonNull(ptcpDir, "ptcpDir");
        Names.requireValidLocal("serverName", serverName, config.nameSize());
        this.serverName = serverName;
        this.shmOwnerLock = new ShmOwnerLock(config.shmDir(), serverName, config.shareFilesWithGroup());
        tcpGroups = new ServerGroup[config.maxTcpGroups()];
        shmGroups = new ServerGroup[config.maxShmGroups()];
        allGroups = new ServerGroup[tcpGroups.length + shmGroups.length];
        int k = 0;
        for (int g = 0; g < tcpGroups.length; g++)
        {
            tcpGroups[g] = new ServerGroup(false, newConnections(config.maxTcpConnectionsPerGroup()));
            allGroups[k++] = tcpGroups[g];
        }
        for (int g = 0; g < shmGroups.length; g++)
        {
            shmGroups[g] = new ServerGroup(true, newConnections(config.maxShmConnectionsPerGroup()));
            allGroups[k++] = shmGroups[g];
        }
        tcpPollers = new TcpGroupPoller[tcpGroups.length];
        for (int g = 0; g < tcpGroups.length; g++)
        {
            tcpPollers[g] = new TcpGroupPoller(g, tcpGroups[g].handoff, handler, config);
        }
        shmPollers = new ShmGroupPoller[shmGroups.length];
        for (int g = 0; g < shmGroups.length; g++)
        {
            shmPollers[g] = new ShmGroupPoller(shmGroups[g].handoff, handler, config);
        }
        logins = new ServerLogins(serverName, config, handler, tcpGroups, shmGroups, allGroups);
        socketRoundInterval = Math.max(1, config.heartbeatInterval() / 2);
    }

    /** @return this server's name. */
    public String serverName()
    {
        return serverName;
    }

    /**
     * Creates the ptcp directory if needed and listens on {@code host:port}. Errors are reported
     * through {@code onSystemError}.
     *
     * @param host address to bind, e.g. "0.0.0.0" or "127.0.0.1".
     * @param port port to bind; 0 picks a free one (see {@link #localPort()}).
     * @return true when listening.
     */
    public boolean start(final String host, final int port)
    {
        if (stopped)
        {
            throw new IllegalStateException("server " + serverName + " is stopped");
        }
        if (listener != null)
        {
            handler.onSystemError("Server already started", null);
            return false;
        }
        ServerSocketChannel channel = null;
        try
        {
            PublishedCounters.createDirectory(ptcpDir, config.shareFilesWithGroup());
            if (ownerLock == null)
            {
                try
                {
                    ownerLock = OwnerLock.acquire(ptcpDir, serverName, config.shareFilesWithGroup());
                }
                catch (final IOException ex)
                {
                    handler.onSystemError("Cannot start server " + serverName + ": " + ex.getMessage(), ex);
                    return false;
                }
            }
            if (config.publishCounters() && counters == null)
            {
                counters = PublishedCounters.open(ptcpDir, serverName, config, allConnections());
            }
            if (config.registerMXBeans() && mxBeans == null)
            {
                mxBeans = ConnectionMXBeans.register(FlightEvents.SERVER, serverName, slotLabels(), allConnections(),
                    handler::onSystemError);
            }
            channel = ServerSocketChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            // room in the accept queue for every slot (the kernel caps it at net.core.somaxconn): after a restart,
            // thousands of clients connect at once, and a SYN the queue drops is retried only a second or more later
            channel.bind(new InetSocketAddress(host, port), Math.max(64, allConnections().length));
            channel.configureBlocking(false);
            logins.listen(channel);
            listener = channel;
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            handler.onSystemError("Cannot listen on " + host + ":" + port + ": " + ex, ex);
            Closeables.closeQuietly(channel);
            Closeables.closeQuietly(ownerLock); // a server of this name may start here after all
            ownerLock = null;
            return false;
        }
    }

    /** @return the port listened on, or -1 when not started. */
    public int localPort()
    {
        try
        {
            return listener == null ? -1 : ((InetSocketAddress)listener.getLocalAddress()).getPort();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * The control poll: finishes closes (reporting {@code onClientDisconnected}) and, on one call
     * out of {@code controlSocketPollPeriod}, accepts a connection, reads pending logins and answers
     * them, and keeps the heartbeat links of SHM connections.
     *
     * @param now the current time in the units of the configured timeouts.
     * @return the work done: disconnects reported, connections accepted, login frames read or answered,
     *     heartbeat-link reads and writes that moved bytes; 0 when there was nothing to do.
     */
    public int pollCtl(final long now)
    {
        if (listener == null)
        {
            return 0;
        }
        int work = 0;
        // system calls on one call out of controlSocketPollPeriod, and at least every half heartbeat interval of user
        // time, so that a control poll called rarely still heartbeats and answers logins in time
        final boolean socketRound = --socketCountdown <= 0 || now - lastSocketRound >= socketRoundInterval;
        if (socketRound)
        {
            socketCountdown = config.controlSocketPollPeriod();
            lastSocketRound = now;
        }
        // the slots are walked only when there is something to find: a close request made since the last walk
        // (the signal's count is read before the walk, so a request made during it is found by the next one), a
        // connection waiting for its group to let go of it, or the links of SHM groups to keep on a socket round
        final int closeCount = closeSignal.count();
        final boolean closesToFind = closeCount != closesSeen;
        closesSeen = closeCount;
        if (closesToFind || draining > 0 || socketRound && shmGroups.length > 0)
        {
            for (final ServerGroup group : allGroups)
            {
                if (closesToFind || draining > 0 || group.shm)
                {
                    work += pollSlots(group, now, socketRound);
                }
            }
        }
        if (socketRound)
        {
            work += logins.poll(now);
        }
        return work;
    }

    /** The control poll's walk of one group's slots: SHM links on a socket round, close requests, releases. */
    private int pollSlots(final ServerGroup group, final long now, final boolean socketRound)
    {
        int work = 0;
        for (final ServerGroup.Slot slot : group.slots)
        {
            if (slot.state == ServerGroup.LIVE)
            {
                if (socketRound && group.shm)
                {
                    final int io = slot.conn.session().ioCount();
                    try
                    {
                        slot.conn.session().pollShmLink(now); // reads the ring mark and indices: a mapping
                    }
                    catch (final InternalError fault)
                    {
                        slot.conn.accessFault(fault);
                    }
                    if (slot.conn.session().ioCount() != io)
                    {
                        work++;
                    }
                }
                if (slot.conn.closingRequest() != null)
                {
                    slot.drainVersion = group.handoff.leave(slot.index);
                    slot.state = ServerGroup.DRAINING;
                    draining++;
                }
            }
            else if (slot.state == ServerGroup.DRAINING && group.handoff.released(slot.drainVersion))
            {
                final Closing closing = slot.conn.session().finish();
                slot.state = ServerGroup.FREE;
                draining--;
                work++;
                FlightEvents.disconnect(FlightEvents.SERVER, serverName, slot.conn.remoteName(), closing.reason.name(),
                    closing.detail);
                handler.onClientDisconnected(slot.conn, closing.reason, closing.detail, closing.cause);
            }
        }
        return work;
    }

    /**
     * Polls TCP group {@code groupId}: for each logged-on connection, sends what is due, reads, and
     * delivers at most one message to {@code onClientMsg}. A group with at least
     * {@link TcpShmConfig#tcpReadinessThreshold()} connections reads only the sockets that one readiness call
     * reports, and looks at the others for heartbeats and timeouts a few at a time once per half heartbeat
     * interval of {@code now}.
     *
     * @param now the current time in the units of the configured timeouts.
     * @param groupId 0 .. {@code maxTcpGroups - 1}.
     * @return the work done: messages delivered plus connections whose socket moved bytes; 0 when there was
     *     nothing to do (an idle strategy may back off).
     */
    public int pollTcp(final long now, final int groupId)
    {
        return tcpPollers[groupId].poll(now);
    }

    /**
     * @param groupId a TCP group.
     * @return whether the group's last poll read by readiness (for tests; read it from the group's thread, or
     *     after something that orders it after that poll).
     */
    boolean tcpGroupPollsByReadiness(final int groupId)
    {
        return tcpPollers[groupId].readiness();
    }

    /**
     * Polls SHM group {@code groupId}: for each logged-on connection, delivers at most one message
     * from its incoming ring to {@code onClientMsg}. Shared memory only: no system call. A group of more than
     * {@link TcpShmConfig#shmRingsPerPoll()} connections checks the rings that were active lately on every call and
     * that many of the others in turn.
     *
     * @param groupId 0 .. {@code maxShmGroups - 1}.
     * @return messages delivered; 0 when there was nothing to do (an idle strategy may back off).
     */
    public int pollShm(final int groupId)
    {
        return shmPollers[groupId].poll();
    }

    /**
     * Stops listening, closes every socket (without callbacks) and unmaps every file. Call it after
     * every polling thread has finished. Idempotent.
     */
    public void stop()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        logins.close();
        for (final TcpGroupPoller poller : tcpPollers)
        {
            poller.close(); // deregisters the sockets, which the loop below closes
        }
        listener = null;
        for (final ServerGroup group : allGroups)
        {
            for (final ServerGroup.Slot slot : group.slots)
            {
                if (slot.conn.session().isOpen())
                {
                    slot.conn.requestClose(DisconnectReason.STOPPED, "Server stopped", null);
                    slot.conn.session().finish();
                }
                slot.state = ServerGroup.FREE;
                group.handoff.leave(slot.index);
                slot.conn.markStopped();
                slot.conn.files().release(false);
            }
        }
        PublishedCounters.close(counters, allConnections());
        counters = null;
        Closeables.closeQuietly(ownerLock);
        ownerLock = null;
        shmOwnerLock.close(); // every ring is unmapped above
        if (mxBeans != null)
        {
            mxBeans.unregister();
            mxBeans = null;
        }
    }

    /** @return per connection, in the order of {@code allConnections()}: "tcp-group-index" or "shm-group-index". */
    private String[] slotLabels()
    {
        final java.util.List<String> labels = new java.util.ArrayList<>();
        for (int g = 0; g < tcpGroups.length; g++)
        {
            for (int i = 0; i < tcpGroups[g].slots.length; i++)
            {
                labels.add("tcp-" + g + "-" + i);
            }
        }
        for (int g = 0; g < shmGroups.length; g++)
        {
            for (int i = 0; i < shmGroups[g].slots.length; i++)
            {
                labels.add("shm-" + g + "-" + i);
            }
        }
        return labels.toArray(new String[0]);
    }

    private TcpShmConnection[] allConnections()
    {
        int n = 0;
        for (final ServerGroup group : allGroups)
        {
            n += group.slots.length;
        }
        final TcpShmConnection[] all = new TcpShmConnection[n];
        int i = 0;
        for (final ServerGroup group : allGroups)
        {
            for (final ServerGroup.Slot slot : group.slots)
            {
                all[i++] = slot.conn;
            }
        }
        return all;
    }

    /**
     * @param groupId a TCP group.
     * @return the group's connection slots (fixed for the server's life).
     */
    public TcpShmConnection[] tcpGroupConnections(final int groupId)
    {
        return tcpGroups[groupId].connections();
    }

    /**
     * @param groupId an SHM group.
     * @return the group's connection slots (fixed for the server's life).
     */
    public TcpShmConnection[] shmGroupConnections(final int groupId)
    {
        return shmGroups[groupId].connections();
    }

    private TcpShmConnection[] newConnections(final int count)
    {
        final TcpShmConnection[] connections = new TcpShmConnection[count];
        for (int i = 0; i < count; i++)
        {
            connections[i] = new TcpShmConnection(config, serverName, ptcpDir, closeSignal, shmOwnerLock);
        }
        return connections;
    }
}
