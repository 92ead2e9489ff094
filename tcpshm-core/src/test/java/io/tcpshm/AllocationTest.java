package io.tcpshm;

import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steady-state echo with the client and the server polled from this one thread, measuring the
 * bytes this thread allocates: alloc, push, pushMore, front, pop and every poll must allocate
 * nothing per message.
 */
class AllocationTest
{
    @TempDir
    Path tmp;

    private TestServer server;
    private TestClient client;

    @AfterEach
    void close()
    {
        if (client != null)
        {
            client.close();
        }
        if (server != null)
        {
            server.close();
        }
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void echoAllocatesNothingPerMessage(final boolean shm) throws Exception
    {
        Files.createDirectories(tmp.resolve("shm"));
        final AtomicLong clock = new AtomicLong(1000);
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(tmp.resolve("shm")).build();
        server = new TestServer("srv", tmp.resolve("server"), config, clock);
        client = new TestClient("cli", tmp.resolve("client"), config, clock);
        assertThat(client.connect(shm, server.port())).as("%s %s", client.events, server.events).isTrue();
        server.detach();

        assertNothingAllocatedPerMessage(clock);
    }

    /**
     * A TCP group polled by readiness among 150 idle connections, so that the busy connection's socket has a
     * descriptor number above 127: the JDK's epoll selector would box it on every message it reports (16 bytes);
     * the busy connection is read directly instead, and nothing is allocated per message.
     */
    @org.junit.jupiter.api.Test
    void aBusyConnectionAmongManyIdleOnesAllocatesNothingPerMessage() throws Exception
    {
        final AtomicLong clock = new AtomicLong(1000);
        final TcpShmConfig config = io.tcpshm.testing.TestConfigs.noTimeouts(tmp.resolve("shm"))
            .maxTcpConnectionsPerGroup(160).maxNewConnections(160).tcpReadinessThreshold(2).build();
        server = new TestServer("srv", tmp.resolve("server"), config, clock);
        final java.util.List<TestClient> idle = new java.util.ArrayList<>();
        try
        {
            for (int i = 0; i < 150; i++)
            {
                final TestClient c = new TestClient("idle" + i, tmp.resolve("idle" + i), config, clock);
                idle.add(c);
                assertThat(c.connect(false, server.port())).as("idle %d: %s", i, c.events).isTrue();
            }
            client = new TestClient("cli", tmp.resolve("client"), config, clock);
            assertThat(client.connect(false, server.port())).isTrue();
            server.detach();
            assertNothingAllocatedPerMessage(clock);
            assertThat(server.server.tcpGroupPollsByReadiness(0)).isTrue();
        }
        finally
        {
            for (final TestClient c : idle)
            {
                c.close();
            }
        }
    }

    /** Warms up over 50,000 echoes, then measures 200,000: at most a little one-time work, nothing per message. */
    private void assertNothingAllocatedPerMessage(final AtomicLong clock)
    {
        run(50_000, clock); // warm-up: JIT, buffers grown to their steady size
        final long before = allocatedBytes();
        final long received = client.received;
        run(200_000, clock);
        final long allocated = allocatedBytes() - before;
        assertThat(client.received - received).isEqualTo(200_000);
        // the JVM itself may allocate a little (e.g. JIT deoptimisation bookkeeping); nothing per message
        assertThat(allocated).as("bytes allocated over 200000 echoes").isLessThan(2_000);
    }

    private void run(final long messages, final AtomicLong clock)
    {
        final long target = client.received + messages;
        long iterations = 0;
        while (client.received < target)
        {
            if ((++iterations & 1023) == 0)
            {
                clock.incrementAndGet(); // time moves: heartbeats and prompt acks take their paths too
            }
            final long now = clock.get();
            if (client.sent < target)
            {
                client.trySend((client.sent & 7) != 7);
            }
            client.client.pollTcp(now);
            client.client.pollShm();
            server.pollOnce(now);
            if (iterations > 50_000_000L)
            {
                throw new AssertionError("stalled at " + client.received + " of " + target);
            }
        }
    }
}
