package io.tcpshm.files;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.PtcpQueue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A read-only look at a PTCP queue file ({@link PtcpQueueDescriptor}), Java's or a C++ peer's: a private
 * copy of its bytes is examined, so the file is never changed and its owner may keep running.
 */
public final class PtcpQueueFile
{
    private final long fileLength;
    private final int tcpQueueSize;
    private final ByteBuffer bytes;

    private PtcpQueueFile(final ByteBuffer bytes)
    {
        this.bytes = bytes;
        this.fileLength = bytes.capacity();
        this.tcpQueueSize = PtcpQueueDescriptor.tcpQueueSizeOf(fileLength);
    }

    /**
     * @param path a PTCP queue file.
     * @return a view of a copy of its bytes.
     * @throws IOException when it cannot be read.
     */
    public static PtcpQueueFile read(final Path path) throws IOException
    {
        return new PtcpQueueFile(FileCopy.of(path));
    }

    /** @return the file's length. */
    public long fileLength()
    {
        return fileLength;
    }

    /** @return the {@code tcpQueueSize} the file was written with, or {@link PtcpQueueDescriptor#INVALID_LENGTH}. */
    public int tcpQueueSize()
    {
        return tcpQueueSize;
    }

    /** @return the {@code writeIdx} field (u32); only when {@link #tcpQueueSize()} is valid. */
    public long writeIdx()
    {
        return index(PtcpQueueDescriptor.WRITE_IDX_OFFSET);
    }

    /** @return the {@code readIdx} field (u32). */
    public long readIdx()
    {
        return index(PtcpQueueDescriptor.READ_IDX_OFFSET);
    }

    /** @return the {@code sendIdx} field (u32), an in-progress mark included. */
    public long sendIdx()
    {
        return index(PtcpQueueDescriptor.SEND_IDX_OFFSET);
    }

    /** @return the {@code readSeq} field (u32). */
    public long readSeq()
    {
        return index(PtcpQueueDescriptor.READ_SEQ_OFFSET);
    }

    /** @return the {@code myAck} field (u32). */
    public long myAck()
    {
        return index(PtcpQueueDescriptor.MY_ACK_OFFSET);
    }

    private long index(final int field)
    {
        requireValidLength();
        return Bits.u32(bytes.getInt(PtcpQueueDescriptor.indexAreaOffset(tcpQueueSize) + field));
    }

    private void requireValidLength()
    {
        if (tcpQueueSize == PtcpQueueDescriptor.INVALID_LENGTH)
        {
            throw new IllegalStateException("a file of " + fileLength + " bytes is not tcpQueueSize + 20 with " +
                "tcpQueueSize a multiple of 8");
        }
    }

    /**
     * Walks the queued messages as a login would (completing, in the copy, an index change a crash
     * interrupted), trying both header byte orders.
     *
     * @return what the queue holds, or why it cannot be trusted.
     */
    public Contents contents()
    {
        requireValidLength();
        String problem = null;
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
        {
            final ByteBuffer copy = ByteBuffer.allocateDirect(bytes.capacity()).order(ByteOrder.nativeOrder());
            copy.put(bytes.duplicate().clear()).clear();
            final PtcpQueue queue = new PtcpQueue(copy, tcpQueueSize, order);
            final String p = queue.sanityCheck();
            if (p == null)
            {
                final int send = (int)sendIdx();
                final long unsentFrom = Math.max(queue.readIdx(), Math.min(send, queue.writeIdx()));
                return new Contents(null, queue.queuedCount() == 0 ? null : order, Bits.u32(queue.seqStart()),
                    Bits.u32(queue.seqEnd()), queue.queuedCount(), 8L * (queue.writeIdx() - queue.readIdx()),
                    8L * (queue.writeIdx() - unsentFrom));
            }
            if (problem == null)
            {
                problem = p;
            }
        }
        return new Contents(problem, null, 0, 0, 0, 0, 0);
    }

    /**
     * What a PTCP queue holds.
     *
     * @param problem         null when the file is sound, else the first problem found (the other fields are 0).
     * @param headerOrder     the byte order of the message headers, null when no message is queued.
     * @param seqStart        number of the oldest queued message (u32).
     * @param seqEnd          one past the newest (u32).
     * @param messagesQueued  messages pushed and not yet acked by the peer.
     * @param bytesQueued     their bytes, padding included.
     * @param bytesNotYetSent of those, bytes not yet written to a socket.
     */
    public record Contents(String problem, ByteOrder headerOrder, long seqStart, long seqEnd, int messagesQueued,
        long bytesQueued, long bytesNotYetSent)
    {
    }
}
