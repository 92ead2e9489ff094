package io.tcpshm;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.CloseRequest;
import io.tcpshm.internal.CloseSignal;
import io.tcpshm.internal.Closing;
import io.tcpshm.internal.ConnectionFiles;
import io.tcpshm.files.CountersDescriptor;
import io.tcpshm.internal.CountersWriter;
import io.tcpshm.internal.PollerThreads;
import io.tcpshm.internal.ShmOwnerLock;
import io.tcpshm.internal.ShmRing;
import io.tcpshm.internal.ShmTransport;
import io.tcpshm.internal.TcpSession;
import io.tcpshm.internal.TcpTransport;
import io.tcpshm.internal.Transport;
import io.tcpshm.internal.TransportHolder;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One persistent connection between a client name and a server name: its send queue (a
 * memory-mapped PTCP file on TCP, or the outgoing SHM ring), its receive side (the TCP receive
 * buffer, or the incoming SHM ring) and, while logged on, its TCP socket.
 *
 * <p>Sending: {@link #alloc(int)} returns a {@link MsgHeader} over free space in the queue; write
 * the type and payload in place, then {@link #push()} (TCP: also writes to the socket) or
 * {@link #pushMore()} (TCP: written by the next {@code push} or poll, for batching). Receiving:
 * messages arrive through the client's or server's callbacks; {@link #front()} returns the
 * current one again and {@link #pop()} consumes it. On TCP the consumed count is the ack carried
 * to the peer; pop before pushing a reply, so the reply carries the ack.
 *
 * <p>A connection object lives as long as its client or server; pushes made while it is logged
 * off stay in the persistent queue and are delivered after the next login.
 *
 * <p>Threads: every method except {@link #close()}, {@link #isClosed()} and the accessors must be
 * called from the thread that polls the connection: on a server, the thread calling
 * {@code pollTcp(now, group)} or {@code pollShm(group)} for its group while it is logged on (and
 * the {@code pollCtl} thread while it is not); on a client, the thread of {@code pollTcp} for TCP
 * and of {@code pollShm} for SHM. {@link #close()} may be called from any thread.
 *
 * <p>Inside, the work is split as the C++ original splits it: this class is the user API; the files
 * and their lifecycle are {@code ConnectionFiles}; the TCP session (framing, acks, heartbeats,
 * timeouts) is {@code TcpSession}; and the login chooses one of two transports, the PTCP queue with
 * the session or the SHM rings, which the calls here use without asking which it is
 * (docs/ARCHITECTURE.md).
 */
public final class TcpShmConnection
{
    private final String localName;
    private final MsgHeader sendHeader = new MsgHeader();
    private final MsgHeader recvHeader = new MsgHeader();
    private final CountersWriter counters = new CountersWriter();
    private final ConnectionStats stats = new ConnectionStats(counters);
    private final CloseRequest close;
    private final PollerThreads pollers = new PollerThreads();
    private final TcpSession session;
    private final ConnectionFiles files;
    /**
     * The transport over the open files, or null: published and withdrawn by {@link ConnectionFiles} (which
     * owns the ordering around it), read once per call from here.
     */
    private volatile Transport transport;
    private Object userData;
    /** Set by the owner's {@code stop}: every file is unmapped, and an alloc is a programmer error. */
    private volatile boolean stopped;
    /** Size field of the message allocated last, for the counters (reading it back from the mapping costs more). */
    private int allocSize;

    TcpShmConnection(final TcpShmConfig config, final String localName, final Path ptcpDir)
    {
        this(config, localName, ptcpDir, null, new ShmOwnerLock(config.shmDir(), localName, config.shareFilesWithGroup()));
    }

    /**
     * @param closeSignal raised by each close request of this connection (a server's), or null.
     * @param shmOwner the owner lock of this side's name in the SHM directory (a server's slots share one).
     */
    TcpShmConnection(final TcpShmConfig config, final String localName, final Path ptcpDir, final CloseSignal closeSignal,
        final ShmOwnerLock shmOwner)
    {
        this.close = new CloseRequest(closeSignal);
        this.localName = localName;
        this.session = new TcpSession(config, counters, close);
        this.files = new ConnectionFiles(config, localName, ptcpDir, close, session, pollers, new TransportHolder()
        {
            @Override
            public Transport transport()
            {
                return transport;
            }

            @Override
            public void transport(final Transport published)
            {
                transport = published;
            }
        }, shmOwner);
    }

    // =====================================================================================
    // user API
    // =====================================================================================

    /**
     * Reserves room for a message in the send queue.
     *
     * <p>One rule: null means "not now, retry later", an exception means a programmer error. Null comes
     * when the queue has no room now (poll, so that acks or the SHM consumer free some) and when the
     * connection has no queue yet (a client that has never logged on to a server: its files open at
     * the first login, or at construction when it remembers its last server). A second {@code alloc}
     * before {@code push} replaces the first.
     *
     * @param payloadLength payload bytes.
     * @return a view of the new message (write its type and payload, then push), or null when the
     *     message cannot be allocated now.
     * @throws IllegalArgumentException when no queue of this configuration could ever hold it.
     * @throws IllegalStateException when the client or server that owns the connection was stopped.
     */
    public MsgHeader alloc(final int payloadLength)
    {
        final Transport t = transport;
        if (t == null)
        {
            if (stopped)
            {
                throw new IllegalStateException("connection " + localName + " belongs to a stopped client or server");
            }
            if (payloadLength < 0 || payloadLength > Bits.MAX_MSG_SIZE - Bits.HEADER_LENGTH)
            {
                // the limit every transport shares; the smaller ones of the queues are checked once there is one
                throw new IllegalArgumentException("payload of " + payloadLength + " bytes can never be sent: the " +
                    "limit is " + (Bits.MAX_MSG_SIZE - Bits.HEADER_LENGTH) +
                    " bytes (a 16-bit size field, header included)");
            }
            return null;
        }
        t.checkPayloadLength(payloadLength);
        final int offset = t.alloc(payloadLength);
        if (offset < 0)
        {
            counters.add(CountersDescriptor.ALLOCS_REFUSED, 1);
            return null;
        }
        allocSize = payloadLength + Bits.HEADER_LENGTH;
        sendHeader.wrap(t.sendHeaders(), t.sendPayloads(), offset);
        return sendHeader;
    }

    /**
     * Makes the allocated message part of the queue and, on TCP while logged on, writes all unsent
     * queued bytes to the socket (one write).
     *
     * @throws IllegalStateException when nothing was allocated or the type was left 0.
     */
    public void push()
    {
        push(true);
    }

    /**
     * Makes the allocated message part of the queue without writing to the socket; the next
     * {@link #push()} or poll writes it together with others (batching on TCP; on SHM it is the same
     * as {@code push}).
     *
     * @throws IllegalStateException when nothing was allocated or the type was left 0.
     */
    public void pushMore()
    {
        push(false);
    }

    private void push(final boolean write)
    {
        final Transport t = transport;
        if (t != null && t.hasAllocated())
        {
            requireType();
            // count after the publication, not before: stores ahead of the release store of an SHM writeIdx can
            // delay the moment the peer sees the message
            t.push(write);
            counters.sent(allocSize);
            return;
        }
        // the SHM poller finishing a callback begun before a switch of rings pushes on the ring it allocated in
        final ShmRing ring = files.retiredRing(true);
        requireType();
        if (ring.pushUnlessMoved())
        {
            counters.sent(allocSize);
        }
    }

    private void requireType()
    {
        if (sendHeader.msgType() == 0)
        {
            throw new IllegalStateException("msgType is 0: set it with MsgHeader.msgType(int) before push " +
                "(0 is reserved for heartbeats)");
        }
    }

    /**
     * @return the oldest received message not yet popped, or null; performs no I/O (the polls do).
     */
    public MsgHeader front()
    {
        final Transport t = transport;
        return t == null ? null : wrapFront(t, t.front());
    }

    private MsgHeader wrapFront(final Transport t, final int offset)
    {
        if (offset < 0)
        {
            return null;
        }
        recvHeader.wrap(t.receiveHeaders(), t.receivePayloads(), offset);
        return recvHeader;
    }

    /**
     * Consumes the message returned by the last {@link #front()} or callback. On TCP this advances
     * {@code myAck}, persisted in the PTCP file, which the peer learns from the next header sent.
     *
     * @throws IllegalStateException when there is no current message.
     */
    public void pop()
    {
        final Transport t = transport;
        // SHM: the release of readIdx first, then the count (in an echo server that pops and then pushes, the count
        // still precedes the reply's release)
        final int size = t == null ? 0 : t.pop();
        if (size != 0)
        {
            counters.received(size);
            return;
        }
        // the SHM poller finishing a callback begun before a switch of rings pops the ring it fronted from
        final ShmRing ring = files.retiredRing(false);
        final int retiredSize = ring.frontSize();
        if (ring.popUnlessMoved())
        {
            counters.received(retiredSize);
        }
    }

    /**
     * Asks for the connection to be closed; the client's or server's poll completes the close
     * and reports it through {@code onDisconnected} / {@code onClientDisconnected}. Safe from any
     * thread; the first reason given in a session wins.
     */
    public void close()
    {
        close.request(DisconnectReason.USER_CLOSE, null, null);
    }

    /** @return true when the connection is not logged on (never was, closed, or closing). */
    public boolean isClosed()
    {
        return !session.isLoggedOn() || close.isRequested();
    }

    /**
     * @return why the current or last session ended, as one line (e.g. "Timeout", "Remote close:
     *     Connection reset", "Closed by user"; {@link DisconnectReason#describe}), or null if none has.
     */
    public String closeReason()
    {
        final Closing c = close.latest();
        return c == null ? null : c.text();
    }

    /** @return why the current or last session ended, or null if none has. */
    public DisconnectReason disconnectReason()
    {
        final Closing c = close.latest();
        return c == null ? null : c.reason;
    }

    /** @return the exception behind {@link #closeReason()}, or null. */
    public Exception closeCause()
    {
        final Closing c = close.latest();
        return c == null ? null : c.cause;
    }

    /** @return this side's name. */
    public String localName()
    {
        return localName;
    }

    /** @return the peer's name, or null before the first login. */
    public String remoteName()
    {
        return files.remoteName();
    }

    /** @return the peer's socket address as text while logged on (or of the last session), else null. */
    public String remoteAddress()
    {
        return session.remoteAddress();
    }

    /** @return the PTCP queue file when this is a TCP connection with open files, else null. */
    public Path ptcpFile()
    {
        final TcpTransport tcp = files.tcp();
        return tcp == null ? null : tcp.region().path();
    }

    /** @return true when the connection's files are SHM rings (false: a PTCP queue). */
    public boolean isShm()
    {
        return files.shm() != null;
    }

    /** @return the user's object attached to this connection, or null. */
    public Object userData()
    {
        return userData;
    }

    /**
     * @param userData any object to keep with this connection (e.g. a session); not used by the library.
     */
    public void userData(final Object userData)
    {
        this.userData = userData;
    }

    /** @return this connection's live counters (the same object for the connection's whole life). */
    public ConnectionStats stats()
    {
        return stats;
    }

    /** @return the number of the next peer message expected (the ack this side sends), TCP only. */
    public long myAck()
    {
        return Bits.u32(files.localAck());
    }

    /**
     * Where this side's send queue stands. It advances at every push and is kept in the queue's file, so after a
     * crash an application can tell whether a push it had begun took place: record it after {@code alloc}, just
     * before {@code push}, and compare after the restart (the echo server does so to reply exactly once).
     *
     * @return TCP: the number of the next message to push (messages ever pushed, u32); SHM: the send ring's write
     *     index in blocks (u32; an {@code alloc} that wraps the ring may advance it too); -1 when the connection has
     *     no queue yet. From the thread that pushes.
     */
    public long sendPosition()
    {
        final Transport t = transport;
        return t == null ? -1 : t.sendPosition();
    }

    /**
     * Where this side's receive side stands. It advances at every pop and is kept in a file, so that after a crash
     * an application can tell whether a pop it had begun took place. The message returned by {@code front} or
     * passed to the callback is the same one for as long as this value does not change.
     *
     * @return TCP: {@link #myAck()}; SHM: the receive ring's read index in blocks (u32; {@code front} may advance
     *     it past a rewind marker); -1 when the connection has no queue yet. From the thread that pops.
     */
    public long receivePosition()
    {
        final Transport t = transport;
        return t == null ? -1 : t.receivePosition();
    }

    /** @return messages pushed and not yet acked by the peer, TCP only. */
    public int queuedCount()
    {
        final TcpTransport tcp = files.tcp();
        return tcp == null ? 0 : tcp.queue().queuedCount();
    }

    @Override
    public String toString()
    {
        return "TcpShmConnection{" + localName + "->" + remoteName() + (isShm() ? ", shm" : ", tcp") +
            (isClosed() ? ", closed" : ", live") + '}';
    }

    // =====================================================================================
    // for the client and the server (package-private)
    // =====================================================================================

    ConnectionFiles files()
    {
        return files;
    }

    CountersWriter counters()
    {
        return counters;
    }

    /** @return the session engine (TCP framing, acks, heartbeats; the SHM heartbeat link). */
    TcpSession session()
    {
        return session;
    }

    /** @return which threads poll this connection (a client's SHM poller may be a second thread). */
    PollerThreads pollers()
    {
        return pollers;
    }

    /** The owner stopped: files are released for good. */
    void markStopped()
    {
        stopped = true;
    }

    /** @see TcpSession#open */
    boolean openSession(final SocketChannel socket, final boolean shm, final int remoteAck, final long now,
        final String address)
    {
        return session.open(socket, shm ? null : files.tcp(), shm ? files.shm() : null, remoteAck, now, address,
            localName, files.remoteName());
    }

    Closing closingRequest()
    {
        return close.current();
    }

    void requestClose(final DisconnectReason reason, final String detail, final Exception cause)
    {
        close.request(reason, detail, cause);
    }

    /** One poll of a TCP session (see {@link TcpSession#poll}): the next message, or null. */
    MsgHeader pollTcpSession(final long now)
    {
        return pollTcpSession(now, true);
    }

    /** One poll of a TCP session that reads its socket only when {@code readable} (see {@link TcpSession#poll(long, boolean)}). */
    MsgHeader pollTcpSession(final long now, final boolean readable)
    {
        final int offset = session.poll(now, readable);
        if (offset < 0)
        {
            return null;
        }
        recvHeader.wrap(session.receiveBuffer(), session.receiveBuffer(), offset);
        return recvHeader;
    }

    /** Front of the incoming SHM ring, or null; a corrupt ring closes the connection. */
    MsgHeader frontShm()
    {
        final Transport t = transport;
        if (t instanceof ShmTransport)
        {
            final ShmTransport shm = (ShmTransport)t;
            final int offset = shm.front();
            if (offset >= 0)
            {
                recvHeader.wrap(shm.receiveHeaders(), shm.receivePayloads(), offset);
                return recvHeader;
            }
        }
        return null;
    }

    /**
     * Whether an error is the JVM's report of a fault in a load or store through a mapping (SIGBUS: the
     * file's page could not be had, because its file system is full or the file was truncated).
     */
    static boolean isAccessFault(final InternalError error)
    {
        final String message = error.getMessage();
        return message != null && message.contains("fault occurred") && message.contains("memory access");
    }

    /**
     * Closes the session after a fault in an access to one of its mapped files (see {@link #isAccessFault});
     * rethrows any other error.
     */
    void accessFault(final InternalError error)
    {
        if (!isAccessFault(error))
        {
            throw error;
        }
        requestClose(DisconnectReason.FILE_ERROR, "Memory access fault on a mapped file of " + localName + "->" +
            remoteName() + " (file system full, or the file truncated?): " + error.getMessage(), new IOException(error));
    }
}
