package io.tcpshm;

import io.tcpshm.internal.FrameHeader;

import java.nio.ByteBuffer;

/**
 * A reusable view of one message: its 8-byte header ({@code size}, {@code msgType},
 * {@code ackSeq}) and its payload, in place in the queue, ring or receive buffer that holds it.
 * Each connection owns two instances (one for sending, one for receiving) that are re-pointed by
 * every {@code alloc} and {@code front}; no object is created per message.
 *
 * <p>The payload is read and written directly through {@link #buffer()} at
 * {@link #payloadOffset()} (8-byte aligned). The buffer's byte order is the configured TCP byte
 * order ({@link TcpShmConfig#byteOrder()}), so {@code buffer().getLong(payloadOffset())} reads what a
 * peer of the same settings wrote; payload bytes are never converted by the library.
 *
 * <p>The buffer is not always the same object: the TCP receive buffer is replaced when it grows
 * for a large message, and the rings when an SHM connection logs in again. So a codec is pointed at
 * the message per message, and a flyweight over the buffer is re-pointed when the buffer changes
 * (Agrona's {@code UnsafeBuffer.wrap(ByteBuffer)} allocates nothing, and a reference compare makes
 * it rare):
 *
 * <pre>{@code
 * private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
 *
 * void onMessage(MsgHeader msg)
 * {
 *     if (view.byteBuffer() != msg.buffer())
 *     {
 *         view.wrap(msg.buffer());
 *     }
 *     decoder.wrap(view, msg.payloadOffset(), BLOCK_LENGTH, VERSION);
 * }
 * }</pre>
 *
 * <p>A view is valid until the next {@code pop}, {@code alloc}, {@code push} or poll on its
 * connection.
 */
public final class MsgHeader
{
    private ByteBuffer header;
    private ByteBuffer payload;
    private int offset;

    MsgHeader()
    {
    }

    void wrap(final ByteBuffer headerView, final ByteBuffer payloadView, final int headerOffset)
    {
        header = headerView;
        payload = payloadView;
        offset = headerOffset;
    }

    /** @return bytes of the whole message, header included (8..65535). */
    public int size()
    {
        return FrameHeader.size(header, offset);
    }

    /** @return the message type (an application message is never 0). */
    public int msgType()
    {
        return FrameHeader.msgType(header, offset);
    }

    /**
     * Sets the type of a message being sent (after {@code alloc}, before {@code push}).
     *
     * @param msgType 1..65535; 0 is reserved for heartbeats.
     * @return this view.
     * @throws IllegalArgumentException for 0 or a value that does not fit 16 bits.
     */
    public MsgHeader msgType(final int msgType)
    {
        if (msgType <= 0 || msgType > 0xFFFF)
        {
            throw new IllegalArgumentException("msgType " + msgType + " must be 1..65535 (0 is a heartbeat)");
        }
        header.putShort(offset + FrameHeader.TYPE_OFFSET, (short)msgType);
        return this;
    }

    /**
     * @return the header's {@code ackSeq} as a u32 (meaningful on TCP only: the sender's ack of the
     *     moment it pushed the message).
     */
    public long ackSeq()
    {
        return FrameHeader.ackSeq(header, offset) & 0xFFFF_FFFFL;
    }

    /** @return payload bytes: {@code size() - 8}. */
    public int payloadLength()
    {
        return size() - 8;
    }

    /**
     * @return the buffer holding the message (shared; its position and limit are meaningless and
     *     must be left alone), in the configured byte order.
     */
    public ByteBuffer buffer()
    {
        return payload;
    }

    /** @return offset of the first payload byte in {@link #buffer()}, a multiple of 8. */
    public int payloadOffset()
    {
        return offset + 8;
    }

    /** @return offset of the header in {@link #buffer()}. */
    public int headerOffset()
    {
        return offset;
    }

    @Override
    public String toString()
    {
        return header == null ? "MsgHeader{}" :
            "MsgHeader{size=" + size() + ", msgType=" + msgType() + ", ackSeq=" + ackSeq() + '}';
    }
}
