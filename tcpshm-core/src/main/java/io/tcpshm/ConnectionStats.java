package io.tcpshm;

import io.tcpshm.internal.CountersLayout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Live counters of one connection, kept without allocation on the paths that update them. Each
 * counter has one writer (the thread that owns that part of the connection); 8-byte aligned
 * stores do not tear, so a reader on another thread, or another process reading the counters file
 * ({@link TcpShmConfig#publishCounters()}), sees each value whole, possibly a moment old.
 *
 * <p>Messages and bytes "sent" count pushes (what entered the send queue, header included);
 * "received" counts pops. They start at 0 when the client or server is created.
 *
 * <p>The updates cost a few loads and stores of one cache line per message. To measure exactly that,
 * {@code tcpshm bench} runs the same paths with the JVM property {@code -Dtcpshm.counters=false},
 * which makes the JIT compile the updates out (the counters then stay 0); it exists for that A/B
 * measurement and is not needed otherwise.
 */
public final class ConnectionStats
{
    /**
     * Whether counters are updated: a {@code static final} the JIT folds, so {@code false} removes the
     * updates from the compiled code rather than testing a flag per message.
     */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("tcpshm.counters", "true"));

    private ByteBuffer buffer;
    private int base;
    // the writer's copies of the per-message counters (see sent/received)
    private long messagesSent;
    private long bytesSent;
    private long messagesReceived;
    private long bytesReceived;

    ConnectionStats()
    {
        buffer = ByteBuffer.allocateDirect(CountersLayout.SLOT_SIZE).order(ByteOrder.nativeOrder());
        base = 0;
    }

    /** Moves the counters into {@code target} at {@code offset} (the counters file), keeping their values. */
    void moveTo(final ByteBuffer target, final int offset)
    {
        for (int i = 0; i < CountersLayout.SLOT_SIZE; i += 8)
        {
            target.putLong(offset + i, buffer.getLong(base + i));
        }
        buffer = target;
        base = offset;
    }

    /**
     * Counts one message pushed. The per-message counters are kept in fields and only stored to the
     * buffer (two plain stores, no load from it): cheaper than a read-modify-write of the buffer, and
     * the buffer's values never diverge since this is their only writer.
     */
    void sent(final int bytes)
    {
        if (ENABLED)
        {
            final ByteBuffer b = buffer;
            final int at = base;
            b.putLong(at + CountersLayout.MSGS_SENT, ++messagesSent);
            b.putLong(at + CountersLayout.BYTES_SENT, bytesSent += bytes);
        }
    }

    /** Counts one message popped; see {@link #sent(int)}. */
    void received(final int bytes)
    {
        if (ENABLED)
        {
            final ByteBuffer b = buffer;
            final int at = base;
            b.putLong(at + CountersLayout.MSGS_RECEIVED, ++messagesReceived);
            b.putLong(at + CountersLayout.BYTES_RECEIVED, bytesReceived += bytes);
        }
    }

    void add(final int field, final long delta)
    {
        if (ENABLED)
        {
            final int at = base + field;
            buffer.putLong(at, buffer.getLong(at) + delta);
        }
    }

    void set(final int field, final long value)
    {
        if (ENABLED)
        {
            buffer.putLong(base + field, value);
        }
    }

    void names(final String local, final String remote, final boolean shm)
    {
        putText(CountersLayout.LOCAL_NAME, CountersLayout.NAME_BYTES, local);
        putText(CountersLayout.REMOTE_NAME, CountersLayout.NAME_BYTES, remote == null ? "" : remote);
        set(CountersLayout.MODE, shm ? 2 : 1);
    }

    void disconnected(final String reason)
    {
        putText(CountersLayout.LAST_REASON, CountersLayout.REASON_BYTES, reason == null ? "" : reason);
        add(CountersLayout.DISCONNECTS, 1);
        set(CountersLayout.LOGGED_ON, 0);
    }

    private void putText(final int field, final int size, final String text)
    {
        if (!ENABLED)
        {
            return;
        }
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final int n = Math.min(bytes.length, size - 1);
        for (int i = 0; i < size; i++)
        {
            buffer.put(base + field + i, i < n ? bytes[i] : 0);
        }
    }

    private long get(final int field)
    {
        return buffer.getLong(base + field);
    }

    /** @return messages pushed. */
    public long messagesSent()
    {
        return get(CountersLayout.MSGS_SENT);
    }

    /** @return bytes pushed, headers included. */
    public long bytesSent()
    {
        return get(CountersLayout.BYTES_SENT);
    }

    /** @return messages popped. */
    public long messagesReceived()
    {
        return get(CountersLayout.MSGS_RECEIVED);
    }

    /** @return bytes popped, headers included. */
    public long bytesReceived()
    {
        return get(CountersLayout.BYTES_RECEIVED);
    }

    /** @return messages sent again after logins (TCP: everything the peer had not acked). */
    public long messagesResent()
    {
        return get(CountersLayout.MSGS_RESENT);
    }

    /** @return heartbeats written to the socket (ack-only heartbeats included). */
    public long heartbeatsSent()
    {
        return get(CountersLayout.HEARTBEATS_SENT);
    }

    /** @return heartbeats received (TCP mode; the TCP link of an SHM connection is not parsed). */
    public long heartbeatsReceived()
    {
        return get(CountersLayout.HEARTBEATS_RECEIVED);
    }

    /** @return allocs that returned null for lack of room. */
    public long allocsRefused()
    {
        return get(CountersLayout.ALLOCS_REFUSED);
    }

    /** @return successful logins. */
    public long logins()
    {
        return get(CountersLayout.LOGINS);
    }

    /** @return ends of logged-on sessions. */
    public long disconnects()
    {
        return get(CountersLayout.DISCONNECTS);
    }

    /** @return the user time of the last bytes received, as passed to the polls (0 before any). */
    public long lastReceiveTime()
    {
        return get(CountersLayout.LAST_RECV_TIME);
    }

    /** @return why the last session ended, or "". */
    public String lastDisconnectReason()
    {
        return CountersLayout.text(buffer, base + CountersLayout.LAST_REASON, CountersLayout.REASON_BYTES);
    }

    @Override
    public String toString()
    {
        return "ConnectionStats{sent=" + messagesSent() + "/" + bytesSent() + "B, received=" + messagesReceived() + "/" +
            bytesReceived() + "B, resent=" + messagesResent() + ", heartbeats=" + heartbeatsSent() + "/" +
            heartbeatsReceived() + ", allocsRefused=" + allocsRefused() + ", logins=" + logins() + ", disconnects=" +
            disconnects() + ", lastReason=" + lastDisconnectReason() + '}';
    }
}
