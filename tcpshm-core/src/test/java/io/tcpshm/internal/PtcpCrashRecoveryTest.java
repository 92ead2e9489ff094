package io.tcpshm.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A process killed at every store of every multi-store index change of the PTCP queue (acks
 * that release part of the queue or empty it, compactions with and without overlap): the next
 * sanity check completes the change or finds it not begun, and the queue then holds exactly the
 * messages, numbered exactly as, before or after the change: never anything else, never a file
 * that needs a manual repair.
 */
class PtcpCrashRecoveryTest
{
    private static final int Q = 400; // 50 blocks
    private static final ByteOrder WIRE = ByteOrder.LITTLE_ENDIAN;

    @TempDir
    Path dir;

    private MappedRegion region;
    private ByteBuffer file;

    @BeforeEach
    void open() throws Exception
    {
        region = MappedRegion.open(dir.resolve("a_b.ptcp"), PtcpQueue.fileSize(Q), false, 0, 0);
        file = region.buffer();
    }

    @AfterEach
    void close()
    {
        region.close();
    }

    /** A crash: thrown by the crash point to stop the operation where it is, as SIGKILL would. */
    private static final class Crash extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Crash()
        {
            super(null, null, false, false);
        }
    }

    /** What a queue holds: its first sequence number and its messages' bytes. */
    private static String contents(final ByteBuffer file)
    {
        final PtcpQueue q = new PtcpQueue(file, Q, WIRE);
        final String problem = q.sanityCheck();
        if (problem != null)
        {
            return "corrupt: " + problem;
        }
        final List<String> messages = new ArrayList<>();
        int idx = q.readIdx();
        while (idx < q.writeIdx())
        {
            final int size = FrameHeader.size(q.wireBuffer(), idx * 8);
            final byte[] bytes = new byte[size];
            q.wireBuffer().get(idx * 8, bytes);
            messages.add(Arrays.toString(bytes));
            idx += (size + 7) / 8;
        }
        return "seq " + Integer.toUnsignedString(q.seqStart()) + " myAck " + q.myAck() + " " + messages;
    }

    private static void push(final PtcpQueue q, final int payload, final int tag)
    {
        final int off = q.alloc(payload);
        assertThat(off).isGreaterThanOrEqualTo(0);
        q.wireBuffer().putShort(off + 2, (short)(tag + 1));
        for (int i = 0; i < payload; i++)
        {
            q.wireBuffer().put(off + 8 + i, (byte)(tag * 7 + i));
        }
        q.push();
    }

    /**
     * Runs {@code setup} then {@code operation} on a fresh queue, crashing at store {@code k}
     * (1-based) of the operation; returns false when the operation has fewer crash points.
     */
    private boolean crashAt(final int k, final Consumer<PtcpQueue> setup, final Consumer<PtcpQueue> operation,
        final String before, final String after)
    {
        for (int i = 0; i < file.capacity(); i++)
        {
            file.put(i, (byte)0);
        }
        final int[] count = {0};
        final boolean[] armed = {false};
        final PtcpQueue q = new PtcpQueue(file, Q, WIRE, () ->
        {
            if (armed[0] && ++count[0] == k)
            {
                throw new Crash();
            }
        });
        assertThat(q.sanityCheck()).isNull();
        setup.accept(q);
        armed[0] = true; // only the operation's stores count
        boolean crashed = false;
        try
        {
            operation.accept(q);
        }
        catch (final Crash ex)
        {
            crashed = true;
        }
        armed[0] = false;
        final String recovered = contents(file);
        assertThat(recovered).as("crash at store %d", k).isIn(before, after);
        // and the recovered file is clean: a second check finds nothing to finish
        final PtcpQueue again = new PtcpQueue(file, Q, WIRE);
        assertThat(again.sanityCheck()).isNull();
        assertThat(again.recoveredInterruptedUpdate()).isFalse();
        return crashed;
    }

    private void everyCrashPoint(final Consumer<PtcpQueue> setup, final Consumer<PtcpQueue> operation)
    {
        // the states before and after, without a crash
        for (int i = 0; i < file.capacity(); i++)
        {
            file.put(i, (byte)0);
        }
        final PtcpQueue q = new PtcpQueue(file, Q, WIRE);
        q.sanityCheck();
        setup.accept(q);
        final String before = contents(file);
        final PtcpQueue q2 = new PtcpQueue(file, Q, WIRE);
        q2.sanityCheck();
        operation.accept(q2);
        final String after = contents(file);
        assertThat(after).isNotEqualTo(before);
        int points = 0;
        for (int k = 1; crashAt(k, setup, operation, before, after); k++)
        {
            points++;
        }
        assertThat(points).as("crash points exercised").isGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest(name = "readSeq from {0}")
    @ValueSource(ints = {0, -3})
    void anAckReleasingPartOfTheQueue(final int firstSeq)
    {
        everyCrashPoint(q ->
        {
            seedSeq(q, firstSeq);
            for (int t = 0; t < 5; t++)
            {
                push(q, 8 + t * 5, t);
            }
        }, q -> assertThat(q.ack(q.seqStart() + 3)).isTrue());
    }

    @ParameterizedTest(name = "readSeq from {0}")
    @ValueSource(ints = {0, -2})
    void anAckEmptyingTheQueue(final int firstSeq)
    {
        everyCrashPoint(q ->
        {
            seedSeq(q, firstSeq);
            for (int t = 0; t < 4; t++)
            {
                push(q, 16, t);
            }
        }, q -> assertThat(q.ack(q.seqEnd())).isTrue());
    }

    @ParameterizedTest(name = "gap of {0} blocks")
    @ValueSource(ints = {1, 3, 10, 30})
    void aCompactionOverlappingOrNot(final int gapBlocks)
    {
        // fill to the end, ack the first messages so that gapBlocks are free at the start, then alloc what only fits
        // after moving the live region to the start
        everyCrashPoint(q ->
        {
            int t = 0;
            while (q.alloc(0) >= 0)
            {
                q.wireBuffer().putShort(q.writeIdx() * 8 + 2, (short)(t + 1));
                q.push();
                t++;
            }
            assertThat(q.writeIdx()).isEqualTo(Q / 8);
            assertThat(q.ack(q.seqStart() + gapBlocks)).isTrue();
        }, q -> push(q, (gapBlocks - 1) * 8, 99)); // gapBlocks blocks: fits only after the move
    }

    private void seedSeq(final PtcpQueue q, final int seq)
    {
        final ByteBuffer h = file.duplicate().order(ByteOrder.nativeOrder());
        h.putInt(Q + 12, seq);
        h.putInt(Q + 16, 5);
        assertThat(q.sanityCheck()).isNull();
    }
}
