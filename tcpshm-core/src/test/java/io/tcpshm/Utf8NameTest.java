package io.tcpshm;

import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: a C++ peer takes any name bytes, ours refused everything outside printable ASCII.
 * Names are now UTF-8 text, handled as their bytes: on the wire (checked byte by byte against a login
 * frame built by hand) and on disk (the directory entries' raw bytes, as {@code ls} prints them).
 * Bytes that are not UTF-8 are still refused.
 */
class Utf8NameTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(1000);

    private static final String SERVER = "s\u00e9rv\u00e9";  // 7 bytes in UTF-8
    private static final String CLIENT = "cli\u00e9\u4e2d"; // 8 bytes in UTF-8

    private TcpShmConfig config() throws Exception
    {
        Files.createDirectories(tmp.resolve("shm"));
        return TestConfigs.noTimeouts(tmp.resolve("shm")).build();
    }

    /** The raw bytes of the names in a directory, one per line, as ls writes them to a pipe. */
    private static byte[] rawListing(final Path dir) throws Exception
    {
        final Process p = new ProcessBuilder("ls", "-1", dir.toString()).start();
        final byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        return out;
    }

    private static boolean listed(final byte[] listing, final String name)
    {
        final byte[] wanted = (name + "\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + wanted.length <= listing.length; i++)
        {
            if ((i == 0 || listing[i - 1] == '\n') && Arrays.equals(listing, i, i + wanted.length, wanted, 0, wanted.length))
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void utf8NamesLogInOverTcpAndShmAndNameTheirFilesInUtf8() throws Exception
    {
        final TcpShmConfig config = config();
        final TestServer s = closer.keep(new TestServer(SERVER, tmp.resolve("server"), config, clock));
        for (final boolean shm : new boolean[] {false, true})
        {
            final TestClient c = closer.keep(new TestClient(CLIENT, tmp.resolve("client-" + shm), config, clock));
            assertThat(c.connect(shm, s.port())).as(c.events.toString()).isTrue();
            assertThat(c.events.all()).containsExactly("loginSuccess " + SERVER);
            final boolean echoed = c.pollUntil(() ->
            {
                while (c.sent < 20 && c.trySend(false))
                {
                    // fill
                }
                return c.received == 20;
            }, 10_000);
            assertThat(echoed).isTrue();
            assertThat(c.client.lastServerName()).isEqualTo(SERVER);
            closer.closeNow(c);
            assertThat(c.pollUntil(() -> s.events.anyStartsWith("disconnected " + CLIENT), 10_000)).isTrue();
            s.events.clear();
        }
        assertThat(listed(rawListing(tmp.resolve("server")), SERVER + "_" + CLIENT + ".ptcp")).isTrue();
        assertThat(listed(rawListing(tmp.resolve("client-false")), CLIENT + "_" + SERVER + ".ptcp")).isTrue();
        assertThat(listed(rawListing(tmp.resolve("client-false")), CLIENT + ".lastserver")).isTrue();
        assertThat(listed(rawListing(tmp.resolve("shm")), CLIENT + "_" + SERVER + ".shm")).isTrue();
        assertThat(listed(rawListing(tmp.resolve("shm")), SERVER + "_" + CLIENT + ".shm")).isTrue();
        // the .lastserver file holds the server's UTF-8 bytes and a NUL
        final byte[] last = Files.readAllBytes(tmp.resolve("client-false").resolve(CLIENT + ".lastserver"));
        final byte[] expected = Arrays.copyOf(SERVER.getBytes(StandardCharsets.UTF_8), 16);
        assertThat(last).isEqualTo(expected);
    }

    /** A login frame of the default configuration, built by hand (docs/PROTOCOL.md, "Login frame"). */
    private static ByteBuffer login(final byte[] clientName)
    {
        final ByteBuffer b = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short)52).putShort(2, (short)1); // size 52, type 1, ack 0, seqs 0, user data 0, TCP
        for (int i = 0; i < clientName.length; i++)
        {
            b.put(18 + i, clientName[i]);
        }
        return b;
    }

    private static byte[] exchange(final int port, final ByteBuffer login) throws Exception
    {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port)))
        {
            ch.write(login);
            final ByteArrayOutputStream rsp = new ByteArrayOutputStream();
            final ByteBuffer buf = ByteBuffer.allocate(72);
            ch.socket().setSoTimeout(10_000);
            final java.io.InputStream in = ch.socket().getInputStream();
            while (rsp.size() < 72)
            {
                final int n = in.read(buf.array(), 0, 72 - rsp.size());
                assertThat(n).as("response bytes").isPositive();
                rsp.write(buf.array(), 0, n);
            }
            return rsp.toByteArray();
        }
    }

    @Test
    void onTheWireTheNameFieldsHoldTheUtf8Bytes() throws Exception
    {
        final TcpShmConfig config = config();
        final TestServer s = closer.keep(new TestServer(SERVER, tmp.resolve("server"), config, clock));
        final byte[] name = {'c', 'l', 'i', (byte)0xc3, (byte)0xa9}; // "cli" + U+00E9 in UTF-8
        final byte[] rsp = exchange(s.port(), login(name));
        assertThat(rsp[17]).as("status").isZero();
        // serverName at 18..33: "s" U+00E9 "rv" U+00E9, then NULs
        assertThat(Arrays.copyOfRange(rsp, 18, 26)).containsExactly('s', 0xc3, 0xa9, 'r', 'v', 0xc3, 0xa9, 0);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!s.events.all().contains("logon cli\u00e9") && System.nanoTime() < deadline)
        {
            Thread.onSpinWait(); // the server records the logon just after it has written the response
        }
        assertThat(s.events.all()).contains("newConnection cli\u00e9 shm=false", "logon cli\u00e9");
        assertThat(listed(rawListing(tmp.resolve("server")), SERVER + "_cli\u00e9.ptcp")).isTrue();

        // bytes that are not UTF-8 cannot be a name (a lone continuation byte, an overlong '/')
        for (final byte[] bad : new byte[][] {{'x', (byte)0xa9}, {'a', (byte)0xc0, (byte)0xaf, 'b'}, {(byte)0xff}})
        {
            final byte[] r = exchange(s.port(), login(bad));
            assertThat(r[17]).as("status for %s", Arrays.toString(bad)).isEqualTo((byte)2);
            assertThat(new String(r, 34, 19, StandardCharsets.US_ASCII)).isEqualTo("Invalid client name");
        }
        try (java.util.stream.Stream<Path> files = Files.list(tmp.resolve("server")))
        {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(SERVER + "_cli\u00e9.ptcp",
                SERVER + ".lock");
        }
    }
}
