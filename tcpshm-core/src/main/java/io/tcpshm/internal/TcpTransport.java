package io.tcpshm.internal;

import java.nio.ByteBuffer;

/**
 * A connection on TCP: its PTCP queue file for sending, the session's receive buffer for receiving, and
 * the queue file's durability ({@code ptcpForceInterval}). Messages stay in the queue until the peer acks
 * them; a pop advances this side's ack, which the next header sent carries.
 */
public final class TcpTransport implements Transport
{
    private final MappedRegion region;
    private final PtcpQueue queue;
    private final TcpSession session;
    private final PollerThreads pollers;
    private final int maxPayload;
    private final int queueSize;
    private final int recvBufMaxSize;
    /** {@code ptcpForceInterval}: negative never forces, 0 forces every push, else at most once per interval. */
    private final long forceInterval;
    private boolean unforced;
    private long lastForce;

    /**
     * @param region         the mapped queue file.
     * @param queue          the queue over it.
     * @param session        the connection's TCP session (its receive side and socket).
     * @param pollers        the connection's poller threads.
     * @param recvBufMaxSize {@code tcpReceiveBufferMaxSize}: the peer's receive buffer takes no larger frame.
     * @param forceInterval  {@code ptcpForceInterval}.
     */
    public TcpTransport(final MappedRegion region, final PtcpQueue queue, final TcpSession session,
        final PollerThreads pollers, final int recvBufMaxSize, final long forceInterval)
    {
        this.region = region;
        this.queue = queue;
        this.session = session;
        this.pollers = pollers;
        this.queueSize = queue.queueSize();
        this.recvBufMaxSize = recvBufMaxSize;
        this.forceInterval = forceInterval;
        // both limits are multiples of 8 (a frame is the size rounded up to 8), so "the size fits" is exactly
        // "the frame fits"; comparing the payload itself avoids the int overflow of payloadLength + 8
        this.maxPayload = Math.min(Bits.MAX_MSG_SIZE, Math.min(queueSize, recvBufMaxSize)) - Bits.HEADER_LENGTH;
    }

    /** @return the queue file's mapping. */
    public MappedRegion region()
    {
        return region;
    }

    /** @return the PTCP queue. */
    public PtcpQueue queue()
    {
        return queue;
    }

    @Override
    public void checkPayloadLength(final int payloadLength)
    {
        if (payloadLength < 0 || payloadLength > maxPayload)
        {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes can never be sent on TCP: " +
                "the limit is " + maxPayload + " bytes, from the 8-byte header and the smallest of the size " +
                "field (65535), tcpQueueSize (" + queueSize + ") and tcpReceiveBufferMaxSize (" + recvBufMaxSize + ")");
        }
    }

    @Override
    public int alloc(final int payloadLength)
    {
        final int offset = queue.alloc(payloadLength);
        return offset < 0 ? NO_ROOM : offset;
    }

    @Override
    public ByteBuffer sendHeaders()
    {
        return queue.wireBuffer();
    }

    @Override
    public ByteBuffer sendPayloads()
    {
        return queue.wireBuffer();
    }

    @Override
    public boolean hasAllocated()
    {
        return queue.hasAllocated() && pollers.ownsTcpState();
    }

    @Override
    public void push(final boolean write)
    {
        session.pushed(queue.myAck());
        queue.push();
        if (forceInterval >= 0)
        {
            if (forceInterval == 0)
            {
                region.force(); // durable before it is written to the socket
            }
            else
            {
                unforced = true;
            }
        }
        if (write)
        {
            session.flush();
        }
    }

    @Override
    public int front()
    {
        return session.front(queue);
    }

    @Override
    public ByteBuffer receiveHeaders()
    {
        return session.receiveBuffer();
    }

    @Override
    public ByteBuffer receivePayloads()
    {
        return session.receiveBuffer();
    }

    @Override
    public int pop()
    {
        if (!session.hasFront() || !pollers.ownsTcpState())
        {
            return 0;
        }
        final int size = session.popFront();
        queue.incrementMyAck();
        if (forceInterval > 0)
        {
            unforced = true;
        }
        return size;
    }

    @Override
    public long sendPosition()
    {
        return Bits.u32(queue.seqEnd());
    }

    @Override
    public long receivePosition()
    {
        return Bits.u32(queue.myAck());
    }

    /** @return whether something changed since the queue file was last forced with {@code ptcpForceInterval} > 0. */
    public boolean hasUnforced()
    {
        return unforced;
    }

    /**
     * Durability at an interval: forces the queue file when something changed and the interval has passed.
     * Called from the polls of the connection's TCP thread.
     *
     * @param now the caller's clock.
     */
    public void forceIfDue(final long now)
    {
        if (unforced && now - lastForce >= forceInterval && !region.isClosed())
        {
            region.force();
            unforced = false;
            lastForce = now;
        }
    }
}
