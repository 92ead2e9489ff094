package io.tcpshm.samples;

import io.tcpshm.MsgHeader;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The echo server's reply journal for one client, a small memory-mapped file in the server's ptcp
 * directory, so that a server killed at any instruction replies to every message exactly once while
 * it pops each request before it pushes the reply (as the C++ example does, so that the reply
 * carries the ack).
 *
 * <p>Replying is two persisted steps, a pop of the request and a push of the reply; a kill between
 * them would lose the reply, since the popped request is never delivered again. So, once the reply
 * is allocated and written, the server journals it: {@code in} = the connection's receive position
 * (before the pop), {@code out} = its send position (after the alloc, before the push), the reply's
 * type and payload, then {@code pending} (release stores, in that order); pop; push;
 * {@code pending = 0}. At the next logon of that client ({@link #recover}): if the receive position
 * is still {@code in}, the pop did not happen and the request comes again; if the send position has
 * moved past {@code out}, the push happened; otherwise the reply is pushed from the journal. See
 * {@link io.tcpshm.TcpShmConnection#sendPosition()}.
 *
 * <p>Layout: {@code pending} (u64) at 0, {@code in} at 8, {@code out} at 16, the type (u32) at 24, the
 * length (u32) at 28 and the payload from 32, so that a reply of up to 32 bytes is journalled in the one
 * cache line the fields are in. {@code pending} says which layout a pending reply was written in: 2 for
 * this one; 1 for the journals of earlier versions (type and length as u64 at 24 and 32, the payload from 64),
 * which {@link #recover} still reads.
 */
public final class EchoJournal
{
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int PENDING = 0;
    private static final int IN = 8;
    private static final int OUT = 16;
    private static final int TYPE = 24;
    private static final int LENGTH = 28;
    private static final int PAYLOAD = 32;
    /** {@code pending}: a reply in this layout. */
    private static final long PENDING_REPLY = 2;
    /** {@code pending}: a reply in the layout of earlier versions (u64 type at 24, u64 length at 32, payload at 64). */
    private static final long PENDING_REPLY_V1 = 1;
    private static final int V1_LENGTH = 32;
    private static final int V1_PAYLOAD = 64;
    /** Room for the largest payload in either layout (the file's size has not changed). */
    private static final int SIZE = V1_PAYLOAD + 65536;

    private final MappedByteBuffer buffer;

    private EchoJournal(final MappedByteBuffer buffer)
    {
        this.buffer = buffer;
    }

    /**
     * Opens or creates a journal (a new file reads as nothing pending).
     *
     * @param path the file.
     * @return the journal.
     * @throws IOException when the file cannot be opened.
     */
    public static EchoJournal open(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            return new EchoJournal(channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE));
        }
    }

    /**
     * Records the reply about to be pushed, before the request is popped.
     *
     * @param receivePosition the connection's receive position (the request's, before the pop).
     * @param sendPosition the connection's send position after the alloc, before the push.
     * @param reply the allocated and written reply.
     */
    public void begin(final long receivePosition, final long sendPosition, final MsgHeader reply)
    {
        final int length = reply.payloadLength();
        buffer.put(PAYLOAD, reply.buffer(), reply.payloadOffset(), length);
        buffer.putInt(TYPE, reply.msgType());
        buffer.putInt(LENGTH, length);
        LONG.setRelease(buffer, IN, receivePosition);
        LONG.setRelease(buffer, OUT, sendPosition);
        LONG.setRelease(buffer, PENDING, PENDING_REPLY);
    }

    /** The reply was pushed: nothing pending. */
    public void end()
    {
        LONG.setRelease(buffer, PENDING, 0L);
    }

    /**
     * At a logon: finishes the reply a dead server had begun, if any (see the class comment).
     *
     * @param conn the connection, logged on and not yet polled by its group.
     * @return true when a reply was pushed from the journal.
     */
    public boolean recover(final io.tcpshm.TcpShmConnection conn)
    {
        final long pending = (long)LONG.getAcquire(buffer, PENDING);
        if (pending != PENDING_REPLY && pending != PENDING_REPLY_V1)
        {
            return false;
        }
        final boolean popped = (long)LONG.getAcquire(buffer, IN) != conn.receivePosition();
        final boolean pushed = (long)LONG.getAcquire(buffer, OUT) != conn.sendPosition();
        if (!popped || pushed)
        {
            end(); // the request comes again, or its reply went out
            return false;
        }
        final boolean v1 = pending == PENDING_REPLY_V1;
        final int length = v1 ? (int)buffer.getLong(V1_LENGTH) : buffer.getInt(LENGTH);
        final MsgHeader reply = conn.alloc(length);
        if (reply == null)
        {
            return false; // cannot happen (the dead server had this room); keep it pending for the next logon
        }
        reply.msgType(v1 ? (int)buffer.getLong(TYPE) : buffer.getInt(TYPE));
        reply.buffer().put(reply.payloadOffset(), buffer, v1 ? V1_PAYLOAD : PAYLOAD, length);
        conn.push();
        end();
        return true;
    }
}
