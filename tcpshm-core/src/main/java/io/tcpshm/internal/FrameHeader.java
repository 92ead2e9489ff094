package io.tcpshm.internal;

import java.nio.ByteBuffer;

/**
 * The 8-byte message header: u16 {@code size} at 0, u16 {@code msgType} at 2, u32 {@code ackSeq}
 * at 4, read and written in the order of the buffer passed in (the TCP byte order for frames and
 * PTCP files, the host order for SHM rings).
 */
public final class FrameHeader
{
    /** Offset of {@code size}. */
    public static final int SIZE_OFFSET = 0;
    /** Offset of {@code msgType}. */
    public static final int TYPE_OFFSET = 2;
    /** Offset of {@code ackSeq}. */
    public static final int ACK_OFFSET = 4;
    /** {@code msgType} of a heartbeat. */
    public static final int HEARTBEAT_TYPE = 0;

    private FrameHeader()
    {
    }

    /**
     * @param buffer memory holding the header, in the header's byte order.
     * @param offset header offset.
     * @return the u16 size.
     */
    public static int size(final ByteBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SIZE_OFFSET) & 0xFFFF;
    }

    /**
     * @param buffer memory holding the header, in the header's byte order.
     * @param offset header offset.
     * @return the u16 message type.
     */
    public static int msgType(final ByteBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TYPE_OFFSET) & 0xFFFF;
    }

    /**
     * @param buffer memory holding the header, in the header's byte order.
     * @param offset header offset.
     * @return the u32 ack sequence.
     */
    public static int ackSeq(final ByteBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + ACK_OFFSET);
    }

    /**
     * Writes all three fields.
     *
     * @param buffer destination in the header's byte order.
     * @param offset header offset.
     * @param size u16 size.
     * @param msgType u16 type.
     * @param ackSeq u32 ack.
     */
    public static void write(final ByteBuffer buffer, final int offset, final int size, final int msgType, final int ackSeq)
    {
        buffer.putShort(offset + SIZE_OFFSET, (short)size);
        buffer.putShort(offset + TYPE_OFFSET, (short)msgType);
        buffer.putInt(offset + ACK_OFFSET, ackSeq);
    }
}
