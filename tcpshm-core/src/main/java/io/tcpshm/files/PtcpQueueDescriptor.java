package io.tcpshm.files;

/**
 * Layout of a PTCP queue file, {@code <ptcpDir>/<local>_<remote>.ptcp}: one side's persistent send
 * queue, written only by that side (docs/PROTOCOL.md, "PTCP queue file"). {@code Q} is
 * {@code tcpQueueSize}, a multiple of 8.
 *
 * <pre>
 *   0                                               Q         Q+4       Q+8       Q+12      Q+16      Q+20
 *   +-----------------------------------------------+---------+---------+---------+---------+---------+
 *   | Q / 8 blocks of 8 bytes: the queued messages  | writeIdx| readIdx | sendIdx | readSeq |  myAck  |
 *   | exactly as framed on the wire (8-byte header,  |   u32   |   u32   |   u32   |   u32   |   u32   |
 *   | payload, zero padding to a multiple of 8)      |         |         |         |         |         |
 *   +-----------------------------------------------+---------+---------+---------+---------+---------+
 * </pre>
 *
 * <p>Indices count 8-byte blocks. The five index words are in the host's byte order; the message
 * headers in the wire order ({@code toLittleEndian}). {@code readSeq} is the number of the message at
 * {@code readIdx}; {@code myAck} the number of the next message expected from the peer. A Java writer
 * marks an index change in progress in {@code sendIdx} ({@link #IN_PROGRESS_MARK}), which a login never
 * needs (it restarts sending from {@code readIdx}).
 */
public final class PtcpQueueDescriptor
{
    /** Bytes of one block. */
    public static final int BLOCK_LENGTH = 8;
    /** Bytes of the index area after the blocks. */
    public static final int INDEX_AREA_LENGTH = 20;
    /** Offset of {@code writeIdx} from the index area: one past the newest queued block. */
    public static final int WRITE_IDX_OFFSET = 0;
    /** Offset of {@code readIdx} from the index area: the oldest unacked block. */
    public static final int READ_IDX_OFFSET = 4;
    /** Offset of {@code sendIdx} from the index area: the first block not yet written to a socket. */
    public static final int SEND_IDX_OFFSET = 8;
    /** Offset of {@code readSeq} from the index area: the number of the message at {@code readIdx}. */
    public static final int READ_SEQ_OFFSET = 12;
    /** Offset of {@code myAck} from the index area: the number of the next message expected from the peer. */
    public static final int MY_ACK_OFFSET = 16;
    /** Bit 31 of {@code sendIdx}: an index change is in progress (Java writers only). */
    public static final int IN_PROGRESS_MARK = 0x8000_0000;
    /** With {@link #IN_PROGRESS_MARK}: the change is a compaction (the value is a chunk number), else an ack. */
    public static final int COMPACTION_MARK = 0x4000_0000;
    /** The value under an in-progress mark: the new {@code readIdx} of an ack, or a compaction's chunk. */
    public static final int MARK_VALUE_MASK = 0x3FFF_FFFF;
    /** {@link #tcpQueueSizeOf} result: no {@code tcpQueueSize} gives a file of that length. */
    public static final int INVALID_LENGTH = -1;
    /** Smallest {@code tcpQueueSize}. */
    public static final int MIN_QUEUE_SIZE = 16;

    private PtcpQueueDescriptor()
    {
    }

    /**
     * @param tcpQueueSize {@code Q}.
     * @return the length of the file.
     */
    public static int fileLength(final int tcpQueueSize)
    {
        return tcpQueueSize + INDEX_AREA_LENGTH;
    }

    /**
     * @param tcpQueueSize {@code Q}.
     * @return the offset of the index area.
     */
    public static int indexAreaOffset(final int tcpQueueSize)
    {
        return tcpQueueSize;
    }

    /**
     * @param fileLength the length of a file found on disk.
     * @return the {@code tcpQueueSize} it was written with, or {@link #INVALID_LENGTH}.
     */
    public static int tcpQueueSizeOf(final long fileLength)
    {
        final long q = fileLength - INDEX_AREA_LENGTH;
        return q >= MIN_QUEUE_SIZE && q % BLOCK_LENGTH == 0 && q <= (1 << 30) ? (int)q : INVALID_LENGTH;
    }
}
