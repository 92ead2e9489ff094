package io.tcpshm.internal;

import io.tcpshm.DisconnectReason;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The two SHM rings of a connection (this side's send ring and its receive ring), their mappings and
 * their views. Immutable once published, but for the chain of retired rings ({@link #retiredBefore}).
 */
public final class ShmTransport implements Transport
{
    /** The send ring's file. */
    public final MappedRegion sendRegion;
    /** The receive ring's file. */
    public final MappedRegion recvRegion;
    /** This side's end of the send ring (producer). */
    public final ShmRing sendRing;
    /** This side's end of the receive ring (consumer). */
    public final ShmRing recvRing;
    private final ByteBuffer sendPayload;
    private final ByteBuffer recvPayload;
    private final int maxPayload;
    private final int shmQueueSize;
    private final CloseRequest close;
    /**
     * The rings retired before these ({@link ConnectionFiles}): written by the connecting thread before these
     * are published as the chain's head, then only by the SHM poller, which alone reads it.
     */
    ShmTransport retiredBefore;

    /**
     * @param sendRegion   the mapped send ring.
     * @param recvRegion   the mapped receive ring.
     * @param shmQueueSize the ring's size setting.
     * @param payloadOrder the byte order of payloads (the configured wire order).
     * @param close        the connection's close request, for a corrupt ring.
     */
    public ShmTransport(final MappedRegion sendRegion, final MappedRegion recvRegion, final int shmQueueSize,
        final ByteOrder payloadOrder, final CloseRequest close)
    {
        this.sendRegion = sendRegion;
        this.recvRegion = recvRegion;
        this.shmQueueSize = shmQueueSize;
        this.close = close;
        this.sendRing = ShmRing.producer(sendRegion.buffer(), shmQueueSize);
        this.recvRing = ShmRing.consumer(recvRegion.buffer(), shmQueueSize);
        this.sendPayload = sendRegion.buffer().duplicate().order(payloadOrder);
        this.recvPayload = recvRegion.buffer().duplicate().order(payloadOrder);
        // a ring is 64 * C bytes, so "the size fits" is exactly "the blocks fit"; comparing the payload itself
        // avoids the int overflow of payloadLength + 8 for lengths near Integer.MAX_VALUE
        this.maxPayload = Math.min(Bits.MAX_MSG_SIZE, shmQueueSize) - Bits.HEADER_LENGTH;
    }

    @Override
    public void checkPayloadLength(final int payloadLength)
    {
        if (payloadLength < 0 || payloadLength > maxPayload)
        {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes can never be sent on SHM: " +
                "the limit is " + maxPayload + " bytes, from the 8-byte header and the smaller of the size " +
                "field (65535) and shmQueueSize (" + shmQueueSize + ")");
        }
    }

    @Override
    public int alloc(final int payloadLength)
    {
        final int offset = sendRing.alloc(payloadLength);
        return offset < 0 ? NO_ROOM : offset;
    }

    @Override
    public ByteBuffer sendHeaders()
    {
        return sendRing.buffer();
    }

    @Override
    public ByteBuffer sendPayloads()
    {
        return sendPayload;
    }

    @Override
    public boolean hasAllocated()
    {
        return sendRing.hasAllocated();
    }

    @Override
    public void push(final boolean write)
    {
        sendRing.push();
    }

    @Override
    public int front()
    {
        final int offset = recvRing.front();
        if (offset >= 0)
        {
            return offset;
        }
        if (offset == ShmRing.CORRUPT)
        {
            close.request(DisconnectReason.FILE_ERROR, "Corrupt SHM ring " + recvRegion.path() +
                ": invalid message header at readIdx " + Bits.u32(recvRing.readIdx()), null);
        }
        return NO_MESSAGE;
    }

    @Override
    public ByteBuffer receiveHeaders()
    {
        return recvRing.buffer();
    }

    @Override
    public ByteBuffer receivePayloads()
    {
        return recvPayload;
    }

    @Override
    public int pop()
    {
        if (!recvRing.hasFronted())
        {
            return 0;
        }
        final int size = recvRing.frontSize();
        recvRing.pop();
        return size;
    }

    @Override
    public long sendPosition()
    {
        return Bits.u32(sendRing.writeIdx());
    }

    @Override
    public long receivePosition()
    {
        return Bits.u32(recvRing.readIdx());
    }

    /** @return true when either mapping was closed (by the SHM poller at a poll's start, or at stop). */
    boolean isClosed()
    {
        return sendRegion.isClosed() || recvRegion.isClosed();
    }
}
