package io.tcpshm;

import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code alloc} over the whole {@code int} range, on both transports: a length that can never fit
 * (negative, a size over 65535, more than the queue or the peer's receive buffer holds) throws
 * {@link IllegalArgumentException} naming the limit; every other length is allocated on an empty
 * queue (so {@code null} is left to mean only "no room now"); and a refused length leaves the queue
 * as it was, working. Lengths near {@code Integer.MAX_VALUE} once overflowed {@code length + 8}: SHM
 * then handed out a message with a negative size whose push moved the shared {@code writeIdx}
 * backwards, and TCP returned null for ever.
 */
class AllocLengthTest
{
    /** Queue sizes chosen so that each limit binds on some transport. */
    private static final int TCP_QUEUE = 1 << 20;
    private static final int RECV_MAX = 40_000;
    private static final int SHM_QUEUE = 1 << 12;

    private Path dir;
    private final AtomicLong clock = new AtomicLong(1000);
    private TestServer server;
    private TestClient tcp;
    private TestClient shm;

    @BeforeProperty
    void connect() throws IOException
    {
        dir = Files.createTempDirectory("alloc-length");
        Files.createDirectories(dir.resolve("shm"));
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(dir.resolve("shm"))
            .tcpQueueSize(TCP_QUEUE).tcpReceiveBufferMaxSize(RECV_MAX).shmQueueSize(SHM_QUEUE)
            .connectionTimeout(1_000_000).newConnectionTimeout(1_000_000).build();
        server = new TestServer("srv", dir.resolve("server"), config, clock);
        tcp = new TestClient("tcpcli", dir.resolve("tcp"), config, clock);
        shm = new TestClient("shmcli", dir.resolve("shmc"), config, clock);
        assertThat(tcp.connect(false, server.port())).as(tcp.events.toString()).isTrue();
        assertThat(shm.connect(true, server.port())).as(shm.events.toString()).isTrue();
    }

    @AfterProperty
    void close() throws IOException
    {
        for (final AutoCloseable c : new AutoCloseable[] {tcp, shm, server})
        {
            try
            {
                if (c != null)
                {
                    c.close();
                }
            }
            catch (final Exception ignored)
            {
                // the next close still runs; the directory goes below
            }
        }
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The largest payload on TCP: 40,000 (the receive buffer) minus the header. */
    private static final int TCP_LIMIT = RECV_MAX - 8;
    /** The largest payload on SHM: the whole ring (4096 bytes) minus the header. */
    private static final int SHM_LIMIT = SHM_QUEUE - 8;

    @Property(tries = 3000)
    void tcpAllocOfAnyLengthEitherFitsOrNamesTheLimit(@ForAll final int length)
    {
        check(tcp, length, TCP_LIMIT, "tcpReceiveBufferMaxSize (" + RECV_MAX + ")");
    }

    @Property(tries = 3000)
    void shmAllocOfAnyLengthEitherFitsOrNamesTheLimit(@ForAll final int length)
    {
        check(shm, length, SHM_LIMIT, "shmQueueSize (" + SHM_QUEUE + ")");
    }

    @Example
    void tcpQueueKeepsWorkingAfterRefusedLengths()
    {
        refuseTheOverflowingLengthsThenEcho(tcp, TCP_LIMIT);
    }

    @Example
    void shmRingKeepsWorkingAfterRefusedLengths()
    {
        refuseTheOverflowingLengthsThenEcho(shm, SHM_LIMIT);
    }

    /** A 64 KiB limit binds when the queue and the receive buffer are larger than the size field allows. */
    @Example
    void theSizeFieldLimitsATcpMessageWhenTheQueueIsLarger()
    {
        final TcpShmConfig config = TcpShmConfig.builder().tcpQueueSize(1 << 20).tcpReceiveBufferMaxSize(1 << 20).build();
        try (TestClient c = new TestClient("big", dir.resolve("big"), config, clock))
        {
            assertThat(c.connect(false, server.port())).as(c.events.toString()).isTrue();
            check(c, 65535 - 8, 65535 - 8, "the size field (65535)");
            check(c, 65535 - 7, 65535 - 8, "the size field (65535)");
            check(c, Integer.MAX_VALUE - 3, 65535 - 8, "the size field (65535)");
        }
    }

    private static void check(final TestClient c, final int length, final int limit, final String limitName)
    {
        final TcpShmConnection conn = c.conn();
        if (length >= 0 && length <= limit)
        {
            // the queue is empty (nothing is ever pushed here), so every possible length fits now
            final MsgHeader h = conn.alloc(length);
            assertThat(h).as("alloc(%d) on an empty queue", length).isNotNull();
            assertThat(h.payloadLength()).isEqualTo(length);
            assertThat(h.size()).isEqualTo(length + 8);
        }
        else
        {
            assertThatThrownBy(() -> conn.alloc(length))
                .as("alloc(%d)", length)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload of " + length + " bytes can never be sent")
                .hasMessageContaining("the limit is " + limit + " bytes")
                .hasMessageContaining(limitName);
        }
    }

    private static void refuseTheOverflowingLengthsThenEcho(final TestClient c, final int limit)
    {
        final long sendPosition = c.conn().sendPosition();
        for (final int length : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 3, Integer.MAX_VALUE - 7,
            Integer.MAX_VALUE - 8, Integer.MIN_VALUE, -1, -8, limit + 1, 65536, 65535 - 7})
        {
            if (length > limit || length < 0)
            {
                assertThatThrownBy(() -> c.conn().alloc(length)).as("alloc(%d)", length)
                    .isInstanceOf(IllegalArgumentException.class);
            }
        }
        assertThat(c.conn().sendPosition()).as("nothing was queued by a refused alloc").isEqualTo(sendPosition);
        // the largest message is still allocated (and dropped by the next alloc), then 500 messages are echoed
        // exactly once and in order (TestClient checks each echo)
        assertThat(c.conn().alloc(limit)).isNotNull();
        final long before = c.received;
        final long target = c.sent + 500;
        final boolean ok = c.pollUntil(() ->
        {
            while (c.sent < target && c.trySend(false))
            {
                // fill
            }
            return c.received >= before + 500;
        }, 30_000);
        assertThat(ok).as("echoed %d of 500; events %s", c.received - before, c.events).isTrue();
        assertThat(c.conn().isClosed()).isFalse();
    }
}
