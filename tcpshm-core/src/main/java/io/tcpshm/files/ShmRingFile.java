package io.tcpshm.files;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.FrameHeader;
import io.tcpshm.internal.ShmRing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A read-only look at an SHM ring file ({@link ShmRingDescriptor}), Java's or a C++ peer's: a private copy
 * of its bytes is examined, so the ring is never changed and its two sides may keep running.
 */
public final class ShmRingFile
{
    private final long fileLength;
    private final int shmQueueSize;
    private final ByteBuffer bytes;

    private ShmRingFile(final ByteBuffer bytes)
    {
        this.bytes = bytes;
        this.fileLength = bytes.capacity();
        this.shmQueueSize = ShmRingDescriptor.shmQueueSizeOf(fileLength);
    }

    /**
     * @param path an SHM ring file.
     * @return a view of a copy of its bytes.
     * @throws IOException when it cannot be read.
     */
    public static ShmRingFile read(final Path path) throws IOException
    {
        return new ShmRingFile(FileCopy.of(path));
    }

    /** @return the file's length. */
    public long fileLength()
    {
        return fileLength;
    }

    /**
     * @return the {@code shmQueueSize} the file was written with (of 64 and 128, which give files of the same
     *     length, 128), or {@link ShmRingDescriptor#INVALID_LENGTH}.
     */
    public int shmQueueSize()
    {
        return shmQueueSize;
    }

    /** @return blocks in the ring. */
    public int blocks()
    {
        requireValidLength();
        return shmQueueSize / ShmRingDescriptor.BLOCK_LENGTH;
    }

    /** @return the producer's {@code writeIdx} (u32). */
    public long writeIdx()
    {
        return index(ShmRingDescriptor.WRITE_IDX_OFFSET);
    }

    /** @return the consumer's {@code readIdx} (u32). */
    public long readIdx()
    {
        return index(ShmRingDescriptor.READ_IDX_OFFSET);
    }

    /** @return the ring mark of the Java producer's last login, 0 when none wrote one. */
    public long mark()
    {
        return index(ShmRingDescriptor.MARK_OFFSET);
    }

    private long index(final int field)
    {
        requireValidLength();
        return Bits.u32(bytes.getInt(ShmRingDescriptor.indexAreaOffset(shmQueueSize) + field));
    }

    private void requireValidLength()
    {
        if (shmQueueSize == ShmRingDescriptor.INVALID_LENGTH)
        {
            throw new IllegalStateException("a file of " + fileLength + " bytes is not roundUp(shmQueueSize, 128) + 256");
        }
    }

    /**
     * Checks the indices and walks the unconsumed messages.
     *
     * @return what the ring holds, or why it cannot be trusted.
     */
    public Contents contents()
    {
        requireValidLength();
        final String problem = ShmRing.sanityCheck(bytes.duplicate(), shmQueueSize);
        if (problem != null)
        {
            return new Contents(problem, null, 0, 0, 0);
        }
        final ShmRing ring = ShmRing.consumer(bytes.duplicate(), shmQueueSize);
        final int used = ring.publishedWriteIdx() - ring.publishedReadIdx();
        long messages = 0;
        long messageBytes = 0;
        int offset;
        while ((offset = ring.front()) >= 0)
        {
            messages++;
            messageBytes += FrameHeader.size(ring.buffer(), offset);
            ring.pop(); // in the private copy only
        }
        if (offset == ShmRing.CORRUPT)
        {
            return new Contents(null, "invalid message header at readIdx " + Bits.u32(ring.readIdx()), used,
                messages, messageBytes);
        }
        return new Contents(null, null, used, messages, messageBytes);
    }

    /**
     * What an SHM ring holds.
     *
     * @param indexProblem       null when the indices are sound, else what is wrong (the other fields are 0).
     * @param messageProblem     null when every unconsumed message is sound, else the first bad one.
     * @param blocksUsed         blocks between {@code readIdx} and {@code writeIdx}.
     * @param messagesUnconsumed messages written and not yet consumed (up to a corrupt header, if any).
     * @param bytesUnconsumed    their bytes, headers included.
     */
    public record Contents(String indexProblem, String messageProblem, int blocksUsed, long messagesUnconsumed,
        long bytesUnconsumed)
    {
        /** @return the index problem, else the message problem, else null. */
        public String problem()
        {
            return indexProblem != null ? indexProblem : messageProblem;
        }
    }
}
