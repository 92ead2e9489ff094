package io.tcpshm;

import io.tcpshm.files.CountersDescriptor;
import io.tcpshm.internal.CountersWriter;


/**
 * A read-only view of one connection's live counters, which the library updates without allocation
 * on the paths it counts. Each counter has one writer (the thread that owns that part of the
 * connection); 8-byte aligned stores do not tear, so a reader on another thread, or another process
 * reading the counters file ({@link TcpShmConfig#publishCounters()}), sees each value whole,
 * possibly a moment old.
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
    private final CountersWriter writer;

    ConnectionStats(final CountersWriter writer)
    {
        this.writer = writer;
    }

    private long get(final int field)
    {
        return writer.get(field);
    }

    /** @return messages pushed. */
    public long messagesSent()
    {
        return get(CountersDescriptor.MSGS_SENT);
    }

    /** @return bytes pushed, headers included. */
    public long bytesSent()
    {
        return get(CountersDescriptor.BYTES_SENT);
    }

    /** @return messages popped. */
    public long messagesReceived()
    {
        return get(CountersDescriptor.MSGS_RECEIVED);
    }

    /** @return bytes popped, headers included. */
    public long bytesReceived()
    {
        return get(CountersDescriptor.BYTES_RECEIVED);
    }

    /** @return messages sent again after logins (TCP: everything the peer had not acked). */
    public long messagesResent()
    {
        return get(CountersDescriptor.MSGS_RESENT);
    }

    /** @return heartbeats written to the socket (ack-only heartbeats included). */
    public long heartbeatsSent()
    {
        return get(CountersDescriptor.HEARTBEATS_SENT);
    }

    /** @return heartbeats received (TCP mode; the TCP link of an SHM connection is not parsed). */
    public long heartbeatsReceived()
    {
        return get(CountersDescriptor.HEARTBEATS_RECEIVED);
    }

    /** @return allocs that returned null for lack of room. */
    public long allocsRefused()
    {
        return get(CountersDescriptor.ALLOCS_REFUSED);
    }

    /** @return successful logins. */
    public long logins()
    {
        return get(CountersDescriptor.LOGINS);
    }

    /** @return ends of logged-on sessions. */
    public long disconnects()
    {
        return get(CountersDescriptor.DISCONNECTS);
    }

    /** @return the user time of the last bytes received, as passed to the polls (0 before any). */
    public long lastReceiveTime()
    {
        return get(CountersDescriptor.LAST_RECV_TIME);
    }

    /** @return why the last session ended, or "". */
    public String lastDisconnectReason()
    {
        return writer.lastReason();
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
