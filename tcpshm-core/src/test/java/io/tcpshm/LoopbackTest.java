package io.tcpshm;

import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Client and server in one JVM over loopback, TCP and SHM: echo, re-login with re-send, crash
 * replacement, and the login rules.
 */
class LoopbackTest
{
    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000);
    @RegisterExtension
    final Closer closer = new Closer();

    private TcpShmConfig.Builder base()
    {
        return TestConfigs.noTimeouts(tmp.resolve("shm"));
    }

    private TestServer server(final String name, final TcpShmConfig config)
    {
        final TestServer s = new TestServer(name, tmp.resolve("server-" + name), config, clock);
        closer.keep(s);
        return s;
    }

    private TestClient client(final String name, final String dir, final TcpShmConfig config)
    {
        final TestClient c = new TestClient(name, tmp.resolve(dir), config, clock);
        closer.keep(c);
        return c;
    }

    private void closeNow(final AutoCloseable c) throws Exception
    {
        closer.closeNow(c);
    }

    private static void echoRun(final TestClient c, final long count, final boolean batch)
    {
        final boolean ok = c.pollUntil(() ->
        {
            while (c.sent < count && c.trySend(batch && (c.sent % 16) != 15))
            {
                // fill the queue
            }
            return c.received == count;
        }, 60_000);
        assertThat(ok).as("echoed %d of %d; client events: %s", c.received, count, c.events).isTrue();
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void echoesManyMessagesOfMixedSizes(final boolean shm) throws Exception
    {
        java.nio.file.Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = base().build();
        final TestServer s = server("srv", config);
        final TestClient c = client("cli", "client", config);
        assertThat(c.connect(shm, s.port())).as(c.events.toString()).isTrue();
        assertThat(c.events.all()).containsExactly("loginSuccess srv");
        echoRun(c, 20_000, false);
        echoRun(c, 40_000, true);
        assertThat(c.conn().isClosed()).isFalse();
        assertThat(s.events.all()).contains("logon cli");
        assertThat(c.client.lastServerName()).isEqualTo("srv");
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void clientAndServerReplacedAfterCrashLoseAndDuplicateNothing(final boolean shm) throws Exception
    {
        java.nio.file.Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = base().build();
        TestServer s = server("srv", config);
        TestClient c = client("cli", "client", config);
        assertThat(c.connect(shm, s.port())).isTrue();
        long sent = 0;
        long received = 0;
        for (int round = 0; round < 6; round++)
        {
            final long target = sent + 3_000;
            final TestClient cc = c;
            assertThat(cc.pollUntil(() ->
            {
                while (cc.sent < target && cc.trySend(false))
                {
                    // fill
                }
                return cc.sent == target && cc.received >= target - 50;
            }, 30_000)).as("round %d: sent %d received %d queued %d myAck %d; server conns %s; client %s; server %s",
                round, cc.sent, cc.received, cc.conn().queuedCount(), cc.conn().myAck(),
                java.util.Arrays.stream(s.server.tcpGroupConnections(0)).map(x -> x + " q=" + x.queuedCount() + " ack=" +
                x.myAck()).collect(java.util.stream.Collectors.toList()), cc.events, s.events).isTrue();
            sent = c.sent;
            received = c.received;
            // replace the client (as after a crash: no goodbye), every other round the server too
            closeNow(c);
            if (round % 2 == 1)
            {
                closeNow(s);
                s = new TestServer("srv", tmp.resolve("server-srv"), config, clock);
                closer.keep(s);
                assertThat(s.port()).isNotEqualTo(-1);
            }
            c = client("cli", "client", config);
            c.sent = sent;
            c.received = received;
            final TestClient nc = c;
            final int port = s.port();
            assertThat(nc.pollUntil(() -> nc.connect(shm, port), 10_000)).as(nc.events.toString()).isTrue();
        }
        final long total = c.sent + 2_000;
        final TestClient fc = c;
        assertThat(fc.pollUntil(() ->
        {
            while (fc.sent < total && fc.trySend(false))
            {
                // fill
            }
            return fc.received == total;
        }, 30_000)).as("received %d of %d", fc.received, total).isTrue();
    }

    @Test
    void pushesWhileDisconnectedAreResentAfterLogin() throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = server("srv", config);
        final TestClient c = client("cli", "client", config);
        assertThat(c.connect(false, s.port())).isTrue();
        echoRun(c, 100, false);
        // the server drops the connection; the client learns it on its next poll
        s.server.tcpGroupConnections(0)[0].close();
        assertThat(c.pollUntil(() -> c.conn().isClosed(), 10_000)).isTrue();
        assertThat(c.events.anyStartsWith("disconnected ")).isTrue();
        // pushed while logged off: they stay in the persistent queue
        for (int i = 0; i < 10; i++)
        {
            assertThat(c.trySend(false)).isTrue();
        }
        assertThat(c.conn().queuedCount()).isGreaterThanOrEqualTo(10);
        assertThat(c.pollUntil(() -> c.connect(false, s.port()), 10_000)).as(c.events.toString()).isTrue();
        echoRun(c, 200, false);
        assertThat(s.events.all()).contains("disconnected cli Closed by user");
    }

    @Test
    void aClientWhosePushFoundTheSocketBrokenReconnectsAtOnce() throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = server("srv", config);
        final TestClient c = client("cli", "client", config);
        assertThat(c.connect(false, s.port())).isTrue();
        echoRun(c, 50, false);
        s.server.tcpGroupConnections(0)[0].close();
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!s.events.all().contains("disconnected cli Closed by user") && System.nanoTime() < deadline)
        {
            Thread.onSpinWait(); // the server thread closes the socket
        }
        // push without polling until a write fails on the closed socket (the first ones may still be accepted)
        while (!c.conn().isClosed() && System.nanoTime() < deadline)
        {
            assertThat(c.trySend(false)).isTrue();
        }
        assertThat(c.conn().isClosed()).as("a push noticed the broken socket").isTrue();
        assertThat(c.events.anyStartsWith("disconnected ")).as("no poll has ended the session yet").isFalse();
        // connect ends the failed session itself (reporting it once) instead of answering "Already connected"
        assertThat(c.pollUntil(() -> c.connect(false, s.port()), 10_000)).as(c.events.toString()).isTrue();
        assertThat(c.events.all()).filteredOn(e -> e.startsWith("disconnected ")).hasSize(1);
        assertThat(c.events.all()).noneMatch(e -> e.contains("Already connected"));
        echoRun(c, 200, false); // every message pushed into the broken socket is re-sent and echoed
    }

    @Test
    void aStoppedClientRefusesCallsThatWouldReadItsUnmappedFiles() throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = server("srv", config);
        final TestClient c = client("cli", "client", config);
        assertThat(c.connect(false, s.port())).isTrue();
        echoRun(c, 10, false);
        c.client.stop();
        // an exception, not a read of unmapped memory (which would crash the JVM on JDK 17)
        assertThatThrownBy(() -> c.client.lastServerName()).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("stopped");
        assertThatThrownBy(() -> c.conn().alloc(8)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.client.connect(false, "127.0.0.1", s.port(), null))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");
        c.client.pollTcp(clock.get()); // polls after stop do nothing
        c.client.pollShm();
        assertThat(c.conn().stats().messagesSent()).as("counters stay readable").isEqualTo(10);
    }

    /** alloc's one rule: null is "not now" (here: no queue before the first login), an exception a programmer error. */
    @Test
    void allocBeforeTheFirstLoginReturnsNullAndWorksAfterIt() throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = server("srv", config);
        final TestClient c = client("cli", "client", config);
        assertThat(c.conn().alloc(8)).as("no queue yet: not now").isNull();
        assertThatThrownBy(() -> c.conn().alloc(-1)).as("a length that never fits is still an error")
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(c.connect(false, s.port())).isTrue();
        assertThat(c.conn().alloc(8)).isNotNull();
        echoRun(c, 10, false);
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void popWithoutACurrentMessageThrowsAndConsumesNothing(final boolean shm) throws Exception
    {
        java.nio.file.Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = base().build();
        final TestServer s = server("srv", config);
        final TestClient c = client("cli", "client", config);
        assertThat(c.connect(shm, s.port())).isTrue();
        echoRun(c, 10, false);
        final long position = c.conn().receivePosition();
        assertThatThrownBy(() -> c.conn().pop()).isInstanceOf(IllegalStateException.class)
            .hasMessage("pop without a current message");
        assertThat(c.conn().receivePosition()).isEqualTo(position);
        assertThat(c.conn().stats().messagesReceived()).isEqualTo(10);
        echoRun(c, 20, false); // and the connection goes on
    }

    @Test
    void seqMismatchIsReportedOnBothSides() throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = server("srv", config);
        TestClient c = client("cli", "client", config);
        assertThat(c.connect(false, s.port())).isTrue();
        echoRun(c, 5, false);
        closeNow(c);
        // corrupt the client's myAck (as the C++ fixture does): it claims 9 replies consumed
        final Path file = tmp.resolve("client").resolve("cli_srv.ptcp");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder());
            b.putInt(0, 9);
            ch.write(b, config.tcpQueueSize() + 16);
        }
        c = client("cli", "client", config);
        final TestClient c2 = c;
        assertThat(c2.pollUntil(() -> c2.connect(false, s.port()) || c2.events.anyStartsWith("seqMismatch"), 10_000)).isTrue();
        // the server still holds its 5 echoes: the client popped them but its ack for the last ones went out with no message
        assertThat(c2.events.all()).contains("seqMismatch 9 5 5 5 0 5");
        assertThat(s.events.all()).contains("seqMismatch 5 0 5 9 5 5");
        assertThat(c2.conn().isClosed()).isTrue();
    }

    @Test
    void serverNameChangeResetsTheConnection() throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s1 = server("srvA", config);
        final TestClient c = client("cli", "client", config);
        assertThat(c.connect(false, s1.port())).isTrue();
        echoRun(c, 50, false);
        closeNow(s1);
        assertThat(c.pollUntil(() -> c.conn().isClosed(), 10_000)).isTrue();
        final TestServer s2 = server("srvB", config);
        c.sent = 0;
        c.received = 0;
        assertThat(c.pollUntil(() -> c.connect(false, s2.port()), 10_000)).as(c.events.toString()).isTrue();
        assertThat(c.client.lastServerName()).isEqualTo("srvB");
        assertThat(c.conn().ptcpFile()).isEqualTo(tmp.resolve("client").resolve("cli_srvB.ptcp"));
        assertThat(c.conn().myAck()).isZero();
        echoRun(c, 50, false);
    }

    @Test
    void duplicateLoginIsRefused() throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = server("srv", config);
        final TestClient c1 = client("cli", "client1", config);
        final TestClient c2 = client("cli", "client2", config);
        assertThat(c1.connect(false, s.port())).isTrue();
        assertThat(c2.connect(false, s.port())).isFalse();
        assertThat(c2.events.all()).containsExactly("loginReject Already logged on");
        echoRun(c1, 10, false);
    }

    @Test
    void maxClientCountIsEnforced() throws Exception
    {
        final TcpShmConfig config = base().maxTcpConnectionsPerGroup(2).build();
        final TestServer s = server("srv", config);
        assertThat(client("c1", "d1", config).connect(false, s.port())).isTrue();
        assertThat(client("c2", "d2", config).connect(false, s.port())).isTrue();
        final TestClient c3 = client("c3", "d3", config);
        assertThat(c3.connect(false, s.port())).isFalse();
        assertThat(c3.events.all()).containsExactly("loginReject Max client cnt exceeded");
    }

    @Test
    void loginRejectCarriesTheCallbacksMessage() throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = server("srv", config);
        s.rejectWith = "bad password";
        final TestClient c = client("cli", "client", config);
        assertThat(c.connect(false, s.port())).isFalse();
        assertThat(c.events.all()).containsExactly("loginReject bad password");
        s.rejectWith = "";
        assertThat(c.connect(false, s.port())).isFalse();
        assertThat(c.events.all()).containsExactly("loginReject bad password", "loginReject Login Reject");
        assertThat(c.client.lastServerName()).isEmpty();
    }

    @Test
    void secondClientWithSameNameAndDirectoryFailsClearly()
    {
        final TcpShmConfig config = base().build();
        client("cli", "client", config);
        final Throwable error = org.assertj.core.api.Assertions.catchThrowable(() ->
            new TcpShmClient("cli", tmp.resolve("client"), config, new TestClient("x", tmp.resolve("other"), config, clock)));
        assertThat(error).isInstanceOf(java.io.IOException.class).hasMessageContaining("in use");
    }

    @Test
    void secondServerWithSameNameAndDirectoryDoesNotStart()
    {
        final TcpShmConfig config = base().build();
        final TestServer first = server("srv", config);
        // the owner lock <dir>/srv.lock is taken at start: the second server says so and opens nothing
        assertThatThrownBy(() -> new TestServer("srv", tmp.resolve("server-srv"), config, clock)).hasMessageContaining("systemError Cannot start server srv: ").hasMessageContaining("srv.lock")
            .hasMessageContaining("in use");
        first.checkAlive();
    }

    @Test
    void aSecondServerOfTheSameNameOnTheSameShmDirectoryRefusesShmLoginsOnly() throws Exception
    {
        java.nio.file.Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = base().build();
        final TestServer first = server("srv", config);
        final TestClient a = client("a", "client-a", config);
        assertThat(a.connect(true, first.port())).isTrue();
        // another ptcp directory, the same SHM directory: the ends of the rings named srv are the first server's
        final TestServer second = closer.keep(new TestServer("srv", tmp.resolve("other-server"), config, clock));
        final TestClient b = client("b", "client-b", config);
        assertThat(b.connect(true, second.port())).isFalse();
        assertThat(second.events.all()).anyMatch(e -> e.startsWith("fileError") && e.contains("srv.shmlock") &&
            e.contains("in use"));
        assertThat(b.connect(false, second.port())).as("TCP needs no ring: %s", b.events).isTrue();
        b.echoMore(10);
        a.echoMore(10);
    }

    @Test
    void receiveBufferGrowsForLargeMessagesUpToItsMax() throws Exception
    {
        final TcpShmConfig config = base().tcpQueueSize(80_000).tcpReceiveBufferInitialSize(256).tcpReceiveBufferMaxSize(16_000).build();
        final TestServer s = server("srv", config);
        final TestClient c = client("cli", "client", config);
        assertThat(c.connect(false, s.port())).isTrue();
        final int[] sizes = {100, 1_000, 5_000, 15_000, 16_000 - 8, 300, 12_345};
        final long[] echoed = {0};
        final TcpShmConnection conn = c.conn();
        for (final int size : sizes)
        {
            final MsgHeader h = conn.alloc(size);
            assertThat(h).isNotNull();
            h.msgType(9);
            for (int i = 0; i < size; i++)
            {
                h.buffer().put(h.payloadOffset() + i, (byte)(size + i));
            }
            conn.push();
        }
        c.autoPop = false;
        int next = 0;
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (next < sizes.length && System.nanoTime() < deadline)
        {
            c.poll();
            final MsgHeader h = conn.front();
            if (h != null)
            {
                assertThat(h.payloadLength()).isEqualTo(sizes[next]);
                for (int i = 0; i < sizes[next]; i++)
                {
                    assertThat(h.buffer().get(h.payloadOffset() + i)).isEqualTo((byte)(sizes[next] + i));
                }
                conn.pop();
                next++;
            }
        }
        assertThat(next).isEqualTo(sizes.length);
        assertThatThrownBy(() -> conn.alloc(16_000 - 7)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("16000");
    }

    /** Review finding: an SHM client that goes A -> B -> A (or SHM -> TCP -> SHM) logs in each time. */
    @Test
    void anShmClientSwitchingServersAndModesKeepsLoggingIn() throws Exception
    {
        java.nio.file.Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = base().build();
        final TestServer a = server("srvA", config);
        final TestServer b = server("srvB", config);
        final TestClient c = client("cli", "client", config);
        final String[] order = {"A shm", "B shm", "A shm", "A tcp", "A shm"};
        for (final String step : order)
        {
            final TestServer s = step.startsWith("A") ? a : b;
            final boolean shm = step.endsWith("shm");
            assertThat(c.pollUntil(() -> c.connect(shm, s.port()), 10_000)).as("%s: %s", step, c.events).isTrue();
            c.shm = shm;
            c.sent = 0; // each step echoes afresh (the echo numbering is per test client, not per connection)
            c.received = 0;
            echoRun(c, 20, false);
            c.conn().close();
            assertThat(c.pollUntil(() -> c.conn().isClosed() && c.events.anyStartsWith("disconnected"), 10_000)).isTrue();
            c.events.clear();
        }
    }

    @Test
    void countersCountWhatHappensAndArePublished() throws Exception
    {
        final TcpShmConfig config = base().publishCounters(true).build();
        final TestServer s = server("srv", config);
        final TestClient c = client("cli", "client", config);
        assertThat(c.connect(false, s.port())).isTrue();
        echoRun(c, 100, false);
        final ConnectionStats cs = c.conn().stats();
        assertThat(cs.messagesSent()).isEqualTo(100);
        assertThat(cs.messagesReceived()).isEqualTo(100);
        long bytes = 0;
        for (long i = 0; i < 100; i++)
        {
            bytes += 8 + TestClient.lengthFor(i);
        }
        assertThat(cs.bytesSent()).isEqualTo(bytes);
        assertThat(cs.bytesReceived()).isEqualTo(bytes);
        assertThat(cs.logins()).isEqualTo(1);
        c.conn().close();
        assertThat(c.pollUntil(() -> c.conn().isClosed() && c.events.anyStartsWith("disconnected"), 10_000)).isTrue();
        assertThat(cs.disconnects()).isEqualTo(1);
        assertThat(cs.lastDisconnectReason()).isEqualTo("Closed by user");
        // the same values in the published file, as another process would read them
        final java.nio.ByteBuffer file = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(
            tmp.resolve("client").resolve("cli.counters"))).order(java.nio.ByteOrder.nativeOrder());
        final int slot = io.tcpshm.files.CountersDescriptor.slotOffset(0);
        assertThat(file.getLong(0)).isEqualTo(io.tcpshm.files.CountersDescriptor.MAGIC);
        assertThat(file.getLong(slot + io.tcpshm.files.CountersDescriptor.MSGS_SENT)).isEqualTo(100);
        assertThat(file.getLong(slot + io.tcpshm.files.CountersDescriptor.DISCONNECTS)).isEqualTo(1);
        assertThat(io.tcpshm.files.CountersDescriptor.text(file, slot + io.tcpshm.files.CountersDescriptor.REMOTE_NAME, 64))
            .isEqualTo("srv");
        final TcpShmConnection serverSide = s.server.tcpGroupConnections(0)[0];
        assertThat(c.pollUntil(() -> serverSide.stats().disconnects() == 1, 10_000)).isTrue();
        assertThat(serverSide.stats().messagesReceived()).isEqualTo(100);
        assertThat(serverSide.stats().messagesSent()).isEqualTo(100);
        assertThat(java.nio.file.Files.exists(tmp.resolve("server-srv").resolve("srv.counters"))).isTrue();
    }
}
