package io.tcpshm.hostile;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated hostile input sent over a real socket to a real {@code TcpShmServer} (polled by its own
 * thread on a fake clock), before login (as the login) and after a valid login (as the stream),
 * while a well-behaved client on the same server keeps echoing. For every case: no exception
 * escapes a poll call; the outcome is the one docs/PROTOCOL.md prescribes (no response, or a response
 * with the right status and error, or a session closed with the right reason reported through
 * {@code onClientDisconnected}); no file appears outside the server's ptcp and shm directories; and
 * the well-behaved client's next echoes all come back, in order, nothing lost.
 *
 * <p>Tries: a share of {@code -Dtcpshm.fuzz.tries} (default 2000 in all), see {@link FuzzTries}.
 */
@AddLifecycleHook(FuzzTries.class)
class ServerFuzzTest
{
    private final AtomicLong clock = new AtomicLong(1000);
    private Path root;
    private Path ptcpDir;
    private Path shmDir;
    private Path goodDir;
    private TestServer server;
    private TestClient good;
    /** Model of the server's myAck per client name (TCP files): messages it has popped. */
    private final Map<String, Integer> myAck = new HashMap<>();
    private int streamNames;
    /** Cases run on the current server and directories; see {@link #FRESH_FIXTURE_EVERY}. */
    private int casesOnFixture;

    /**
     * A fresh server, directories and model after this many cases: every accepted login with a new name
     * leaves a queue file, and the check that files stay confined lists the directories after every case,
     * so one directory for a whole long run (a million cases) made that check quadratic.
     */
    private static final int FRESH_FIXTURE_EVERY = 2_000;

    @BeforeProperty
    void start() throws IOException
    {
        casesOnFixture = 0;
        myAck.clear();
        root = Files.createTempDirectory("tcpshm-hostile");
        ptcpDir = root.resolve("server");
        shmDir = root.resolve("shm");
        goodDir = root.resolve("good");
        Files.createDirectories(shmDir);
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(shmDir).controlSocketPollPeriod(1).build();
        server = TestServer.echoingOnly(ptcpDir, config, clock, Set.of("good"));
        good = new TestClient("good", goodDir, config, clock).withDetailedRejects();
        assertThat(good.connect(false, server.port())).as(good.events.toString()).isTrue();
        good.echoMore(3);
    }

    @AfterProperty
    void stop()
    {
        try
        {
            if (good != null)
            {
                assertThat(good.events.all()).as("the well-behaved client saw only its login").containsExactly("loginSuccess srv");
                good.close();
            }
        }
        finally
        {
            if (server != null)
            {
                server.close();
            }
            WireModel.deleteTree(root);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // properties

    /** Random bytes as the login, half of them behind a valid login header (so the body is random). */
    @Property
    @FuzzTries.Share(20)
    void randomBytesAsTheLogin(@ForAll("randomLogin") final byte[] bytes, @ForAll final boolean halfClose,
        @ForAll @IntRange(max = 140) final int split) throws IOException
    {
        runCase(bytes, split, halfClose);
    }

    /** Login frames with hostile names, absurd sequence numbers and acks, odd flags, then maybe a stream. */
    @Property
    @FuzzTries.Share(25)
    void hostileLoginFrames(@ForAll("loginFrame") final byte[] login, @ForAll("trailing") final byte[] trailing,
        @ForAll final boolean halfClose, @ForAll @IntRange(max = 100) final int split) throws IOException
    {
        runCase(WireModel.concat(login, trailing), split, halfClose);
    }

    /** A valid login, then a hostile message stream: bad sizes, huge frames, absurd acks, truncation, garbage. */
    @Property
    @FuzzTries.Share(30)
    void hostileStreamAfterAValidLogin(@ForAll("stream") final byte[] stream, @ForAll final boolean halfClose,
        @ForAll @IntRange(max = 400) final int split) throws IOException
    {
        final String name = "s" + (streamNames++ % 20);
        runCase(WireModel.concat(HostileInput.validLogin(name), stream), split, halfClose);
    }

    @Provide
    Arbitrary<byte[]> randomLogin()
    {
        return net.jqwik.api.Combinators.combine(Arbitraries.bytes().array(byte[].class).ofMaxSize(140),
            Arbitraries.of(true, false)).as((b, header) ->
            {
                final byte[] out = b.clone();
                if (header && out.length >= 4)
                {
                    out[0] = WireModel.LOGIN_SIZE;
                    out[1] = 0;
                    out[2] = 1;
                    out[3] = 0;
                }
                return out;
            });
    }

    @Provide
    Arbitrary<byte[]> loginFrame()
    {
        return HostileInput.loginFrame();
    }

    @Provide
    Arbitrary<byte[]> trailing()
    {
        return Arbitraries.oneOf(Arbitraries.just(new byte[0]), HostileInput.stream(),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(64));
    }

    @Provide
    Arbitrary<byte[]> stream()
    {
        return HostileInput.stream();
    }

    // ---------------------------------------------------------------------------------------------
    // one case

    /** The response status the spec prescribes, or -1 for none (socket closed without a response). */
    private record Expected(int status, String error, String name, boolean shm, WireModel.StreamVerdict stream)
    {
    }

    private Expected expect(final byte[] bytes, final boolean halfClose)
    {
        if (bytes.length < 8 || WireModel.u16(bytes, 0) != WireModel.LOGIN_SIZE || WireModel.u16(bytes, 2) != 1 ||
            bytes.length < WireModel.LOGIN_FRAME)
        {
            return new Expected(-1, null, null, false, null);
        }
        final String nameBytes = WireModel.cstring(bytes, WireModel.LOGIN_CLIENT_NAME, WireModel.NAME_SIZE);
        if (!WireModel.validName(nameBytes))
        {
            return new Expected(2, "Invalid client name", null, false, null);
        }
        final String name = WireModel.text(nameBytes); // as the server names it: its UTF-8 text
        if (name.equals("good"))
        {
            return new Expected(2, "Already logged on", null, false, null);
        }
        final boolean shm = bytes[WireModel.LOGIN_USE_SHM] != 0;
        final byte[] stream = java.util.Arrays.copyOfRange(bytes, WireModel.LOGIN_FRAME, bytes.length);
        if (shm)
        {
            // the TCP link of an SHM connection carries no messages: anything on it proves the peer alive, and a
            // heartbeat's non-zero ackSeq is a ring mark to check
            return new Expected(0, "", name, true, WireModel.shmLinkVerdict(stream, halfClose));
        }
        final String last = WireModel.cstring(bytes, WireModel.LOGIN_LAST_SERVER, WireModel.NAME_SIZE);
        final int localAck = "srv".equals(last) ? myAck.getOrDefault(name, 0) : 0;
        if ("srv".equals(last))
        {
            // the server never pushes to these clients: its queue is empty, seqStart = seqEnd = 0
            final int clientAck = WireModel.i32(bytes, 4);
            final int clientStart = WireModel.i32(bytes, 8);
            final int clientEnd = WireModel.i32(bytes, 12);
            if (!WireModel.inRange(clientAck, 0, 0) || !WireModel.inRange(localAck, clientStart, clientEnd))
            {
                return new Expected(1, "", null, false, null);
            }
        }
        return new Expected(0, "", name, false, WireModel.streamVerdict(stream, 0, halfClose));
    }

    private void runCase(final byte[] bytes, final int split, final boolean halfClose) throws IOException
    {
        if (++casesOnFixture > FRESH_FIXTURE_EVERY)
        {
            stop();
            start();
            casesOnFixture = 1;
        }
        final Expected expected = expect(bytes, halfClose);
        Statistics.collect(expected.status < 0 ? "no response" : expected.status != 0 ? "status " + expected.status + " " +
            expected.error : "session" + (expected.shm ? " (shm)" : "") + ", closed by: " +
            expected.stream.reasonPrefix().replaceAll(" [0-9].*", ""));
        server.takeDisconnects();
        server.logons.clear();
        final byte[] received;
        try (SocketChannel peer = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port())))
        {
            peer.configureBlocking(false);
            final int first = Math.min(split, bytes.length);
            writeAll(peer, ByteBuffer.wrap(bytes, 0, first));
            server.awaitIterations(2);
            writeAll(peer, ByteBuffer.wrap(bytes, first, bytes.length - first));
            if (halfClose)
            {
                peer.shutdownOutput();
            }
            received = readUntilClosed(peer, halfClose, bytes.length);
        }
        final String what = "case " + WireModel.hex(bytes) + (halfClose ? " then half-close" : " then silence");
        server.checkAlive();
        if (expected.status < 0)
        {
            assertThat(received).as("no response: " + what).isEmpty();
        }
        else
        {
            assertThat(received.length).as("a whole response: " + what).isGreaterThanOrEqualTo(WireModel.RSP_FRAME);
            assertThat(WireModel.u16(received, 0)).as(what).isEqualTo(WireModel.RSP_SIZE);
            assertThat(WireModel.u16(received, 2)).as(what).isEqualTo(2);
            assertThat(received[WireModel.RSP_STATUS]).as("status: " + what).isEqualTo((byte)expected.status);
            assertThat(WireModel.cstring(received, WireModel.RSP_SERVER_NAME, WireModel.NAME_SIZE)).isEqualTo("srv");
            assertThat(WireModel.cstring(received, WireModel.RSP_ERROR, 32)).as(what).isEqualTo(expected.error);
        }
        if (expected.status == 0)
        {
            // what follows the response: heartbeats only (the server pushes nothing to this client), whose
            // acks never exceed what it can have popped
            final int popped = expected.shm ? 0 : expected.stream.appMessages();
            for (int pos = WireModel.RSP_FRAME; pos + 8 <= received.length; pos += 8)
            {
                assertThat(WireModel.u16(received, pos)).as("heartbeat size: " + what).isEqualTo(8);
                assertThat(WireModel.u16(received, pos + 2)).as("heartbeat type: " + what).isZero();
                final int ack = WireModel.i32(received, pos + 4);
                if (expected.shm)
                {
                    // on an SHM session's link the field carries the server's ring mark, never 0 (docs/PROTOCOL.md)
                    assertThat(ack).as("ring mark in a heartbeat: " + what).isNotZero();
                    continue;
                }
                final int base = "srv".equals(lastServer(bytes)) ? myAck.getOrDefault(expected.name, 0) : 0;
                assertThat(WireModel.inRange(ack, base, base + popped)).as("heartbeat ack " + ack + ": " + what).isTrue();
            }
            final TestServer.Disconnect d = awaitDisconnect();
            assertThat(d.name()).as(what).isEqualTo(expected.name);
            assertThat(d.reason()).as("reason: " + what).isNotEmpty().startsWith(expected.stream.reasonPrefix());
            assertThat(server.logons).containsExactly(expected.name);
            if (!expected.shm)
            {
                final int base = "srv".equals(lastServer(bytes)) ? myAck.getOrDefault(expected.name, 0) : 0;
                myAck.put(expected.name, base + popped);
            }
        }
        else
        {
            server.awaitIterations(3);
            assertThat(server.logons).as("no logon: " + what).isEmpty();
        }
        assertThat(server.takeDisconnects()).as("no other close reported: " + what).isEmpty();
        server.checkAlive();
        assertThat(server.errors).as("no system error: " + what).isEmpty();
        WireModel.assertFilesConfined(root, ptcpDir, shmDir, List.of(goodDir));
        good.echoMore(2);
    }

    private static String lastServer(final byte[] bytes)
    {
        return WireModel.cstring(bytes, WireModel.LOGIN_LAST_SERVER, WireModel.NAME_SIZE);
    }

    private TestServer.Disconnect awaitDisconnect()
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (true)
        {
            final TestServer.Disconnect d = server.disconnects.poll();
            if (d != null)
            {
                return d;
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the close was not reported by onClientDisconnected");
            }
            server.awaitIterations(1);
        }
    }

    private static void writeAll(final SocketChannel peer, final ByteBuffer b) throws IOException
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (b.hasRemaining())
        {
            try
            {
                peer.write(b);
            }
            catch (final IOException ex)
            {
                return; // the server already closed it: the rest is never read
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the server does not read");
            }
        }
    }

    /**
     * Reads until the server closes the socket. A silent peer moves the fake clock one unit at a time
     * (letting the server and the well-behaved client poll in between) once the server has had time
     * to process what it got; at most 40 units, and 10 s of real time.
     */
    private byte[] readUntilClosed(final SocketChannel peer, final boolean halfClose, final int sent) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        int ticks = 0;
        int idle = 0;
        while (true)
        {
            buf.clear();
            int n;
            try
            {
                n = peer.read(buf);
            }
            catch (final IOException ex)
            {
                break; // reset by the server: closed
            }
            if (n < 0)
            {
                break;
            }
            out.write(buf.array(), 0, n);
            if (System.nanoTime() > deadline || ticks > 40)
            {
                throw new AssertionError("the server did not close the connection (" + ticks + " time units, " + sent +
                    " bytes sent, " + out.size() + " received); disconnects " + server.disconnects + ", errors " + server.errors);
            }
            if (n > 0)
            {
                continue;
            }
            server.awaitIterations(2);
            if (!halfClose && ++idle >= (ticks == 0 ? 10 : 2))
            {
                idle = 0;
                ticks++;
                tick();
            }
        }
        return out.toByteArray();
    }

    /** One unit of fake time, with both the server and the well-behaved client polling at it. */
    private void tick()
    {
        clock.incrementAndGet();
        for (int i = 0; i < 2; i++)
        {
            server.awaitIterations(2);
            for (int j = 0; j < 3; j++)
            {
                good.poll();
            }
        }
    }
}
