package io.tcpshm.internal;

import io.tcpshm.DisconnectReason;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.files.CountersDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The TCP session of one connection while it is logged on: its socket, what is sent (unsent queue
 * bytes, heartbeats, prompt acks), what is received ({@link ReceiveBuffer}) and the timeouts. On TCP it
 * carries the messages; for an SHM connection it is the heartbeat link that keeps the session alive and
 * proves that both processes map the same rings (docs/PROTOCOL.md, "The TCP link of an SHM connection").
 *
 * <p>Owned by the connection's TCP thread: every method but {@link #isLoggedOn()} is called by it.
 */
public final class TcpSession
{
    private final TcpShmConfig config;
    private final CountersWriter counters;
    private final CloseRequest close;
    private final ReceiveBuffer rx;
    private final ByteBuffer heartbeat;

    private SocketChannel channel;
    /** The send queue of a TCP session; null for an SHM one. */
    private TcpTransport tcp;
    private PtcpQueue queue;
    /** The rings of an SHM session; null for a TCP one. */
    private ShmTransport shm;
    /** SHM session: the mark written into this side's send ring and announced in every heartbeat. */
    private int shmMark;
    /** SHM session: the peer proved it maps this side's receive ring (its heartbeat carried that ring's mark). */
    private boolean shmProven;
    /** SHM session: the peer's readIdx in this side's send ring when last seen moving, and the time. */
    private int peerReadIdx;
    private long peerReadTime;
    private long lastRecvTime;
    private long lastSendTime;
    private long lastNow;
    /** The ack the peer was last sent (in a header written in full). */
    private int announcedAck;
    /** This side's ack when the newest queued message was pushed: what its header carries. */
    private int lastPushedAck;
    /** Bytes popped since the last ack sent: a prompt ack goes out past {@code ackThresholdBytes}. */
    private int unannouncedBytes;
    private String remoteAddress;
    private volatile boolean loggedOn;
    /** Socket reads and writes that moved bytes, ever: the polls' work counts compare it before and after. */
    private int ioCount;
    /** The set of a readiness-polled group that this session joins when something is pushed; null otherwise. */
    private SlotSet attention;
    private int attentionSlot;

    /**
     * @param config   the connection's settings.
     * @param counters the connection's counters.
     * @param close    the connection's close request.
     */
    public TcpSession(final TcpShmConfig config, final CountersWriter counters, final CloseRequest close)
    {
        this.config = config;
        this.counters = counters;
        this.close = close;
        this.rx = new ReceiveBuffer(config.tcpReceiveBufferInitialSize(), config.tcpReceiveBufferMaxSize(),
            config.byteOrder(), close, counters);
        this.heartbeat = ByteBuffer.allocateDirect(Bits.HEADER_LENGTH).order(config.byteOrder());
        this.heartbeat.limit(0);
    }

    /**
     * Starts a logged-on session on {@code socket} (already non-blocking). On TCP, applies the peer's ack
     * from the handshake and writes everything still unacked, oldest first.
     *
     * @param socket  the session's socket.
     * @param tcp     the connection's TCP transport, or null for an SHM session.
     * @param shm     the connection's rings, or null for a TCP session.
     * @param remoteAck the peer's ack from the handshake (TCP).
     * @param now     the caller's clock.
     * @param address the peer's address as text.
     * @param localName  this side's name, for the counters.
     * @param remoteName the peer's name, for the counters.
     * @return false when the peer's ack is a protocol error (the session is then closing).
     */
    public boolean open(final SocketChannel socket, final TcpTransport tcp, final ShmTransport shm, final int remoteAck,
        final long now, final String address, final String localName, final String remoteName)
    {
        channel = socket;
        this.tcp = tcp;
        this.queue = tcp == null ? null : tcp.queue();
        this.shm = shm;
        remoteAddress = address;
        rx.clear();
        heartbeat.clear().limit(0);
        lastRecvTime = now;
        lastSendTime = now;
        lastNow = now;
        unannouncedBytes = 0;
        announcedAck = queue == null ? 0 : queue.myAck();
        lastPushedAck = announcedAck;
        close.clear();
        loggedOn = true;
        counters.names(localName, remoteName, shm != null);
        counters.add(CountersDescriptor.LOGINS, 1);
        counters.set(CountersDescriptor.LOGGED_ON, 1);
        counters.set(CountersDescriptor.LAST_RECV_TIME, now);
        if (shm != null)
        {
            // a fresh non-zero mark per session, so that an old file's mark never passes for this session's
            shmMark = ThreadLocalRandom.current().nextInt() | 1;
            shmProven = false;
            shm.sendRing.putMark(shmMark);
            peerReadIdx = shm.sendRing.publishedReadIdx();
            peerReadTime = now;
            return true;
        }
        if (!queue.loginAck(remoteAck))
        {
            close.request(DisconnectReason.PROTOCOL_ERROR, "Invalid ack " + Bits.u32(remoteAck) + " in login", null);
            return false;
        }
        counters.add(CountersDescriptor.MSGS_RESENT, queue.queuedCount());
        sendPending();
        return true;
    }

    /** @return true while a socket is open (from login until {@link #finish()}). */
    public boolean isOpen()
    {
        return channel != null;
    }

    /** @return true when the session is (or was, until the next login) an SHM one. */
    public boolean isShm()
    {
        return shm != null;
    }

    /** @return true from a login until its close completes; any thread. */
    public boolean isLoggedOn()
    {
        return loggedOn;
    }

    /** @return the peer's address as text, of this session or the last one; null before any. */
    public String remoteAddress()
    {
        return remoteAddress;
    }

    /**
     * Ends the session after a close request: closes the socket. Called by the session's owner once no
     * other thread touches the socket or the receive buffer.
     *
     * @return the request that ended it (null when none was made).
     */
    public Closing finish()
    {
        final Closing c = close.complete();
        loggedOn = false;
        Closeables.closeQuietly(channel); // the socket is gone either way
        channel = null;
        counters.disconnected(c == null ? null : c.text());
        return c;
    }

    /** @return socket reads and writes that moved bytes so far (wraps; compare for change only). */
    public int ioCount()
    {
        return ioCount;
    }

    /** @return the receive buffer now (replaced when it grows). */
    public ByteBuffer receiveBuffer()
    {
        return rx.buffer();
    }

    /** @return true while a received TCP message is held (fronted and not popped). */
    public boolean hasFront()
    {
        return rx.hasFront();
    }

    /**
     * @param sendQueue the connection's queue, whose acks the frames carry.
     * @return the held message's offset, else the next buffered one's (no I/O), else {@link ReceiveBuffer#NO_MESSAGE}.
     */
    public int front(final PtcpQueue sendQueue)
    {
        if (rx.hasFront())
        {
            return rx.frontOffset();
        }
        if (channel == null || close.isRequested())
        {
            return ReceiveBuffer.NO_MESSAGE;
        }
        return rx.parseFront(sendQueue);
    }

    /**
     * Consumes the held message; the ack it advances is announced by a later header.
     *
     * @return its size field, 0 when none was held.
     */
    public int popFront()
    {
        final int size = rx.popFront();
        unannouncedBytes += Bits.roundUp8(size);
        return size;
    }

    /** @param myAck this side's ack when a message was pushed: the ack its header carries. */
    void pushed(final int myAck)
    {
        lastPushedAck = myAck;
        if (attention != null)
        {
            attention.add(attentionSlot); // the group polls it next round even if no byte arrives: unsent bytes
        }
    }

    /**
     * A readiness-polled group polls its sessions only when their sockets have bytes, when they are in its
     * attention set, and on its sweeps; a push puts the session into that set. Called by the group's thread.
     *
     * @param set  the group's attention set, or null to leave it.
     * @param slot this session's slot in it.
     */
    public void attention(final SlotSet set, final int slot)
    {
        attention = set;
        attentionSlot = slot;
    }

    /**
     * Whether this session needs no poll until bytes arrive or its timers are due: no message held, nothing
     * unsent (heartbeat or queue), this side's ack announced, the queue file forced. A readiness-polled group
     * keeps polling a session every round until it is settled.
     *
     * @return true when settled.
     */
    public boolean settled()
    {
        return !rx.hasFront() && !heartbeat.hasRemaining() && (queue == null ||
            !queue.hasUnsent() && queue.myAck() == announcedAck && !tcp.hasUnforced());
    }

    /** @return the socket of the session, null when none is open. */
    public SocketChannel channel()
    {
        return channel;
    }

    /** Writes unsent queue bytes now, while the session is open. */
    void flush()
    {
        if (channel != null && !close.isRequested())
        {
            sendPending();
        }
    }

    /**
     * One poll of a TCP session: sends what is due (unsent queue bytes, heartbeat, prompt ack), then finds
     * the next message, reading the socket once if none is buffered.
     *
     * @param now the caller's clock.
     * @return the next application message's offset in {@link #receiveBuffer()}, or {@link ReceiveBuffer#NO_MESSAGE}.
     */
    public int poll(final long now)
    {
        return poll(now, true);
    }

    /**
     * One poll of a TCP session, as {@link #poll(long)}, reading the socket only when {@code readable}: a
     * readiness-polled group passes false for a session whose socket its selector did not report, and the
     * socket's silence then counts as a read of nothing (timeouts, heartbeats and prompt acks as usual).
     *
     * @param now the caller's clock.
     * @param readable whether to read the socket.
     * @return the next application message's offset, or {@link ReceiveBuffer#NO_MESSAGE}.
     */
    public int poll(final long now, final boolean readable)
    {
        if (close.isRequested())
        {
            return ReceiveBuffer.NO_MESSAGE;
        }
        lastNow = now;
        tcp.forceIfDue(now);
        if (rx.hasFront())
        {
            readBehindFront(now, readable);
            sendDue(now);
            return close.isRequested() ? ReceiveBuffer.NO_MESSAGE : rx.frontOffset();
        }
        final int buffered = rx.parseFront(queue);
        if (buffered >= 0 || close.isRequested())
        {
            sendDue(now);
            return buffered;
        }
        final int n = readable ? rx.read(channel) : 0;
        if (n > 0)
        {
            received(now);
            final int offset = rx.parseFront(queue);
            sendDue(now);
            return offset;
        }
        if (n < 0)
        {
            return ReceiveBuffer.NO_MESSAGE;
        }
        if (now - lastRecvTime > config.connectionTimeout())
        {
            close.request(DisconnectReason.TIMEOUT, null, null);
            return ReceiveBuffer.NO_MESSAGE;
        }
        sendDue(now);
        return ReceiveBuffer.NO_MESSAGE;
    }

    private void received(final long now)
    {
        ioCount++;
        lastRecvTime = now;
        counters.set(CountersDescriptor.LAST_RECV_TIME, now);
    }

    /**
     * One poll of the TCP link of an SHM session: discard what arrived (it only proves the peer is alive,
     * and its first heartbeats carry the peer's ring mark), time out a silent peer, send a heartbeat when due.
     *
     * @param now the caller's clock.
     */
    public void pollShmLink(final long now)
    {
        if (close.isRequested())
        {
            return;
        }
        lastNow = now;
        int n = 0;
        boolean any = false;
        // a few reads at most: a peer flooding the heartbeat link must not hold the poll
        for (int i = 0; i < 4 && (n = rx.read(channel)) > 0; i++)
        {
            any = true;
            final int whole = rx.wholeHeaderBytes();
            counters.add(CountersDescriptor.HEARTBEATS_RECEIVED, whole >>> 3); // only heartbeats travel on this link
            for (int unit = 0; unit < whole && !shmProven && !close.isRequested(); unit += Bits.HEADER_LENGTH)
            {
                checkRingMark(unit); // every whole header until one proves the rings: independent of how reads split
            }
            rx.keepPartialHeader();
        }
        if (n < 0 || close.isRequested())
        {
            return;
        }
        if (config.shmConsumeTimeout() >= 0 && peerStopsConsuming(now))
        {
            return;
        }
        if (any)
        {
            received(now);
        }
        else if (now - lastRecvTime > config.connectionTimeout())
        {
            close.request(DisconnectReason.TIMEOUT, null, null);
            return;
        }
        if (heartbeat.hasRemaining() || now - lastSendTime >= config.heartbeatInterval())
        {
            sendHeartbeat(now, shmMark); // the ackSeq field, which no peer reads as an ack on this link
        }
    }

    /**
     * A Java peer's heartbeat on the link of an SHM session carries the mark it wrote into its send ring,
     * this side's receive ring: when this side's receive ring holds another value, the two processes do not
     * map the same file (two hosts, two containers, or two {@code shmDir}s), and every message would wait for
     * ever in a ring only its writer sees. A C++ peer (or an older Java one) sends 0: nothing to check.
     */
    private void checkRingMark(final int offset)
    {
        final ByteBuffer buf = rx.buffer();
        if (FrameHeader.size(buf, offset) != Bits.HEADER_LENGTH ||
            FrameHeader.msgType(buf, offset) != FrameHeader.HEARTBEAT_TYPE)
        {
            return; // not a heartbeat: nothing else travels on this link, and nothing else is read from it
        }
        final int announced = FrameHeader.ackSeq(buf, offset);
        if (announced == 0)
        {
            return;
        }
        final int found = shm.recvRing.mark();
        if (found == announced)
        {
            shmProven = true;
            return;
        }
        close.request(DisconnectReason.SHM_NOT_SHARED, "SHM rings not shared with the peer: its heartbeat " +
            "announces ring mark " + Bits.u32(announced) + " but " + shm.recvRegion.path() + " holds " + Bits.u32(found) +
            " (two hosts, two containers, or different shmDir settings?)", null);
    }

    /** The opt-in check of {@code shmConsumeTimeout}; true when it closed the connection. */
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
        close.request(DisconnectReason.SHM_PEER_STALLED, "SHM peer consumes nothing: messages wait in " +
            shm.sendRegion.path() + " since " + peerReadTime + " while the connection stays up (another host, container or shmDir, or a stuck peer?)",
            null);
        return true;
    }

    /**
     * The current message has not been popped (the user is waiting, e.g. for room to reply). Keep reading
     * behind it and apply the acks of the frames that arrive: the peer's ack that frees our queue may sit
     * behind the message we cannot consume until our queue has room (head-of-line deadlock otherwise).
     * Frames that came in the same read as the held message are scanned too (first call here): the ack may
     * already be in the buffer, with nothing more to come from a peer whose queue is full.
     */
    private void readBehindFront(final long now, final boolean readable)
    {
        rx.scanAcks(queue);
        if (close.isRequested())
        {
            return;
        }
        if (!rx.makeRoomBehindFront())
        {
            // full at its maximum behind the held message: nothing can be received until it is popped, so a peer
            // that filled it and went silent must still time out rather than hold the link
            if (now - lastRecvTime > config.connectionTimeout())
            {
                close.request(DisconnectReason.TIMEOUT, null, null);
            }
            return;
        }
        final int n = readable ? rx.read(channel) : 0;
        if (n > 0)
        {
            received(now);
            rx.scanAcks(queue);
        }
        else if (n == 0 && now - lastRecvTime > config.connectionTimeout())
        {
            close.request(DisconnectReason.TIMEOUT, null, null); // a peer that died silently while we hold its message
        }
    }

    private void sendDue(final long now)
    {
        if (heartbeat.hasRemaining() || queue.hasUnsent())
        {
            sendPending();
            return;
        }
        final int ack = queue.myAck();
        if (now - lastSendTime >= config.heartbeatInterval() ||
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
                ioCount++;
            }
        }
        catch (final IOException ex)
        {
            close.request(DisconnectReason.SEND_ERROR, ex.getMessage(), ex);
            return;
        }
        if (!heartbeat.hasRemaining())
        {
            counters.add(CountersDescriptor.HEARTBEATS_SENT, 1);
            if (shm == null)
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
                    ioCount++;
                }
                if (heartbeat.hasRemaining())
                {
                    return;
                }
                counters.add(CountersDescriptor.HEARTBEATS_SENT, 1); // finished here, after a partial write in sendHeartbeat
                announcedAck = FrameHeader.ackSeq(heartbeat, 0);
            }
            if (!queue.hasUnsent())
            {
                return;
            }
            final int n = channel.write(queue.unsent());
            if (n > 0)
            {
                queue.sent(n);
                lastSendTime = lastNow;
                ioCount++;
                if (!queue.hasUnsent())
                {
                    announcedAck = lastPushedAck;
                    if (announcedAck == queue.myAck())
                    {
                        unannouncedBytes = 0;
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            close.request(DisconnectReason.SEND_ERROR, ex.getMessage(), ex);
        }
    }
}
