package io.tcpshm;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.Closeables;
import io.tcpshm.internal.Closing;
import io.tcpshm.internal.FlightEvents;
import io.tcpshm.internal.FrameHeader;
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

/**
 * The server's logins, on the control thread: accepting sockets (at most {@code maxNewConnections}
 * waiting for their login), reading login frames without blocking, and answering them (docs/PROTOCOL.md,
 * "Server side of a login"): the slot of the client's files, reset or resume, the sequence check, the
 * response, and the hand-over of the logged-on connection to its group.
 */
final class ServerLogins
{
    private final String serverName;
    private final TcpShmConfig config;
    private final ServerHandler handler;
    private final LoginCodec codec;
    private final ServerGroup[] tcpGroups;
    private final ServerGroup[] shmGroups;
    private final ServerGroup[] allGroups;
    private final PendingLogin[] pending;
    private final ByteBuffer rspFrame;
    private final LoginResponse rspView;
    private ServerSocketChannel listener;
    /** Readiness of the listener: {@code accept()} allocates even when nothing is pending, {@code selectNow()} does not. */
    private Selector acceptSelector;
    /** Accepts failed in a row; only the first of a run is reported. */
    private int acceptFailures;

    ServerLogins(final String serverName, final TcpShmConfig config, final ServerHandler handler,
        final ServerGroup[] tcpGroups, final ServerGroup[] shmGroups, final ServerGroup[] allGroups)
    {
        this.serverName = serverName;
        this.config = config;
        this.handler = handler;
        this.codec = new LoginCodec(config);
        this.tcpGroups = tcpGroups;
        this.shmGroups = shmGroups;
        this.allGroups = allGroups;
        pending = new PendingLogin[config.maxNewConnections()];
        for (int i = 0; i < pending.length; i++)
        {
            pending[i] = new PendingLogin(ByteBuffer.allocateDirect(codec.loginFrameSize()).order(config.byteOrder()));
        }
        rspFrame = ByteBuffer.allocateDirect(codec.rspFrameSize()).order(config.byteOrder());
        rspView = new LoginResponse(codec, rspFrame);
    }

    /**
     * Accepts logins on {@code channel} from now on.
     *
     * @throws IOException when the readiness selector cannot be opened.
     */
    void listen(final ServerSocketChannel channel) throws IOException
    {
        final Selector selector = Selector.open();
        try
        {
            channel.register(selector, SelectionKey.OP_ACCEPT);
        }
        catch (final IOException | RuntimeException ex)
        {
            Closeables.closeQuietly(selector);
            throw ex;
        }
        acceptSelector = selector;
        listener = channel;
    }

    /** Closes the listener and every socket still waiting for its login. */
    void close()
    {
        Closeables.closeQuietly(listener);
        Closeables.closeQuietly(acceptSelector);
        listener = null;
        acceptSelector = null;
        for (final PendingLogin p : pending)
        {
            Closeables.closeQuietly(p.channel);
            p.channel = null;
        }
    }

    /**
     * One round of socket work: accept one connection, read every pending login, answer the complete ones.
     *
     * @return the work done (connections accepted, login frames read or answered, sockets dropped).
     */
    int poll(final long now)
    {
        int work = accept(now);
        for (final PendingLogin p : pending)
        {
            if (p.channel != null)
            {
                work += pollPending(p, now);
            }
        }
        return work;
    }

    /** Accepts the connections waiting in the backlog, as many as there are free pending-login places. */
    private int accept(final long now)
    {
        int accepted = 0;
        try
        {
            if (acceptSelector.selectNow() == 0)
            {
                return 0;
            }
            acceptSelector.selectedKeys().clear();
        }
        catch (final IOException ex)
        {
            handler.onSystemError("Accept failed: " + ex, ex);
            return 1;
        }
        for (final PendingLogin free : pending)
        {
            if (free.channel != null)
            {
                continue;
            }
            SocketChannel channel = null;
            try
            {
                channel = listener.accept();
                if (channel == null)
                {
                    return accepted;
                }
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
                free.channel = channel;
                free.acceptTime = now;
                free.frame.clear();
                accepted++;
                acceptFailures = 0;
            }
            catch (final IOException ex)
            {
                Closeables.closeQuietly(channel);
                acceptFailed(ex);
                return accepted + 1;
            }
        }
        return accepted; // further connections wait in the listen backlog, as in the C++ server
    }

    /**
     * Reports a failed accept once per run of failures: the connection stays in the backlog and readiness reports
     * it again at every socket round, so without this a server out of descriptors would report it thousands of
     * times a second. The connections already logged on are served as before.
     */
    private void acceptFailed(final IOException ex)
    {
        if (acceptFailures++ > 0)
        {
            return;
        }
        final String message = ex.getMessage();
        if (message != null && message.contains("Too many open files"))
        {
            handler.onSystemError("Cannot accept a connection: the process has no file descriptor left (" + message +
                "); the connections already logged on are served, new ones wait in the listen backlog. Each TCP " +
                "connection takes a socket and each SHM connection a socket: raise the limit (ulimit -n) above the " +
                "connections the server is configured for", ex);
        }
        else
        {
            handler.onSystemError("Accept failed: " + ex, ex);
        }
    }

    private int pollPending(final PendingLogin p, final long now)
    {
        final ByteBuffer frame = p.frame;
        final int n;
        try
        {
            n = p.channel.read(frame);
            if (n < 0)
            {
                dropPending(p);
                return 1;
            }
        }
        catch (final IOException ex)
        {
            dropPending(p);
            return 1;
        }
        if (frame.position() >= Bits.HEADER_LENGTH &&
            (FrameHeader.size(frame, 0) != codec.loginMsgSize() || FrameHeader.msgType(frame, 0) != LoginCodec.LOGIN_TYPE))
        {
            dropPending(p); // not a login of this configuration: closed without a response, as in C++
            return 1;
        }
        if (frame.hasRemaining())
        {
            if (now - p.acceptTime > config.newConnectionTimeout())
            {
                dropPending(p);
                return 1;
            }
            return n > 0 ? 1 : 0;
        }
        final SocketChannel channel = p.channel;
        p.channel = null;
        handleLogin(channel, frame, now);
        return 1;
    }

    private void dropPending(final PendingLogin p)
    {
        Closeables.closeQuietly(p.channel);
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
            reject(channel, null, "Invalid client name");
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
            reject(channel, clientName, "Login Reject");
            handler.onSystemError("onNewConnection threw for client '" + clientName + "': " + ex, ex);
            return;
        }
        final ServerGroup[] groups = useShm ? shmGroups : tcpGroups;
        if (groupId < 0)
        {
            final String msg = rspView.errorMessageSet();
            reject(channel, clientName, msg == null || msg.isEmpty() ? "Login Reject" : msg);
            return;
        }
        if (groupId >= groups.length)
        {
            handler.onSystemError("onNewConnection returned " + (useShm ? "SHM" : "TCP") + " group " + groupId +
                " but there are " + groups.length, null);
            reject(channel, clientName, "Login Reject");
            return;
        }
        final ServerGroup.Slot slot = findSlot(groups[groupId], clientName);
        if (slot == null)
        {
            reject(channel, clientName, "Max client cnt exceeded");
            return;
        }
        if (slot.state != ServerGroup.FREE)
        {
            reject(channel, clientName, "Already logged on");
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
            if (conn.session().isOpen())
            {
                conn.requestClose(DisconnectReason.LOGIN_FAILED, "login failed", null);
                conn.session().finish();
            }
            fileError(conn, clientName, "Memory access fault on a file of " + clientName + ": " + fault.getMessage() +
                " (file system full?)", new IOException(fault));
            reject(channel, clientName, "System error");
        }
    }

    /** The login's steps with the slot's files: open, reset or check, sequence check, response, session. */
    private void logIn(final ServerGroup.Slot slot, final ServerGroup group, final TcpShmConnection conn,
        final SocketChannel channel, final ByteBuffer frame, final String clientName, final String lastServerName, final boolean useShm,
        final InetSocketAddress address, final long now)
    {
        if (!conn.files().hasFilesFor(clientName, useShm))
        {
            final IOException error = conn.files().open(clientName, useShm, false);
            if (error != null)
            {
                fileError(conn, clientName, error.getMessage(), error);
                reject(channel, clientName, "System error");
                return;
            }
        }
        int clientAck = frame.getInt(LoginCodec.ACK_OFFSET);
        int clientStart = frame.getInt(LoginCodec.SEQ_START_OFFSET);
        int clientEnd = frame.getInt(LoginCodec.SEQ_END_OFFSET);
        if (!serverName.equals(lastServerName))
        {
            conn.files().reset();
            clientAck = 0;
            clientStart = 0;
            clientEnd = 0;
        }
        else
        {
            final String problem = conn.files().sanityCheck();
            if (problem != null)
            {
                // let the files go, so that an operator can look at them and reset them (tcpshm reset takes their
                // locks) while the server goes on; no group thread has this slot (it is not live)
                conn.files().release(false);
                fileError(conn, clientName, problem, null);
                reject(channel, clientName, "System error");
                return;
            }
        }
        final int localAck = conn.files().localAck();
        final int localStart = conn.files().localSeqStart();
        final int localEnd = conn.files().localSeqEnd();
        if (!useShm && (!Bits.inRange(clientAck, localStart, localEnd) || !Bits.inRange(localAck, clientStart, clientEnd)))
        {
            FlightEvents.sequenceMismatch(FlightEvents.SERVER, serverName, clientName, Bits.u32(localAck),
                Bits.u32(localStart), Bits.u32(localEnd), Bits.u32(clientAck), Bits.u32(clientStart), Bits.u32(clientEnd));
            handler.onSeqNumberMismatch(conn, Bits.u32(localAck), Bits.u32(localStart), Bits.u32(localEnd),
                Bits.u32(clientAck), Bits.u32(clientStart), Bits.u32(clientEnd));
            respond(channel, localAck, localStart, localEnd, LoginCodec.STATUS_SEQ_MISMATCH, "");
            Closeables.closeQuietly(channel);
            return;
        }
        if (!respond(channel, localAck, localStart, localEnd, LoginCodec.STATUS_OK, ""))
        {
            Closeables.closeQuietly(channel);
            return;
        }
        final String text = address == null ? null : address.getAddress().getHostAddress() + ":" + address.getPort();
        conn.openSession(channel, useShm, clientAck, now, text);
        FlightEvents.login(FlightEvents.SERVER, serverName, clientName, useShm, text);
        try
        {
            handler.onClientLogon(address, conn);
        }
        catch (final RuntimeException ex)
        {
            // no group thread has seen the connection yet: close it here, and the slot is free for the next login
            conn.requestClose(DisconnectReason.CALLBACK_ERROR, "onClientLogon threw: " + ex, ex);
            final Closing closing = conn.session().finish();
            FlightEvents.disconnect(FlightEvents.SERVER, serverName, clientName, closing.reason.name(), closing.detail);
            handler.onClientDisconnected(conn, closing.reason, closing.detail, closing.cause);
            return;
        }
        // publication: everything above happens-before the group's poll sees the new version
        slot.state = ServerGroup.LIVE;
        group.handoff.join(slot.index);
    }

    /**
     * Finds the slot for {@code clientName} in {@code group}: the one already holding this
     * client's files, else an empty one, else any free one. A slot of another group that holds
     * this client's files is released first (so no file is ever mapped and locked twice), unless
     * it is live, in which case that slot is returned so the login is refused as a duplicate.
     */
    private ServerGroup.Slot findSlot(final ServerGroup group, final String clientName)
    {
        for (final ServerGroup other : allGroups)
        {
            for (final ServerGroup.Slot s : other.slots)
            {
                if (clientName.equals(s.conn.files().remoteName()))
                {
                    if (s.state != ServerGroup.FREE || other == group)
                    {
                        return s;
                    }
                    s.conn.files().release(false);
                }
            }
        }
        ServerGroup.Slot anyFree = null;
        for (final ServerGroup.Slot s : group.slots)
        {
            if (s.state == ServerGroup.FREE)
            {
                if (s.conn.files().remoteName() == null)
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
            anyFree.conn.files().release(false);
        }
        return anyFree;
    }

    private void reject(final SocketChannel channel, final String clientName, final String message)
    {
        respond(channel, 0, 0, 0, LoginCodec.STATUS_ERROR, message);
        Closeables.closeQuietly(channel);
        FlightEvents.loginReject(FlightEvents.SERVER, serverName, clientName, LoginCodec.STATUS_ERROR, message);
    }

    /** Reports a file error of a client's connection to the handler and to the flight recorder. */
    private void fileError(final TcpShmConnection conn, final String clientName, final String message,
        final Exception cause)
    {
        FlightEvents.fileError(FlightEvents.SERVER, serverName, clientName, message);
        handler.onClientFileError(conn, message, cause);
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
