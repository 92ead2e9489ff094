package io.tcpshm.internal;

import io.tcpshm.files.ShmRingDescriptor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One direction of an SHM connection: a single-producer single-consumer ring of variable-size
 * messages in 64-byte blocks (docs/PROTOCOL.md, "SHM ring file"), layout-compatible with the C++
 * {@code SPSCVarQueue} and laid out as {@link ShmRingDescriptor} says: {@code C} blocks, then at
 * {@code R = roundUp(S, 128)} the producer's u32 {@code writeIdx}, at {@code R + 4} the C++ producer's
 * cache of {@code readIdx}, and at {@code R + 128} the consumer's u32 {@code readIdx}; indices count
 * blocks and run freely.
 *
 * <p>An instance plays one role: {@link #producer} or {@link #consumer}; the other role is
 * another thread or another process (Java or C++).
 *
 * <p><b>Memory ordering.</b> The producer writes a message's bytes with plain stores and then
 * publishes it with a release store of {@code writeIdx}; the consumer reads {@code writeIdx} with
 * an acquire load before it reads any byte of the message. Release/acquire gives the consumer a
 * happens-before edge to every byte written before the release, so it never sees a message
 * before its bytes, nor a stale rewind marker (the marker is written before the release that
 * covers it). Symmetrically, the consumer publishes {@code readIdx} with a release store after it
 * has finished reading a message, and the producer reads it with an acquire load before reusing
 * those blocks, so a slot is never overwritten while it is being read. Each index has exactly one
 * writer, so no read-modify-write is needed. Against a C++ peer in another process the same
 * stores are plain {@code mov}s on x86-64 (TSO), which is what the C++ side relies on too.
 *
 * <p>Both roles keep their own index in a Java field (they are its only writer), and each keeps a
 * cache of the other's index so that the shared cache line is read only when the cache says the
 * ring is full (producer) or empty (consumer). An empty poll also reads the block the next message
 * will start in, with a plain load whose value is thrown away: a prefetch that overlaps the
 * consumer's two cache misses per message. Being unordered and unused, it cannot let the consumer
 * see anything early: every byte it uses is still read after the acquire of {@code writeIdx}.
 */
public final class ShmRing
{
    /** Bytes of one block. */
    public static final int BLOCK = ShmRingDescriptor.BLOCK_LENGTH;
    /** Bytes of the index area at the end of a ring file ({@code writeIdx}, the C++ cache, {@code readIdx}). */
    public static final int INDEX_AREA = ShmRingDescriptor.INDEX_AREA_LENGTH;
    /** {@link #alloc} result: the ring has no room for the message now. */
    public static final int FULL = -1;
    /** {@link #front} result: no message. */
    public static final int EMPTY = -1;
    /** {@link #front} result: the ring holds a header that cannot be valid. */
    public static final int CORRUPT = -2;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ByteBuffer host;
    private final int blockCount;
    private final int mask;
    private final int writeIdxOffset;
    private final int readCacheOffset;
    private final int markOffset;
    private final int readIdxOffset;

    /** Producer: its index. Consumer: its cache of the producer's index. */
    private int writeIdx;
    /** Consumer: its index. Producer: its cache of the consumer's index. */
    private int readIdx;
    /** Producer: blocks of the allocated, not yet pushed message. Consumer: blocks of the fronted message. */
    private int pendingBlocks;
    private int pendingSize;
    /** Consumer: where the touch of the next block stores what it read, so that the JIT keeps the load. */
    private short prefetchSink;

    private ShmRing(final ByteBuffer mapped, final int shmQueueSize)
    {
        final int expected = fileSize(shmQueueSize);
        if (mapped.capacity() != expected)
        {
            throw new IllegalArgumentException("SHM mapping is " + mapped.capacity() + " bytes, expected " + expected);
        }
        this.host = mapped.duplicate().order(ByteOrder.nativeOrder());
        this.blockCount = shmQueueSize / BLOCK;
        this.mask = blockCount - 1;
        final int r = ShmRingDescriptor.indexAreaOffset(shmQueueSize);
        this.writeIdxOffset = r + ShmRingDescriptor.WRITE_IDX_OFFSET;
        this.readCacheOffset = r + ShmRingDescriptor.READ_CACHE_OFFSET;
        this.markOffset = r + ShmRingDescriptor.MARK_OFFSET;
        this.readIdxOffset = r + ShmRingDescriptor.READ_IDX_OFFSET;
    }

    /**
     * @param shmQueueSize {@code S}, 64 times a power of two.
     * @return the size of a ring file: {@code roundUp(S, 128) + 256}.
     */
    public static int fileSize(final int shmQueueSize)
    {
        return ShmRingDescriptor.fileLength(shmQueueSize);
    }

    /**
     * @param mapped the whole ring file.
     * @param shmQueueSize {@code shmQueueSize}.
     * @return the producer's side of the ring, continuing from the indices in the file.
     */
    public static ShmRing producer(final ByteBuffer mapped, final int shmQueueSize)
    {
        final ShmRing ring = new ShmRing(mapped, shmQueueSize);
        ring.loadProducer();
        return ring;
    }

    /**
     * @param mapped the whole ring file.
     * @param shmQueueSize {@code shmQueueSize}.
     * @return the consumer's side of the ring, continuing from the indices in the file.
     */
    public static ShmRing consumer(final ByteBuffer mapped, final int shmQueueSize)
    {
        final ShmRing ring = new ShmRing(mapped, shmQueueSize);
        ring.loadConsumer();
        return ring;
    }

    private void loadProducer()
    {
        writeIdx = host.getInt(writeIdxOffset);
        readIdx = (int)INT.getAcquire(host, readIdxOffset);
        pendingBlocks = 0;
    }

    private void loadConsumer()
    {
        readIdx = host.getInt(readIdxOffset);
        writeIdx = (int)INT.getAcquire(host, writeIdxOffset);
        pendingBlocks = 0;
    }

    /**
     * Checks the indices in the file: the producer is at most one ring ahead of the consumer.
     *
     * @param ringBuffer a whole ring file.
     * @param shmQueueSize {@code shmQueueSize}.
     * @return null when sound, else a description of the problem.
     */
    public static String sanityCheck(final ByteBuffer ringBuffer, final int shmQueueSize)
    {
        final ShmRing ring = new ShmRing(ringBuffer, shmQueueSize);
        final int w = (int)INT.getAcquire(ring.host, ring.writeIdxOffset);
        final int r = (int)INT.getAcquire(ring.host, ring.readIdxOffset);
        final int used = w - r;
        if (used < 0 || used > ring.blockCount)
        {
            return "writeIdx " + Bits.u32(w) + " and readIdx " + Bits.u32(r) + " are " + used +
                " blocks apart, outside 0.." + ring.blockCount;
        }
        return null;
    }

    /**
     * Re-reads this side's state after the file was zeroed (a reset).
     *
     * @param asProducer true for the producer's side, false for the consumer's.
     */
    public void reload(final boolean asProducer)
    {
        if (asProducer)
        {
            loadProducer();
        }
        else
        {
            loadConsumer();
        }
    }

    /**
     * Producer: the blocks a message of this payload needs.
     *
     * @param payloadLength payload bytes.
     * @return blocks of 64 bytes.
     */
    static int blocksFor(final int payloadLength)
    {
        return (payloadLength + Bits.HEADER_LENGTH + BLOCK - 1) / BLOCK;
    }

    /**
     * Producer: reserves room for a message and writes its {@code size} and a zero type. When the
     * message does not fit before the end of the ring, writes a rewind marker ({@code size = 0}) at
     * the current slot and publishes it (release store of {@code writeIdx}, as the C++ producer
     * does), and the message starts at slot 0.
     *
     * @param payloadLength payload bytes; the caller has checked that the message fits the ring.
     * @return byte offset of the header, or {@link #FULL} when the ring is full now.
     */
    public int alloc(final int payloadLength)
    {
        if (host.getInt(writeIdxOffset) != writeIdx)
        {
            // the file was zeroed under us (a C++ client resets both rings after a login that changed the server
            // name): continue from the shared index, as a C++ producer does, rather than from our stale copy
            loadProducer();
        }
        final int blocks = blocksFor(payloadLength);
        final int tail = blockCount - (writeIdx & mask);
        final int padding = blocks > tail ? tail : 0;
        final int needed = writeIdx + blocks + padding - blockCount;
        if (readIdx - needed < 0)
        {
            readIdx = (int)INT.getAcquire(host, readIdxOffset);
            // the C++ producer keeps its cache here; keep it meaningful and never newer than readIdx
            host.putInt(readCacheOffset, readIdx);
            if (readIdx - needed < 0)
            {
                if (padding != 0 && readIdx - (writeIdx + padding - blockCount) >= 0)
                {
                    // the message and the rewind marker together need more than the free blocks, but the marker
                    // alone fits: publish it now, so that once the consumer skips it the message fits at slot 0
                    // (without this a message of more than half the ring could wait for ever on an empty ring)
                    publishRewind(padding);
                }
                return FULL;
            }
        }
        if (padding != 0)
        {
            publishRewind(padding);
        }
        final int offset = (writeIdx & mask) * BLOCK;
        host.putShort(offset + FrameHeader.SIZE_OFFSET, (short)(payloadLength + Bits.HEADER_LENGTH));
        host.putShort(offset + FrameHeader.TYPE_OFFSET, (short)0);
        pendingBlocks = blocks;
        return offset;
    }

    private void publishRewind(final int padding)
    {
        host.putShort((writeIdx & mask) * BLOCK, (short)0);
        writeIdx += padding;
        INT.setRelease(host, writeIdxOffset, writeIdx);
    }

    /**
     * Producer: writes this session's ring mark (see {@link ShmRingDescriptor#MARK_OFFSET}). Once per login; the heartbeat
     * that announces it is written to a socket afterwards, a system call, so the peer's read of the mark
     * after reading that heartbeat sees it.
     *
     * @param mark a non-zero value.
     */
    public void putMark(final int mark)
    {
        INT.setRelease(host, markOffset, mark);
    }

    /** @return the ring mark its producer wrote (consumer side), 0 when none did. */
    public int mark()
    {
        return (int)INT.getAcquire(host, markOffset);
    }

    /** @return true when a message was allocated and not yet pushed. */
    public boolean hasAllocated()
    {
        return pendingBlocks != 0;
    }

    /**
     * Producer: publishes the allocated message with a release store of {@code writeIdx}.
     */
    public void push()
    {
        writeIdx += pendingBlocks;
        pendingBlocks = 0;
        INT.setRelease(host, writeIdxOffset, writeIdx);
    }

    /**
     * Consumer: finds the oldest unconsumed message, skipping a rewind marker.
     *
     * @return byte offset of its header; {@link #EMPTY} when the ring is empty; {@link #CORRUPT} when the
     *     ring holds a header that cannot be valid (size 1..7, or more blocks than the producer published).
     */
    public int front()
    {
        if (host.getInt(readIdxOffset) != readIdx)
        {
            loadConsumer(); // zeroed under us by a reset from the other side: continue from the shared index
        }
        if (readIdx == writeIdx)
        {
            // Touch the block the next message will start in before polling writeIdx. The value is not used (it
            // may be stale or half written: nothing read from the block is used before the acquire below), but the
            // load keeps that block's cache line requested on every empty poll, so when the producer writes a
            // message and then writeIdx the two cache misses of the consumer overlap instead of following each
            // other (writeIdx first, then the block); the format puts them on separate lines, as C++ does.
            prefetchSink = host.getShort((readIdx & mask) * BLOCK);
            writeIdx = (int)INT.getAcquire(host, writeIdxOffset);
            if (readIdx == writeIdx)
            {
                return EMPTY;
            }
        }
        int offset = (readIdx & mask) * BLOCK;
        int size = host.getShort(offset) & 0xFFFF;
        if (size == 0)
        {
            if (offset == 0)
            {
                return CORRUPT; // a marker at slot 0 would skip a whole ring: no producer writes one
            }
            readIdx += blockCount - (readIdx & mask);
            INT.setRelease(host, readIdxOffset, readIdx);
            if (readIdx == writeIdx)
            {
                writeIdx = (int)INT.getAcquire(host, writeIdxOffset);
                if (readIdx == writeIdx)
                {
                    return EMPTY;
                }
            }
            offset = 0;
            size = host.getShort(0) & 0xFFFF;
        }
        final int blocks = (size + BLOCK - 1) / BLOCK;
        if (size < Bits.HEADER_LENGTH || blocks > writeIdx - readIdx || (readIdx & mask) + blocks > blockCount)
        {
            return CORRUPT;
        }
        pendingBlocks = blocks;
        pendingSize = size;
        return offset;
    }

    /** @return true when the last {@link #front()} returned a message that was not popped yet. */
    public boolean hasFronted()
    {
        return pendingBlocks != 0;
    }

    /** @return the size field of the message returned by the last successful {@link #front()}. */
    public int frontSize()
    {
        return pendingSize;
    }

    /**
     * Consumer: releases the message returned by the last {@link #front()} (release store of
     * {@code readIdx}, after every read of the message).
     */
    public void pop()
    {
        readIdx += pendingBlocks;
        pendingBlocks = 0;
        INT.setRelease(host, readIdxOffset, readIdx);
    }

    /**
     * Consumer: {@link #pop()}, unless the shared {@code readIdx} is no longer this view's (the ring was
     * zeroed by a reset, or another view of the file has consumed since): then the fronted message
     * belonged to a ring that is gone, and it is only forgotten.
     *
     * @return whether it was popped.
     */
    public boolean popUnlessMoved()
    {
        if ((int)INT.getAcquire(host, readIdxOffset) != readIdx)
        {
            pendingBlocks = 0;
            return false;
        }
        pop();
        return true;
    }

    /**
     * Producer: {@link #push()}, unless the shared {@code writeIdx} is no longer this view's (the ring was
     * zeroed by a reset, or another view of the file has produced since): then the allocated message is
     * dropped with the ring it was written in.
     *
     * @return whether it was pushed.
     */
    public boolean pushUnlessMoved()
    {
        if ((int)INT.getAcquire(host, writeIdxOffset) != writeIdx)
        {
            pendingBlocks = 0;
            return false;
        }
        push();
        return true;
    }

    /** @return this side's view of {@code writeIdx} (its own index for a producer, a cache for a consumer). */
    public int writeIdx()
    {
        return writeIdx;
    }

    /** @return this side's view of {@code readIdx} (its own index for a consumer, a cache for a producer). */
    public int readIdx()
    {
        return readIdx;
    }

    /** @return blocks in the ring. */
    int blockCount()
    {
        return blockCount;
    }

    /** @return the mapping in host byte order. */
    public ByteBuffer buffer()
    {
        return host;
    }

    /**
     * Reads the shared {@code writeIdx} with acquire ordering (for tools and tests).
     *
     * @return the producer's published index.
     */
    public int publishedWriteIdx()
    {
        return (int)INT.getAcquire(host, writeIdxOffset);
    }

    /**
     * Reads the shared {@code readIdx} with acquire ordering (for tools and tests).
     *
     * @return the consumer's published index.
     */
    public int publishedReadIdx()
    {
        return (int)INT.getAcquire(host, readIdxOffset);
    }
}
