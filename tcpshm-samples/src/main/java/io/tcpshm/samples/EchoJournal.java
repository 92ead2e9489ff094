package io.tcpshm.samples;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The echo server's reply journal for one client, a small memory-mapped file in the server's ptcp directory, so
 * that a server killed at any instruction replies to every message exactly once.
 *
 * <p>Replying is two persisted steps, a push of the reply and a pop of the request, and a crash between them
 * either loses the reply (pop first) or repeats it (push first). The server pushes first and journals around it:
 * {@code in} = the connection's receive position, {@code out} = its send position just before the push, then
 * {@code pending = 1} (release stores, in that order); push; pop; {@code pending = 0}. When a restarted server is
 * handed a message while {@code pending} is set and the receive position is still {@code in}, it is the request
 * the dead server was answering: if the send position has moved past {@code out} the reply was pushed, and the
 * server only pops. See {@link io.tcpshm.TcpShmConnection#sendPosition()}.
 */
public final class EchoJournal
{
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int PENDING = 0;
    private static final int IN = 8;
    private static final int OUT = 16;
    private static final int SIZE = 64;

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
     * @param receivePosition the connection's receive position now.
     * @param sendPosition the connection's send position now.
     * @return true when the message at this receive position was answered by a process that died before popping it.
     */
    public boolean alreadyAnswered(final long receivePosition, final long sendPosition)
    {
        return (long)LONG.getAcquire(buffer, PENDING) != 0 && (long)LONG.getAcquire(buffer, IN) == receivePosition &&
            (long)LONG.getAcquire(buffer, OUT) != sendPosition;
    }

    /**
     * Records the reply about to be pushed.
     *
     * @param receivePosition the connection's receive position (the request's).
     * @param sendPosition the connection's send position after the alloc, before the push.
     */
    public void begin(final long receivePosition, final long sendPosition)
    {
        LONG.setRelease(buffer, IN, receivePosition);
        LONG.setRelease(buffer, OUT, sendPosition);
        LONG.setRelease(buffer, PENDING, 1L);
    }

    /** The request was popped: nothing pending. */
    public void end()
    {
        LONG.setRelease(buffer, PENDING, 0L);
    }
}
