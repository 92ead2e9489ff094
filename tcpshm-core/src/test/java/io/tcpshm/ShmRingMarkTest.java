package io.tcpshm;

import io.tcpshm.files.ShmRingDescriptor;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: when client and server do not share one {@code /dev/shm} (two hosts, two
 * containers, two {@code shmDir}s), an SHM login succeeded, heartbeats kept it alive, and every
 * message waited for ever in a ring only its writer maps. Java peers now prove they map the same
 * rings: each writes a mark into its send ring and announces it in its heartbeats; a mismatch closes
 * the connection with the reason. For a C++ peer, which cannot take part, {@code shmConsumeTimeout}
 * is the opt-in check.
 */
class ShmRingMarkTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(1000);

    private TcpShmConfig.Builder config(final Path shmDir) throws Exception
    {
        Files.createDirectories(shmDir);
        return TcpShmConfig.builder().shmDir(shmDir).heartbeatInterval(3).connectionTimeout(1_000)
            .newConnectionTimeout(1_000).controlSocketPollPeriod(1);
    }

    /** Polls the client (and lets the server thread run) until {@code done}, moving the clock by one unit per round. */
    private boolean runUntil(final TestClient c, final TestServer s, final java.util.function.BooleanSupplier done,
        final int maxUnits)
    {
        for (int unit = 0; unit < maxUnits && !done.getAsBoolean(); unit++)
        {
            clock.incrementAndGet();
            s.awaitIterations(5);
            c.pollUntil(() -> false, 5);
        }
        return done.getAsBoolean();
    }

    private static int ringMark(final Path ring, final int shmQueueSize) throws Exception
    {
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(ring)).order(ByteOrder.nativeOrder());
        return b.getInt(ShmRingDescriptor.indexAreaOffset(shmQueueSize) + ShmRingDescriptor.MARK_OFFSET);
    }

    @Test
    void peersSharingTheRingsProveItAndStayConnected() throws Exception
    {
        final TcpShmConfig cfg = config(tmp.resolve("shm")).build();
        final TestServer s = closer.keep(new TestServer("srv", tmp.resolve("server"), cfg, clock));
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), cfg, clock));
        assertThat(c.connect(true, s.port())).isTrue();
        final TcpShmConnection sc = s.server.shmGroupConnections(0)[0];
        // several heartbeats each way
        assertThat(runUntil(c, s, () -> c.conn().stats().heartbeatsReceived() >= 3 && sc.stats().heartbeatsReceived() >= 3,
            100)).as("heartbeats each way; client %s, server %s", c.events, s.events).isTrue();
        assertThat(c.conn().isClosed()).isFalse();
        assertThat(s.events.all()).noneMatch(e -> e.startsWith("disconnected"));
        // each side wrote a non-zero mark into the ring it sends on
        assertThat(ringMark(tmp.resolve("shm").resolve("cli_srv.shm"), cfg.shmQueueSize())).isNotZero();
        assertThat(ringMark(tmp.resolve("shm").resolve("srv_cli.shm"), cfg.shmQueueSize())).isNotZero();
        // and messages flow
        final boolean echoed = c.pollUntil(() ->
        {
            while (c.sent < 50 && c.trySend(false))
            {
                // fill
            }
            return c.received == 50;
        }, 10_000);
        assertThat(echoed).isTrue();
    }

    @Test
    void peersOnDifferentShmDirsAreToldWithinAHeartbeat() throws Exception
    {
        final TestServer s = closer.keep(new TestServer("srv", tmp.resolve("server"), config(tmp.resolve("shm-server")).build(),
            clock));
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), config(tmp.resolve("shm-client")).build(),
            clock));
        assertThat(c.connect(true, s.port())).as("the login itself cannot tell").isTrue();
        assertThat(runUntil(c, s, () -> c.conn().isClosed() && s.events.anyStartsWith("disconnected cli"), 20))
            .as("closed on both sides; client %s, server %s", c.events, s.events).isTrue();
        // whichever side reads the other's heartbeat first closes with the reason; the other sees that close
        final boolean clientTold = c.events.all().stream().anyMatch(e -> e.startsWith(
            "disconnected SHM rings not shared with the peer: its heartbeat announces ring mark ") &&
            e.contains(tmp.resolve("shm-client").resolve("srv_cli.shm").toString()));
        final boolean serverTold = s.events.all().stream().anyMatch(e -> e.startsWith(
            "disconnected cli SHM rings not shared with the peer: its heartbeat announces ring mark ") &&
            e.contains(tmp.resolve("shm-server").resolve("cli_srv.shm").toString()));
        assertThat(clientTold || serverTold).as("client %s, server %s", c.events, s.events).isTrue();
    }

    @Test
    void theOptInConsumeTimeoutClosesAConnectionWhosePeerConsumesNothing() throws Exception
    {
        // a peer that proves nothing (as a C++ one) and does not read its ring: only the timeout can tell
        final TcpShmConfig serverCfg = config(tmp.resolve("shm")).shmConsumeTimeout(10).build();
        final TestServer s = closer.keep(new TestServer("srv", tmp.resolve("server"), serverCfg, clock));
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), config(tmp.resolve("shm")).build(), clock));
        assertThat(c.connect(true, s.port())).isTrue();
        // one message each way: the server's echo waits in srv_cli.shm, which this client never polls
        assertThat(c.trySend(false)).isTrue();
        c.shm = false; // TestClient.poll then polls TCP only: heartbeats go on, the ring is not read
        final TcpShmConnection sc = s.server.shmGroupConnections(0)[0];
        assertThat(s.events.all()).noneMatch(e -> e.startsWith("disconnected"));
        final long start = clock.get();
        assertThat(runUntil(c, s, () -> s.events.anyStartsWith("disconnected cli"), 40))
            .as("server events %s", s.events).isTrue();
        assertThat(clock.get() - start).as("not before the timeout").isGreaterThan(10);
        assertThat(s.events.all()).anyMatch(e -> e.startsWith("disconnected cli SHM peer consumes nothing: messages wait in " +
            tmp.resolve("shm").resolve("srv_cli.shm")));
        assertThat(sc.stats().messagesSent()).isEqualTo(1);
    }

    @Test
    void theConsumeTimeoutLeavesAConsumingPeerAlone() throws Exception
    {
        final TcpShmConfig cfg = config(tmp.resolve("shm")).shmConsumeTimeout(10).build();
        final TestServer s = closer.keep(new TestServer("srv", tmp.resolve("server"), cfg, clock));
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), cfg, clock));
        assertThat(c.connect(true, s.port())).isTrue();
        for (int unit = 0; unit < 40; unit++)
        {
            c.trySend(false);
            clock.incrementAndGet();
            s.awaitIterations(5);
            c.pollUntil(() -> false, 5);
        }
        assertThat(c.received).isPositive();
        assertThat(c.conn().isClosed()).isFalse();
        assertThat(s.events.all()).noneMatch(e -> e.startsWith("disconnected"));
    }
}
