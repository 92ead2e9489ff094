package io.tcpshm.internal;

import io.tcpshm.files.PtcpQueueDescriptor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The persistent TCP send queue (docs/PROTOCOL.md, "PTCP queue file"), over a mapped file laid out as
 * {@link PtcpQueueDescriptor} says: {@code Q / 8} blocks holding messages exactly as they go on the
 * wire, then the u32 fields {@code writeIdx}, {@code readIdx}, {@code sendIdx}, {@code readSeq} and
 * {@code myAck} in host byte order.
 *
 * <p>Single-threaded: one thread owns a queue at a time (the connection's TCP thread). The index
 * fields live in the mapping itself, so whatever the process has pushed survives its crash (the
 * pages belong to the page cache, not to the process). Each field is also cached in a Java field
 * so the hot path never reads the mapping back. Stores that publish a change to a crash-recovering
 * reader ({@code writeIdx} after the message bytes, {@code myAck}) are release stores: a plain
 * store could be reordered by the JIT before the bytes it covers, and a SIGKILL in between would
 * leave an index pointing at garbage. On x86 a release store is a plain {@code mov}.
 *
 * <p><b>Crash consistency.</b> A SIGKILL can land between any two stores. Every change that touches
 * more than one index is made so that the next {@link #sanityCheck()} (at the next login) either
 * finds a consistent file or completes the interrupted change; none is ever silently wrong and
 * none needs a manual repair:
 * <ul>
 * <li>{@code sendIdx} is never needed to recover (a login sets it to {@code readIdx}), so it carries
 *     an in-progress mark while indices change: bit 31 set, bit 30 telling an ack from a
 *     compaction, and the value needed to finish;</li>
 * <li>an ack stores the mark (with the new {@code readIdx}) and the new {@code readSeq} together
 *     in one 8-byte store ({@code sendIdx} and {@code readSeq} are adjacent and 8-byte aligned), then
 *     {@code readIdx}, then clears the mark; recovery sets {@code readIdx} from the mark. When the
 *     ack empties the queue, {@code writeIdx} and {@code readIdx} then go to 0 in one 8-byte store;</li>
 * <li>a compaction moves the live blocks in chunks no longer than the gap before them, so that a
 *     chunk never overwrites blocks still to be copied, marking the chunk's number before copying
 *     it; recovery copies again from that chunk (idempotent) and then stores the new
 *     {@code writeIdx} and {@code readIdx} in one 8-byte store.</li>
 * </ul>
 * The C++ original writes these fields one by one with no mark; the contents of the file once an
 * operation has finished are the same, so the format is unchanged. (A C++ process that takes over
 * a file left with a mark by a killed Java process ignores the mark.)
 */
public final class PtcpQueue
{
    /** Bytes after the blocks. */
    public static final int INDEX_AREA = PtcpQueueDescriptor.INDEX_AREA_LENGTH;

    /** Bit of {@code sendIdx} marking an index change in progress (see the class comment). */
    public static final int MARK = PtcpQueueDescriptor.IN_PROGRESS_MARK;
    /** With {@link #MARK}: the change is a compaction (the value is a chunk number), else an ack (the new readIdx). */
    public static final int MARK_COMPACTION = PtcpQueueDescriptor.COMPACTION_MARK;
    private static final int MARK_VALUE = PtcpQueueDescriptor.MARK_VALUE_MASK;

    private static final VarHandle HOST_INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle HOST_LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final int queueSize;
    private final int blockCount;
    private final int writeIdxOffset;
    private final int readIdxOffset;
    private final int sendIdxOffset;
    private final int readSeqOffset;
    private final int myAckOffset;
    private final ByteBuffer wire;
    private final ByteBuffer host;
    private final ByteBuffer sendView;

    private int writeIdx;
    private int readIdx;
    private int sendIdx;
    private int readSeq;
    private int myAck;
    /** One past the newest message ever pushed; valid after {@link #sanityCheck()}. */
    private int writeSeq;
    /** Bytes of the block at {@code sendIdx} already written to a socket (a partial write). */
    private int sendPartial;
    /** Blocks of the message handed out by {@link #alloc(int)} and not yet pushed, else 0. */
    private int allocBlocks;
    /** Reached after every store of a multi-store index change ({@link CrashPoint#NONE} but in tests). */
    private final CrashPoint crashPoint;
    /** Whether the last {@link #sanityCheck()} completed an interrupted index change. */
    private boolean recovered;

    /**
     * @param mapped the whole file, {@code queueSize + 20} bytes.
     * @param queueSize {@code tcpQueueSize}, a multiple of 8.
     * @param wireOrder the TCP byte order, used for message headers.
     */
    public PtcpQueue(final ByteBuffer mapped, final int queueSize, final ByteOrder wireOrder)
    {
        this(mapped, queueSize, wireOrder, CrashPoint.NONE);
    }

    /**
     * @param mapped the whole file, {@code queueSize + 20} bytes.
     * @param queueSize {@code tcpQueueSize}, a multiple of 8.
     * @param wireOrder the TCP byte order, used for message headers.
     * @param crashPoint reached after every store of a multi-store index change (a test plays a crash there).
     */
    public PtcpQueue(final ByteBuffer mapped, final int queueSize, final ByteOrder wireOrder,
        final CrashPoint crashPoint)
    {
        this.crashPoint = crashPoint;
        if (mapped.capacity() != queueSize + INDEX_AREA)
        {
            throw new IllegalArgumentException("PTCP mapping is " + mapped.capacity() + " bytes, expected " +
                (queueSize + INDEX_AREA));
        }
        this.queueSize = queueSize;
        this.blockCount = queueSize / PtcpQueueDescriptor.BLOCK_LENGTH;
        final int indices = PtcpQueueDescriptor.indexAreaOffset(queueSize);
        this.writeIdxOffset = indices + PtcpQueueDescriptor.WRITE_IDX_OFFSET;
        this.readIdxOffset = indices + PtcpQueueDescriptor.READ_IDX_OFFSET;
        this.sendIdxOffset = indices + PtcpQueueDescriptor.SEND_IDX_OFFSET;
        this.readSeqOffset = indices + PtcpQueueDescriptor.READ_SEQ_OFFSET;
        this.myAckOffset = indices + PtcpQueueDescriptor.MY_ACK_OFFSET;
        this.wire = mapped.duplicate().order(wireOrder);
        this.host = mapped.duplicate().order(ByteOrder.nativeOrder());
        this.sendView = mapped.duplicate();
        load();
    }

    /**
     * @param queueSize {@code tcpQueueSize}.
     * @return the size of a PTCP file.
     */
    public static int fileSize(final int queueSize)
    {
        return PtcpQueueDescriptor.fileLength(queueSize);
    }

    private void load()
    {
        writeIdx = host.getInt(writeIdxOffset);
        readIdx = host.getInt(readIdxOffset);
        sendIdx = host.getInt(sendIdxOffset);
        readSeq = host.getInt(readSeqOffset);
        myAck = host.getInt(myAckOffset);
        writeSeq = readSeq;
        sendPartial = 0;
    }

    /**
     * Walks the queue from {@code readIdx} as docs/PROTOCOL.md says a login must: every message's stamped
     * ack is not newer than {@code myAck}, every size is valid, and the walk ends exactly at
     * {@code writeIdx}. On success {@link #seqStart()} and {@link #seqEnd()} are valid.
     *
     * @return null when the file is sound, else a description of the first problem found.
     */
    public String sanityCheck()
    {
        load();
        recovered = false;
        if ((sendIdx & MARK) != 0)
        {
            final String problem = recover();
            if (problem != null)
            {
                return problem;
            }
            recovered = true;
        }
        if (Integer.compareUnsigned(writeIdx, blockCount) > 0)
        {
            return "writeIdx " + Bits.u32(writeIdx) + " is beyond the queue's " + blockCount + " blocks";
        }
        if (Integer.compareUnsigned(readIdx, writeIdx) > 0)
        {
            return "readIdx " + Bits.u32(readIdx) + " is beyond writeIdx " + writeIdx;
        }
        int idx = readIdx;
        int end = readSeq;
        while (idx < writeIdx)
        {
            final int offset = idx * 8;
            final int size = FrameHeader.size(wire, offset);
            final int ack = FrameHeader.ackSeq(wire, offset);
            if (size < Bits.HEADER_LENGTH)
            {
                return "message " + Bits.u32(end) + " at block " + idx + " has size " + size;
            }
            if (Bits.isNewer(ack, myAck))
            {
                return "message " + Bits.u32(end) + " at block " + idx + " carries ack " + Bits.u32(ack) +
                    ", newer than myAck " + Bits.u32(myAck);
            }
            idx += (size + 7) >>> 3;
            end++;
        }
        if (idx != writeIdx)
        {
            return "the last message ends at block " + idx + ", not at writeIdx " + writeIdx;
        }
        writeSeq = end;
        if (Integer.compareUnsigned(sendIdx, readIdx) < 0 || Integer.compareUnsigned(sendIdx, writeIdx) > 0)
        {
            sendIdx = readIdx;
            putIndex(sendIdxOffset, sendIdx);
        }
        return null;
    }

    /** Zeroes the whole file (a reset: a new persistent connection). */
    public void reset()
    {
        for (int i = 0; i < queueSize + INDEX_AREA; i += 4)
        {
            host.putInt(i, 0);
        }
        load();
        allocBlocks = 0;
    }

    /**
     * Reserves room for a message and writes its {@code size}; the caller fills {@code msgType} and
     * payload, then calls {@link #push()}. Moves the live region to the start of the queue when
     * that makes room (and only then).
     *
     * @param payloadLength payload bytes.
     * @return byte offset of the message header in the mapping, or -1 when there is no room now.
     */
    public int alloc(final int payloadLength)
    {
        final int size = payloadLength + Bits.HEADER_LENGTH;
        final int blocks = (size + 7) >>> 3;
        if (blocks > blockCount - writeIdx)
        {
            if (blocks > blockCount - writeIdx + readIdx)
            {
                return -1;
            }
            compact();
        }
        final int offset = writeIdx * 8;
        wire.putShort(offset + FrameHeader.SIZE_OFFSET, (short)size);
        wire.putShort(offset + FrameHeader.TYPE_OFFSET, (short)0);
        allocBlocks = blocks;
        return offset;
    }

    private void compact()
    {
        final int gap = readIdx;
        final int live = writeIdx - readIdx;
        copyChunks(0, gap, live);
        writeIdx = live;
        sendIdx -= gap;
        readIdx = 0;
        putIndexPair();
        crashPoint.reached();
        HOST_INT.setRelease(host, sendIdxOffset, sendIdx);
    }

    /**
     * Moves the live blocks {@code [gap, gap + live)} to {@code [0, live)} in chunks of at most
     * {@code gap} blocks: chunk {@code c} reads blocks that only chunk {@code c + 1} overwrites, so
     * copying a chunk again after a crash gives the same result. Each chunk's number is marked in
     * {@code sendIdx} before it is copied.
     */
    private void copyChunks(final int fromChunk, final int gap, final int live)
    {
        for (int c = fromChunk; (long)c * gap < live; c++)
        {
            HOST_INT.setRelease(host, sendIdxOffset, MARK | MARK_COMPACTION | c);
            VarHandle.storeStoreFence(); // the mark before any byte of the chunk
            crashPoint.reached();
            final int end = Math.min((c + 1) * gap, live);
            for (int b = c * gap; b < end; b++)
            {
                wire.putLong(b * 8, wire.getLong((gap + b) * 8));
            }
            crashPoint.reached();
        }
    }

    /**
     * Completes an index change interrupted by a crash (the mark in {@code sendIdx}).
     *
     * @return null when done, else why the file cannot be trusted.
     */
    private String recover()
    {
        final int value = sendIdx & MARK_VALUE;
        if ((sendIdx & MARK_COMPACTION) == 0)
        {
            // an ack: readSeq already holds its new value (stored with the mark); readIdx may not
            if (value > blockCount)
            {
                return "sendIdx holds an ack mark with readIdx " + value + " beyond the queue's " + blockCount + " blocks";
            }
            // when the ack emptied the queue and the index pair already went to 0, the marked readIdx is past writeIdx
            readIdx = Integer.compareUnsigned(value, writeIdx) > 0 ? writeIdx : value;
            HOST_INT.setRelease(host, readIdxOffset, readIdx);
        }
        else if (readIdx != 0)
        {
            // a compaction: readIdx is still the gap (the new index pair was not stored yet)
            final int gap = readIdx;
            final int live = writeIdx - readIdx;
            if (Integer.compareUnsigned(writeIdx, blockCount) > 0 || Integer.compareUnsigned(readIdx, writeIdx) > 0 ||
                (long)value * gap >= live)
            {
                return "sendIdx holds a compaction mark (chunk " + value + ") that does not fit writeIdx " +
                    Bits.u32(writeIdx) + " and readIdx " + Bits.u32(readIdx);
            }
            copyChunks(value, gap, live);
            writeIdx = live;
            readIdx = 0;
            putIndexPair();
        }
        sendIdx = readIdx;
        HOST_INT.setRelease(host, sendIdxOffset, sendIdx);
        return null;
    }

    /** @return whether the last {@link #sanityCheck()} completed an index change interrupted by a crash. */
    boolean recoveredInterruptedUpdate()
    {
        return recovered;
    }

    /** Stores the in-progress mark and {@code readSeq} together in one 8-byte release store. */
    private void putMarkAndReadSeq(final int mark)
    {
        final long m = mark & 0xFFFF_FFFFL;
        final long q = readSeq & 0xFFFF_FFFFL;
        HOST_LONG.setRelease(host, sendIdxOffset, LITTLE_ENDIAN_HOST ? (q << 32) | m : (m << 32) | q);
    }

    /** Stores {@code writeIdx} and {@code readIdx} together in one 8-byte release store. */
    private void putIndexPair()
    {
        final long w = writeIdx & 0xFFFF_FFFFL;
        final long r = readIdx & 0xFFFF_FFFFL;
        HOST_LONG.setRelease(host, writeIdxOffset, LITTLE_ENDIAN_HOST ? (r << 32) | w : (w << 32) | r);
    }

    /**
     * @return true when a message was allocated and not yet pushed.
     */
    public boolean hasAllocated()
    {
        return allocBlocks != 0;
    }

    /**
     * Stamps {@code myAck} into the allocated message, pads it with zeros to its 8-byte end, and
     * makes it part of the queue.
     */
    public void push()
    {
        final int offset = writeIdx * 8;
        final int size = FrameHeader.size(wire, offset);
        wire.putInt(offset + FrameHeader.ACK_OFFSET, myAck);
        for (int i = offset + size, end = offset + allocBlocks * 8; i < end; i++)
        {
            wire.put(i, (byte)0);
        }
        writeIdx += allocBlocks;
        allocBlocks = 0;
        writeSeq++;
        HOST_INT.setRelease(host, writeIdxOffset, writeIdx);
    }

    /**
     * @return true when queued bytes have not been written to the socket yet.
     */
    public boolean hasUnsent()
    {
        return sendIdx != writeIdx;
    }

    /**
     * Sets {@code sendView}'s position and limit to the unsent bytes.
     *
     * @return a view of the mapping positioned on the unsent bytes (shared, reused by every call).
     */
    public ByteBuffer unsent()
    {
        sendView.limit(writeIdx * 8).position(sendIdx * 8 + sendPartial);
        return sendView;
    }

    /**
     * Records that {@code bytes} more unsent bytes reached the socket.
     *
     * @param bytes bytes written.
     */
    public void sent(final int bytes)
    {
        final int total = sendPartial + bytes;
        sendIdx += total >>> 3;
        sendPartial = total & 7;
        putIndex(sendIdxOffset, sendIdx);
    }

    /**
     * Applies a peer's ack: releases every message numbered below {@code ackSeq}. Older acks are
     * ignored. When the queue empties (and nothing is allocated) all indices return to 0.
     *
     * @param ackSeq the peer's ack.
     * @return false when {@code ackSeq} is newer than one past the newest message pushed (a protocol
     *     error: nothing is changed).
     */
    public boolean ack(final int ackSeq)
    {
        if (!Bits.isNewer(ackSeq, readSeq))
        {
            return true;
        }
        if (Bits.isNewer(ackSeq, writeSeq))
        {
            return false;
        }
        int idx = readIdx;
        int seq = readSeq;
        while (seq != ackSeq)
        {
            idx += (FrameHeader.size(wire, idx * 8) + 7) >>> 3;
            seq++;
        }
        readSeq = seq;
        if (idx == writeIdx && allocBlocks == 0)
        {
            // everything acked: mark (with the old writeIdx as the new readIdx) and readSeq, then the index pair to 0
            putMarkAndReadSeq(MARK | writeIdx);
            crashPoint.reached();
            readIdx = 0;
            sendIdx = 0;
            sendPartial = 0;
            writeIdx = 0;
            putIndexPair();
            crashPoint.reached();
            HOST_INT.setRelease(host, sendIdxOffset, 0);
            return true;
        }
        readIdx = idx;
        if (Integer.compareUnsigned(sendIdx, readIdx) < 0)
        {
            sendIdx = readIdx;
            sendPartial = 0;
        }
        putMarkAndReadSeq(MARK | readIdx);
        crashPoint.reached();
        HOST_INT.setRelease(host, readIdxOffset, readIdx);
        crashPoint.reached();
        HOST_INT.setRelease(host, sendIdxOffset, sendIdx);
        return true;
    }

    /**
     * After a successful login: applies the peer's ack and rewinds {@code sendIdx} to
     * {@code readIdx} so everything unacked is sent again.
     *
     * @param ackSeq the peer's ack from the login handshake (already range-checked).
     * @return false on a protocol error (see {@link #ack(int)}).
     */
    public boolean loginAck(final int ackSeq)
    {
        final boolean ok = ack(ackSeq);
        sendIdx = readIdx;
        sendPartial = 0;
        putIndex(sendIdxOffset, sendIdx);
        return ok;
    }

    /** @return the count of the peer's messages consumed: the number of the next one expected. */
    public int myAck()
    {
        return myAck;
    }

    /**
     * Counts one more consumed peer message.
     *
     * @return the new {@code myAck}.
     */
    public int incrementMyAck()
    {
        final int ack = myAck + 1;
        myAck = ack;
        HOST_INT.setRelease(host, myAckOffset, ack);
        return ack;
    }

    /** @return number of the oldest queued message. */
    public int seqStart()
    {
        return readSeq;
    }

    /** @return one past the number of the newest queued message. */
    public int seqEnd()
    {
        return writeSeq;
    }

    /** @return block index one past the last pushed message. */
    public int writeIdx()
    {
        return writeIdx;
    }

    /** @return block index of the oldest unacked message. */
    public int readIdx()
    {
        return readIdx;
    }

    /** @return block index of the first block not yet written to a socket. */
    int sendIdx()
    {
        return sendIdx;
    }

    /** @return messages in the queue. */
    public int queuedCount()
    {
        return writeSeq - readSeq;
    }

    /** @return the mapping in the TCP byte order (message headers). */
    public ByteBuffer wireBuffer()
    {
        return wire;
    }

    /** @return {@code tcpQueueSize}. */
    public int queueSize()
    {
        return queueSize;
    }

    private void putIndex(final int offset, final int value)
    {
        host.putInt(offset, value);
    }
}
