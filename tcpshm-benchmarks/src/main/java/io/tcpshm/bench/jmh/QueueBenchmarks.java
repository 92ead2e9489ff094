package io.tcpshm.bench.jmh;

import io.tcpshm.internal.MappedRegion;
import io.tcpshm.internal.PtcpQueue;
import io.tcpshm.internal.ShmRing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Single-threaded costs of the queues' hot paths, over real memory-mapped files, meant to be run
 * with {@code -prof gc} to show 0 B/op:
 * <ul>
 * <li>{@code ptcpAllocPushAck}: alloc + write payload + push on the persistent TCP queue, then the
 *     peer's ack releases it (so the queue never fills);</li>
 * <li>{@code ptcpReceiveSide}: what a receiver does per message besides the socket: read the
 *     header and advance {@code myAck} (persisted);</li>
 * <li>{@code shmAllocPushFrontPop}: one message through an SHM ring, producer then consumer.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class QueueBenchmarks
{
    @Param({"32"})
    int payload;

    private Path dir;
    private MappedRegion ptcpRegion;
    private MappedRegion ringRegion;
    private PtcpQueue queue;
    private ShmRing producer;
    private ShmRing consumer;
    private int seq;

    /**
     * Maps fresh files.
     *
     * @throws IOException when a file cannot be created.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = Files.createTempDirectory("tcpshm-jmh");
        final int q = 1 << 16;
        ptcpRegion = MappedRegion.open(dir.resolve("q.ptcp"), PtcpQueue.fileSize(q), false, 0, 0);
        queue = new PtcpQueue(ptcpRegion.buffer(), q, ByteOrder.LITTLE_ENDIAN);
        queue.sanityCheck();
        ringRegion = MappedRegion.open(dir.resolve("r.shm"), ShmRing.fileSize(1 << 16), false, 0, 0);
        producer = ShmRing.producer(ringRegion.buffer(), 1 << 16);
        consumer = ShmRing.consumer(ringRegion.buffer(), 1 << 16);
    }

    /** Unmaps and deletes the files. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        ptcpRegion.close();
        ringRegion.close();
        try
        {
            Files.deleteIfExists(dir.resolve("q.ptcp"));
            Files.deleteIfExists(dir.resolve("r.shm"));
            Files.deleteIfExists(dir);
        }
        catch (final IOException ignore)
        {
            // temp files
        }
    }

    /**
     * @return a value depending on the work, so it is not optimised away.
     */
    @Benchmark
    public int ptcpAllocPushAck()
    {
        final int offset = queue.alloc(payload);
        final ByteBuffer b = queue.wireBuffer();
        b.putShort(offset + 2, (short)1);
        b.putLong(offset + 8, seq);
        for (int k = 16; k < 8 + payload; k += 8)
        {
            b.putLong(offset + k, k);
        }
        queue.push();
        queue.sent(queue.unsent().remaining());
        queue.ack(queue.seqEnd());
        return ++seq;
    }

    /**
     * @return the consumed ack.
     */
    @Benchmark
    public int ptcpReceiveSide()
    {
        final ByteBuffer b = queue.wireBuffer();
        final int size = b.getShort(0) & 0xFFFF;
        return queue.incrementMyAck() + size;
    }

    /**
     * @return a value read from the message.
     */
    @Benchmark
    public long shmAllocPushFrontPop()
    {
        final int offset = producer.alloc(payload);
        final ByteBuffer out = producer.buffer();
        out.putShort(offset + 2, (short)1);
        for (int k = 8; k < 8 + payload; k += 8)
        {
            out.putLong(offset + k, seq + k);
        }
        producer.push();
        final int in = consumer.front();
        final long value = consumer.buffer().getLong(in + 8);
        consumer.pop();
        seq++;
        return value;
    }
}
