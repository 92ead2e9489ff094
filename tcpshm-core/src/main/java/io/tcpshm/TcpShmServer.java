package io.tcpshm;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.FrameHeader;
import io.tcpshm.internal.GroupHandoff;
import io.tcpshm.internal.LoginCodec;
import io.tcpshm.internal.Names;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
 * {@link TcpShmConfig#ctlSocketPollPeriod()}; the other calls read a few fields of memory. So it can
 * be called in every iteration of a busy loop that also polls SHM groups.
 */
public final class TcpShmServer
{
    private static final int FREE = 0;
    private static final int LIVE = 1;
    private static final int DRAINING = 2;

    private final String serverName;
    private final Path ptcpDir;
    private final TcpShmConfig config;
    private final ServerHandler handler;
    private final LoginCodec codec;
    private final Group[] tcpGroups;
    private final Group[] shmGroups;
    private final Group[] allGroups;
    private final PendingLogin[] pending;
    private final ByteBuffer rspFrame;
    private final LoginResponse rspView;
    private ServerSocketChannel listener;
    private io.tcpshm.internal.MappedRegion counters;
    /** Readiness of the listener: {@code accept()} allocates even when nothing is pending, {@code selectNow()} does not. */
    private Selector acceptSelector;
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
        this.codec = new LoginCodec(config);
        tcpGroups = new Group[config.maxTcpGrps()];
        shmGroups = new Group[config.maxShmGrps()];
        allGroups = new Group[tcpGroups.length + shmGroups.length];
        int k = 0;
        for (int g = 0; g < tcpGroups.length; g++)
        {
            tcpGroups[g] = new Group(false, newConnections(config.maxTcpConnsPerGrp()));
            allGroups[k++] = tcpGroups[g];
        }
        for (int g = 0; g < shmGroups.length; g++)
        {
            shmGroups[g] = new Group(true, newConnections(config.maxShmConnsPerGrp()));
            allGroups[k++] = shmGroups[g];
        }
        pending = new PendingLogin[config.maxNewConnections()];
        for (int i = 0; i < pending.length; i++)
        {
            pending[i] = new PendingLogin(ByteBuffer.allocateDirect(codec.loginFrameSize()).order(config.byteOrder()));
        }
        rspFrame = ByteBuffer.allocateDirect(codec.rspFrameSize()).order(config.byteOrder());
        rspView = new LoginResponse(codec, rspFrame);
        socketRoundInterval = Math.max(1, config.heartBeatInterval() / 2);
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
            TcpShmClient.createDirectory(ptcpDir, config.shareFilesWithGroup());
            if (config.publishCounters() && counters == null)
            {
                counters = TcpShmClient.openCounters(ptcpDir, serverName, config, allConnections());
            }
            channel = ServerSocketChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(host, port), 64);
            channel.configureBlocking(false);
            acceptSelector = Selector.open();
            channel.register(acceptSelector, SelectionKey.OP_ACCEPT);
            listener = channel;
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            handler.onSystemError("Cannot listen on " + host + ":" + port + ": " + ex, ex);
            closeQuietly(acceptSelector);
            acceptSelector = null;
            if (channel != null)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // already failing
                }
            }
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
     * out of {@code ctlSocketPollPeriod}, accepts a connection, reads pending logins and answers
     * them, and keeps the heartbeat links of SHM connections.
     *
     * @param now the current time in the units of the configured timeouts.
     */
    public void pollCtl(final long now)
    {
        if (listener == null)
        {
            return;
        }
        // system calls on one call out of ctlSocketPollPeriod, and at least every half heartbeat interval of user
        // time, so that a control poll called rarely still heartbeats and answers logins in time
        final boolean socketRound = --socketCountdown <= 0 || now - lastSocketRound >= socketRoundInterval;
        if (socketRound)
        {
            socketCountdown = config.ctlSocketPollPeriod();
            lastSocketRound = now;
        }
        for (final Group group : allGroups)
        {
            final Slot[] slots = group.slots;
            for (final Slot slot : slots)
            {
                if (slot.state == LIVE)
                {
                    if (socketRound && group.shm)
                    {
                        try
                        {
                            slot.conn.pollShmLink(now); // reads the ring mark and indices: a mapping
                        }
                        catch (final InternalError fault)
                        {
                            slot.conn.accessFault(fault);
                        }
                    }
                    if (slot.conn.closingRequest() != null)
                    {
                        slot.drainVersion = group.handoff.leave(slot.index);
                        slot.state = DRAINING;
                    }
                }
                else if (slot.state == DRAINING && group.handoff.released(slot.drainVersion))
                {
                    final TcpShmConnection.Closing closing = slot.conn.finishClose();
                    slot.state = FREE;
                    handler.onClientDisconnected(slot.conn, closing.reason, closing.cause);
                }
            }
        }
        if (socketRound)
        {
            accept(now);
            for (final PendingLogin p : pending)
            {
                if (p.channel != null)
                {
                    pollPending(p, now);
                }
            }
        }
    }

    /**
     * Polls TCP group {@code groupId}: for each logged-on connection, sends what is due, reads, and
     * delivers at most one message to {@code onClientMsg}.
     *
     * @param now the current time in the units of the configured timeouts.
     * @param groupId 0 .. {@code maxTcpGrps - 1}.
     */
    public void pollTcp(final long now, final int groupId)
    {
        final GroupHandoff<TcpShmConnection> handoff = tcpGroups[groupId].handoff;
        for (int i = 0, n = handoff.liveCount(); i < n; i++)
        {
            final TcpShmConnection conn = handoff.live(i);
            try
            {
                final MsgHeader header = conn.pollTcpSession(now);
                if (header != null)
                {
                    handler.onClientMsg(conn, header);
                }
            }
            catch (final InternalError fault)
            {
                conn.accessFault(fault); // this connection closes; the others are served
            }
        }
    }

    /**
     * Polls SHM group {@code groupId}: for each logged-on connection, delivers at most one message
     * from its incoming ring to {@code onClientMsg}. Shared memory only: no system call.
     *
     * @param groupId 0 .. {@code maxShmGrps - 1}.
     */
    public void pollShm(final int groupId)
    {
        final GroupHandoff<TcpShmConnection> handoff = shmGroups[groupId].handoff;
        for (int i = 0, n = handoff.liveCount(); i < n; i++)
        {
            final TcpShmConnection conn = handoff.live(i);
            try
            {
                final MsgHeader header = conn.frontShm();
                if (header != null)
                {
                    handler.onClientMsg(conn, header);
                }
            }
            catch (final InternalError fault)
            {
                conn.accessFault(fault); // this connection closes; the others are served
            }
        }
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
        closeQuietly(listener);
        closeQuietly(acceptSelector);
        listener = null;
        for (final PendingLogin p : pending)
        {
            closeQuietly(p.channel);
            p.channel = null;
        }
        for (final Group group : allGroups)
        {
            for (final Slot slot : group.slots)
            {
                if (slot.conn.hasSession())
                {
                    slot.conn.requestClose("Server stopped", null);
                    slot.conn.finishClose();
                }
                slot.state = FREE;
                group.handoff.leave(slot.index);
                slot.conn.releaseFiles();
            }
        }
        TcpShmClient.closeCounters(counters, allConnections());
        counters = null;
    }

    private TcpShmConnection[] allConnections()
    {
        int n = 0;
        for (final Group group : allGroups)
        {
            n += group.slots.length;
        }
        final TcpShmConnection[] all = new TcpShmConnection[n];
        int i = 0;
        for (final Group group : allGroups)
        {
            for (final Slot slot : group.slots)
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
        return connections(tcpGroups[groupId]);
    }

    /**
     * @param groupId an SHM group.
     * @return the group's connection slots (fixed for the server's life).
     */
    public TcpShmConnection[] shmGroupConnections(final int groupId)
    {
        return connections(shmGroups[groupId]);
    }

    private static TcpShmConnection[] connections(final Group group)
    {
        final TcpShmConnection[] result = new TcpShmConnection[group.slots.length];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = group.slots[i].conn;
        }
        return result;
    }

    // ------------------------------------------------------------------------------------------

    private void accept(final long now)
    {
        PendingLogin free = null;
        for (final PendingLogin p : pending)
        {
            if (p.channel == null)
            {
                free = p;
                break;
            }
        }
        if (free == null)
        {
            return; // further connections wait in the listen backlog, as in the C++ server
        }
        SocketChannel channel = null;
        try
        {
            if (acceptSelector.selectNow() == 0)
            {
                return;
            }
            acceptSelector.selectedKeys().clear();
            channel = listener.accept();
            if (channel == null)
            {
                return;
            }
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
            free.channel = channel;
            free.acceptTime = now;
            free.frame.clear();
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            handler.onSystemError("Accept failed: " + ex, ex);
        }
    }

    private void pollPending(final PendingLogin p, final long now)
    {
        final ByteBuffer frame = p.frame;
        try
        {
            final int n = p.channel.read(frame);
            if (n < 0)
            {
                dropPending(p);
                return;
            }
        }
        catch (final IOException ex)
        {
            dropPending(p);
            return;
        }
        if (frame.position() >= Bits.HEADER_LENGTH &&
            (FrameHeader.size(frame, 0) != codec.loginMsgSize() || FrameHeader.msgType(frame, 0) != LoginCodec.LOGIN_TYPE))
        {
            dropPending(p); // not a login of this configuration: closed without a response, as in C++
            return;
        }
        if (frame.hasRemaining())
        {
            if (now - p.acceptTime > config.newConnectionTimeout())
            {
                dropPending(p);
            }
            return;
        }
        final SocketChannel channel = p.channel;
        p.channel = null;
        handleLogin(channel, frame, now);
    }

    private void dropPending(final PendingLogin p)
    {
        closeQuietly(p.channel);
        p.channel = null;
    }

    private void handleLogin(final SocketChannel channel, final ByteBuffer frame, final long now)
    {
        final LoginRequest login = new LoginRequest(codec, frame);
        InetSocketAddress address = null;
        try
        {
            final SocketAddress remote = channel.getRemoteAddress();
            address = remote instanceof InetSocketAddress ? (InetSocketAddress)remote : null;
        }
        catch (final IOException ignore)
        {
            // the address is informational
        }
        rspView.reset();
        for (int i = 0; i < rspFrame.capacity(); i++)
        {
            rspFrame.put(i, (byte)0);
        }
        final String clientName = LoginCodec.readCString(frame, codec.clientNameOffset(), config.nameSize());
        if (clientName == null || Names.problem(clientName, config.nameSize()) != null)
        {
            reject(channel, "Invalid client name");
            return;
        }
        final String lastServerName = LoginCodec.readCString(frame, codec.lastServerNameOffset(), config.nameSize());
        final boolean useShm = login.useShm();
        final int groupId;
        try
        {
            groupId = handler.onNewConnection(address, login, rspView);
        }
        catch (final RuntimeException ex)
        {
            // the user's bug must not leak this socket nor stop the control poll for everyone else
            reject(channel, "Login Reject");
            handler.onSystemError("onNewConnection threw for client '" + clientName + "': " + ex, ex);
            return;
        }
        final Group[] groups = useShm ? shmGroups : tcpGroups;
        if (groupId < 0)
        {
            final String msg = rspView.errorMessageSet();
            reject(channel, msg == null || msg.isEmpty() ? "Login Reject" : msg);
            return;
        }
        if (groupId >= groups.length)
        {
            handler.onSystemError("onNewConnection returned " + (useShm ? "SHM" : "TCP") + " group " + groupId +
                " but there are " + groups.length, null);
            reject(channel, "Login Reject");
            return;
        }
        final Slot slot = findSlot(groups[groupId], clientName);
        if (slot == null)
        {
            reject(channel, "Max client cnt exceeded");
            return;
        }
        if (slot.state != FREE)
        {
            reject(channel, "Already logged on");
            return;
        }
        final TcpShmConnection conn = slot.conn;
        try
        {
            logIn(slot, groups[groupId], conn, channel, frame, clientName, lastServerName, useShm, address, now);
        }
        catch (final InternalError fault)
        {
            if (!TcpShmConnection.isAccessFault(fault))
            {
                throw fault;
            }
            // a store to a mapped file faulted (its file system is full): refuse this login, serve the others
            if (conn.hasSession())
            {
                conn.requestClose("login failed", null);
                conn.finishClose();
            }
            handler.onClientFileError(conn, "Memory access fault on a file of " + clientName + ": " + fault.getMessage() +
                " (file system full?)", new IOException(fault));
            reject(channel, "System error");
        }
    }

    /** The login's steps with the slot's files: open, reset or check, sequence check, response, session. */
    private void logIn(final Slot slot, final Group group, final TcpShmConnection conn, final SocketChannel channel,
        final ByteBuffer frame, final String clientName, final String lastServerName, final boolean useShm,
        final InetSocketAddress address, final long now)
    {
        if (!conn.hasFilesFor(clientName, useShm))
        {
            final IOException error = conn.openFiles(clientName, useShm, false);
            if (error != null)
            {
                handler.onClientFileError(conn, error.getMessage(), error);
                reject(channel, "System error");
                return;
            }
        }
        int clientAck = frame.getInt(4);
        int clientStart = frame.getInt(LoginCodec.SEQ_START_OFFSET);
        int clientEnd = frame.getInt(LoginCodec.SEQ_END_OFFSET);
        if (!serverName.equals(lastServerName))
        {
            conn.resetFiles();
            clientAck = 0;
            clientStart = 0;
            clientEnd = 0;
        }
        else
        {
            final String problem = conn.sanityCheck();
            if (problem != null)
            {
                // let the files go, so that an operator can look at them and reset them (tcpshm reset takes their
                // locks) while the server goes on; no group thread has this slot (it is not live)
                conn.releaseFiles();
                handler.onClientFileError(conn, problem, null);
                reject(channel, "System error");
                return;
            }
        }
        final int localAck = conn.localAck();
        final int localStart = conn.localSeqStart();
        final int localEnd = conn.localSeqEnd();
        if (!useShm && (!Bits.inRange(clientAck, localStart, localEnd) || !Bits.inRange(localAck, clientStart, clientEnd)))
        {
            handler.onSeqNumberMismatch(conn, Bits.u32(localAck), Bits.u32(localStart), Bits.u32(localEnd),
                Bits.u32(clientAck), Bits.u32(clientStart), Bits.u32(clientEnd));
            respond(channel, localAck, localStart, localEnd, LoginCodec.STATUS_SEQ_MISMATCH, "");
            closeQuietly(channel);
            return;
        }
        if (!respond(channel, localAck, localStart, localEnd, LoginCodec.STATUS_OK, ""))
        {
            closeQuietly(channel);
            return;
        }
        final String text = address == null ? null : address.getAddress().getHostAddress() + ":" + address.getPort();
        conn.openSession(channel, useShm, clientAck, now, text);
        try
        {
            handler.onClientLogon(address, conn);
        }
        catch (final RuntimeException ex)
        {
            // no group thread has seen the connection yet: close it here, and the slot is free for the next login
            conn.requestClose("onClientLogon threw: " + ex, ex);
            final TcpShmConnection.Closing closing = conn.finishClose();
            handler.onClientDisconnected(conn, closing.reason, closing.cause);
            return;
        }
        // publication: everything above happens-before the group's poll sees the new version
        slot.state = LIVE;
        group.handoff.join(slot.index);
    }

    /**
     * Finds the slot for {@code clientName} in {@code group}: the one already holding this
     * client's files, else an empty one, else any free one. A slot of another group that holds
     * this client's files is released first (so no file is ever mapped and locked twice), unless
     * it is live, in which case that slot is returned so the login is refused as a duplicate.
     */
    private Slot findSlot(final Group group, final String clientName)
    {
        for (final Group other : allGroups)
        {
            for (final Slot s : other.slots)
            {
                if (clientName.equals(s.conn.remoteNameOrNull()))
                {
                    if (s.state != FREE || other == group)
                    {
                        return s;
                    }
                    s.conn.releaseFiles();
                }
            }
        }
        Slot anyFree = null;
        for (final Slot s : group.slots)
        {
            if (s.state == FREE)
            {
                if (s.conn.remoteNameOrNull() == null)
                {
                    return s;
                }
                if (anyFree == null)
                {
                    anyFree = s;
                }
            }
        }
        if (anyFree != null)
        {
            anyFree.conn.releaseFiles();
        }
        return anyFree;
    }

    private void reject(final SocketChannel channel, final String message)
    {
        respond(channel, 0, 0, 0, LoginCodec.STATUS_ERROR, message);
        closeQuietly(channel);
    }

    private boolean respond(final SocketChannel channel, final int ack, final int seqStart, final int seqEnd,
        final int status, final String message)
    {
        codec.encodeRsp(rspFrame, ack, seqStart, seqEnd, status, serverName, message);
        rspFrame.clear();
        try
        {
            channel.write(rspFrame);
            return !rspFrame.hasRemaining();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void closeQuietly(final java.io.Closeable channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing to do
            }
        }
    }

    /** A connection slot and its hand-off state between the control thread and its group's thread. */
    private TcpShmConnection[] newConnections(final int count)
    {
        final TcpShmConnection[] connections = new TcpShmConnection[count];
        for (int i = 0; i < count; i++)
        {
            connections[i] = new TcpShmConnection(config, serverName, ptcpDir, true);
        }
        return connections;
    }

    private static final class Slot
    {
        final TcpShmConnection conn;
        /** This slot's index in its group's hand-off. */
        final int index;
        /** Control thread only. */
        int state = FREE;
        /** Control thread only: the hand-off version that removed this slot from its group. */
        int drainVersion;

        Slot(final TcpShmConnection conn, final int index)
        {
            this.conn = conn;
            this.index = index;
        }
    }

    /** A group of slots, handed between the control thread and the group's thread by {@link GroupHandoff}. */
    private static final class Group
    {
        final boolean shm;
        final Slot[] slots;
        final GroupHandoff<TcpShmConnection> handoff;

        Group(final boolean shm, final TcpShmConnection[] connections)
        {
            this.shm = shm;
            this.slots = new Slot[connections.length];
            for (int i = 0; i < slots.length; i++)
            {
                slots[i] = new Slot(connections[i], i);
            }
            this.handoff = new GroupHandoff<>(connections);
        }
    }

    /** An accepted socket that has not sent its whole login yet. */
    private static final class PendingLogin
    {
        final ByteBuffer frame;
        SocketChannel channel;
        long acceptTime;

        PendingLogin(final ByteBuffer frame)
        {
            this.frame = frame;
        }
    }
}
