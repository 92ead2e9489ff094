package io.tcpshm.hostile;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our client against servers that misbehave in time rather than in content: a response cut short
 * followed by silence, a server that accepts and never answers, nothing listening; and one that
 * gives a new name at every login.
 */
class ClientAbuseTest
{
    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000);
    @RegisterExtension
    final Closer closer = new Closer();

    private TcpShmConfig config() throws IOException
    {
        Files.createDirectories(tmp.resolve("shm"));
        return TcpShmConfig.builder().shmDir(tmp.resolve("shm")).controlSocketPollPeriod(1).loginTimeoutMillis(300).build();
    }

    private <T extends AutoCloseable> T closing(final T c)
    {
        return closer.keep(c);
    }

    private static byte[] ok(final String name)
    {
        final ByteBuffer b = ByteBuffer.allocate(WireModel.RSP_FRAME).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short)WireModel.RSP_SIZE).putShort(2, (short)2);
        b.put(WireModel.RSP_SERVER_NAME, HostileInput.name(name));
        return b.array();
    }

    /** After each failure the client still logs in to a real server and echoes. */
    private void stillUsable(final TestClient client, final TestServer good)
    {
        client.events.clear();
        assertThat(client.connect(false, good.port())).as(client.events.toString()).isTrue();
        client.echoMore(3);
        client.conn().close();
        client.poll();
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (good.takeDisconnects().isEmpty())
        {
            assertThat(System.nanoTime()).isLessThan(deadline);
            good.awaitIterations(1);
        }
        client.events.clear();
    }

    @Test
    void aResponseCutShortThenSilenceOrNoAnswerOrNothingListeningFailsTheConnectWithinTheLoginTimeout() throws Exception
    {
        final TcpShmConfig config = config();
        final TestServer good = closing(TestServer.echoingOnly(tmp.resolve("server"), config, clock, Set.of("cli")));
        final TestClient client = closing(new TestClient("cli", tmp.resolve("client"), config, clock).withDetailedRejects());
        stillUsable(client, good);

        final ScriptedServer hostile = closing(new ScriptedServer());
        for (final byte[] reply : new byte[][] {new byte[0], new byte[] {68, 0, 2}, java.util.Arrays.copyOf(ok("evil"), 71)})
        {
            hostile.play(new ScriptedServer.Script(reply, false));
            final long start = System.nanoTime();
            assertThat(client.connect(false, hostile.port())).isFalse();
            assertThat((System.nanoTime() - start) / 1_000_000).as("bounded by loginTimeoutMillis").isLessThan(5_000);
            assertThat(client.events.all()).singleElement().asString().startsWith("systemError Connect to").contains("timed out");
            hostile.awaitLogin();
            stillUsable(client, good);
        }

        final int deadPort;
        try (ServerSocket s = new ServerSocket(0))
        {
            deadPort = s.getLocalPort();
        }
        assertThat(client.connect(false, deadPort)).isFalse();
        assertThat(client.events.all()).singleElement().asString().startsWith("systemError Connect to");
        stillUsable(client, good);
    }

    /**
     * A server that gives a new name at every SHM login makes the client switch to new rings each
     * time. The rings it leaves must not stay mapped (and their files open) for the client's life.
     */
    @Test
    void aServerWithANewNameAtEveryLoginDoesNotMakeTheClientKeepOldRingsMapped() throws Exception
    {
        final TcpShmConfig config = config();
        final TestClient client = closing(new TestClient("cli", tmp.resolve("client"), config, clock).withDetailedRejects());
        final ScriptedServer hostile = closing(new ScriptedServer());
        final long before = openFiles();
        for (int i = 0; i < 100; i++)
        {
            client.events.clear();
            hostile.play(new ScriptedServer.Script(ok("n" + i), true));
            assertThat(client.connect(true, hostile.port())).as(client.events.toString()).isTrue();
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (!client.conn().isClosed())
            {
                client.poll();
                assertThat(System.nanoTime()).isLessThan(deadline);
            }
            assertThat(client.events.all()).containsExactly("loginSuccess n" + i, "disconnected Remote close");
            hostile.awaitLogin();
        }
        assertThat(openFiles() - before).as("open files after 100 logins to different servers").isLessThan(20);
    }

    /**
     * Review finding: a C++ server copies its error text with strncpy, so a text of 32 characters or
     * more fills the 32-byte field without a NUL; it was read back as "". It is read as 32 characters.
     */
    @Test
    void aRejectionWhoseErrorTextFillsTheWholeFieldIsReadInFull() throws Exception
    {
        final TcpShmConfig config = config();
        final TestClient client = closing(new TestClient("cli", tmp.resolve("client"), config, clock).withDetailedRejects());
        final ScriptedServer hostile = closing(new ScriptedServer());
        final String text = "0123456789abcdefghijklmnopqrstuv"; // 32 characters: no room for a NUL
        for (final String error : new String[] {text, text.substring(0, 31), ""})
        {
            final byte[] reply = ok("srv");
            reply[WireModel.RSP_STATUS] = 2;
            System.arraycopy(error.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, reply, WireModel.RSP_ERROR,
                error.length());
            client.events.clear();
            hostile.play(new ScriptedServer.Script(reply, false));
            assertThat(client.connect(false, hostile.port())).isFalse();
            assertThat(client.events.all()).singleElement().asString().startsWith("loginReject status=2 " + error + " from");
            hostile.awaitLogin();
        }
    }

    private static long openFiles() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }
}
