package io.tcpshm;

import io.tcpshm.testing.Await;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.OpenFiles;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Review findings: error paths that leaked. A client constructor that failed after opening its
 * {@code .lastserver} file kept it mapped and locked, so the next client of that name in the JVM
 * failed "in use"; an {@code onNewConnection} that threw leaked the accepted socket (and killed the
 * control poll); an {@code onClientLogon} that threw left an open session in a free slot. Each case
 * counts this process's open file descriptors before and after, and checks that everyone else is
 * still served.
 */
class ErrorPathLeakTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(1000);

    private static Map<String, Integer> openFiles()
    {
        return OpenFiles.snapshot();
    }

    private TcpShmConfig.Builder base() throws IOException
    {
        Files.createDirectories(tmp.resolve("shm"));
        return TestConfigs.noTimeouts(tmp.resolve("shm"));
    }

    @Test
    void aClientConstructorThatFailsLeavesNothingOpen() throws Exception
    {
        final TcpShmConfig config = base().publishCounters(true).build();
        final Path dir = tmp.resolve("client");
        // the counters file cannot be made: a non-empty directory holds its name
        Files.createDirectories(dir.resolve("cli.counters").resolve("in-the-way"));
        final Map<String, Integer> before = openFiles();
        for (int i = 0; i < 20; i++)
        {
            assertThatThrownBy(() -> new TestClient("cli", dir, config, clock)).hasRootCauseInstanceOf(IOException.class);
        }
        assertThat(OpenFiles.added(before, openFiles())).as("descriptors added by 20 failed constructions").isEmpty();
        Files.delete(dir.resolve("cli.counters").resolve("in-the-way"));
        Files.delete(dir.resolve("cli.counters"));
        // the .lastserver file is neither mapped nor locked any more: the same name opens
        final TestClient c = closer.keep(new TestClient("cli", dir, config, clock));
        assertThat(c.client.clientName()).isEqualTo("cli");
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void anOnNewConnectionThatThrowsIsRejectedAndLeaksNothing(final boolean shm) throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = closer.keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        final TestClient other = closer.keep(new TestClient("other", tmp.resolve("other"), config, clock));
        assertThat(other.connect(shm, s.port())).isTrue();
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        s.throwOnNewConnection = new IllegalStateException("user bug");
        Map<String, Integer> before = Map.of();
        for (int i = 0; i <= 30; i++)
        {
            if (i == 1)
            {
                before = openFiles(); // after one round, which may load classes (and open their jars) once
            }
            c.events.clear();
            assertThat(c.connect(shm, s.port())).isFalse();
            assertThat(c.events.all()).containsExactly("loginReject Login Reject");
        }
        s.awaitIterations(100);
        s.checkAlive();
        assertThat(OpenFiles.added(before, openFiles())).as("descriptors added by 30 logins whose onNewConnection threw")
            .isEmpty();
        assertThat(s.events.count("systemError onNewConnection threw for client 'cli': " +
            "java.lang.IllegalStateException: user bug")).isEqualTo(31);
        // the server still serves: the connection that was there, and the client once the callback is fixed
        echo(other, 50);
        s.throwOnNewConnection = null;
        assertThat(c.connect(shm, s.port())).as(c.events.toString()).isTrue();
        echo(c, 50);
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void anOnClientLogonThatThrowsClosesThatConnectionAndLeaksNothing(final boolean shm) throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = closer.keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        final TestClient other = closer.keep(new TestClient("other", tmp.resolve("other"), config, clock));
        assertThat(other.connect(shm, s.port())).isTrue();
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        // a first session opens the files, so that the loop below opens and closes sockets only
        assertThat(c.connect(shm, s.port())).isTrue();
        c.client.stop();
        closer.forget(c);
        assertThat(Await.until(() -> s.events.anyStartsWith("disconnected cli"))).isTrue();
        final TestClient c2 = closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        s.throwOnLogon = new IllegalStateException("user bug");
        s.events.clear();
        Map<String, Integer> before = Map.of();
        for (int i = 0; i <= 30; i++)
        {
            if (i == 1)
            {
                before = openFiles(); // after one round, which may load classes (and open their jars) once
            }
            c2.events.clear();
            assertThat(c2.connect(shm, s.port())).as("the login itself succeeds").isTrue();
            assertThat(c2.pollUntil(() -> c2.conn().isClosed(), 10_000)).as("closed by the server").isTrue();
            assertThat(c2.events.all()).containsExactly("loginSuccess srv", "disconnected Remote close");
        }
        s.awaitIterations(100);
        s.checkAlive();
        assertThat(OpenFiles.added(before, openFiles())).as("descriptors added by 30 sessions whose onClientLogon threw")
            .isEmpty();
        assertThat(s.events.count("disconnected cli onClientLogon threw: java.lang.IllegalStateException: user bug"))
            .isEqualTo(31);
        echo(other, 50);
        s.throwOnLogon = null;
        assertThat(c2.connect(shm, s.port())).as(c2.events.toString()).isTrue();
        echo(c2, 50);
    }

    private static void echo(final TestClient c, final int count)
    {
        final long target = c.received + count;
        final boolean ok = c.pollUntil(() ->
        {
            while (c.sent < target && c.trySend(false))
            {
                // fill
            }
            return c.received >= target;
        }, 20_000);
        assertThat(ok).as("%d echoes; events %s", count, c.events).isTrue();
    }
}
