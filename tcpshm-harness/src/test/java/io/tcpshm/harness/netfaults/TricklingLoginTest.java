package io.tcpshm.harness.netfaults;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: {@code loginTimeoutMillis} bounded each read of the login response, so a server
 * that sends its 72-byte response a byte at a time, each just within the timeout, held
 * {@code connect} for about 72 timeouts. One deadline now covers the whole response.
 */
class TricklingLoginTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(1000);

    @Test
    void aTricklingServerCannotHoldConnectPastTheLoginTimeout() throws Exception
    {
        final int loginTimeoutMillis = 300;
        final TcpShmConfig config = Rig.config(tmp).loginTimeoutMillis(loginTimeoutMillis)
            .connectionTimeout(1_000_000).newConnectionTimeout(1_000_000).build();
        final TestServer server = closer.keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        final FaultProxy proxy = closer.keep(new FaultProxy(server.port(), Rig.BASE_SEED + 50, 60_000));
        // each byte of the response 50 ms after the one before: every single read is well within 300 ms,
        // the whole 72-byte response takes 3.6 s
        proxy.downByteDelayMicros = 50_000;
        final TestClient client = closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));

        final long start = System.nanoTime();
        final boolean loggedOn = client.connect(false, proxy.port());
        final long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(loggedOn).as("connect through a trickling server (%d ms); events %s", elapsedMillis,
            client.events).isFalse();
        assertThat(client.events.all()).singleElement().asString()
            .startsWith("systemError Connect to 127.0.0.1:" + proxy.port() + " failed")
            .contains("login response timed out after loginTimeoutMillis (300 ms)");
        // the response was cut short by the deadline, far from the 3.6 s the trickle takes
        assertThat(elapsedMillis).isLessThan(3_000);

        // nothing is wedged: without the trickle the same client logs in (once the server has seen the first
        // socket close, which the proxy passes on at its next byte)
        proxy.downByteDelayMicros = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean again = false;
        while (!again && System.nanoTime() < deadline)
        {
            again = client.connect(false, proxy.port());
            if (!again)
            {
                assertThat(client.events.all()).last().asString().contains("Already logged on");
                server.awaitIterations(1000);
            }
        }
        assertThat(again).as("login after the trickle stopped; events %s", client.events).isTrue();
    }
}
