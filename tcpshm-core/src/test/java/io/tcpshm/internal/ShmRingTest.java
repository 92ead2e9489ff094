package io.tcpshm.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShmRingTest
{
    @TempDir
    Path dir;

    private final List<MappedRegion> regions = new ArrayList<>();

    @AfterEach
    void closeRegions()
    {
        regions.forEach(MappedRegion::close);
    }

    private ByteBuffer ring(final String name, final int s) throws Exception
    {
        final MappedRegion r = MappedRegion.open(dir.resolve(name), ShmRing.fileSize(s), false, 0, 0);
        regions.add(r);
        return r.buffer();
    }

    /** Seeds the producer's and the consumer's index in the file, host order. */
    private static void seed(final ByteBuffer file, final int s, final int writeIdx, final int readIdx)
    {
        final int r = (s + 127) / 128 * 128;
        final ByteBuffer h = file.duplicate().order(ByteOrder.nativeOrder());
        h.putInt(r, writeIdx);
        h.putInt(r + 128, readIdx);
    }

    private static int fileInt(final ByteBuffer file, final int offset)
    {
        return file.duplicate().order(ByteOrder.nativeOrder()).getInt(offset);
    }

    private static int payloadForBlocks(final int k)
    {
        return k * 64 - 8;
    }

    /** Writes a message whose payload is {@code length} bytes derived from {@code tag}. */
    private static boolean produce(final ShmRing p, final int tag, final int length)
    {
        final int off = p.alloc(length);
        if (off < 0)
        {
            return false;
        }
        final ByteBuffer b = p.buffer();
        b.putShort(off + 2, (short)(tag & 0x7FFF | 1));
        for (int i = 0; i < length; i++)
        {
            b.put(off + 8 + i, (byte)(tag * 31 + i));
        }
        p.push();
        return true;
    }

    private static void consume(final ShmRing c, final int tag, final int length)
    {
        final int off = c.front();
        assertThat(off).as("front for tag %d", tag).isGreaterThanOrEqualTo(0);
        final ByteBuffer b = c.buffer();
        assertThat(b.getShort(off) & 0xFFFF).isEqualTo(length + 8);
        assertThat(b.getShort(off + 2)).isEqualTo((short)(tag & 0x7FFF | 1));
        for (int i = 0; i < length; i++)
        {
            if (b.get(off + 8 + i) != (byte)(tag * 31 + i))
            {
                throw new AssertionError("tag " + tag + " byte " + i);
            }
        }
        c.pop();
    }

    @Test
    void blocksFor()
    {
        assertThat(ShmRing.blocksFor(0)).isEqualTo(1);
        assertThat(ShmRing.blocksFor(56)).isEqualTo(1);
        assertThat(ShmRing.blocksFor(57)).isEqualTo(2);
        assertThat(ShmRing.blocksFor(120)).isEqualTo(2);
        assertThat(ShmRing.blocksFor(121)).isEqualTo(3);
    }

    @Test
    void mixedSizesRoundTripInOrder() throws Exception
    {
        final int s = 2048;
        final ByteBuffer file = ring("mixed.shm", s);
        final ShmRing p = ShmRing.producer(file, s);
        final ShmRing c = ShmRing.consumer(file, s);
        assertThat(c.front()).isEqualTo(-1);
        final Random random = new Random(42);
        final ArrayDeque<int[]> inFlight = new ArrayDeque<>();
        int tag = 0;
        for (int round = 0; round < 2000; round++)
        {
            final int n = random.nextInt(6);
            for (int i = 0; i < n; i++)
            {
                final int length = random.nextInt(4) == 0 ? random.nextInt(600) : random.nextInt(60);
                if (!produce(p, tag, length))
                {
                    break;
                }
                inFlight.add(new int[] {tag++, length});
            }
            final int m = random.nextInt(6);
            for (int i = 0; i < m && !inFlight.isEmpty(); i++)
            {
                final int[] t = inFlight.poll();
                consume(c, t[0], t[1]);
            }
        }
        while (!inFlight.isEmpty())
        {
            final int[] t = inFlight.poll();
            consume(c, t[0], t[1]);
        }
        assertThat(c.front()).isEqualTo(-1);
        assertThat(tag).isGreaterThan(3000);
        assertThat(c.publishedReadIdx()).isEqualTo(p.publishedWriteIdx());
        assertThat(ShmRing.sanityCheck(file, s)).isNull();
    }

    @Test
    void rewindMarkerPublishedAtAllocIsSkippedByTheConsumer() throws Exception
    {
        final int s = 256; // C = 4, R = 256
        final ByteBuffer file = ring("rewind.shm", s);
        Hex.fill(file, 0, s, 0xAA);
        seed(file, s, 3, 3);
        final ShmRing p = ShmRing.producer(file, s);
        final ShmRing c = ShmRing.consumer(file, s);

        assertThat(p.alloc(payloadForBlocks(2))).isZero(); // p = 1 < k = 2: rewind
        assertThat(file.get(192)).isZero();
        assertThat(file.get(193)).isZero();
        assertThat(fileInt(file, 256)).isEqualTo(4); // advanced by the tail p = 1
        assertThat(p.hasAllocated()).isTrue();

        // the consumer sees only the marker so far: it skips it and finds the ring empty
        assertThat(c.front()).isEqualTo(-1);
        assertThat(c.readIdx()).isEqualTo(4);
        assertThat(fileInt(file, 256 + 128)).isEqualTo(4);

        p.buffer().putShort(2, (short)77);
        p.push();
        assertThat(p.hasAllocated()).isFalse();
        assertThat(fileInt(file, 256)).isEqualTo(6);
        assertThat(c.front()).isZero();
        assertThat(c.buffer().getShort(2)).isEqualTo((short)77);
        c.pop();
        assertThat(fileInt(file, 256 + 128)).isEqualTo(6);
        assertThat(c.front()).isEqualTo(-1);
    }

    @Test
    void consumerSkipsAMarkerWhenTheMessageIsAlreadyPushed() throws Exception
    {
        final int s = 256;
        final ByteBuffer file = ring("rewind2.shm", s);
        seed(file, s, 2, 2);
        final ShmRing p = ShmRing.producer(file, s);
        final ShmRing c = ShmRing.consumer(file, s);
        assertThat(produce(p, 1, payloadForBlocks(1))).isTrue(); // slot 2
        assertThat(produce(p, 2, payloadForBlocks(2))).isTrue(); // marker at slot 3, message at 0..1
        assertThat(fileInt(file, 256)).isEqualTo(6);
        consume(c, 1, payloadForBlocks(1));
        assertThat(c.front()).isZero();
        assertThat(c.readIdx()).isEqualTo(4); // skipped the tail of one block
        consume(c, 2, payloadForBlocks(2));
        assertThat(c.readIdx()).isEqualTo(6);
    }

    @Test
    void fullRingReturnsMinusOneAndFreesAfterPop() throws Exception
    {
        final int s = 256;
        final ByteBuffer file = ring("full.shm", s);
        final ShmRing p = ShmRing.producer(file, s);
        final ShmRing c = ShmRing.consumer(file, s);
        for (int i = 0; i < 4; i++)
        {
            assertThat(produce(p, i, 10)).isTrue();
        }
        final byte[] blocks = new byte[s];
        file.get(0, blocks);
        assertThat(p.alloc(0)).isEqualTo(-1);
        assertThat(p.alloc(0)).isEqualTo(-1);
        final byte[] after = new byte[s];
        file.get(0, after);
        assertThat(after).isEqualTo(blocks);
        assertThat(p.publishedWriteIdx()).isEqualTo(4);
        consume(c, 0, 10);
        assertThat(produce(p, 4, 10)).isTrue(); // reuses slot 0
        assertThat(p.publishedWriteIdx()).isEqualTo(5);
        for (int i = 1; i <= 4; i++)
        {
            consume(c, i, 10);
        }
        assertThat(c.front()).isEqualTo(-1);
    }

    /**
     * docs/PROTOCOL.md room rule with C = 4: to allocate k blocks with p = 4 - w % 4 left before the end,
     * rewind = k > p, and there is room when r is not older than w + k + (rewind ? p : 0) - 4.
     * Expected results computed by hand.
     */
    @ParameterizedTest(name = "w={0} r={1} k={2}")
    @CsvSource({
        // w, r, k, header offset or -1, writeIdx published by alloc, writeIdx after push
        "0, 0, 4, 0, 0, 4",             // empty ring, message of the whole ring at slot 0
        "4, 0, 1, -1, 4, 4",            // full
        "1, 1, 4, -1, 4, 4",            // empty, but a 4-block message needs the 3-block tail skipped too:
                                        // the marker alone is published, so the message fits once it is skipped
        "1, 1, 3, 64, 1, 4",            // exactly fills the tail
        "3, 1, 2, -1, 4, 4",            // rewind needs r >= 2; the marker alone fits and is published
        "3, 2, 2, 0, 4, 6",             // rewind, exactly full afterwards
        "3, 3, 1, 192, 3, 4",           // last slot, no rewind
        "2, 0, 2, 128, 2, 4",
        "2, 0, 3, -1, 4, 4",            // rewind needs r >= 3; the marker alone fits and is published
        "6, 3, 1, 128, 6, 7",           // exactly full
        "7, 3, 1, -1, 7, 7",
        "4294967295, 4294967293, 2, -1, 0, 0",                     // wrapped indices, one block short: marker only
        "4294967295, 4294967294, 2, 0, 0, 2",                      // rewind across 2^32
        "4294967294, 4294967294, 2, 128, 4294967294, 0",           // push across 2^32
    })
    void roomRuleBoundaries(final long w, final long r, final int k, final int offset, final long publishedAtAlloc,
        final long afterPush) throws Exception
    {
        final int s = 256;
        final ByteBuffer file = ring("room.shm", s);
        Hex.fill(file, 0, s, 0xAA);
        seed(file, s, (int)w, (int)r);
        file.duplicate().order(ByteOrder.nativeOrder()).putInt(256 + 4, (int)r - 1); // a consistent, stale cache
        final byte[] before = new byte[s];
        file.get(0, before);
        final ShmRing p = ShmRing.producer(file, s);
        final int got = p.alloc(payloadForBlocks(k));
        assertThat(got).isEqualTo(offset);
        assertThat(fileInt(file, 256)).isEqualTo((int)publishedAtAlloc);
        final int cache = fileInt(file, 256 + 4);
        assertThat(Bits.isNewer(cache, (int)r)).as("R+4 cache %d not newer than readIdx", cache).isFalse();
        if (got < 0)
        {
            final byte[] after = new byte[s];
            file.get(0, after);
            if (publishedAtAlloc != w)
            {
                // only the rewind marker was written (size 0 at the old slot) and published
                assertThat(file.getShort((int)(w % 4) * 64)).as("marker").isZero();
                before[(int)(w % 4) * 64] = 0;
                before[(int)(w % 4) * 64 + 1] = 0;
            }
            assertThat(after).as("nothing else written on failure").isEqualTo(before);
            assertThat(p.hasAllocated()).isFalse();
            return;
        }
        final boolean rewind = publishedAtAlloc != w;
        if (rewind)
        {
            assertThat(file.getShort((int)(w % 4) * 64)).as("marker").isZero();
        }
        p.push();
        assertThat(fileInt(file, 256)).isEqualTo((int)afterPush);
        // a consumer at r reads the message (after skipping the marker if any)
        final ShmRing c = ShmRing.consumer(file, s);
        if (r != w)
        {
            seed(file, s, (int)afterPush, (int)w); // consume only the new message
            c.reload(false);
        }
        assertThat(c.front()).isEqualTo(offset);
        assertThat(c.buffer().getShort(offset) & 0xFFFF).isEqualTo(k * 64);
        c.pop();
        assertThat(fileInt(file, 256 + 128)).isEqualTo((int)afterPush);
    }

    /** The room rule of docs/PROTOCOL.md as an oracle, on random indices (some near 2^32) for C = 8. */
    @Test
    void roomRuleOracleOnRandomIndices() throws Exception
    {
        final int s = 512;
        final int cap = 8;
        final ByteBuffer file = ring("oracle.shm", s);
        final Random random = new Random(99);
        for (int i = 0; i < 3000; i++)
        {
            final int w = random.nextBoolean() ? random.nextInt() : -random.nextInt(20);
            final int r = w - random.nextInt(cap + 1);
            final int k = 1 + random.nextInt(cap);
            final int p = cap - Integer.remainderUnsigned(w, cap);
            final boolean rewind = k > p;
            final int need = w + k + (rewind ? p : 0) - cap;
            final boolean room = r - need >= 0;
            seed(file, s, w, r);
            final ShmRing producer = ShmRing.producer(file, s);
            final int off = producer.alloc(payloadForBlocks(k));
            final String what = "w=" + Integer.toUnsignedString(w) + " r=" + Integer.toUnsignedString(r) + " k=" + k;
            if (!room)
            {
                // when the message and its rewind marker do not fit but the marker alone does, the marker is published
                final boolean markerOnly = rewind && r - (w + p - cap) >= 0;
                assertThat(off).as(what).isEqualTo(-1);
                assertThat(producer.publishedWriteIdx()).as(what).isEqualTo(markerOnly ? w + p : w);
                continue;
            }
            assertThat(off).as(what).isEqualTo(rewind ? 0 : Integer.remainderUnsigned(w, cap) * 64);
            assertThat(producer.publishedWriteIdx()).as(what).isEqualTo(rewind ? w + p : w);
            producer.push();
            assertThat(producer.publishedWriteIdx()).as(what).isEqualTo(w + (rewind ? p : 0) + k);
            assertThat(ShmRing.sanityCheck(file, s)).as(what).isNull();
        }
    }

    @Test
    void indicesWrapPast2To32() throws Exception
    {
        final int s = 512; // C = 8
        final ByteBuffer file = ring("wrap.shm", s);
        seed(file, s, 0xFFFFFFF0, 0xFFFFFFF0);
        final ShmRing p = ShmRing.producer(file, s);
        final ShmRing c = ShmRing.consumer(file, s);
        final Random random = new Random(7);
        final ArrayDeque<int[]> inFlight = new ArrayDeque<>();
        int tag = 0;
        boolean crossed = false;
        for (int round = 0; round < 200; round++)
        {
            final int length = random.nextInt(300);
            if (produce(p, tag, length))
            {
                inFlight.add(new int[] {tag++, length});
            }
            if (random.nextBoolean())
            {
                final int[] t = inFlight.poll();
                if (t != null)
                {
                    consume(c, t[0], t[1]);
                }
            }
            assertThat(ShmRing.sanityCheck(file, s)).isNull();
            crossed |= Integer.compareUnsigned(p.publishedWriteIdx(), 0x1000) < 0;
        }
        while (!inFlight.isEmpty())
        {
            final int[] t = inFlight.poll();
            consume(c, t[0], t[1]);
        }
        assertThat(crossed).isTrue();
        assertThat(c.front()).isEqualTo(-1); // skips a marker the producer may have published alone
        assertThat(Integer.compareUnsigned(c.publishedReadIdx(), 0x1000)).isNegative();
        assertThat(c.publishedReadIdx()).isEqualTo(p.publishedWriteIdx());
    }

    @ParameterizedTest
    @CsvSource({"1", "2", "7"})
    void headerSizeBelow8IsCorrupt(final int size) throws Exception
    {
        final int s = 256;
        final ByteBuffer file = ring("corrupt.shm", s);
        seed(file, s, 1, 0);
        file.duplicate().order(ByteOrder.nativeOrder()).putShort(0, (short)size);
        assertThat(ShmRing.consumer(file, s).front()).isEqualTo(-2);
    }

    @Test
    void moreBlocksThanPublishedIsCorrupt() throws Exception
    {
        final int s = 256;
        final ByteBuffer file = ring("corrupt2.shm", s);
        final ByteBuffer h = file.duplicate().order(ByteOrder.nativeOrder());
        seed(file, s, 1, 0);
        h.putShort(0, (short)65); // 2 blocks, 1 published
        assertThat(ShmRing.consumer(file, s).front()).isEqualTo(-2);
        h.putShort(0, (short)64); // 1 block: fine
        assertThat(ShmRing.consumer(file, s).front()).isZero();
        // after a marker at slot 3, a message at slot 0 bigger than what was published
        seed(file, s, 6, 3);
        h.putShort(192, (short)0);
        h.putShort(0, (short)(3 * 64));
        assertThat(ShmRing.consumer(file, s).front()).isEqualTo(-2);
    }

    @Test
    void markerAtSlot0IsCorrupt() throws Exception
    {
        final int s = 256;
        final ByteBuffer file = ring("corrupt3.shm", s);
        seed(file, s, 1, 0); // header at slot 0 holds size 0
        assertThat(ShmRing.consumer(file, s).front()).isEqualTo(-2);
    }

    @ParameterizedTest(name = "w={0} r={1}")
    @CsvSource({
        "0, 0, true",
        "4, 0, true",
        "5, 0, false",
        "0, 1, false",
        "2, 4294967294, true",
        "3, 4294967294, false",
        "4294967294, 2, false",
    })
    void sanityCheckBoundsTheDistanceOfTheIndices(final long w, final long r, final boolean sound) throws Exception
    {
        final int s = 256;
        final ByteBuffer file = ring("sanity.shm", s);
        seed(file, s, (int)w, (int)r);
        final String problem = ShmRing.sanityCheck(file, s);
        if (sound)
        {
            assertThat(problem).isNull();
        }
        else
        {
            assertThat(problem).contains("writeIdx " + w).contains("readIdx " + r).contains("0..4");
        }
    }

    @Test
    void consumerContinuesWhereItStoppedAfterRemapping() throws Exception
    {
        final int s = 256;
        final Path path = dir.resolve("persist.shm");
        MappedRegion region = MappedRegion.open(path, ShmRing.fileSize(s), false, 0, 0);
        ShmRing p = ShmRing.producer(region.buffer(), s);
        ShmRing c = ShmRing.consumer(region.buffer(), s);
        produce(p, 1, 10);
        produce(p, 2, 70);
        consume(c, 1, 10);
        region.close();

        region = MappedRegion.open(path, ShmRing.fileSize(s), false, 0, 0);
        regions.add(region);
        p = ShmRing.producer(region.buffer(), s);
        c = ShmRing.consumer(region.buffer(), s);
        assertThat(p.writeIdx()).isEqualTo(3);
        assertThat(c.readIdx()).isEqualTo(1);
        produce(p, 3, 0);
        consume(c, 2, 70);
        consume(c, 3, 0);
        assertThat(c.front()).isEqualTo(-1);
    }

    @Test
    void aMappingOfTheWrongSizeIsRefused()
    {
        assertThatThrownBy(() -> ShmRing.producer(ByteBuffer.allocateDirect(256), 256))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
    }

    @Test
    void twoThreadStress() throws Exception
    {
        final int s = 2048;
        final int count = 2_000_000;
        final ByteBuffer file = ring("stress.shm", s);
        final ShmRing p = ShmRing.producer(file, s);
        final ShmRing c = ShmRing.consumer(file, s);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        final AtomicReference<String> failure = new AtomicReference<>();

        final Thread producer = new Thread(() ->
        {
            final ByteBuffer b = p.buffer();
            for (int seq = 0; seq < count && failure.get() == null; seq++)
            {
                final int length = stressLength(seq);
                int off;
                int spins = 0;
                while ((off = p.alloc(length)) < 0)
                {
                    Thread.onSpinWait();
                    if ((++spins & 0xFFF) == 0 && System.nanoTime() > deadline)
                    {
                        failure.compareAndSet(null, "producer timed out at " + seq);
                        return;
                    }
                }
                b.putShort(off + 2, (short)(seq & 0x7FFF));
                b.putInt(off + 8, seq);
                for (int i = 4; i < length; i++)
                {
                    b.put(off + 8 + i, (byte)(seq + i));
                }
                p.push();
            }
        }, "shm-producer");

        final Thread consumer = new Thread(() ->
        {
            final ByteBuffer b = c.buffer();
            for (int seq = 0; seq < count && failure.get() == null; seq++)
            {
                int off;
                int spins = 0;
                while ((off = c.front()) == -1)
                {
                    Thread.onSpinWait();
                    if ((++spins & 0xFFF) == 0 && System.nanoTime() > deadline)
                    {
                        failure.compareAndSet(null, "consumer timed out at " + seq);
                        return;
                    }
                }
                final int length = stressLength(seq);
                if (off < 0 || (b.getShort(off) & 0xFFFF) != length + 8 || b.getShort(off + 2) != (short)(seq & 0x7FFF)
                    || b.getInt(off + 8) != seq)
                {
                    failure.compareAndSet(null, "message " + seq + ": front " + off + " header/seq mismatch");
                    return;
                }
                for (int i = 4; i < length; i++)
                {
                    if (b.get(off + 8 + i) != (byte)(seq + i))
                    {
                        failure.compareAndSet(null, "message " + seq + " byte " + i);
                        return;
                    }
                }
                c.pop();
            }
        }, "shm-consumer");

        final long start = System.nanoTime();
        producer.start();
        consumer.start();
        producer.join(TimeUnit.SECONDS.toMillis(70));
        consumer.join(TimeUnit.SECONDS.toMillis(70));
        assertThat(producer.isAlive() || consumer.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(c.front()).isEqualTo(-1);
        assertThat(ShmRing.sanityCheck(file, s)).isNull();
        System.out.println("SHM stress: " + count + " messages in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    /** Payload lengths 4..259: 1 to 5 blocks, hitting exact block multiples too. */
    private static int stressLength(final int seq)
    {
        return 4 + (int)(((seq * 2654435761L) >>> 7) & 0xFF);
    }

    /** Review finding: a message of more than half the ring must not wait for ever on an empty ring. */
    @Test
    void aMessageLargerThanHalfTheRingFitsOnceTheRewindMarkerIsSkipped() throws Exception
    {
        final int s = 2048; // 32 blocks
        final ByteBuffer file = ring("big.shm", s);
        final ShmRing p = ShmRing.producer(file, s);
        final ShmRing c = ShmRing.consumer(file, s);
        assertThat(p.alloc(payloadForBlocks(16))).isZero();
        p.buffer().putShort(2, (short)1);
        p.push();
        assertThat(c.front()).isZero();
        c.pop(); // now w = r = 16
        final int big = payloadForBlocks(17);
        assertThat(p.alloc(big)).as("17 blocks + the 16-block tail do not fit at once").isEqualTo(-1);
        assertThat(p.publishedWriteIdx()).as("the marker alone is published").isEqualTo(32);
        assertThat(c.front()).as("the consumer skips the marker and finds the ring empty").isEqualTo(-1);
        assertThat(c.publishedReadIdx()).isEqualTo(32);
        assertThat(p.alloc(big)).as("now the message fits at slot 0").isZero();
        p.buffer().putShort(2, (short)2);
        p.push();
        assertThat(c.front()).isZero();
        assertThat(c.buffer().getShort(0) & 0xFFFF).isEqualTo(big + 8);
    }

    /** Review finding: a ring zeroed under a live producer (a C++ client's reset) is followed, not corrupted. */
    @Test
    void aProducerFollowsARingZeroedUnderIt() throws Exception
    {
        final int s = 2048;
        final ByteBuffer file = ring("zeroed.shm", s);
        final ShmRing p = ShmRing.producer(file, s);
        assertThat(p.alloc(8)).isZero();
        p.buffer().putShort(2, (short)1);
        p.push();
        assertThat(p.publishedWriteIdx()).isEqualTo(1);
        for (int i = 0; i < file.capacity(); i++)
        {
            file.put(i, (byte)0); // the other side's reset
        }
        assertThat(p.alloc(8)).as("starts again at slot 0").isZero();
        p.buffer().putShort(2, (short)1);
        p.push();
        assertThat(p.publishedWriteIdx()).isEqualTo(1);
        final ShmRing c = ShmRing.consumer(file, s);
        assertThat(c.front()).isZero();
        c.pop();
        assertThat(c.front()).isEqualTo(-1);
        assertThat(ShmRing.sanityCheck(file, s)).isNull();
    }

    /** Review finding: a header whose blocks run past the end of the ring is corrupt, not read out of bounds. */
    @Test
    void aMessageRunningPastTheRingEndIsCorrupt() throws Exception
    {
        final int s = 256; // 4 blocks
        final ByteBuffer file = ring("past.shm", s);
        seed(file, s, 7, 3); // slot 3 holds the oldest message, 4 blocks published
        file.duplicate().order(ByteOrder.nativeOrder()).putShort(3 * 64, (short)(2 * 64));
        assertThat(ShmRing.consumer(file, s).front()).isEqualTo(-2);
    }
}
