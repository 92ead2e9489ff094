package io.tcpshm;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.CountersLayout;
import io.tcpshm.internal.FrameHeader;
import io.tcpshm.internal.MappedRegion;
import io.tcpshm.internal.Names;
import io.tcpshm.internal.PtcpQueue;
import io.tcpshm.internal.RetiredMappings;
import io.tcpshm.internal.ShmRing;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 */
public final class TcpShmConnection
{
    private static final VarHandle CLOSING;

    static
    {
        try
        {
            CLOSING = MethodHandles.lookup().findVarHandle(TcpShmConnection.class, "closing", Closing.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Reason given when the peer closed the socket. */
    public static final String REASON_REMOTE_CLOSE = "Remote close";
    /** Reason given when nothing was received for longer than {@code connectionTimeout}. */
    public static final String REASON_TIMEOUT = "Timeout";
    /** Reason given when {@link #close()} was called. */
    public static final String REASON_USER_CLOSE = "Closed by user";

    private final TcpShmConfig config;
    private final String localName;
    private final boolean serverSide;
    private final Path ptcpDir;
    private final ByteOrder wireOrder;
    private final MsgHeader sendHeader = new MsgHeader();
    private final MsgHeader recvHeader = new MsgHeader();
    private final ByteBuffer heartbeat;
    /** Largest payload a TCP message can ever have here: its size field, queue and peer's receive buffer allow it. */
    private final int maxTcpPayload;
    /** Largest payload an SHM message can ever have here: its size field and the ring allow it. */
    private final int maxShmPayload;

    // ---- files: owned by whoever opens sessions (client's TCP thread / server's control thread)
    private String remoteName;
    private MappedRegion ptcpRegion;
    private PtcpQueue ptcp;
    /**
     * The SHM rings when this connection's files are SHM, else null: one immutable holder published
     * with a volatile write, read once per operation, so that a thread polling SHM never sees half of
     * a change of rings (a client reconnecting to another server) made by the thread that connects.
     */
    private volatile ShmLink shm;
    /**
     * Rings replaced while another thread may still be reading them (the client's SHM poll), kept
     * mapped until that thread starts its next poll ({@link #releaseRetiredIfAny()}), the same files
     * are opened again, or the client stops. Whoever takes a region out of the queue closes it, so
     * each is closed once whichever thread gets it.
     */
    private final RetiredMappings<MappedRegion> retired = new RetiredMappings<>();
    /**
     * The rings replaced while another thread may be inside an SHM callback, newest first, chained
     * through {@link ShmLink#retiredBefore} (written before {@link #shm} changes, so a thread that sees
     * the new rings sees these too): a message that thread fronted or allocated before a switch is
     * popped or pushed on the ring it came from, however many switches came since. The SHM poller cuts
     * the chain behind its head at the start of each poll ({@link #releaseRetiredIfAny()}).
     */
    private volatile ShmLink retiredLink;
    /** Client: the threads that poll SHM and TCP ({@link #notePollers}); null on a server. */
    private volatile Thread shmPoller;
    private volatile Thread tcpPoller;

    // ---- session: owned by the connection's TCP thread while logged on
    private SocketChannel channel;
    private boolean sessionShm;
    /** SHM session: the mark written into this side's send ring and announced in every heartbeat. */
    private int shmMark;
    /** SHM session: the peer proved it maps this side's receive ring (its heartbeat carried that ring's mark). */
    private boolean shmProven;
    /** SHM session: the peer's readIdx in this side's send ring when last seen moving, and the time. */
    private int peerReadIdx;
    private long peerReadTime;
    private ByteBuffer recvBuf;
    private ByteBuffer recvReadView;
    private int recvRead;
    private int recvWrite;
    private int frontFrame;
    /** Receive-buffer offset up to which the acks of complete frames have been applied. */
    private int ackScan;
    private long lastRecvTime;
    private long lastSendTime;
    private long lastNow;
    private int announcedAck;
    private int lastPushedAck;
    private int unannouncedBytes;
    private String remoteAddress;

    /** Set once per session by the first close request, from any thread; null while open. */
    private volatile Closing closing;
    private Closing lastClosing;
    private volatile boolean loggedOn;

    private Object userData;
    private final long forceInterval;
    private boolean unforced;
    private long lastForce;
    private final ConnectionStats stats = new ConnectionStats();
    private int allocSize; // size field of the message allocated last, for the counters
    private int frontSize; // size field of the current received message, for the counters

    TcpShmConnection(final TcpShmConfig config, final String localName, final Path ptcpDir, final boolean serverSide)
    {
        this.config = config;
        this.localName = localName;
        this.ptcpDir = ptcpDir;
        this.serverSide = serverSide;
        this.wireOrder = config.byteOrder();
        this.heartbeat = ByteBuffer.allocateDirect(8).order(wireOrder);
        this.heartbeat.limit(0);
        // both limits are multiples of 8 (a frame is the size rounded up to 8) and a ring is 64 * C bytes, so
        // "the size fits the limit" is exactly "the frame or the blocks fit"; comparing the payload itself
        // avoids the int overflow of payloadLength + 8 for lengths near Integer.MAX_VALUE
        this.maxTcpPayload = Math.min(Bits.MAX_MSG_SIZE, Math.min(config.tcpQueueSize(), config.tcpRecvBufMaxSize())) -
            Bits.HEADER_LENGTH;
        this.maxShmPayload = Math.min(Bits.MAX_MSG_SIZE, config.shmQueueSize()) - Bits.HEADER_LENGTH;
        this.forceInterval = config.ptcpForceInterval();
        this.recvBuf = ByteBuffer.allocateDirect(config.tcpRecvBufInitSize()).order(wireOrder);
        this.recvReadView = recvBuf.duplicate();
    }

    // =====================================================================================
    // user API
    // =====================================================================================

    /**
     * Reserves room for a message in the send queue.
     *
     * @param payloadLength payload bytes.
     * @return a view of the new message (write its type and payload, then push), or null when the
     *     queue has no room now (poll to receive acks, then retry).
     * @throws IllegalArgumentException when no queue of this configuration could ever hold it.
     * @throws IllegalStateException when the connection has no queue yet (the server's name is
     *     not known: before the first login of a new client). A second {@code alloc} before
     *     {@code push} replaces the first.
     */
    public MsgHeader alloc(final int payloadLength)
    {
        final ShmLink link = shm;
        if (link != null)
        {
            checkShmSize(payloadLength);
            final int offset = link.sendRing.alloc(payloadLength);
            if (offset < 0)
            {
                stats.add(CountersLayout.ALLOCS_REFUSED, 1);
                return null;
            }
            allocSize = payloadLength + Bits.HEADER_LENGTH;
            sendHeader.wrap(link.sendRing.buffer(), link.sendPayload, offset);
            return sendHeader;
        }
        final PtcpQueue queue = ptcp;
        if (queue == null)
        {
            throw noQueue();
        }
        checkTcpSize(payloadLength);
        final int offset = queue.alloc(payloadLength);
        if (offset < 0)
        {
            stats.add(CountersLayout.ALLOCS_REFUSED, 1);
            return null;
        }
        allocSize = payloadLength + Bits.HEADER_LENGTH;
        final ByteBuffer buffer = queue.wireBuffer();
        sendHeader.wrap(buffer, buffer, offset);
        return sendHeader;
    }

    private void checkTcpSize(final int payloadLength)
    {
        if (payloadLength < 0 || payloadLength > maxTcpPayload)
        {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes can never be sent on TCP: " +
                "the limit is " + maxTcpPayload + " bytes, from the 8-byte header and the smallest of the size " +
                "field (65535), tcpQueueSize (" + config.tcpQueueSize() + ") and tcpRecvBufMaxSize (" +
                config.tcpRecvBufMaxSize() + ")");
        }
    }

    private void checkShmSize(final int payloadLength)
    {
        if (payloadLength < 0 || payloadLength > maxShmPayload)
        {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes can never be sent on SHM: " +
                "the limit is " + maxShmPayload + " bytes, from the 8-byte header and the smaller of the size " +
                "field (65535) and shmQueueSize (" + config.shmQueueSize() + ")");
        }
    }

    private IllegalStateException noQueue()
    {
        return new IllegalStateException("connection " + localName + "->" + remoteName + " has no send queue yet: " +
            "its files open at the first login (or when a client knows its last server's name)");
    }

    /**
     * Makes the allocated message part of the queue and, on TCP while logged on, writes all unsent
     * queued bytes to the socket (one write).
     *
     * @throws IllegalStateException when nothing was allocated or the type was left 0.
     */
    public void push()
    {
        if (pushQueued() && channel != null && closing == null)
        {
            sendPending();
        }
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
        pushQueued();
    }

    /**
     * The ring, of the rings replaced by switches since the caller's poll began, that holds the calling
     * thread's fronted (consumer) or allocated (producer) message: only for the client's SHM poller
     * finishing a callback begun before a switch. Those regions are closed only by that same thread (at the start of its
     * next poll) or at {@code stop}, so checking that they are open is not racy for it.
     *
     * @throws IllegalStateException when the caller is not the SHM poller or has no such message.
     */
    private ShmRing retiredRing(final boolean producer)
    {
        if (Thread.currentThread() == shmPoller)
        {
            // newest first: the ring this poll fronted from (or its callback allocated in) was current when this
            // poll began or became so later, so every link retired after it was never used by this poll, and one
            // older than it can only hold a message fronted in an earlier poll and never popped
            for (ShmLink old = retiredLink; old != null; old = old.retiredBefore)
            {
                if (old.sendRegion.isClosed() || old.recvRegion.isClosed())
                {
                    // closed by this thread at the start of this poll or an earlier one, before it read the
                    // rings it uses now: neither this link nor an older one holds this poll's message
                    break;
                }
                final ShmRing ring = producer ? old.sendRing : old.recvRing;
                if (producer ? ring.hasAllocated() : ring.hasFronted())
                {
                    return ring;
                }
            }
        }
        throw new IllegalStateException(producer ? "push without a successful alloc" : "pop without a current message");
    }

    /**
     * Whether the calling thread owns the TCP session's state: any thread but a client's separate SHM poller
     * (which must never touch it, even when a switch of rings ends its callback in TCP mode).
     */
    private boolean ownsTcpState()
    {
        final Thread poller = shmPoller;
        return poller == null || poller == tcpPoller || Thread.currentThread() != poller;
    }

    /**
     * Client: records the thread that polls SHM, and the one that connects and polls TCP (the same one or
     * two), so that a callback of the SHM poller that outlives a switch of rings touches only its rings.
     * Written only when a thread changes: a read and a compare per poll.
     */
    void notePollers(final boolean shmThread)
    {
        final Thread me = Thread.currentThread();
        if (shmThread ? shmPoller != me : tcpPoller != me)
        {
            if (shmThread)
            {
                shmPoller = me;
            }
            else
            {
                tcpPoller = me;
            }
        }
    }

    /** @return true when the message went into the PTCP queue (TCP), false for SHM. */
    private boolean pushQueued()
    {
        final ShmLink link = shm;
        if (link != null && link.sendRing.hasAllocated())
        {
            requireType();
            // count after the publication, not before: stores ahead of the release store of writeIdx can delay the
            // moment the peer sees the message
            link.sendRing.push();
            countSent();
            return false;
        }
        final PtcpQueue queue = ptcp;
        if (link != null || queue == null || !queue.hasAllocated() || !ownsTcpState())
        {
            // the SHM poller finishing a callback begun before a switch of rings pushes on the ring it allocated in
            final ShmRing ring = retiredRing(true);
            requireType();
            if (ring.pushUnlessMoved())
            {
                countSent();
            }
            return false;
        }
        requireType();
        countSent();
        lastPushedAck = queue.myAck();
        queue.push();
        if (forceInterval >= 0)
        {
            if (forceInterval == 0)
            {
                ptcpRegion.force(); // durable before it is written to the socket
            }
            else
            {
                unforced = true;
            }
        }
        return true;
    }

    /**
     * PTCP durability at an interval: forces the queue file when something changed and the interval
     * has passed. Called from the polls of the connection's TCP thread.
     */
    void forceIfDue(final long now)
    {
        if (unforced && now - lastForce >= forceInterval && ptcpRegion != null)
        {
            ptcpRegion.force();
            unforced = false;
            lastForce = now;
        }
    }

    // The sizes come from fields set by alloc and front, not from the headers: reading a header back
    // from the mapped buffer was most of the counters' cost per message (JMH, ConnectionBenchmarks).
    private void countSent()
    {
        stats.sent(allocSize);
    }

    private void countReceived()
    {
        stats.received(frontSize);
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
        final ShmLink link = shm;
        if (link != null)
        {
            return frontShm(link);
        }
        return frontTcp();
    }

    /**
     * Consumes the message returned by the last {@link #front()} or callback. On TCP this advances
     * {@code myAck}, persisted in the PTCP file, which the peer learns from the next header sent.
     *
     * @throws IllegalStateException when there is no current message.
     */
    public void pop()
    {
        final ShmLink link = shm;
        if (link != null && link.recvRing.hasFronted())
        {
            // the release of readIdx first, then the count (in an echo server that pops and then pushes, the count
            // still precedes the reply's release, but with two stores instead of the four before this order)
            link.recvRing.pop();
            countReceived();
            return;
        }
        final int frame = frontFrame;
        if (link != null || frame == 0 || !ownsTcpState())
        {
            // the SHM poller finishing a callback begun before a switch of rings pops the ring it fronted from
            if (retiredRing(false).popUnlessMoved())
            {
                countReceived();
            }
            return;
        }
        countReceived();
        recvRead += frame;
        frontFrame = 0;
        unannouncedBytes += frame;
        ptcp.incrementMyAck();
        if (forceInterval > 0)
        {
            unforced = true;
        }
    }

    /**
     * Asks for the connection to be closed; the client's or server's poll completes the close
     * and reports it through {@code onDisconnected} / {@code onClientDisconnected}. Safe from any
     * thread; the first reason given in a session wins.
     */
    public void close()
    {
        requestClose(REASON_USER_CLOSE, null);
    }

    /** @return true when the connection is not logged on (never was, closed, or closing). */
    public boolean isClosed()
    {
        return !loggedOn || closing != null;
    }

    /**
     * @return why the current or last session ended (e.g. "Timeout", "Remote close", "Closed by
     *     user"), or null if none has.
     */
    public String closeReason()
    {
        final Closing c = closing != null ? closing : lastClosing;
        return c == null ? null : c.reason;
    }

    /** @return the exception behind {@link #closeReason()}, or null. */
    public Exception closeCause()
    {
        final Closing c = closing != null ? closing : lastClosing;
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
        return remoteName;
    }

    /** @return the peer's socket address as text while logged on (or of the last session), else null. */
    public String remoteAddress()
    {
        return remoteAddress;
    }

    /** @return the PTCP queue file when this is a TCP connection with open files, else null. */
    public Path ptcpFile()
    {
        return ptcpRegion == null ? null : ptcpRegion.path();
    }

    /** @return true when the connection's files are SHM rings (false: a PTCP queue). */
    public boolean isShm()
    {
        return shm != null;
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
        return ptcp == null ? 0 : Bits.u32(ptcp.myAck());
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
        final ShmLink link = shm;
        if (link != null)
        {
            return Bits.u32(link.sendRing.writeIdx());
        }
        final PtcpQueue queue = ptcp;
        return queue == null ? -1 : Bits.u32(queue.seqEnd());
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
        final ShmLink link = shm;
        if (link != null)
        {
            return Bits.u32(link.recvRing.readIdx());
        }
        final PtcpQueue queue = ptcp;
        return queue == null ? -1 : Bits.u32(queue.myAck());
    }

    /** @return messages pushed and not yet acked by the peer, TCP only. */
    public int queuedCount()
    {
        return ptcp == null ? 0 : ptcp.queuedCount();
    }

    @Override
    public String toString()
    {
        return "TcpShmConnection{" + localName + "->" + remoteName + (shm != null ? ", shm" : ", tcp") +
            (isClosed() ? ", closed" : ", live") + '}';
    }

    // =====================================================================================
    // files (package-private, used by client and server)
    // =====================================================================================

    boolean hasFilesFor(final String remote, final boolean shm)
    {
        return remote.equals(remoteName) && (shm ? this.shm != null : ptcp != null);
    }

    /**
     * Opens (creating as needed) the files of the persistent connection with {@code remote}.
     *
     * @return null on success, else the error; nothing stays open on error.
     */
    IOException openFiles(final String remote, final boolean shm, final boolean deferRingRelease)
    {
        releaseFiles(deferRingRelease);
        MappedRegion sendRegion = null;
        MappedRegion recvRegion = null;
        MappedRegion keptSend = null;
        MappedRegion keptRecv = null;
        try
        {
            if (shm)
            {
                final int size = ShmRing.fileSize(config.shmQueueSize());
                final int r = size - 256;
                final Path sendPath = Names.shmFile(config.shmDir(), localName, remote);
                final Path recvPath = Names.shmFile(config.shmDir(), remote, localName);
                // rings this connection had before a switch are still mapped while the SHM thread may be reading
                // them: take those mappings back (with their locks) rather than unmap them under that thread
                keptSend = retired.take(sendPath);
                keptRecv = retired.take(recvPath);
                // each side locks only its own end of each ring, so the peer's locks never conflict
                sendRegion = keptSend != null ? keptSend : MappedRegion.open(sendPath, size, config.shareFilesWithGroup(), r, 4);
                recvRegion = keptRecv != null ? keptRecv :
                    MappedRegion.open(recvPath, size, config.shareFilesWithGroup(), r + 128, 4);
                // no sanity check here: a login that resets the connection must succeed whatever the rings hold (a
                // peer killed inside its reset leaves them half zeroed); a resuming login checks them (sanityCheck)
                this.shm = new ShmLink(sendRegion, recvRegion, config.shmQueueSize(), wireOrder);
            }
            else
            {
                final Path path = Names.ptcpFile(ptcpDir, localName, remote);
                final int size = PtcpQueue.fileSize(config.tcpQueueSize());
                ptcpRegion = MappedRegion.openOwned(path, size, config.shareFilesWithGroup(), 0, size);
                ptcp = new PtcpQueue(ptcpRegion.buffer(), config.tcpQueueSize(), wireOrder);
            }
            remoteName = remote;
            return null;
        }
        catch (final IOException ex)
        {
            if (this.shm == null)
            {
                // a mapping taken back goes back to the retired ones: the SHM thread may still be reading it
                giveBackOrClose(sendRegion, keptSend);
                giveBackOrClose(recvRegion, keptRecv);
            }
            releaseFiles();
            return ex;
        }
    }

    /**
     * Checks the files of a connection that resumes: the PTCP queue's index walk (which also completes
     * an index change interrupted by a crash), or the indices of both SHM rings.
     *
     * @return null when sound, else what is wrong, naming the file.
     */
    String sanityCheck()
    {
        final ShmLink link = shm;
        if (link != null)
        {
            final String send = ShmRing.sanityCheck(link.sendRegion.buffer(), config.shmQueueSize());
            if (send != null)
            {
                return "SHM ring " + link.sendRegion.path() + " is corrupt: " + send;
            }
            final String recv = ShmRing.sanityCheck(link.recvRegion.buffer(), config.shmQueueSize());
            return recv == null ? null : "SHM ring " + link.recvRegion.path() + " is corrupt: " + recv;
        }
        if (ptcp == null)
        {
            return null;
        }
        final String problem = ptcp.sanityCheck();
        return problem == null ? null : "Ptcp file " + ptcpRegion.path() + " is corrupt: " + problem;
    }

    /** Zeroes this connection's files: a new persistent connection. */
    void resetFiles()
    {
        final ShmLink link = shm;
        if (link != null)
        {
            // the index words first: a crash part way leaves empty rings rather than indices over zeroed blocks
            final int indexArea = ShmRing.fileSize(config.shmQueueSize()) - ShmRing.INDEX_AREA;
            link.sendRegion.zero(indexArea);
            link.recvRegion.zero(indexArea);
            link.sendRing.reload(true);
            link.recvRing.reload(false);
        }
        else if (ptcp != null)
        {
            ptcp.reset();
        }
    }

    int localAck()
    {
        return ptcp == null ? 0 : ptcp.myAck();
    }

    int localSeqStart()
    {
        return ptcp == null ? 0 : ptcp.seqStart();
    }

    int localSeqEnd()
    {
        return ptcp == null ? 0 : ptcp.seqEnd();
    }

    /**
     * Unmaps everything. SHM rings that another thread may still be reading (the client's SHM
     * poll) are kept mapped until {@link #releaseRetired()} when {@code deferRings} is set.
     */
    void releaseFiles(final boolean deferRings)
    {
        if (ptcpRegion != null)
        {
            ptcpRegion.close();
        }
        final ShmLink link = shm;
        if (link != null && deferRings)
        {
            link.retiredBefore = retiredLink; // before the link is published in the chain
            retiredLink = link; // before shm changes: see the field
        }
        shm = null;
        if (link != null)
        {
            if (deferRings)
            {
                retired.retire(link.sendRegion);
                retired.retire(link.recvRegion);
            }
            else
            {
                link.sendRegion.close();
                link.recvRegion.close();
            }
        }
        ptcpRegion = null;
        ptcp = null;
        remoteName = null;
    }

    void releaseFiles()
    {
        releaseFiles(false);
    }

    void releaseRetired()
    {
        retired.closeAll();
    }

    /**
     * Called by the thread that polls SHM at the start of each poll: it is then inside no use of
     * any ring, and the rings in the queue were replaced (a volatile write of {@code shm}) before
     * they were queued, so it never reads them again. Allocation-free; a volatile read when empty.
     */
    void releaseRetiredIfAny()
    {
        // no callback of this thread is pending now, so links retired before this read are needed no more; the head
        // is kept (the connecting thread chains new links onto it), and it may even be the link this poll reads next
        final ShmLink head = retiredLink;
        if (head != null && head.retiredBefore != null)
        {
            head.retiredBefore = null;
        }
        if (!retired.isEmpty())
        {
            retired.closeAll();
        }
    }

    private void giveBackOrClose(final MappedRegion region, final MappedRegion kept)
    {
        if (region != null && region == kept)
        {
            retired.retire(region);
        }
        else
        {
            closeQuietly(region);
        }
    }

    private static void closeQuietly(final MappedRegion region)
    {
        if (region != null)
        {
            region.close();
        }
    }

    String remoteNameOrNull()
    {
        return remoteName;
    }

    // =====================================================================================
    // session (package-private)
    // =====================================================================================

    /**
     * Starts a logged-on session on {@code socket} (already non-blocking). On TCP, applies the
     * peer's ack from the handshake and writes everything still unacked, oldest first.
     *
     * @return false when the peer's ack is a protocol error (the session is then closing).
     */
    boolean openSession(final SocketChannel socket, final boolean shm, final int remoteAck, final long now,
        final String address)
    {
        channel = socket;
        sessionShm = shm;
        remoteAddress = address;
        recvRead = 0;
        recvWrite = 0;
        frontFrame = 0;
        ackScan = 0;
        heartbeat.clear().limit(0);
        lastRecvTime = now;
        lastSendTime = now;
        lastNow = now;
        unannouncedBytes = 0;
        announcedAck = localAck();
        lastPushedAck = announcedAck;
        closing = null;
        loggedOn = true;
        stats.names(localName, remoteName, shm);
        stats.add(CountersLayout.LOGINS, 1);
        stats.set(CountersLayout.LOGGED_ON, 1);
        stats.set(CountersLayout.LAST_RECV_TIME, now);
        if (shm)
        {
            // a fresh non-zero mark per session, so that an old file's mark never passes for this session's
            shmMark = java.util.concurrent.ThreadLocalRandom.current().nextInt() | 1;
            shmProven = false;
            this.shm.sendRing.putMark(shmMark);
            peerReadIdx = this.shm.sendRing.publishedReadIdx();
            peerReadTime = now;
        }
        if (!shm)
        {
            if (!ptcp.loginAck(remoteAck))
            {
                requestClose("Invalid ack " + Bits.u32(remoteAck) + " in login", null);
                return false;
            }
            stats.add(CountersLayout.MSGS_RESENT, ptcp.queuedCount());
            sendPending();
        }
        return true;
    }

    boolean hasSession()
    {
        return channel != null;
    }

    boolean isSessionShm()
    {
        return sessionShm;
    }

    Closing closingRequest()
    {
        return closing;
    }

    /**
     * Ends the session after a close request: closes the socket. Called by the owner of sessions
     * once no other thread touches the connection's socket or receive buffer.
     */
    Closing finishClose()
    {
        final Closing c = closing;
        loggedOn = false;
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // the socket is gone either way
            }
            channel = null;
        }
        lastClosing = c;
        stats.disconnected(c == null ? null : c.reason);
        return c;
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
        requestClose("Memory access fault on a mapped file of " + localName + "->" + remoteName +
            " (file system full, or the file truncated?): " + error.getMessage(), new IOException(error));
    }

    void requestClose(final String reason, final Exception cause)
    {
        CLOSING.compareAndSet(this, null, new Closing(reason, cause));
    }

    /**
     * One poll of a TCP-mode session: sends what is due (unsent queue bytes, heartbeat, prompt
     * ack), then returns the next message, reading the socket once if none is buffered.
     *
     * @return the next application message, or null.
     */
    MsgHeader pollTcpSession(final long now)
    {
        if (closing != null)
        {
            return null;
        }
        lastNow = now;
        if (unforced)
        {
            forceIfDue(now);
        }
        if (frontFrame != 0)
        {
            readBehindFront(now);
            sendDue(now);
            return closing == null ? recvHeader : null;
        }
        final MsgHeader buffered = parseFront();
        if (buffered != null || closing != null)
        {
            sendDue(now);
            return buffered;
        }
        final int n = read();
        if (n > 0)
        {
            lastRecvTime = now;
            stats.set(CountersLayout.LAST_RECV_TIME, now);
            final MsgHeader header = parseFront();
            sendDue(now);
            return header;
        }
        if (n < 0)
        {
            return null;
        }
        if (now - lastRecvTime > config.connectionTimeout())
        {
            requestClose(REASON_TIMEOUT, null);
            return null;
        }
        sendDue(now);
        return null;
    }

    /**
     * One poll of the TCP link of an SHM session: discard what arrived (it only proves the peer is
     * alive), time out a silent peer, send a heartbeat when due.
     */
    void pollShmLink(final long now)
    {
        if (closing != null)
        {
            return;
        }
        lastNow = now;
        int n = 0;
        boolean any = false;
        // a few reads at most: a peer flooding the heartbeat link must not hold the poll
        for (int i = 0; i < 4 && (n = read()) > 0; i++)
        {
            any = true;
            final int whole = recvWrite & ~7;
            stats.add(CountersLayout.HEARTBEATS_RECEIVED, whole >>> 3); // only heartbeats travel on this link
            for (int unit = 0; unit < whole && !shmProven && closing == null; unit += 8)
            {
                checkRingMark(unit); // every whole header until one proves the rings: independent of how reads split
            }
            // keep the bytes of a partial header at the start, so that the stream stays aligned to 8
            final int tail = recvWrite - whole;
            for (int b = 0; b < tail; b++)
            {
                recvBuf.put(b, recvBuf.get(whole + b));
            }
            recvRead = 0;
            recvWrite = tail;
        }
        if (n < 0 || closing != null)
        {
            return;
        }
        if (config.shmConsumeTimeout() >= 0 && peerStopsConsuming(now))
        {
            return;
        }
        if (any)
        {
            lastRecvTime = now;
            stats.set(CountersLayout.LAST_RECV_TIME, now);
        }
        else if (now - lastRecvTime > config.connectionTimeout())
        {
            requestClose(REASON_TIMEOUT, null);
            return;
        }
        if (heartbeat.hasRemaining() || now - lastSendTime >= config.heartBeatInterval())
        {
            sendHeartbeat(now, shmMark); // the ackSeq field, which no peer reads as an ack on this link
        }
    }

    /**
     * A Java peer's heartbeat on the link of an SHM session carries the mark it wrote into its send
     * ring, this side's receive ring: when this side's receive ring holds another value, the two
     * processes do not map the same file (two hosts, two containers, or two {@code shmDir}s), and every
     * message would wait for ever in a ring only its writer sees. A C++ peer (or an older Java one)
     * sends 0: nothing to check.
     */
    private void checkRingMark(final int offset)
    {
        if (FrameHeader.size(recvBuf, offset) != Bits.HEADER_LENGTH ||
            FrameHeader.msgType(recvBuf, offset) != FrameHeader.HEARTBEAT_TYPE)
        {
            return; // not a heartbeat: nothing else travels on this link, and nothing else is read from it
        }
        final int announced = FrameHeader.ackSeq(recvBuf, offset);
        if (announced == 0)
        {
            return;
        }
        final ShmLink link = shm;
        final int found = link.recvRing.mark();
        if (found == announced)
        {
            shmProven = true;
            return;
        }
        requestClose("SHM rings not shared with the peer: its heartbeat announces ring mark " + Bits.u32(announced) +
            " but " + link.recvRegion.path() + " holds " + Bits.u32(found) +
            " (two hosts, two containers, or different shmDir settings?)", null);
    }

    /** The opt-in check of {@link TcpShmConfig#shmConsumeTimeout()}; true when it closed the connection. */
    private boolean peerStopsConsuming(final long now)
    {
        final ShmRing ring = shm.sendRing;
        final int read = ring.publishedReadIdx();
        if (read != peerReadIdx || read == ring.publishedWriteIdx())
        {
            peerReadIdx = read;
            peerReadTime = now;
            return false;
        }
        if (now - peerReadTime <= config.shmConsumeTimeout())
        {
            return false;
        }
        requestClose("SHM peer consumes nothing: messages wait in " + shm.sendRegion.path() + " since " +
            peerReadTime + " while the connection stays up (another host, container or shmDir, or a stuck peer?)",
            null);
        return true;
    }

    private void sendDue(final long now)
    {
        if (heartbeat.hasRemaining() || ptcp.hasUnsent())
        {
            sendPending();
            return;
        }
        final int ack = ptcp.myAck();
        if (now - lastSendTime >= config.heartBeatInterval() ||
            (ack != announcedAck && (unannouncedBytes >= config.ackThresholdBytes() ||
            now - lastSendTime >= config.ackDelay())))
        {
            sendHeartbeat(now, ack);
        }
    }

    private void sendHeartbeat(final long now, final int ack)
    {
        if (!heartbeat.hasRemaining())
        {
            heartbeat.clear();
            FrameHeader.write(heartbeat, 0, Bits.HEADER_LENGTH, FrameHeader.HEARTBEAT_TYPE, ack);
        }
        try
        {
            if (channel.write(heartbeat) > 0)
            {
                lastSendTime = now;
            }
        }
        catch (final IOException ex)
        {
            requestClose("Send error: " + ex.getMessage(), ex);
            return;
        }
        if (!heartbeat.hasRemaining())
        {
            stats.add(CountersLayout.HEARTBEATS_SENT, 1);
            if (!sessionShm)
            {
                announcedAck = ack;
                unannouncedBytes = 0;
            }
        }
    }

    /** Writes the rest of a partly written heartbeat, then the unsent queue bytes: one write each at most. */
    private void sendPending()
    {
        try
        {
            if (heartbeat.hasRemaining())
            {
                if (channel.write(heartbeat) > 0)
                {
                    lastSendTime = lastNow;
                }
                if (heartbeat.hasRemaining())
                {
                    return;
                }
                stats.add(CountersLayout.HEARTBEATS_SENT, 1); // finished here, after a partial write in sendHeartbeat
                announcedAck = FrameHeader.ackSeq(heartbeat, 0);
            }
            if (!ptcp.hasUnsent())
            {
                return;
            }
            final int n = channel.write(ptcp.unsent());
            if (n > 0)
            {
                ptcp.sent(n);
                lastSendTime = lastNow;
                if (!ptcp.hasUnsent())
                {
                    announcedAck = lastPushedAck;
                    if (announcedAck == ptcp.myAck())
                    {
                        unannouncedBytes = 0;
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            requestClose("Send error: " + ex.getMessage(), ex);
        }
    }

    /**
     * Reads the socket once into the free end of the receive buffer.
     *
     * @return bytes read, 0 for none, -1 when the session is closing (EOF or error).
     */
    private int read()
    {
        if (recvRead == recvWrite)
        {
            recvRead = 0;
            recvWrite = 0;
            ackScan = 0;
        }
        final ByteBuffer view = recvReadView;
        view.limit(view.capacity()).position(recvWrite);
        if (!view.hasRemaining())
        {
            return 0;
        }
        try
        {
            final int n = channel.read(view);
            if (n < 0)
            {
                requestClose(REASON_REMOTE_CLOSE, null);
                return -1;
            }
            recvWrite += n;
            return n;
        }
        catch (final IOException ex)
        {
            requestClose(REASON_REMOTE_CLOSE + ": " + ex.getMessage(), ex);
            return -1;
        }
    }

    /**
     * Finds the next application message in the receive buffer, consuming heartbeats and applying
     * every header's ack on the way. Makes room for an incomplete frame (compacting or growing the
     * buffer) so that the next read can complete it.
     */
    private MsgHeader parseFront()
    {
        final ByteBuffer buf = recvBuf;
        while (true)
        {
            final int available = recvWrite - recvRead;
            if (available < Bits.HEADER_LENGTH)
            {
                makeRoom(Bits.HEADER_LENGTH);
                return null;
            }
            final int offset = recvRead;
            final int size = FrameHeader.size(buf, offset);
            if (size < Bits.HEADER_LENGTH)
            {
                requestClose("Invalid msg size " + size + " (below 8)", null);
                return null;
            }
            final int frame = Bits.roundUp8(size);
            if (frame > config.tcpRecvBufMaxSize())
            {
                requestClose("Msg size " + size + " larger than tcpRecvBufMaxSize " + config.tcpRecvBufMaxSize(), null);
                return null;
            }
            if (available < frame)
            {
                makeRoom(frame);
                return null;
            }
            final int ack = FrameHeader.ackSeq(buf, offset);
            if (!ptcp.ack(ack))
            {
                requestClose("Invalid ack " + Bits.u32(ack) + ": newer than one past the newest message sent (" +
                    Bits.u32(ptcp.seqEnd()) + ")", null);
                return null;
            }
            if (FrameHeader.msgType(buf, offset) == FrameHeader.HEARTBEAT_TYPE)
            {
                recvRead += frame;
                stats.add(CountersLayout.HEARTBEATS_RECEIVED, 1);
                continue;
            }
            frontFrame = frame;
            frontSize = size;
            recvHeader.wrap(buf, buf, offset);
            return recvHeader;
        }
    }

    /**
     * The current message has not been popped (the user is waiting, e.g. for room to reply). Keep
     * reading behind it and apply the acks of the frames that arrive: the peer's ack that frees our
     * queue may sit behind the message we cannot consume until our queue has room (head-of-line
     * deadlock otherwise). Acks are cumulative, so applying them early and again later is harmless.
     * Frames that came in the same read as the held message are scanned too (first call here): the
     * ack may already be in the buffer, with nothing more to come from a peer whose queue is full.
     */
    private void readBehindFront(final long now)
    {
        scanAcks();
        if (closing != null)
        {
            return;
        }
        if (recvWrite == recvBuf.capacity())
        {
            if (recvRead > 0 || recvBuf.capacity() < config.tcpRecvBufMaxSize())
            {
                relocate(recvBuf.capacity() + (recvRead > 0 ? 0 : 8));
                recvHeader.wrap(recvBuf, recvBuf, recvRead);
            }
            else
            {
                // full at its maximum behind the held message: nothing can be received until it is popped,
                // so a peer that filled it and went silent must still time out rather than hold the link
                if (now - lastRecvTime > config.connectionTimeout())
                {
                    requestClose(REASON_TIMEOUT, null);
                }
                return;
            }
        }
        final int n = read();
        if (n > 0)
        {
            lastRecvTime = now;
            stats.set(CountersLayout.LAST_RECV_TIME, now);
            scanAcks();
        }
        else if (n == 0 && now - lastRecvTime > config.connectionTimeout())
        {
            requestClose(REASON_TIMEOUT, null); // a peer that died silently while we hold its message
        }
    }

    private void scanAcks()
    {
        final ByteBuffer buf = recvBuf;
        int pos = Math.max(ackScan, recvRead + frontFrame);
        while (recvWrite - pos >= Bits.HEADER_LENGTH)
        {
            final int size = FrameHeader.size(buf, pos);
            final int frame = Bits.roundUp8(size);
            if (size < Bits.HEADER_LENGTH || frame > recvWrite - pos)
            {
                break; // an invalid size is reported when it reaches the front
            }
            if (!ptcp.ack(FrameHeader.ackSeq(buf, pos)))
            {
                requestClose("Invalid ack " + Bits.u32(FrameHeader.ackSeq(buf, pos)) +
                    ": newer than one past the newest message sent (" + Bits.u32(ptcp.seqEnd()) + ")", null);
                return;
            }
            pos += frame;
        }
        ackScan = pos;
    }

    private MsgHeader frontTcp()
    {
        if (frontFrame != 0)
        {
            return recvHeader;
        }
        if (channel == null || closing != null)
        {
            return null;
        }
        return parseFront();
    }

    private void makeRoom(final int frame)
    {
        if (recvRead + frame > recvBuf.capacity())
        {
            relocate(frame);
        }
    }

    /**
     * Moves the unread bytes to the start of the receive buffer, first growing it (up to
     * {@code tcpRecvBufMaxSize}, doubling) when it is smaller than {@code needed}. Rare: only when a
     * frame straddles the end of the buffer.
     */
    private void relocate(final int needed)
    {
        final int live = recvWrite - recvRead;
        final int shift = recvRead;
        if (needed > recvBuf.capacity())
        {
            final int capacity = Math.min(config.tcpRecvBufMaxSize(), Math.max(needed, recvBuf.capacity() * 2));
            final ByteBuffer bigger = ByteBuffer.allocateDirect(capacity).order(wireOrder);
            for (int i = 0; i < live; i++)
            {
                bigger.put(i, recvBuf.get(shift + i));
            }
            recvBuf = bigger;
            recvReadView = bigger.duplicate();
        }
        else
        {
            // the destination is below the source, so a forward copy is safe
            for (int i = 0; i < live; i++)
            {
                recvBuf.put(i, recvBuf.get(shift + i));
            }
        }
        recvRead = 0;
        recvWrite = live;
        ackScan = Math.max(0, ackScan - shift);
    }

    /** Front of the incoming SHM ring, or null; a corrupt ring closes the connection. */
    MsgHeader frontShm()
    {
        final ShmLink link = shm;
        return link == null ? null : frontShm(link);
    }

    private MsgHeader frontShm(final ShmLink link)
    {
        final ShmRing ring = link.recvRing;
        final int offset = ring.front();
        if (offset >= 0)
        {
            frontSize = ring.frontSize();
            recvHeader.wrap(ring.buffer(), link.recvPayload, offset);
            return recvHeader;
        }
        if (offset == -2)
        {
            requestClose("Corrupt SHM ring " + link.recvRegion.path() + ": invalid message header at readIdx " +
                Bits.u32(ring.readIdx()), null);
        }
        return null;
    }


    /** The two rings of an SHM connection and their views; immutable once published but for the chain. */
    private static final class ShmLink
    {
        /**
         * The link retired before this one ({@link #retiredLink}): written by the connecting thread before
         * this link is published as the chain's head, then only by the SHM poller, which alone reads it.
         */
        ShmLink retiredBefore;
        final MappedRegion sendRegion;
        final MappedRegion recvRegion;
        final ShmRing sendRing;
        final ShmRing recvRing;
        final ByteBuffer sendPayload;
        final ByteBuffer recvPayload;

        ShmLink(final MappedRegion sendRegion, final MappedRegion recvRegion, final int shmQueueSize,
            final ByteOrder payloadOrder)
        {
            this.sendRegion = sendRegion;
            this.recvRegion = recvRegion;
            this.sendRing = ShmRing.producer(sendRegion.buffer(), shmQueueSize);
            this.recvRing = ShmRing.consumer(recvRegion.buffer(), shmQueueSize);
            this.sendPayload = sendRegion.buffer().duplicate().order(payloadOrder);
            this.recvPayload = recvRegion.buffer().duplicate().order(payloadOrder);
        }
    }

    /**
     * Why a session ended: a reason and an optional exception.
     */
    static final class Closing
    {
        final String reason;
        final Exception cause;

        Closing(final String reason, final Exception cause)
        {
            this.reason = reason;
            this.cause = cause;
        }
    }
}
