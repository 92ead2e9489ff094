package io.tcpshm.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PtcpQueueTest
{
    /** 8 blocks of 8 bytes. */
    private static final int Q = 64;
    private static final ByteOrder WIRE = ByteOrder.LITTLE_ENDIAN;

    @TempDir
    Path dir;

    private Path path;
    private MappedRegion region;
    private ByteBuffer file;

    @BeforeEach
    void open() throws Exception
    {
        path = dir.resolve("a_b.ptcp");
        region = map();
    }

    @AfterEach
    void close()
    {
        region.close();
    }

    private MappedRegion map() throws Exception
    {
        final MappedRegion r = MappedRegion.open(path, PtcpQueue.fileSize(Q), false, 0, PtcpQueue.fileSize(Q));
        file = r.buffer();
        return r;
    }

    private PtcpQueue queue()
    {
        final PtcpQueue q = new PtcpQueue(file, Q, WIRE);
        assertThat(q.sanityCheck()).isNull();
        return q;
    }

    /** Pushes a message of {@code payload} bytes, type {@code type}, payload bytes all {@code fill}. */
    private static int push(final PtcpQueue q, final int payload, final int type, final int fill)
    {
        final int off = q.alloc(payload);
        assertThat(off).isGreaterThanOrEqualTo(0);
        final ByteBuffer w = q.wireBuffer();
        w.putShort(off + 2, (short)type);
        for (int i = 0; i < payload; i++)
        {
            w.put(off + 8 + i, (byte)fill);
        }
        q.push();
        return off;
    }

    /** The five index fields from the file, host order. */
    private int[] fileIndices()
    {
        final ByteBuffer h = file.duplicate().order(ByteOrder.nativeOrder());
        return new int[] {h.getInt(Q), h.getInt(Q + 4), h.getInt(Q + 8), h.getInt(Q + 12), h.getInt(Q + 16)};
    }

    private void writeIndices(final int writeIdx, final int readIdx, final int sendIdx, final int readSeq, final int myAck)
    {
        final ByteBuffer h = file.duplicate().order(ByteOrder.nativeOrder());
        h.putInt(Q, writeIdx).putInt(Q + 4, readIdx).putInt(Q + 8, sendIdx).putInt(Q + 12, readSeq).putInt(Q + 16, myAck);
    }

    private byte[] snapshot()
    {
        final byte[] b = new byte[file.capacity()];
        for (int i = 0; i < b.length; i++)
        {
            b[i] = file.get(i);
        }
        return b;
    }

    private static void assertIndices(final PtcpQueue q, final int writeIdx, final int readIdx, final int sendIdx)
    {
        assertThat(new int[] {q.writeIdx(), q.readIdx(), q.sendIdx()}).containsExactly(writeIdx, readIdx, sendIdx);
    }

    @Test
    void allocPushUnsentSentAck()
    {
        final PtcpQueue q = queue();
        assertThat(q.hasUnsent()).isFalse();
        assertThat(push(q, 5, 10, 0x11)).isEqualTo(0);  // size 13: 2 blocks
        assertThat(push(q, 0, 11, 0)).isEqualTo(16);    // size 8: 1 block
        assertIndices(q, 3, 0, 0);
        assertThat(q.seqStart()).isZero();
        assertThat(q.seqEnd()).isEqualTo(2);
        assertThat(q.queuedCount()).isEqualTo(2);
        assertThat(fileIndices()).containsExactly(3, 0, 0, 0, 0);

        assertThat(q.hasUnsent()).isTrue();
        final ByteBuffer unsent = q.unsent();
        assertThat(unsent.position()).isZero();
        assertThat(unsent.remaining()).isEqualTo(24);
        assertThat(Hex.of(unsent, 0, 24)).isEqualTo(Hex.norm(
            "0d 00 0a 00 00 00 00 00 | 11 11 11 11 11 00 00 00 | 08 00 0b 00 00 00 00 00"));

        q.sent(24);
        assertThat(q.hasUnsent()).isFalse();
        assertIndices(q, 3, 0, 3);
        assertThat(fileIndices()).containsExactly(3, 0, 3, 0, 0);

        assertThat(q.ack(1)).isTrue();
        assertIndices(q, 3, 2, 3);
        assertThat(q.seqStart()).isEqualTo(1);
        assertThat(fileIndices()).containsExactly(3, 2, 3, 1, 0);

        assertThat(q.ack(2)).isTrue(); // everything acked: indices back to 0, readSeq kept
        assertIndices(q, 0, 0, 0);
        assertThat(q.seqStart()).isEqualTo(2);
        assertThat(q.seqEnd()).isEqualTo(2);
        assertThat(q.queuedCount()).isZero();
        assertThat(fileIndices()).containsExactly(0, 0, 0, 2, 0);

        // the next message goes to block 0 again
        assertThat(push(q, 1, 12, 0x22)).isZero();
        assertThat(q.seqEnd()).isEqualTo(3);
    }

    @Test
    void ackOfSeveralMessagesAtOnce()
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 1);
        push(q, 16, 1, 2); // 3 blocks
        push(q, 0, 1, 3);
        q.sent(48);
        assertThat(q.ack(2)).isTrue();
        assertIndices(q, 6, 5, 6);
        assertThat(q.seqStart()).isEqualTo(2);
    }

    @Test
    void partialSentNotAMultipleOf8()
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 0x11);  // blocks 0..1
        push(q, 12, 2, 0x22); // size 20: blocks 2..4
        q.sent(5);
        assertThat(q.sendIdx()).isZero();
        assertThat(fileIndices()[2]).isZero();
        assertThat(q.unsent().position()).isEqualTo(5);
        assertThat(q.unsent().remaining()).isEqualTo(35);
        q.sent(6); // 11 bytes: block 1, 3 bytes in
        assertThat(q.sendIdx()).isEqualTo(1);
        assertThat(q.unsent().position()).isEqualTo(11);
        q.sent(29); // the rest
        assertThat(q.sendIdx()).isEqualTo(5);
        assertThat(q.hasUnsent()).isFalse();
        assertThat(q.unsent().remaining()).isZero();
        assertThat(fileIndices()).containsExactly(5, 0, 5, 0, 0);
    }

    @Test
    void ackPastAPartiallySentMessageMovesSendIdxToReadIdx()
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 0x11); // blocks 0..1
        push(q, 5, 1, 0x22); // blocks 2..3
        push(q, 5, 1, 0x33); // blocks 4..5
        q.sent(3);
        assertThat(q.ack(2)).isTrue(); // an ack of unsent messages (peer got them before a crash)
        assertIndices(q, 6, 4, 4);
        assertThat(q.unsent().position()).isEqualTo(32); // no stale partial offset
        assertThat(q.unsent().remaining()).isEqualTo(16);
    }

    /** Three messages filling blocks 0..6 (2 + 3 + 2), all sent, the first acked: readIdx 2, writeIdx 7. */
    private PtcpQueue queueWithLiveRegion2To7()
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 0x11);  // 0..1
        push(q, 16, 2, 0x22); // 2..4
        push(q, 8, 3, 0x33);  // 5..6
        q.sent(56);
        assertThat(q.ack(1)).isTrue();
        assertIndices(q, 7, 2, 7);
        return q;
    }

    @Test
    void noCompactionWhenTheMessageFitsAtTheEnd()
    {
        final PtcpQueue q = queueWithLiveRegion2To7();
        final byte[] before = snapshot();
        assertThat(q.alloc(0)).isEqualTo(56); // 1 block, exactly the last one
        assertThat(q.readIdx()).isEqualTo(2);
        q.push();
        assertIndices(q, 8, 2, 7);
        assertThat(Hex.of(file, 0, 56)).isEqualTo(Hex.of(java.util.Arrays.copyOf(before, 56)));
    }

    @Test
    void compactionWhenTheMessageFitsOnlyAfterMovingTheLiveRegion()
    {
        final PtcpQueue q = queueWithLiveRegion2To7();
        final byte[] before = snapshot();
        q.sent(0);
        // 2 blocks: 1 left at the end, 1 + readIdx 2 = 3 after moving [2, 7) down by 2
        final int off = q.alloc(8);
        assertThat(off).isEqualTo(5 * 8);
        assertIndices(q, 5, 0, 5);
        assertThat(fileIndices()).containsExactly(5, 0, 5, 1, 0);
        assertThat(Hex.of(file, 0, 40)).isEqualTo(Hex.of(java.util.Arrays.copyOfRange(before, 16, 56)));
        q.push();
        assertIndices(q, 7, 0, 5);
        assertThat(q.seqStart()).isEqualTo(1);
        assertThat(q.seqEnd()).isEqualTo(4);
        assertThat(q.sanityCheck()).isNull();
        assertThat(q.ack(4)).isTrue();
        assertIndices(q, 0, 0, 0);
    }

    @Test
    void compactionKeepsAPartialSendOffset()
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 0x11);  // 0..1
        push(q, 16, 2, 0x22); // 2..4
        push(q, 8, 3, 0x33);  // 5..6
        q.sent(16 + 13);      // message 2 partly sent: sendIdx 3, 5 bytes into block 3
        assertThat(q.ack(1)).isTrue();
        final int unsentBefore = q.unsent().remaining();
        final String unsentBytes = Hex.of(q.unsent(), q.unsent().position(), unsentBefore);
        assertThat(q.alloc(8)).isEqualTo(40); // compaction by 2 blocks
        assertThat(q.sendIdx()).isEqualTo(1);
        q.push();
        final ByteBuffer u = q.unsent();
        assertThat(u.position()).isEqualTo(13);
        assertThat(Hex.of(u, 13, unsentBefore)).isEqualTo(unsentBytes);
    }

    @Test
    void compactionFillingTheQueueExactly()
    {
        final PtcpQueue q = queueWithLiveRegion2To7();
        assertThat(q.alloc(16)).isEqualTo(40); // 3 blocks = 1 + 2: exactly fits after moving
        q.push();
        assertIndices(q, 8, 0, 5);
        assertThat(q.alloc(0)).isEqualTo(-1); // full
    }

    @Test
    void allocFailsAndMovesNothingWhenEvenCompactionWouldNotMakeRoom()
    {
        final PtcpQueue q = queueWithLiveRegion2To7();
        final byte[] before = snapshot();
        assertThat(q.alloc(24)).isEqualTo(-1); // 4 blocks > 1 + 2
        assertThat(snapshot()).isEqualTo(before);
        assertIndices(q, 7, 2, 7);
        assertThat(q.hasAllocated()).isFalse();
        assertThat(q.alloc(Q)).isEqualTo(-1); // larger than the whole queue
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void ackNewerThanWriteSeqIsRefusedAndChangesNothing()
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 1);
        push(q, 5, 1, 2);
        q.sent(16);
        final byte[] before = snapshot();
        assertThat(q.ack(3)).isFalse();
        assertThat(q.ack(0x80000000)).isTrue(); // older in wrap-around terms (0 - 2^31 < 0): ignored
        assertThat(snapshot()).isEqualTo(before);
        assertIndices(q, 4, 0, 2);
        assertThat(q.seqStart()).isZero();
        assertThat(q.ack(2)).isTrue(); // one past the newest is fine
        assertIndices(q, 0, 0, 0);
        assertThat(q.ack(3)).isFalse();
    }

    @Test
    void olderAcksAreIgnored()
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 1);
        push(q, 5, 1, 2);
        push(q, 5, 1, 3);
        assertThat(q.ack(2)).isTrue();
        final byte[] before = snapshot();
        assertThat(q.ack(2)).isTrue();
        assertThat(q.ack(1)).isTrue();
        assertThat(q.ack(0)).isTrue();
        assertThat(q.ack(-5)).isTrue();
        assertThat(snapshot()).isEqualTo(before);
        assertThat(q.seqStart()).isEqualTo(2);
        assertIndices(q, 6, 4, 4);
    }

    @Test
    void loginAckRewindsSendIdx()
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 0x11);
        push(q, 5, 1, 0x22);
        push(q, 5, 1, 0x33);
        q.sent(43); // all but 5 bytes
        assertThat(q.loginAck(1)).isTrue();
        assertIndices(q, 6, 2, 2);
        assertThat(fileIndices()[2]).isEqualTo(2);
        final ByteBuffer u = q.unsent();
        assertThat(u.position()).isEqualTo(16);
        assertThat(u.remaining()).isEqualTo(32);

        assertThat(q.loginAck(1)).isTrue(); // an older or equal ack still rewinds
        assertIndices(q, 6, 2, 2);
    }

    @Test
    void myAckIsStampedAtPushTime()
    {
        final PtcpQueue q = queue();
        assertThat(q.incrementMyAck()).isEqualTo(1);
        push(q, 0, 1, 0);
        q.incrementMyAck();
        q.incrementMyAck();
        push(q, 0, 1, 0);
        assertThat(q.myAck()).isEqualTo(3);
        assertThat(Hex.of(file, 0, 16)).isEqualTo(Hex.norm("08 00 01 00 01 00 00 00 | 08 00 01 00 03 00 00 00"));
        assertThat(fileIndices()[4]).isEqualTo(3);
    }

    @Test
    void sequenceNumbersWrapPast2To32()
    {
        writeIndices(0, 0, 0, 0xFFFFFFFE, 0xFFFFFFFF);
        final PtcpQueue q = queue();
        assertThat(q.seqStart()).isEqualTo(0xFFFFFFFE);
        assertThat(q.seqEnd()).isEqualTo(0xFFFFFFFE);
        assertThat(q.myAck()).isEqualTo(0xFFFFFFFF);

        push(q, 0, 1, 0);                         // seq 0xFFFFFFFE, stamped ack 0xFFFFFFFF
        assertThat(q.incrementMyAck()).isZero(); // myAck wraps
        push(q, 0, 1, 0);                         // seq 0xFFFFFFFF, stamped ack 0
        push(q, 0, 1, 0);                         // seq 0
        push(q, 0, 1, 0);                         // seq 1
        assertThat(q.seqEnd()).isEqualTo(2);
        assertThat(q.queuedCount()).isEqualTo(4);
        assertThat(Hex.of(file, 0, 16)).isEqualTo(Hex.norm("08 00 01 00 ff ff ff ff | 08 00 01 00 00 00 00 00"));

        assertThat(q.ack(3)).isFalse();
        assertThat(q.ack(0xFFFFFFFD)).isTrue(); // older
        assertIndices(q, 4, 0, 0);
        assertThat(q.ack(0)).isTrue();          // releases 0xFFFFFFFE and 0xFFFFFFFF
        assertIndices(q, 4, 2, 2);
        assertThat(q.seqStart()).isZero();

        // persisted state across the wrap passes the login check
        final PtcpQueue reopened = new PtcpQueue(file, Q, WIRE);
        assertThat(reopened.sanityCheck()).isNull();
        assertThat(reopened.seqStart()).isZero();
        assertThat(reopened.seqEnd()).isEqualTo(2);
        assertThat(reopened.myAck()).isZero();

        assertThat(q.ack(2)).isTrue();
        assertIndices(q, 0, 0, 0);
        assertThat(fileIndices()).containsExactly(0, 0, 0, 2, 0);
    }

    @Test
    void sanityCheckAcceptsASoundFileAndComputesSeqStartAndEnd()
    {
        // readIdx 2, writeIdx 5: message 100 at blocks 2..3 (size 12), message 101 at block 4 (size 8)
        file.put(0, Hex.bytes("ee ee ee ee ee ee ee ee | ee ee ee ee ee ee ee ee |" +
            "0c 00 07 00 05 00 00 00 | 01 02 03 04 ee ee ee ee | 08 00 07 00 06 00 00 00"));
        writeIndices(5, 2, 99, 100, 6); // sendIdx out of range: repaired to readIdx
        final PtcpQueue q = new PtcpQueue(file, Q, WIRE);
        assertThat(q.sanityCheck()).isNull();
        assertThat(q.seqStart()).isEqualTo(100);
        assertThat(q.seqEnd()).isEqualTo(102);
        assertThat(q.myAck()).isEqualTo(6);
        assertIndices(q, 5, 2, 2);
        assertThat(fileIndices()[2]).isEqualTo(2);
        assertThat(q.ack(101)).isTrue();
        assertIndices(q, 5, 4, 4);
    }

    @Test
    void sanityCheckAcceptsStampedAcksOlderAcrossTheWrap()
    {
        file.put(0, Hex.bytes("08 00 01 00 f0 ff ff ff | 08 00 01 00 03 00 00 00"));
        writeIndices(2, 0, 0, 0xFFFFFFFF, 3);
        final PtcpQueue q = new PtcpQueue(file, Q, WIRE);
        assertThat(q.sanityCheck()).isNull();
        assertThat(q.seqStart()).isEqualTo(0xFFFFFFFF);
        assertThat(q.seqEnd()).isEqualTo(1);
    }

    @Test
    void sanityCheckAcceptsAFullQueue()
    {
        file.put(0, Hex.bytes("40 00 01 00 00 00 00 00")); // one message of 64 bytes: all 8 blocks
        writeIndices(8, 0, 0, 0, 0);
        final PtcpQueue q = new PtcpQueue(file, Q, WIRE);
        assertThat(q.sanityCheck()).isNull();
        assertThat(q.seqEnd()).isEqualTo(1);
    }

    @Test
    void sanityCheckRejectsASizeBelow8()
    {
        file.put(0, Hex.bytes("07 00 01 00 00 00 00 00"));
        writeIndices(1, 0, 0, 0, 0);
        assertThat(new PtcpQueue(file, Q, WIRE).sanityCheck()).contains("size 7");
    }

    @Test
    void sanityCheckRejectsAStampedAckNewerThanMyAck()
    {
        file.put(0, Hex.bytes("08 00 01 00 04 00 00 00 | 08 00 01 00 05 00 00 00"));
        writeIndices(2, 0, 0, 0, 4);
        assertThat(new PtcpQueue(file, Q, WIRE).sanityCheck()).contains("ack 5").contains("myAck 4");
    }

    @Test
    void sanityCheckRejectsAWalkNotEndingAtWriteIdx()
    {
        file.put(0, Hex.bytes("10 00 01 00 00 00 00 00")); // 2 blocks
        writeIndices(1, 0, 0, 0, 0);
        assertThat(new PtcpQueue(file, Q, WIRE).sanityCheck()).contains("writeIdx 1");
        writeIndices(3, 0, 0, 0, 0); // ends at 2, then a zero header
        assertThat(new PtcpQueue(file, Q, WIRE).sanityCheck()).isNotNull();
    }

    @Test
    void sanityCheckRejectsWriteIdxBeyondTheQueue()
    {
        writeIndices(9, 0, 0, 0, 0);
        assertThat(new PtcpQueue(file, Q, WIRE).sanityCheck()).contains("writeIdx 9").contains("beyond");
        writeIndices(0xFFFFFFFF, 0, 0, 0, 0);
        assertThat(new PtcpQueue(file, Q, WIRE).sanityCheck()).contains("beyond");
    }

    @Test
    void sanityCheckRejectsReadIdxBeyondWriteIdx()
    {
        file.put(0, Hex.bytes("08 00 01 00 00 00 00 00 | 08 00 01 00 00 00 00 00"));
        writeIndices(1, 2, 2, 0, 0);
        assertThat(new PtcpQueue(file, Q, WIRE).sanityCheck()).contains("readIdx 2");
    }

    @Test
    void bigEndianWireOrderIsUsedForHeadersAndTheWalk()
    {
        final PtcpQueue q = new PtcpQueue(file, Q, ByteOrder.BIG_ENDIAN);
        assertThat(q.sanityCheck()).isNull();
        q.incrementMyAck();
        push(q, 5, 0x0102, 0x11);
        push(q, 0, 0x0304, 0);
        assertThat(Hex.of(file, 0, 24)).isEqualTo(Hex.norm(
            "00 0d 01 02 00 00 00 01 | 11 11 11 11 11 00 00 00 | 00 08 03 04 00 00 00 01"));
        final PtcpQueue reopened = new PtcpQueue(file, Q, ByteOrder.BIG_ENDIAN);
        assertThat(reopened.sanityCheck()).isNull();
        assertThat(reopened.seqEnd()).isEqualTo(2);
        assertThat(reopened.ack(1)).isTrue();
        assertThat(reopened.readIdx()).isEqualTo(2);
    }

    @Test
    void resetZeroesTheWholeFile()
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 0x11);
        q.incrementMyAck();
        q.sent(16);
        q.reset();
        assertThat(snapshot()).isEqualTo(new byte[Q + 20]);
        assertIndices(q, 0, 0, 0);
        assertThat(q.myAck()).isZero();
        assertThat(q.seqStart()).isZero();
        assertThat(q.seqEnd()).isZero();
    }

    @Test
    void stateSurvivesReopeningTheFile() throws Exception
    {
        final PtcpQueue q = queue();
        push(q, 5, 1, 0x11);
        push(q, 16, 2, 0x22);
        push(q, 8, 3, 0x33);
        q.sent(20);
        assertThat(q.ack(1)).isTrue();
        q.incrementMyAck();
        q.incrementMyAck();
        final byte[] before = snapshot();
        region.close();

        region = map();
        assertThat(snapshot()).isEqualTo(before);
        final PtcpQueue again = new PtcpQueue(file, Q, WIRE);
        assertThat(again.sanityCheck()).isNull();
        assertIndices(again, 7, 2, 2);
        assertThat(again.seqStart()).isEqualTo(1);
        assertThat(again.seqEnd()).isEqualTo(3);
        assertThat(again.myAck()).isEqualTo(2);
        push(again, 0, 4, 0);
        assertThat(again.seqEnd()).isEqualTo(4);
        assertThat(again.ack(4)).isTrue();
        assertIndices(again, 0, 0, 0);
    }

    @Test
    void aMappingOfTheWrongSizeIsRefused()
    {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PtcpQueue(ByteBuffer.allocate(Q + 19), Q, WIRE))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(Q + 20));
    }

    /** Review finding: when everything is acked, writeIdx and readIdx return to 0 in one store, before readSeq. */
    @Test
    void emptyingTheQueueMovesBothIndicesAtOnce()
    {
        final PtcpQueue q = queue();
        push(q, 8, 1, 1);
        push(q, 8, 2, 2);
        q.sent(q.unsent().remaining());
        assertThat(q.ack(q.seqEnd())).isTrue();
        assertThat(fileIndices()).containsExactly(0, 0, 0, 2, 0);
        assertThat(new PtcpQueue(file, Q, WIRE).sanityCheck()).isNull();
    }
}
