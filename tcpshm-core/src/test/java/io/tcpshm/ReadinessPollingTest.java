package io.tcpshm;

import io.tcpshm.testing.Closer;
import io.tcpshm.testing.OpenFiles;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TCP group from {@code tcpReadinessThreshold} live connections on reads only the sockets its selector reports
 * (the whole core suite also passes with the threshold at 1, where every group polls that way): messages of many
 * clients arrive exactly once and in order, idle connections are heartbeated and timed out by the sweeps, a push
 * made outside a callback is written without waiting for a sweep, and the group goes back to direct reads below
 * half the threshold without leaving a descriptor open.
 */
class ReadinessPollingTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(TestConfigs.T0);

    private TcpShmConfig.Builder config(final int threshold, final int connections)
    {
        return TestConfigs.noTimeouts(tmp.resolve("shm")).tcpReadinessThreshold(threshold)
            .maxTcpConnectionsPerGroup(connections).maxNewConnections(connections);
    }

    private List<TestClient> connect(final TestServer server, final TcpShmConfig config, final int from, final int count)
    {
        final List<TestClient> clients = new ArrayList<>();
        for (int i = from; i < from + count; i++)
        {
            final TestClient c = closer.keep(new TestClient("c" + i, tmp.resolve("c" + i), config, clock));
            assertThat(c.connect(false, server.port())).as("client %d logs in: %s", i, c.events).isTrue();
            clients.add(c);
        }
        return clients;
    }

    @Test
    void manyClientsAreEchoedExactlyOnceInOrder()
    {
        final TcpShmConfig config = config(4, 24).build();
        final TestServer server = closer.keep(new TestServer("srv", tmp.resolve("srv"), config, clock));
        final List<TestClient> clients = connect(server, config, 0, 24);
        final long perClient = 400;
        final long deadline = System.nanoTime() + 30_000_000_000L;
        boolean all = false;
        while (!all && System.nanoTime() < deadline)
        {
            all = true;
            for (final TestClient c : clients)
            {
                // bursts of pushMore and push, so that frames arrive several per read
                for (int k = 0; k < 3 && c.sent < perClient && c.trySend(k < 2); k++)
                {
                    // sent
                }
                c.poll();
                all &= c.received == perClient;
            }
            server.checkAlive();
        }
        for (final TestClient c : clients)
        {
            assertThat(c.received).as("echoes of one client (events %s)", c.events).isEqualTo(perClient);
            assertThat(c.events.anyStartsWith("disconnected")).isFalse();
        }
        assertThat(server.server.tcpGroupPollsByReadiness(0)).isTrue();
        assertThat(server.disconnects).isEmpty();
    }

    @Test
    void sweepsHeartbeatIdleConnectionsAndTimeOutSilentOnes()
    {
        final TcpShmConfig config = config(2, 6).heartbeatInterval(3).connectionTimeout(10).build();
        final TestServer server = closer.keep(new TestServer("srv", tmp.resolve("srv"), config, clock));
        final List<TestClient> clients = connect(server, config, 0, 6);
        server.detach(); // one thread from here: the clock and every poll in a fixed order
        final TestClient silent = clients.get(0);
        for (int t = 0; t < 40; t++)
        {
            clock.incrementAndGet();
            for (int round = 0; round < 20; round++)
            {
                server.pollOnce(clock.get());
                for (final TestClient c : clients)
                {
                    if (c != silent)
                    {
                        c.poll();
                    }
                }
            }
        }
        assertThat(server.server.tcpGroupPollsByReadiness(0)).isTrue();
        final List<TestServer.Disconnect> gone = server.takeDisconnects();
        assertThat(gone).extracting(TestServer.Disconnect::name).containsExactly("c0");
        assertThat(gone.get(0).reason()).isEqualTo(DisconnectReason.TIMEOUT.describe(null));
        // 40 time units with a timeout of 10: only the server's heartbeats, sent from its sweeps, kept them up
        for (final TestClient c : clients.subList(1, clients.size()))
        {
            assertThat(c.events.anyStartsWith("disconnected")).as("client %s: %s", c.conn().remoteName(), c.events).isFalse();
            assertThat(c.conn().stats().heartbeatsReceived()).isGreaterThanOrEqualTo(10);
        }
    }

    @Test
    void aPushOutsideACallbackIsWrittenWithoutASweep()
    {
        final TcpShmConfig config = config(2, 5).build();
        final TestServer server = closer.keep(new TestServer("srv", tmp.resolve("srv"), config, clock));
        final List<TestClient> clients = connect(server, config, 0, 5);
        server.detach();
        final long now = clock.get(); // stands still: the first sweep pass is the only one
        for (int i = 0; i < 10; i++)
        {
            server.pollOnce(now);
        }
        final List<TcpShmConnection> serverSide = new ArrayList<>();
        for (final TcpShmConnection conn : server.server.tcpGroupConnections(0))
        {
            if (!conn.isClosed())
            {
                serverSide.add(conn);
            }
        }
        assertThat(serverSide).hasSize(5);
        for (final TcpShmConnection conn : serverSide)
        {
            final MsgHeader h = conn.alloc(16);
            h.msgType(9);
            h.buffer().putLong(h.payloadOffset(), 77);
            conn.pushMore(); // queued, not written: only a poll of this connection writes it
        }
        server.pollOnce(now);
        server.pollOnce(now);
        final long[] arrived = new long[clients.size()];
        for (int i = 0; i < clients.size(); i++)
        {
            final int k = i;
            clients.get(i).autoPop = false;
            assertThat(clients.get(i).pollUntil(() -> clients.get(k).popDeferred == 1, 5_000))
                .as("client %d got the server's message", i).isTrue();
            arrived[i] = clients.get(i).popDeferred;
        }
        assertThat(arrived).containsOnly(1L);
    }

    @Test
    void theGroupReturnsToDirectReadsAndLeavesNoDescriptorOpen()
    {
        final TcpShmConfig config = config(4, 6).build();
        final TestServer server = closer.keep(new TestServer("srv", tmp.resolve("srv"), config, clock));
        final Map<String, Integer> before = OpenFiles.snapshot();
        final List<TestClient> clients = new ArrayList<>(connect(server, config, 0, 3));
        server.awaitIterations(10);
        assertThat(server.server.tcpGroupPollsByReadiness(0)).as("3 connections, threshold 4").isFalse();
        clients.addAll(connect(server, config, 3, 2));
        server.awaitIterations(10);
        assertThat(server.server.tcpGroupPollsByReadiness(0)).as("5 connections").isTrue();
        for (final TestClient c : clients)
        {
            c.echoMore(50);
        }
        // 2 left: still by readiness (hysteresis down to half the threshold); 1 left: direct again
        for (int i = 0; i < 3; i++)
        {
            clients.get(i).close();
        }
        assertThat(clients.get(4).pollUntil(() -> server.disconnects.size() == 3, 10_000)).isTrue();
        assertThat(server.server.tcpGroupPollsByReadiness(0)).isTrue();
        clients.get(3).close();
        assertThat(clients.get(4).pollUntil(() -> server.disconnects.size() == 4, 10_000)).isTrue();
        server.awaitIterations(10);
        assertThat(server.server.tcpGroupPollsByReadiness(0)).isFalse();
        clients.get(4).echoMore(50);
        clients.get(4).close();
        assertThat(clients.get(4).pollUntil(() -> server.disconnects.size() == 5, 10_000)).isTrue();
        server.awaitIterations(10);
        // the server keeps each slot's queue file mapped between sessions; no socket, selector or pipe is left
        final List<String> added = OpenFiles.added(before, OpenFiles.snapshot());
        assertThat(added).allMatch(f -> f.endsWith(".ptcp"), "only queue files: " + added);
    }
}
