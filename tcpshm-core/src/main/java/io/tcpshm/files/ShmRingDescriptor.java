package io.tcpshm.files;

/**
 * Layout of an SHM ring file, {@code <shmDir>/<sender>_<receiver>.shm}: one direction of an SHM
 * connection, the C++ {@code SPSCVarQueue} layout (docs/PROTOCOL.md, "SHM ring file"). {@code S} is
 * {@code shmQueueSize}, 64 times a power of two; {@code R = roundUp(S, 128)}.
 *
 * <pre>
 *   0                          R          R+4        R+8        R+12            R+128      R+132         R+256
 *   +--------------------------+----------+----------+----------+---- ... ------+----------+---- ... ----+
 *   | S / 64 blocks of 64      | writeIdx | C++ cache| ring mark|               | readIdx  |             |
 *   | bytes: messages with     |   u32    | of       |   u32    |   unused      |   u32    |   unused    |
 *   | their 8-byte header;     | producer | readIdx  | (Java    |               | consumer |             |
 *   | size 0 = rewind marker   |          |          | producer)|               |          |             |
 *   +--------------------------+----------+----------+----------+---- ... ------+----------+---- ... ----+
 *                              producer's cache line (128 bytes)  consumer's cache line (128 bytes)
 * </pre>
 *
 * <p>Indices count 64-byte blocks and run freely (u32, wrapping). A message never straddles the end of
 * the ring: a producer that does not fit writes a rewind marker (a header with size 0) and starts again
 * at block 0. Headers and indices are in the host's byte order.
 */
public final class ShmRingDescriptor
{
    /** Bytes of one block. */
    public static final int BLOCK_LENGTH = 64;
    /** Bytes of the index area after the blocks (two 128-byte lines). */
    public static final int INDEX_AREA_LENGTH = 256;
    /** Offset of the producer's {@code writeIdx} from {@code R}. */
    public static final int WRITE_IDX_OFFSET = 0;
    /** Offset of the C++ producer's cache of {@code readIdx} from {@code R}. */
    public static final int READ_CACHE_OFFSET = 4;
    /**
     * Offset of the ring mark from {@code R}: a u32 a Java producer writes at each login into bytes the C++
     * layout leaves unused, and announces in its heartbeats, so that a Java consumer can prove it maps the
     * same file.
     */
    public static final int MARK_OFFSET = 8;
    /** Offset of the consumer's {@code readIdx} from {@code R}. */
    public static final int READ_IDX_OFFSET = 128;
    /** {@link #shmQueueSizeOf} result: no {@code shmQueueSize} gives a file of that length. */
    public static final int INVALID_LENGTH = -1;

    private ShmRingDescriptor()
    {
    }

    /**
     * @param shmQueueSize {@code S}.
     * @return {@code R}, the offset of the index area.
     */
    public static int indexAreaOffset(final int shmQueueSize)
    {
        return (shmQueueSize + 127) & ~127;
    }

    /**
     * @param shmQueueSize {@code S}.
     * @return the length of the file: {@code R + 256}.
     */
    public static int fileLength(final int shmQueueSize)
    {
        return indexAreaOffset(shmQueueSize) + INDEX_AREA_LENGTH;
    }

    /**
     * A ring of 64 bytes and one of 128 have files of the same length (384 bytes); this returns the larger.
     *
     * @param fileLength the length of a file found on disk.
     * @return the {@code shmQueueSize} it was written with, or {@link #INVALID_LENGTH}.
     */
    public static int shmQueueSizeOf(final long fileLength)
    {
        final long s = fileLength - INDEX_AREA_LENGTH;
        final boolean valid = s >= 128 && s % 128 == 0 && s <= (1 << 30) && Long.bitCount(s / BLOCK_LENGTH) == 1;
        return valid ? (int)s : INVALID_LENGTH;
    }
}
