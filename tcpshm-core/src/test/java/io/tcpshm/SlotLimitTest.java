package io.tcpshm;

import io.tcpshm.testing.Await;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The slot limit of a group (docs/PROTOCOL.md, "Server side of a login" step 4): with two slots per group, a
 * third client is answered status 2 "Max client cnt exceeded" and nothing is created for it; once one of the
 * first two has disconnected (and the server has reported it) the third logs in and its messages flow.
 */
class SlotLimitTest
{
    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000);
    @RegisterExtension
    final Closer closer = new Closer();

    private TestClient client(final String name, final TcpShmConfig config)
    {
        return closer.keep(new TestClient(name, tmp.resolve("client-" + name), config, clock));
    }

    private boolean anyFileOf(final String client) throws Exception
    {
        try (var files = Files.list(tmp.resolve("shm")))
        {
            if (files.anyMatch(f -> f.getFileName().toString().contains(client)))
            {
                return true;
            }
        }
        try (var files = Files.list(tmp.resolve("server")))
        {
            if (files.anyMatch(f -> f.getFileName().toString().contains(client)))
            {
                return true;
            }
        }
        try (var files = Files.list(tmp.resolve("client-" + client)))
        {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".ptcp"));
        }
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {true, false})
    void aThirdClientIsRefusedUntilOneOfTwoSlotsIsFree(final boolean shm) throws Exception
    {
        Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(tmp.resolve("shm"))
            .maxShmGroups(1).maxShmConnectionsPerGroup(2).maxTcpGroups(1).maxTcpConnectionsPerGroup(2)
            .connectionTimeout(1_000_000).newConnectionTimeout(1_000_000).build();
        final TestServer s = closer.keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        final TestClient c1 = client("c1", config);
        final TestClient c2 = client("c2", config);
        final TestClient c3 = client("c3", config);
        assertThat(c1.connect(shm, s.port())).as(c1.events.toString()).isTrue();
        assertThat(c2.connect(shm, s.port())).as(c2.events.toString()).isTrue();
        c1.echoMore(10);
        c2.echoMore(10);

        assertThat(c3.connect(shm, s.port())).isFalse();
        assertThat(c3.events.all()).containsExactly("loginReject Max client cnt exceeded");
        assertThat(c3.client.lastServerName()).as("a refused client remembers no server").isEmpty();
        assertThat(anyFileOf("c3")).as("files created for the refused client").isFalse();
        // the refusal disturbed neither of the two logged on
        c1.echoMore(10);
        c2.echoMore(10);

        // c1 goes away; once the server has seen it, its slot takes c3
        closer.closeNow(c1);
        assertThat(Await.until(() -> s.events.anyStartsWith("disconnected c1"))).as(s.events.toString()).isTrue();
        c3.events.clear();
        assertThat(c3.connect(shm, s.port())).as("c3 after c1 left: %s; server %s", c3.events, s.events).isTrue();
        assertThat(c3.events.all()).containsExactly("loginSuccess srv");
        c3.echoMore(50);
        c2.echoMore(10);

        // both slots taken again: c1 coming back is the one refused now
        final TestClient c1again = client("c1", config);
        assertThat(c1again.connect(shm, s.port())).isFalse();
        assertThat(c1again.events.all()).containsExactly("loginReject Max client cnt exceeded");
        assertThat(s.events.count("logon")).isEqualTo(3);
    }
}
