package io.tcpshm;

import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An SHM group of more than {@code shmRingsPerPoll} connections checks its lately active rings on every poll and
 * the others a few at a time (the whole core suite also passes with the setting at 1): the messages of many clients
 * arrive exactly once and in order, and a message on a quiet ring is delivered within one turn over the group.
 */
class ShmManyRingsTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(TestConfigs.T0);

    private List<TestClient> connect(final TestServer server, final TcpShmConfig config, final int count)
    {
        try
        {
            java.nio.file.Files.createDirectories(config.shmDir());
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        final List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final TestClient c = closer.keep(new TestClient("c" + i, tmp.resolve("c" + i), config, clock));
            assertThat(c.connect(true, server.port())).as("client %d logs in: %s", i, c.events).isTrue();
            clients.add(c);
        }
        return clients;
    }

    @Test
    void manyClientsAreEchoedExactlyOnceInOrder()
    {
        final TcpShmConfig config = TestConfigs.noTimeouts(tmp.resolve("shm")).shmRingsPerPoll(3)
            .maxShmConnectionsPerGroup(20).maxNewConnections(20).build();
        final TestServer server = closer.keep(new TestServer("srv", tmp.resolve("srv"), config, clock));
        final List<TestClient> clients = connect(server, config, 20);
        final long perClient = 500;
        final long deadline = System.nanoTime() + 30_000_000_000L;
        boolean all = false;
        while (!all && System.nanoTime() < deadline)
        {
            all = true;
            for (int i = 0; i < clients.size(); i++)
            {
                final TestClient c = clients.get(i);
                // some clients busy, some in bursts now and then: rings turn hot and cold
                if (i % 3 != 0 || (System.nanoTime() / 1_000_000) % 50 == 0)
                {
                    for (int k = 0; k < 4 && c.sent < perClient && c.trySend(false); k++)
                    {
                        // sent
                    }
                }
                c.poll();
                all &= c.received == perClient;
            }
            server.checkAlive();
        }
        for (final TestClient c : clients)
        {
            assertThat(c.received).as("echoes of one client (events %s)", c.events).isEqualTo(perClient);
        }
        assertThat(server.disconnects).isEmpty();
    }

    @Test
    void aMessageOnAQuietRingIsDeliveredWithinOneTurnOverTheGroup()
    {
        final int rings = 30;
        final int perPoll = 4;
        final TcpShmConfig config = TestConfigs.noTimeouts(tmp.resolve("shm")).shmRingsPerPoll(perPoll)
            .maxShmConnectionsPerGroup(rings).maxNewConnections(rings).build();
        final TestServer server = closer.keep(new TestServer("srv", tmp.resolve("srv"), config, clock));
        final List<TestClient> clients = connect(server, config, rings);
        server.detach();
        final long now = clock.get();
        for (int i = 0; i < 5; i++)
        {
            server.pollOnce(now); // the group's list is built; no ring has a message, so none is hot
        }
        final int turn = (rings + perPoll - 1) / perPoll;
        for (int k = 0; k < rings; k += 7)
        {
            final TestClient c = clients.get(k);
            assertThat(c.trySend(false)).isTrue();
            final int before = server.server.pollShm(0);
            int delivered = before;
            int polls = 1;
            while (delivered == 0 && polls < turn)
            {
                delivered = server.server.pollShm(0);
                polls++;
            }
            assertThat(delivered).as("client %d's message within %d polls", k, turn).isEqualTo(1);
            final long target = c.received + 1;
            assertThat(c.pollUntil(() -> c.received == target, 5_000)).isTrue();
        }
    }
}
