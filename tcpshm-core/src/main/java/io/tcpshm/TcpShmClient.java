package io.tcpshm;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.Closeables;
import io.tcpshm.internal.Closing;
import io.tcpshm.internal.FlightEvents;
import io.tcpshm.internal.LoginCodec;
import io.tcpshm.internal.MappedRegion;
import io.tcpshm.internal.Names;
import io.tcpshm.internal.OwnerLock;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The client side of tcpshm: one persistent connection, named by this client's name and the
 * server's name, over TCP or shared memory.
 *
 * <pre>{@code
 * TcpShmClient client = new TcpShmClient("cli", Path.of("/var/lib/app"), TcpShmConfig.defaults(), handler);
 * if (client.connect(false, "127.0.0.1", 12345, null)) {
 *     MsgHeader h = client.connection().alloc(8);
 *     h.msgType(1).buffer().putLong(h.payloadOffset(), 42L);
 *     client.connection().push();
 * }
 * while (running) client.pollTcp(nowSeconds());   // callbacks: handler.onServerMsg(...)
 * client.stop();
 * }</pre>
 *
 * <p>No thread is created, no clock is read (except the bounded wait inside {@link #connect}),
 * nothing is logged: the user polls and passes timestamps. Threads: {@code connect},
 * {@code pollTcp} and {@code stop} on one thread; in SHM mode {@code pollShm} may run on a second
 * thread, which then owns {@code alloc/push/front/pop}. Stop the polling threads before {@link #stop()}.
 * An SHM {@code connect} waits until that second thread has returned from {@code pollShm} once (its
 * callbacks of the previous session are over), at most {@code loginTimeoutMillis}: keep it polling.
 */
public final class TcpShmClient
{
    private final String clientName;
    private final Path ptcpDir;
    private final TcpShmConfig config;
    private final ClientHandler handler;
    private final ClientLogin login;
    /** Held from construction to {@link #stop()}: this name is in use in this directory. */
    private final OwnerLock ownerLock;
    private final MappedRegion lastServer;
    private final MappedRegion counters;
    /** The connection's MXBean when {@link TcpShmConfig#registerMXBeans()} is set, else null. */
    private final ConnectionMXBeans mxBeans;
    private final TcpShmConnection connection;
    private int shmLinkCountdown;
    private long lastLinkPoll;
    /** Written by the TCP thread after an SHM session is set up; read by {@link #pollShm()} (see there). */
    private volatile boolean shmReady;
    private boolean stopped;

    /**
     * Creates a client and opens (creating if needed) its ptcp directory, its owner lock {@code <clientName>.lock}
     * (a second client with the same name and directory fails here) and its last-server file.
     *
     * @param clientName this client's name: 1 to {@code nameSize - 1} UTF-8 bytes, no '/' or control
     *     character, not . or .. (docs/PROTOCOL.md, "Names").
     * @param ptcpDir directory of the PTCP queue and last-server files.
     * @param config settings, matching the server's.
     * @param handler the callbacks.
     * @throws IllegalArgumentException for an invalid name.
     * @throws IOException when the directory or the last-server file cannot be opened or is in use.
     */
    public TcpShmClient(final String clientName, final Path ptcpDir, final TcpShmConfig config,
        final ClientHandler handler) throws IOException
    {
        this.config = Objects.requireNonNull(config, "config");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.ptcpDir = Objects.requireNonNull(ptcpDir, "ptcpDir");
        Names.requireValidLocal("clientName", clientName, config.nameSize());
        this.clientName = clientName;
        PublishedCounters.createDirectory(ptcpDir, config.shareFilesWithGroup());
        this.ownerLock = OwnerLock.acquire(ptcpDir, clientName, config.shareFilesWithGroup());
        MappedRegion last = null;
        try
        {
            // covered by the owner lock: no lock and no descriptor of its own
            last = MappedRegion.openOwned(Names.lastServerFile(ptcpDir, clientName), config.nameSize(),
                config.shareFilesWithGroup(), 0, 0);
            this.lastServer = last;
            this.connection = new TcpShmConnection(config, clientName, ptcpDir);
            this.counters = config.publishCounters() ?
                PublishedCounters.open(ptcpDir, clientName, config, new TcpShmConnection[] {connection}) : null;
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            // nothing may stay mapped or locked: a later client of this name in this JVM would find it "in use"
            if (last != null)
            {
                last.close();
            }
            ownerLock.close();
            throw ex;
        }
        this.mxBeans = config.registerMXBeans() ? ConnectionMXBeans.register(FlightEvents.CLIENT, clientName,
            new String[] {"0"}, new TcpShmConnection[] {connection}, handler::onSystemError) : null;
        this.login = new ClientLogin(clientName, config, handler);
    }

    /** @return this client's name. */
    public String clientName()
    {
        return clientName;
    }

    /** @return the connection (the same object for the client's whole life). */
    public TcpShmConnection connection()
    {
        return connection;
    }

    /**
     * @return the server name remembered from the last successful login, or "".
     * @throws IllegalStateException after {@link #stop()} (its file is no longer mapped).
     */
    public String lastServerName()
    {
        if (stopped)
        {
            throw new IllegalStateException("client " + clientName + " is stopped");
        }
        final String name = LoginCodec.readCString(lastServer.buffer(), 0, config.nameSize());
        return name == null ? "" : name;
    }

    /**
     * Connects and logs in, blocking for at most about {@code 2 * loginTimeoutMillis}. Failures are
     * reported through the handler ({@code onSystemError}, {@code onLoginReject},
     * {@code onSeqNumberMismatch}), never thrown; only a programmer's error (a stopped client, user data
     * too long) throws.
     *
     * @param useShm carry messages over shared memory (the TCP link then carries heartbeats only).
     * @param host server host.
     * @param port server port.
     * @param loginUserData user data for the server's {@code onNewConnection} (at most
     *     {@code loginUserDataSize} bytes; the rest is zero), or null.
     * @throws IllegalArgumentException when {@code loginUserData} is longer than {@code loginUserDataSize}.
     * @return true when logged on.
     */
    public boolean connect(final boolean useShm, final String host, final int port, final byte[] loginUserData)
    {
        if (stopped)
        {
            throw new IllegalStateException("client " + clientName + " is stopped");
        }
        connection.pollers().note(false);
        if (loginUserData != null && loginUserData.length > config.loginUserDataSize())
        {
            // cutting it would send another credential than the one given
            throw new IllegalArgumentException("loginUserData of " + loginUserData.length +
                " bytes is longer than loginUserDataSize (" + config.loginUserDataSize() + ")");
        }
        if (connection.session().isOpen())
        {
            if (connection.closingRequest() == null)
            {
                handler.onSystemError("Already connected", null);
                return false;
            }
            // the session failed (e.g. a push hit a broken socket) and no pollTcp has ended it yet: end it
            // here as pollTcp would (same thread), so reconnecting right away works
            endRequestedSession();
        }
        shmReady = false; // already false without a session; the wait below relies on it (see there)
        if (useShm && !connection.pollers().awaitShmQuiet(config.loginTimeoutMillis() * 1_000_000L))
        {
            // a callback of an earlier session may still pop or push on its rings, and the server zeroes rings at a
            // login that starts a new connection: logging in now could let that callback write into the new rings
            handler.onSystemError("SHM poller busy: pollShm has not returned for " + config.loginTimeoutMillis() +
                " ms, so a callback of the previous SHM session may still use its rings; an SHM login waits for it", null);
            return false;
        }
        final String remembered = LoginCodec.readCString(lastServer.buffer(), 0, config.nameSize());
        if (remembered == null || !remembered.isEmpty() && Names.problem(remembered, config.nameSize()) != null)
        {
            // trusting it would start a new persistent connection and silently drop the old one's queue
            fileError(null, "Last-server file " + lastServer.path() + " is corrupt (" + (remembered == null ?
                "no NUL in its " + config.nameSize() + " bytes, or not UTF-8" : "'" + remembered + "' is not a valid name") +
                "): restore it, or reset the connection (tcpshm reset)", null);
            return false;
        }
        if (!remembered.isEmpty() && !connection.files().hasFilesFor(remembered, useShm))
        {
            if (!openFiles(remembered, useShm))
            {
                return false;
            }
        }
        if (!remembered.isEmpty())
        {
            final String problem;
            try
            {
                problem = connection.files().sanityCheck();
            }
            catch (final InternalError fault)
            {
                return accessFaultAtLogin(fault, null);
            }
            if (problem != null)
            {
                fileError(remembered, problem, null);
                return false;
            }
        }
        final int myAck = remembered.isEmpty() ? 0 : connection.files().localAck();
        final int seqStart = remembered.isEmpty() ? 0 : connection.files().localSeqStart();
        final int seqEnd = remembered.isEmpty() ? 0 : connection.files().localSeqEnd();

        final SocketChannel socket = login.exchange(host, port, useShm, loginUserData, myAck, seqStart, seqEnd,
            remembered);
        if (socket == null)
        {
            return false;
        }
        try
        {
            return handleResponse(socket, useShm, remembered, myAck, seqStart, seqEnd, host + ":" + port);
        }
        catch (final InternalError fault)
        {
            return accessFaultAtLogin(fault, socket);
        }
    }

    /** A store to a mapped file faulted during a login (its file system is full): report it, leave nothing open. */
    private boolean accessFaultAtLogin(final InternalError fault, final SocketChannel socket)
    {
        if (!TcpShmConnection.isAccessFault(fault))
        {
            throw fault;
        }
        if (connection.session().isOpen())
        {
            connection.requestClose(DisconnectReason.LOGIN_FAILED, "login failed", null);
            connection.session().finish(); // closes the socket the session took
        }
        Closeables.closeQuietly(socket);
        shmReady = false;
        fileError(connection.remoteName(), "Memory access fault on a file of " + clientName + " (file system full?): " +
            fault.getMessage(), new java.io.IOException(fault));
        return false;
    }

    private boolean handleResponse(final SocketChannel socket, final boolean useShm, final String remembered,
        final int myAck, final int seqStart, final int seqEnd, final String address)
    {
        final String serverName = login.accepted(socket, myAck, seqStart, seqEnd);
        if (serverName == null)
        {
            return false;
        }
        int localAck = myAck;
        int localStart = seqStart;
        int localEnd = seqEnd;
        if (!serverName.equals(remembered))
        {
            // a new persistent connection: files named after the new server, zeroed
            if (!connection.files().hasFilesFor(serverName, useShm) && !openFiles(serverName, useShm))
            {
                Closeables.closeQuietly(socket);
                return false;
            }
            if (!useShm)
            {
                // SHM rings were zeroed by the server before it answered; zeroing them again here could wipe
                // a message it has pushed since (docs/PROTOCOL.md, "C++ peers and a name change in SHM mode")
                connection.files().reset();
            }
            LoginCodec.putName(lastServer.buffer(), 0, serverName, config.nameSize());
            localAck = 0;
            localStart = 0;
            localEnd = 0;
        }
        final int serverAck = login.serverAck();
        if (!useShm && !Bits.inRange(serverAck, localStart, localEnd))
        {
            login.mismatch(socket, serverName, localAck, localStart, localEnd);
            return false;
        }
        final long now = handler.onLoginSuccess(login.response());
        shmLinkCountdown = 0;
        lastLinkPoll = now;
        connection.openSession(socket, useShm, serverAck, now, address);
        FlightEvents.login(FlightEvents.CLIENT, clientName, serverName, useShm, address);
        if (useShm)
        {
            shmReady = true;
        }
        return true;
    }

    private boolean openFiles(final String serverName, final boolean useShm)
    {
        final IOException error = connection.files().open(serverName, useShm, true);
        if (error != null)
        {
            fileError(serverName, error.getMessage(), error);
            return false;
        }
        return true;
    }

    /**
     * Polls the TCP side: in TCP mode reads and delivers messages ({@code onServerMsg}), sends
     * heartbeats and prompt acks, and detects timeouts; in SHM mode keeps the heartbeat link (its
     * system calls happen on one call out of {@code controlSocketPollPeriod}, and at least every half
     * heartbeat interval of user time). Reports the end of a
     * session through {@code onDisconnected}.
     *
     * @param now the current time in the units of the configured timeouts.
     * @return the work done: a message delivered, socket reads and writes that moved bytes, a session
     *     ended; 0 when there was nothing to do (an idle strategy may back off).
     */
    public int pollTcp(final long now)
    {
        final TcpShmConnection conn = connection;
        conn.pollers().note(false);
        if (!conn.session().isOpen())
        {
            conn.files().forceIfDue(now); // pushes made while logged off are made durable too
            return 0;
        }
        final int io = conn.session().ioCount();
        int work = 0;
        if (conn.session().isShm())
        {
            if (--shmLinkCountdown <= 0 || now - lastLinkPoll >= Math.max(1, config.heartbeatInterval() / 2))
            {
                shmLinkCountdown = config.controlSocketPollPeriod();
                lastLinkPoll = now;
                try
                {
                    conn.session().pollShmLink(now); // reads the ring mark and indices: a mapping
                }
                catch (final InternalError fault)
                {
                    conn.accessFault(fault);
                }
            }
        }
        else
        {
            try
            {
                final MsgHeader header = conn.pollTcpSession(now);
                if (header != null)
                {
                    work++;
                    handler.onServerMsg(header);
                }
            }
            catch (final InternalError fault)
            {
                conn.accessFault(fault);
            }
        }
        if (conn.session().ioCount() != io)
        {
            work++;
        }
        if (conn.closingRequest() != null)
        {
            endRequestedSession();
            work++;
        }
        return work;
    }

    /** Ends a session whose close was requested (by a poll, a push or the user) and reports it. TCP thread. */
    private void endRequestedSession()
    {
        shmReady = false;
        final String server = connection.remoteName();
        final Closing closing = connection.session().finish();
        FlightEvents.disconnect(FlightEvents.CLIENT, clientName, server, closing.reason.name(), closing.detail);
        handler.onDisconnected(closing.reason, closing.detail, closing.cause);
    }

    /** A file the client cannot use: reported to the handler as a system error, and to the flight recorder. */
    private void fileError(final String serverName, final String message, final Exception cause)
    {
        FlightEvents.fileError(FlightEvents.CLIENT, clientName, serverName, message);
        handler.onSystemError(message, cause);
    }

    /**
     * Polls the incoming SHM ring and delivers one message to {@code onServerMsg}. Touches shared
     * memory only: no system call, no allocation (except that the first call after a {@code connect}
     * that replaced the rings, e.g. for a server of another name, unmaps the old ones, which this
     * thread may have been reading until then).
     *
     * <p>Ordering: the rings are set up by {@code connect} before it writes the volatile
     * {@code shmReady}; this method reads that flag first, so it sees the set-up rings
     * (happens-before through the volatile write/read pair).
     *
     * @return 1 when a message was delivered, else 0 (an idle strategy may back off).
     */
    public int pollShm()
    {
        connection.pollers().note(true);
        // rings of an earlier session that this thread may have been reading until now: done with them
        connection.files().releaseRetiredIfAny();
        if (!shmReady)
        {
            // a connect may be waiting until this thread's callbacks of the ended session are over: they are, and
            // this poll reads no ring (see PollerThreads.awaitShmQuiet for the order)
            connection.pollers().acknowledgeShmQuiet();
            return 0;
        }
        try
        {
            final MsgHeader header = connection.frontShm();
            if (header != null)
            {
                handler.onServerMsg(header);
                return 1;
            }
        }
        catch (final InternalError fault)
        {
            connection.accessFault(fault); // the TCP thread's next pollTcp ends the session and reports it
        }
        return 0;
    }

    /**
     * Closes the connection (without a callback), unmaps every file and releases the locks. Call
     * it after the threads polling this client have stopped. Idempotent.
     */
    public void stop()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        shmReady = false;
        if (connection.session().isOpen())
        {
            connection.requestClose(DisconnectReason.STOPPED, "Client stopped", null);
            connection.session().finish();
        }
        connection.markStopped();
        connection.files().release(false);
        connection.files().releaseRetired();
        connection.files().releaseShmOwner();
        PublishedCounters.close(counters, new TcpShmConnection[] {connection});
        if (mxBeans != null)
        {
            mxBeans.unregister();
        }
        lastServer.close();
        ownerLock.close();
    }
}
