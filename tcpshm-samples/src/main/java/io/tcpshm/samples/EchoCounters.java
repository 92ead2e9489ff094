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
 * The echo client's counters, in a small memory-mapped file in its ptcp directory so that a client
 * killed at any instruction resumes exactly where it was: messages sent, messages whose echo was
 * received, and the message being pushed (-1 when none).
 *
 * <p>Crash safety comes from the order of release stores (each is ordered after every store
 * before it, and a SIGKILL leaves the stores already made in the page cache):
 * <ul>
 * <li>send: after the alloc, {@code position} = the connection's send position, {@code pending = n};
 *     push message {@code n}; {@code sent = n + 1}, {@code pending = -1}. On restart
 *     {@code pending == sent} means "killed around push n". Whether that push took place is in the
 *     queue's own file: once the connection has its queue again, a send position past
 *     {@code position} means it did ({@code sent = n + 1}), an equal one that it did not (n is pushed
 *     as usual). Nothing is pushed twice, so no duplicate echo is ever allowed;</li>
 * <li>receive: {@code receivedPosition} = the connection's receive position (the echo's, before the
 *     pop), {@code received = n + 1}; pop. On restart, an echo of {@code n} delivered again is the one
 *     counted and not popped (killed between the two) only if it comes at that same receive position
 *     (a position stays the same until a pop takes effect); it is then popped without counting. An
 *     echo of {@code n} anywhere else is a duplicate.</li>
 * </ul>
 * Message {@code n} carries the numbers {@link #firstNumber(long)}.. of type {@link EchoProtocol#typeFor(long)}.
 */
public final class EchoCounters
{
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int SENT = 0;
    private static final int RECEIVED = 8;
    private static final int PENDING = 16;
    private static final int POSITION = 24;
    private static final int RECEIVED_POSITION = 32;
    /** File size. */
    public static final int SIZE = 64;

    /** The file's mapping; null for counters kept in memory only. */
    private final MappedByteBuffer buffer;
    private final FileChannel channel;
    // The polling thread is the only reader and writer of these, so it reads them here rather than from the mapping;
    // the file gets every change, in the order the class comment gives, for the next process and for the tools.
    private long sent;
    private long received;
    private long pending;
    private long position;
    private long receivedPosition;

    private EchoCounters(final FileChannel channel, final MappedByteBuffer buffer)
    {
        this.channel = channel;
        this.buffer = buffer;
        if (buffer != null)
        {
            sent = (long)LONG.getAcquire(buffer, SENT);
            received = (long)LONG.getAcquire(buffer, RECEIVED);
            pending = (long)LONG.getAcquire(buffer, PENDING);
            position = (long)LONG.getAcquire(buffer, POSITION);
            receivedPosition = (long)LONG.getAcquire(buffer, RECEIVED_POSITION);
        }
        else
        {
            pending = -1;
        }
    }

    /**
     * Opens or creates the counters file.
     *
     * @param path the file.
     * @return the counters.
     * @throws IOException when the file cannot be opened.
     */
    public static EchoCounters open(final Path path) throws IOException
    {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        final boolean fresh = channel.size() == 0;
        final MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
        if (fresh)
        {
            LONG.setRelease(buffer, PENDING, -1L);
        }
        return new EchoCounters(channel, buffer);
    }

    /**
     * Counters kept in memory only, for the bench's A/B of what the file costs: a killed client starts again
     * from message 0, so a restart against the same server is reported as a gap.
     *
     * @return counters at zero, with nothing pending.
     */
    public static EchoCounters inMemory()
    {
        return new EchoCounters(null, null);
    }

    /**
     * Reads a counters file without keeping it open (for the demo's progress and table).
     *
     * @param path the file.
     * @return {sent, received}, or null when the file does not exist yet.
     */
    public static long[] read(final Path path)
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            if (channel.size() < SIZE)
            {
                return null;
            }
            final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
            channel.read(b, 0);
            return new long[] {b.getLong(SENT), b.getLong(RECEIVED)};
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /** @return messages pushed. */
    public long sent()
    {
        return sent;
    }

    /** @return messages whose echo was received. */
    public long received()
    {
        return received;
    }

    /** @return the message being pushed when the last process died, or -1. */
    public long pending()
    {
        return pending;
    }

    /**
     * @param n the message about to be pushed.
     * @param sendPosition the connection's send position after the alloc, before the push.
     */
    public void beginSend(final long n, final long sendPosition)
    {
        position = sendPosition;
        pending = n;
        if (buffer != null)
        {
            LONG.setRelease(buffer, POSITION, sendPosition);
            LONG.setRelease(buffer, PENDING, n);
        }
    }

    /** @return the send position recorded with the pending push. */
    public long pendingPosition()
    {
        return position;
    }

    /** @param n the message just pushed. */
    public void endSend(final long n)
    {
        sent = n + 1;
        pending = -1;
        if (buffer != null)
        {
            LONG.setRelease(buffer, SENT, n + 1);
            LONG.setRelease(buffer, PENDING, -1L);
        }
    }

    /**
     * @param n the message whose echo was just verified (before it is popped).
     * @param receivePosition the connection's receive position at that echo, before the pop.
     */
    public void received(final long n, final long receivePosition)
    {
        receivedPosition = receivePosition;
        received = n + 1;
        if (buffer != null)
        {
            LONG.setRelease(buffer, RECEIVED_POSITION, receivePosition);
            LONG.setRelease(buffer, RECEIVED, n + 1);
        }
    }

    /** @return the receive position recorded with the last counted echo. */
    public long receivedPosition()
    {
        return receivedPosition;
    }

    /** Clears a pending push found at recovery. */
    public void clearPending()
    {
        pending = -1;
        if (buffer != null)
        {
            LONG.setRelease(buffer, PENDING, -1L);
        }
    }

    /**
     * @param n a message index.
     * @return the first number message {@code n} carries: types cycle 1, 2, 3, 4, so every 4
     *     messages carry 10 numbers (wrapping in 32 bits like the numbers themselves).
     */
    public static int firstNumber(final long n)
    {
        final long r = n % EchoProtocol.MAX_TYPE;
        return (int)(10 * (n / EchoProtocol.MAX_TYPE) + r * (r + 1) / 2);
    }

    /** Closes the file (the mapping stays valid until collected; nothing is written after this). */
    public void close()
    {
        if (channel == null)
        {
            return;
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // nothing to do
        }
    }
}
