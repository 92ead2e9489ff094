package io.tcpshm.internal;

import io.tcpshm.files.CountersDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The writing side of one connection's counters: a slot laid out by {@link CountersDescriptor}, first in a
 * private buffer, then (when counters are published) in the counters file. Each counter has one writer
 * (the thread that owns that part of the connection); 8-byte aligned stores do not tear, so readers on
 * other threads or in other processes see each value whole, possibly a moment old.
 */
public final class CountersWriter
{
    /**
     * Whether counters are updated: a {@code static final} the JIT folds, so {@code false} (the JVM property
     * {@code -Dtcpshm.counters=false}, which exists for the bench's A/B of the counters' cost) removes the
     * updates from the compiled code rather than testing a flag per message.
     */
    public static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("tcpshm.counters", "true"));

    private ByteBuffer buffer;
    private int base;
    // the writer's copies of the per-message counters: one store each, no load of the mapped slot
    private long messagesSent;
    private long bytesSent;
    private long messagesReceived;
    private long bytesReceived;

    /** A slot in a private buffer, until {@link #moveTo} places it in the counters file. */
    public CountersWriter()
    {
        buffer = ByteBuffer.allocateDirect(CountersDescriptor.SLOT_SIZE).order(ByteOrder.nativeOrder());
        base = 0;
    }

    /**
     * Copies the slot into {@code target} at {@code offset} and writes there from now on.
     *
     * @param target the counters file's mapping, in native order.
     * @param offset the slot's offset ({@link CountersDescriptor#slotOffset}).
     */
    public void moveTo(final ByteBuffer target, final int offset)
    {
        for (int i = 0; i < CountersDescriptor.SLOT_SIZE; i += 8)
        {
            target.putLong(offset + i, buffer.getLong(base + i));
        }
        buffer = target;
        base = offset;
    }

    /** @param bytes size field of a message pushed. */
    public void sent(final int bytes)
    {
        if (ENABLED)
        {
            final ByteBuffer b = buffer;
            final int at = base;
            b.putLong(at + CountersDescriptor.MSGS_SENT, ++messagesSent);
            b.putLong(at + CountersDescriptor.BYTES_SENT, bytesSent += bytes);
        }
    }

    /** @param bytes size field of a message popped. */
    public void received(final int bytes)
    {
        if (ENABLED)
        {
            final ByteBuffer b = buffer;
            final int at = base;
            b.putLong(at + CountersDescriptor.MSGS_RECEIVED, ++messagesReceived);
            b.putLong(at + CountersDescriptor.BYTES_RECEIVED, bytesReceived += bytes);
        }
    }

    /**
     * @param field a counter's offset in the slot ({@link CountersDescriptor}).
     * @param delta what to add.
     */
    public void add(final int field, final long delta)
    {
        if (ENABLED)
        {
            final int at = base + field;
            buffer.putLong(at, buffer.getLong(at) + delta);
        }
    }

    /**
     * @param field a counter's offset in the slot ({@link CountersDescriptor}).
     * @param value its new value.
     */
    public void set(final int field, final long value)
    {
        if (ENABLED)
        {
            buffer.putLong(base + field, value);
        }
    }

    /**
     * Records a login: the names and the mode.
     *
     * @param local  this side's name.
     * @param remote the peer's name, or null.
     * @param shm    whether the session is SHM.
     */
    public void names(final String local, final String remote, final boolean shm)
    {
        putText(CountersDescriptor.LOCAL_NAME, CountersDescriptor.NAME_BYTES, local);
        putText(CountersDescriptor.REMOTE_NAME, CountersDescriptor.NAME_BYTES, remote == null ? "" : remote);
        set(CountersDescriptor.MODE, shm ? 2 : 1);
    }

    /** @param reason why the session ended, or null. */
    public void disconnected(final String reason)
    {
        putText(CountersDescriptor.LAST_REASON, CountersDescriptor.REASON_BYTES, reason == null ? "" : reason);
        add(CountersDescriptor.DISCONNECTS, 1);
        set(CountersDescriptor.LOGGED_ON, 0);
    }

    /**
     * @param field a counter's offset in the slot.
     * @return its value now.
     */
    public long get(final int field)
    {
        return buffer.getLong(base + field);
    }

    /** @return the last disconnect reason stored in the slot. */
    public String lastReason()
    {
        return CountersDescriptor.text(buffer, base + CountersDescriptor.LAST_REASON, CountersDescriptor.REASON_BYTES);
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
}
