package io.tcpshm.files;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Layout of the counters file {@code <ptcpDir>/<name>.counters} that a client or server publishes
 * when {@code publishCounters} is set (this implementation's own file; C++ peers have none). All
 * integers are 64-bit in host byte order at 8-byte aligned offsets, so a reader never sees one torn.
 *
 * <pre>
 *   0          8            16           24                                64
 *   +----------+------------+------------+---------------------------------+
 *   | magic    | slot count | slot size  | owner name, NUL-terminated (40) |   header
 *   +----------+------------+------------+---------------------------------+
 *   64 + i * SLOT_SIZE: slot i, one connection
 *   +----------------------------------------------------------------------+
 *   |  0 messages sent      8 bytes sent       16 messages received        |
 *   | 24 bytes received    32 messages resent  40 heartbeats sent          |
 *   | 48 heartbeats recvd  56 allocs refused   64 logins    72 disconnects |
 *   | 80 last receive time 88 logged on (0/1)  96 mode (0 none, 1 TCP, 2 SHM)|
 *   | 128 local name (64)  192 remote name (64)  256 last reason (64)      |
 *   +----------------------------------------------------------------------+
 * </pre>
 */
public final class CountersDescriptor
{
    /** File magic. */
    public static final long MAGIC = 0x31434d4853504354L; // "TCPSHMC1" read as a little-endian long
    /** Header bytes. */
    public static final int HEADER = 64;
    /** Header offset of the slot count. */
    public static final int SLOT_COUNT = 8;
    /** Header offset of the slot size. */
    public static final int SLOT_SIZE_FIELD = 16;
    /** Header offset of the owner's name. */
    public static final int OWNER = 24;
    /** Bytes of the owner's name field. */
    public static final int OWNER_BYTES = 40;
    /** Bytes of a name field. */
    public static final int NAME_BYTES = 64;
    /** Bytes of the reason field. */
    public static final int REASON_BYTES = 64;

    /** Messages pushed. */
    public static final int MSGS_SENT = 0;
    /** Bytes pushed. */
    public static final int BYTES_SENT = 8;
    /** Messages popped. */
    public static final int MSGS_RECEIVED = 16;
    /** Bytes popped. */
    public static final int BYTES_RECEIVED = 24;
    /** Messages re-sent after logins. */
    public static final int MSGS_RESENT = 32;
    /** Heartbeats sent. */
    public static final int HEARTBEATS_SENT = 40;
    /** Heartbeats received. */
    public static final int HEARTBEATS_RECEIVED = 48;
    /** Allocs refused for lack of room. */
    public static final int ALLOCS_REFUSED = 56;
    /** Logins. */
    public static final int LOGINS = 64;
    /** Disconnects. */
    public static final int DISCONNECTS = 72;
    /** User time of the last receive. */
    public static final int LAST_RECV_TIME = 80;
    /** 1 while logged on, else 0. */
    public static final int LOGGED_ON = 88;
    /** 0 no files yet, 1 TCP, 2 SHM. */
    public static final int MODE = 96;
    /** This side's name, NUL-terminated. */
    public static final int LOCAL_NAME = 128;
    /** The peer's name, NUL-terminated. */
    public static final int REMOTE_NAME = LOCAL_NAME + NAME_BYTES;
    /** The last disconnect reason, NUL-terminated. */
    public static final int LAST_REASON = REMOTE_NAME + NAME_BYTES;
    /** Bytes of one slot (a multiple of 64, so slots never share a cache line). */
    public static final int SLOT_SIZE = LAST_REASON + REASON_BYTES;

    private CountersDescriptor()
    {
    }

    /**
     * @param slots number of connection slots.
     * @return the file size.
     */
    public static int fileSize(final int slots)
    {
        return HEADER + slots * SLOT_SIZE;
    }

    /**
     * @param slot a slot index.
     * @return the offset of the slot.
     */
    public static int slotOffset(final int slot)
    {
        return HEADER + slot * SLOT_SIZE;
    }

    /**
     * Reads a NUL-terminated UTF-8 text field.
     *
     * @param buffer where it is.
     * @param offset field offset.
     * @param size field size.
     * @return the text.
     */
    public static String text(final ByteBuffer buffer, final int offset, final int size)
    {
        int n = 0;
        while (n < size && buffer.get(offset + n) != 0)
        {
            n++;
        }
        final byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++)
        {
            bytes[i] = buffer.get(offset + i);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Writes the header of a new counters file.
     *
     * @param buffer the mapping, native order.
     * @param slots slot count.
     * @param owner the client's or server's name.
     */
    public static void writeHeader(final ByteBuffer buffer, final int slots, final String owner)
    {
        buffer.putLong(SLOT_COUNT, slots);
        buffer.putLong(SLOT_SIZE_FIELD, SLOT_SIZE);
        final byte[] name = owner.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < OWNER_BYTES; i++)
        {
            buffer.put(OWNER + i, i < name.length && i < OWNER_BYTES - 1 ? name[i] : 0);
        }
        buffer.putLong(0, MAGIC);
    }
}
