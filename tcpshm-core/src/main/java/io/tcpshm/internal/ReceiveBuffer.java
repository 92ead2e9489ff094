package io.tcpshm.internal;

import io.tcpshm.DisconnectReason;
import io.tcpshm.files.CountersDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * The receive side of a TCP session: the bytes read from the socket and their split into frames.
 * Applies the ack of every complete header to the send queue (acks ride in every header), consumes
 * heartbeats, and holds the oldest application message until it is popped. Grows, doubling up to
 * {@code tcpReceiveBufferMaxSize}, only when a frame does not fit; a message returned earlier may move then,
 * so a view of it is re-pointed at every front ({@link #frontOffset()}).
 *
 * <pre>
 *   0            read                            write            capacity
 *   +------------+----------------+--------------+----------------+
 *   | consumed   | front message  | frames after | free: the next |
 *   |            | (frontFrame)   | it (acks     | socket read    |
 *   |            |                | scanned)     | lands here     |
 *   +------------+----------------+--------------+----------------+
 * </pre>
 */
public final class ReceiveBuffer
{
    /** {@link #parseFront} found no complete application message (or the session is closing). */
    public static final int NO_MESSAGE = -1;
    /** {@link #read} result: end of stream or a socket error; the session is closing. */
    public static final int CLOSED = -1;

    private final int maxSize;
    private final ByteOrder order;
    private final CloseRequest close;
    private final CountersWriter counters;
    private ByteBuffer buffer;
    private ByteBuffer readView;
    private int read;
    private int write;
    /** Bytes of the held message's frame (its size rounded up to 8), 0 when none is held. */
    private int frontFrame;
    private int frontSize;
    /** Offset up to which the acks of complete frames behind the held message have been applied. */
    private int ackScan;

    /**
     * @param initialSize {@code tcpReceiveBufferInitialSize}.
     * @param maxSize     {@code tcpReceiveBufferMaxSize}: no frame may be larger.
     * @param order       the wire byte order.
     * @param close       the connection's close request, for protocol errors.
     * @param counters    the connection's counters (heartbeats received).
     */
    public ReceiveBuffer(final int initialSize, final int maxSize, final ByteOrder order, final CloseRequest close,
        final CountersWriter counters)
    {
        this.maxSize = maxSize;
        this.order = order;
        this.close = close;
        this.counters = counters;
        this.buffer = ByteBuffer.allocateDirect(initialSize).order(order);
        this.readView = buffer.duplicate();
    }

    /** Forgets everything buffered: a new session. */
    public void clear()
    {
        read = 0;
        write = 0;
        frontFrame = 0;
        ackScan = 0;
    }

    /** @return the buffer now holding the bytes (replaced when it grows), in the wire byte order. */
    public ByteBuffer buffer()
    {
        return buffer;
    }

    /** @return true while an application message is held (returned by {@link #parseFront}, not popped). */
    public boolean hasFront()
    {
        return frontFrame != 0;
    }

    /** @return offset of the held message's header in {@link #buffer()}. */
    public int frontOffset()
    {
        return read;
    }

    /**
     * Releases the held message.
     *
     * @return its size field, 0 when none was held.
     */
    public int popFront()
    {
        final int frame = frontFrame;
        if (frame == 0)
        {
            return 0;
        }
        read += frame;
        frontFrame = 0;
        return frontSize;
    }

    /**
     * Reads the socket once into the free end of the buffer.
     *
     * @param channel the session's non-blocking socket.
     * @return bytes read, 0 for none, {@link #CLOSED} when the session is closing (end of stream or error).
     */
    public int read(final SocketChannel channel)
    {
        if (read == write)
        {
            read = 0;
            write = 0;
            ackScan = 0;
        }
        final ByteBuffer view = readView;
        view.limit(view.capacity()).position(write);
        if (!view.hasRemaining())
        {
            return 0;
        }
        try
        {
            final int n = channel.read(view);
            if (n < 0)
            {
                close.request(DisconnectReason.REMOTE_CLOSE, null, null);
                return CLOSED;
            }
            write += n;
            return n;
        }
        catch (final IOException ex)
        {
            close.request(DisconnectReason.REMOTE_CLOSE, ex.getMessage(), ex);
            return CLOSED;
        }
    }

    /**
     * Finds the next application message, consuming heartbeats and applying every header's ack on the
     * way. Makes room for an incomplete frame (compacting or growing the buffer) so that the next read
     * can complete it.
     *
     * @param queue the session's send queue, which the acks free.
     * @return the message's header offset (now held), or {@link #NO_MESSAGE}; a protocol error also asks
     *     for the close.
     */
    public int parseFront(final PtcpQueue queue)
    {
        final ByteBuffer buf = buffer;
        while (true)
        {
            final int available = write - read;
            if (available < Bits.HEADER_LENGTH)
            {
                makeRoom(Bits.HEADER_LENGTH);
                return NO_MESSAGE;
            }
            final int offset = read;
            final int size = FrameHeader.size(buf, offset);
            if (size < Bits.HEADER_LENGTH)
            {
                close.request(DisconnectReason.PROTOCOL_ERROR, "Invalid msg size " + size + " (below 8)", null);
                return NO_MESSAGE;
            }
            final int frame = Bits.roundUp8(size);
            if (frame > maxSize)
            {
                close.request(DisconnectReason.PROTOCOL_ERROR, "Msg size " + size + " larger than tcpReceiveBufferMaxSize " +
                    maxSize, null);
                return NO_MESSAGE;
            }
            if (available < frame)
            {
                makeRoom(frame);
                return NO_MESSAGE;
            }
            final int ack = FrameHeader.ackSeq(buf, offset);
            if (!queue.ack(ack))
            {
                invalidAck(ack, queue);
                return NO_MESSAGE;
            }
            if (FrameHeader.msgType(buf, offset) == FrameHeader.HEARTBEAT_TYPE)
            {
                read += frame;
                counters.add(CountersDescriptor.HEARTBEATS_RECEIVED, 1);
                continue;
            }
            frontFrame = frame;
            frontSize = size;
            return offset;
        }
    }

    /**
     * Applies the acks of the complete frames behind the held message (see
     * {@code TcpSession#readBehindFront}). Acks are cumulative, so applying one early and again when its
     * frame reaches the front is harmless.
     *
     * @param queue the session's send queue.
     */
    public void scanAcks(final PtcpQueue queue)
    {
        final ByteBuffer buf = buffer;
        int pos = Math.max(ackScan, read + frontFrame);
        while (write - pos >= Bits.HEADER_LENGTH)
        {
            final int size = FrameHeader.size(buf, pos);
            final int frame = Bits.roundUp8(size);
            if (size < Bits.HEADER_LENGTH || frame > write - pos)
            {
                break; // an invalid size is reported when it reaches the front
            }
            final int ack = FrameHeader.ackSeq(buf, pos);
            if (!queue.ack(ack))
            {
                invalidAck(ack, queue);
                return;
            }
            pos += frame;
        }
        ackScan = pos;
    }

    private void invalidAck(final int ack, final PtcpQueue queue)
    {
        close.request(DisconnectReason.PROTOCOL_ERROR, "Invalid ack " + Bits.u32(ack) +
            ": newer than one past the newest message sent (" + Bits.u32(queue.seqEnd()) + ")", null);
    }

    /**
     * Frees room behind the held message when the buffer is full: compacts it, or grows it by one
     * 8-byte unit at least (below its maximum).
     *
     * @return false when it is full at its maximum size: nothing more can be read until the pop.
     */
    public boolean makeRoomBehindFront()
    {
        final int capacity = buffer.capacity();
        if (write < capacity)
        {
            return true;
        }
        if (read > 0 || capacity < maxSize)
        {
            relocate(capacity + (read > 0 ? 0 : 8));
            return true;
        }
        return false;
    }

    /** @return bytes of whole 8-byte headers buffered from offset 0 (the heartbeat link of an SHM session). */
    public int wholeHeaderBytes()
    {
        return write & ~7;
    }

    /**
     * Drops the whole headers read on the heartbeat link of an SHM session and keeps the bytes of a
     * partial one at the start, so that the stream stays aligned to 8.
     */
    public void keepPartialHeader()
    {
        final int whole = write & ~7;
        final int tail = write - whole;
        for (int b = 0; b < tail; b++)
        {
            buffer.put(b, buffer.get(whole + b));
        }
        read = 0;
        write = tail;
    }

    private void makeRoom(final int frame)
    {
        if (read + frame > buffer.capacity())
        {
            relocate(frame);
        }
    }

    /**
     * Moves the unread bytes to the start, first growing the buffer (up to its maximum, doubling) when it
     * is smaller than {@code needed}. Rare: only when a frame straddles the end of the buffer.
     */
    private void relocate(final int needed)
    {
        final int live = write - read;
        final int shift = read;
        if (needed > buffer.capacity())
        {
            final int capacity = Math.min(maxSize, Math.max(needed, buffer.capacity() * 2));
            final ByteBuffer bigger = ByteBuffer.allocateDirect(capacity).order(order);
            for (int i = 0; i < live; i++)
            {
                bigger.put(i, buffer.get(shift + i));
            }
            buffer = bigger;
            readView = bigger.duplicate();
        }
        else
        {
            // the destination is below the source, so a forward copy is safe
            for (int i = 0; i < live; i++)
            {
                buffer.put(i, buffer.get(shift + i));
            }
        }
        read = 0;
        write = live;
        ackScan = Math.max(0, ackScan - shift);
    }
}
