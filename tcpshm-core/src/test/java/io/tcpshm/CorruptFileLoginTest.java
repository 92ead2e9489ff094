package io.tcpshm;

import io.tcpshm.internal.FrameHeader;
import io.tcpshm.internal.LoginCodec;
import io.tcpshm.internal.PtcpQueue;
import io.tcpshm.internal.ShmRing;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.LockProbe;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files of the right size but with corrupt contents at a login (docs/PROTOCOL.md, "Server side of a
 * login" step 6, "Client side of a login" step 1, the PTCP "Login check" and the SHM ring check).
 *
 * <ul>
 *   <li>A RESUMING login (the client's {@code .lastserver} names the server) is refused with a reason that
 *   names the file and says "is corrupt": on the server the client gets status 2 "System error" and the
 *   server hears {@code onClientFileError}; on the client {@code onSystemError} comes before any connect
 *   (the server never sees the socket).</li>
 *   <li>A RESET login (the client remembers no server) is not blocked by the same corrupt file: it is
 *   zeroed and messages flow.</li>
 * </ul>
 * The refusals leave the corrupt file as it was (nothing is zeroed behind the operator's back).
 */
class CorruptFileLoginTest
{
    private static final int Q = 2000; // the default tcpQueueSize
    private static final int BLOCKS = Q / 8;
    private static final int SHM = 2048; // the default shmQueueSize
    private static final int C = SHM / 64;
    private static final int R = SHM; // index area of a ring: roundUp(S, 128)

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000);
    @RegisterExtension
    final Closer closer = new Closer();

    private TcpShmConfig config() throws IOException
    {
        Files.createDirectories(tmp.resolve("shm"));
        return TestConfigs.noTimeouts(tmp.resolve("shm")).build();
    }

    private TestServer server(final TcpShmConfig config)
    {
        return closer.keep(new TestServer("srv", tmp.resolve("server"), config, clock));
    }

    private TestClient client(final String dir, final TcpShmConfig config)
    {
        return closer.keep(new TestClient("cli", tmp.resolve(dir), config, clock));
    }

    private Path serverPtcp()
    {
        return tmp.resolve("server").resolve("srv_cli.ptcp");
    }

    private Path clientPtcp()
    {
        return tmp.resolve("client").resolve("cli_srv.ptcp");
    }

    private Path ring(final String name)
    {
        return tmp.resolve("shm").resolve(name);
    }

    /** A first session cli -> srv with a few echoes, then both stopped: the client remembers "srv". */
    private void firstSession(final TcpShmConfig config, final boolean shm) throws Exception
    {
        final TestServer s = server(config);
        final TestClient c = client("client", config);
        assertThat(c.connect(shm, s.port())).as(c.events.toString()).isTrue();
        echo(c, 5);
        closer.closeNow(c);
        closer.closeNow(s);
        assertThat(Files.readAllBytes(tmp.resolve("client").resolve("cli.lastserver"))).startsWith(new byte[] {'s', 'r', 'v', 0});
    }

    private static void echo(final TestClient c, final long more)
    {
        final long target = c.sent + more;
        final boolean done = c.pollUntil(() ->
        {
            while (c.sent < target && c.trySend(false))
            {
                // fill
            }
            return c.received == target;
        }, 20_000);
        assertThat(done).as("echoed %d of %d; events %s", c.received, target, c.events).isTrue();
    }

    private static ByteBuffer direct(final byte[] bytes)
    {
        final ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        b.put(bytes).clear();
        return b;
    }

    private static boolean waitFor(final java.util.function.BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // PTCP damage

    /** Ways a PTCP queue file of the right size can be corrupt; each sets all five index fields. */
    enum PtcpDamage
    {
        WRITE_IDX_PAST_THE_QUEUE("writeIdx " + (BLOCKS + 1) + " is beyond the queue's " + BLOCKS + " blocks")
        {
            @Override
            void apply(final ByteBuffer file)
            {
                indices(file, BLOCKS + 1, 0, 0, 7, 3);
            }
        },
        WALK_OVERRUNS_WRITE_IDX("the last message ends at block 3, not at writeIdx 2")
        {
            @Override
            void apply(final ByteBuffer file)
            {
                message(file, 0, 24); // 3 blocks, where writeIdx says 2
                indices(file, 2, 0, 0, 7, 3);
            }
        },
        SECOND_MESSAGE_OVERRUNS_WRITE_IDX("the last message ends at block 5, not at writeIdx 4")
        {
            @Override
            void apply(final ByteBuffer file)
            {
                message(file, 0, 16); // blocks 0..1
                message(file, 2, 24); // blocks 2..4, where writeIdx says the queue ends at 4
                indices(file, 4, 0, 0, 7, 3);
            }
        },
        READ_IDX_PAST_WRITE_IDX("readIdx 5 is beyond writeIdx 3")
        {
            @Override
            void apply(final ByteBuffer file)
            {
                indices(file, 3, 5, 3, 7, 3);
            }
        },
        MESSAGE_SIZE_BELOW_A_HEADER("message 7 at block 0 has size 4")
        {
            @Override
            void apply(final ByteBuffer file)
            {
                message(file, 0, 4);
                indices(file, 1, 0, 0, 7, 3);
            }
        },
        STAMPED_ACK_NEWER_THAN_MY_ACK("message 7 at block 0 carries ack 4, newer than myAck 3")
        {
            @Override
            void apply(final ByteBuffer file)
            {
                message(file, 0, 16);
                file.order(ByteOrder.LITTLE_ENDIAN).putInt(4, 4); // stamped ack 4 > myAck 3
                indices(file, 2, 0, 0, 7, 3);
            }
        };

        final String detail;

        PtcpDamage(final String detail)
        {
            this.detail = detail;
        }

        abstract void apply(ByteBuffer file);

        static void indices(final ByteBuffer file, final int writeIdx, final int readIdx, final int sendIdx,
            final int readSeq, final int myAck)
        {
            final ByteBuffer host = file.duplicate().order(ByteOrder.nativeOrder());
            host.putInt(Q, writeIdx);
            host.putInt(Q + 4, readIdx);
            host.putInt(Q + 8, sendIdx);
            host.putInt(Q + 12, readSeq);
            host.putInt(Q + 16, myAck);
        }

        /** A message header in wire order (little-endian, the default) at {@code block}: type 1, ack 0. */
        static void message(final ByteBuffer file, final int block, final int size)
        {
            FrameHeader.write(file.duplicate().order(ByteOrder.LITTLE_ENDIAN), block * 8, size, 1, 0);
        }
    }

    private static byte[] damage(final Path file, final PtcpDamage damage) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        assertThat(bytes.capacity()).as("file size of %s", file).isEqualTo(PtcpQueue.fileSize(Q));
        damage.apply(bytes);
        Files.write(file, bytes.array());
        return bytes.array();
    }

    @ParameterizedTest
    @EnumSource(PtcpDamage.class)
    void aResumingLoginIsRefusedByTheServerWhenItsPtcpFileIsCorrupt(final PtcpDamage damage) throws Exception
    {
        final TcpShmConfig config = config();
        firstSession(config, false);
        final byte[] damaged = damage(serverPtcp(), damage);
        final byte[] clientFile = Files.readAllBytes(clientPtcp());

        final TestServer s = server(config);
        final TestClient c = client("client", config);
        assertThat(c.connect(false, s.port())).isFalse();
        assertThat(c.events.all()).containsExactly("loginReject System error");
        assertThat(waitFor(() -> s.events.anyStartsWith("fileError"))).isTrue();
        assertThat(s.events.all()).containsExactly("newConnection cli shm=false",
            "fileError Ptcp file " + serverPtcp() + " is corrupt: " + damage.detail);
        assertThat(c.conn().isClosed()).isTrue();
        assertThat(c.client.lastServerName()).isEqualTo("srv");

        // the refusal changed neither side's file
        closer.closeNow(c);
        closer.closeNow(s);
        assertThat(Files.readAllBytes(serverPtcp())).as("the server's corrupt file after the refusal").isEqualTo(damaged);
        assertThat(Files.readAllBytes(clientPtcp())).as("the client's file after the refusal").isEqualTo(clientFile);
    }

    @ParameterizedTest
    @EnumSource(PtcpDamage.class)
    void aResumingLoginIsRefusedByTheClientBeforeItConnectsWhenItsPtcpFileIsCorrupt(final PtcpDamage damage)
        throws Exception
    {
        final TcpShmConfig config = config();
        firstSession(config, false);
        final byte[] damaged = damage(clientPtcp(), damage);

        final TestServer s = server(config);
        final TestClient c = client("client", config);
        assertThat(c.connect(false, s.port())).isFalse();
        assertThat(c.events.all()).containsExactly(
            "systemError Ptcp file " + clientPtcp() + " is corrupt: " + damage.detail);
        // the server never saw a socket: the check came before the connect
        s.awaitIterations(4L * config.controlSocketPollPeriod());
        assertThat(s.events.all()).isEmpty();
        closer.closeNow(c);
        assertThat(Files.readAllBytes(clientPtcp())).as("the client's corrupt file after the refusal").isEqualTo(damaged);
    }

    @ParameterizedTest
    @EnumSource(PtcpDamage.class)
    void aResetLoginIsNotBlockedByACorruptServerPtcpFile(final PtcpDamage damage) throws Exception
    {
        final TcpShmConfig config = config();
        firstSession(config, false);
        damage(serverPtcp(), damage);

        final TestServer s = server(config);
        // first the resuming client is refused (so the server slot has seen the corrupt file) ...
        final TestClient resuming = client("client", config);
        assertThat(resuming.connect(false, s.port())).isFalse();
        assertThat(resuming.events.all()).containsExactly("loginReject System error");
        closer.closeNow(resuming);
        // ... then the same client name without a last server: a new persistent connection, files zeroed
        final TestClient fresh = client("client-new", config);
        assertThat(fresh.connect(false, s.port())).as("reset login; client %s; server %s", fresh.events, s.events)
            .isTrue();
        assertThat(fresh.conn().myAck()).isZero();
        echo(fresh, 50);
        closer.closeNow(fresh);
        closer.closeNow(s);
        final PtcpQueue queue = new PtcpQueue(direct(Files.readAllBytes(serverPtcp())), Q, ByteOrder.LITTLE_ENDIAN);
        assertThat(queue.sanityCheck()).as("the server's file after the reset session").isNull();
        assertThat(queue.myAck()).as("server myAck: the 50 messages of the new connection").isEqualTo(50);
    }

    @Test
    void aResetLoginOnAFreshServerIsNotBlockedByACorruptServerPtcpFile() throws Exception
    {
        final TcpShmConfig config = config();
        firstSession(config, false);
        damage(serverPtcp(), PtcpDamage.WRITE_IDX_PAST_THE_QUEUE);
        final TestServer s = server(config);
        final TestClient fresh = client("client-new", config);
        assertThat(fresh.connect(false, s.port())).as("reset login; client %s; server %s", fresh.events, s.events)
            .isTrue();
        echo(fresh, 50);
        assertThat(s.events.any(e -> e.startsWith("fileError"))).isFalse();
    }

    @Test
    void aClientWithoutALastServerResetsItsOwnCorruptPtcpFile() throws Exception
    {
        final TcpShmConfig config = config();
        firstSession(config, false);
        damage(clientPtcp(), PtcpDamage.WALK_OVERRUNS_WRITE_IDX);
        // the client forgets its server (an empty name means none)
        Files.write(tmp.resolve("client").resolve("cli.lastserver"), new byte[config.nameSize()]);
        final TestServer s = server(config);
        final TestClient c = client("client", config);
        assertThat(c.connect(false, s.port())).as("reset login; client %s; server %s", c.events, s.events).isTrue();
        assertThat(c.conn().queuedCount()).isZero();
        echo(c, 50);
        assertThat(c.client.lastServerName()).isEqualTo("srv");
    }

    /**
     * {@link ServerHandler#onClientFileError} says of its connection "(its files are closed)": after a refusal
     * for a corrupt file no slot keeps that file mapped and locked (an operator could not repair it with
     * {@code tcpshm reset} while the server runs: its lock says "in use"). Found by this test, fixed in
     * {@code TcpShmServer.logIn}.
     */
    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void aSlotRefusedForACorruptFileKeepsNoFileOpen(final boolean shm) throws Exception
    {
        final TcpShmConfig config = config();
        firstSession(config, shm);
        if (shm)
        {
            ringIndices("srv_cli.shm", 999, 1000);
        }
        else
        {
            damage(serverPtcp(), PtcpDamage.WRITE_IDX_PAST_THE_QUEUE);
        }
        final TestServer s = server(config);
        assertThat(rawLogin(config, s.port(), shm, "srv").get(new LoginCodec(config).statusOffset())).isEqualTo((byte)2);
        assertThat(waitFor(() -> s.events.anyStartsWith("fileError"))).isTrue();
        final TcpShmConnection[] slots = shm ? s.server.shmGroupConnections(0) : s.server.tcpGroupConnections(0);
        final SoftAssertions softly = new SoftAssertions();
        for (final TcpShmConnection slot : slots)
        {
            softly.assertThat(slot.remoteName()).as("a slot still bound to the refused client: %s", slot).isNull();
            softly.assertThat(slot.ptcpFile()).as("PTCP file still mapped by %s", slot).isNull();
            softly.assertThat(slot.isShm()).as("rings still mapped by %s", slot).isFalse();
        }
        final Path file = shm ? ring("srv_cli.shm") : serverPtcp();
        final int[] range = shm ? new int[] {R, 4} : new int[] {0, PtcpQueue.fileSize(Q)};
        softly.assertThat(otherProcessCanLock(file, range[0], range[1]))
            .as("another process can lock %s (as tcpshm reset must)", file).isTrue();
        softly.assertAll();
    }

    private static boolean otherProcessCanLock(final Path path, final int position, final int length) throws Exception
    {
        return LockProbe.otherProcessCanLock(path, position, length);
    }

    // ---------------------------------------------------------------------------------------------
    // SHM damage

    /** Sets a ring's writeIdx (and the C++ producer's cache next to it) and readIdx, in host order. */
    private void ringIndices(final String name, final int writeIdx, final int readIdx) throws IOException
    {
        try (FileChannel ch = FileChannel.open(ring(name), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            assertThat(ch.size()).as("size of ring %s", name).isEqualTo(ShmRing.fileSize(SHM));
            final ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            b.putInt(0, writeIdx);
            ch.write(b, R);
            b.clear().putInt(0, readIdx);
            ch.write(b, R + 4);
            b.clear().putInt(0, readIdx);
            ch.write(b, R + 128);
        }
    }

    /** Corrupt ring indices and what the check says of them. */
    enum RingDamage
    {
        CONSUMER_AHEAD(999, 1000, "writeIdx 999 and readIdx 1000 are -1 blocks apart, outside 0.." + C),
        PRODUCER_MORE_THAN_A_RING_AHEAD(1000 + C + 1, 1000, "writeIdx " + (1000 + C + 1) + " and readIdx 1000 are " +
            (C + 1) + " blocks apart, outside 0.." + C),
        FAR_APART_ACROSS_THE_WRAP(5, 0x8000_0000, "writeIdx 5 and readIdx 2147483648 are -2147483643 blocks apart, " +
            "outside 0.." + C);

        final int writeIdx;
        final int readIdx;
        final String detail;

        RingDamage(final int writeIdx, final int readIdx, final String detail)
        {
            this.writeIdx = writeIdx;
            this.readIdx = readIdx;
            this.detail = detail;
        }
    }

    /** A raw login (as a C++ client, which checks no ring): returns the response frame. */
    private static ByteBuffer rawLogin(final TcpShmConfig config, final int port, final boolean shm,
        final String lastServer) throws IOException
    {
        final LoginCodec codec = new LoginCodec(config);
        try (SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port)))
        {
            final ByteBuffer frame = ByteBuffer.allocate(codec.loginFrameSize()).order(config.byteOrder());
            codec.encodeLogin(frame, 0, 0, 0, null, shm, "cli", lastServer);
            frame.clear();
            while (frame.hasRemaining())
            {
                socket.write(frame);
            }
            final ByteBuffer rsp = ByteBuffer.allocate(codec.rspFrameSize()).order(config.byteOrder());
            while (rsp.hasRemaining())
            {
                if (socket.read(rsp) < 0)
                {
                    break;
                }
            }
            assertThat(rsp.hasRemaining()).as("a whole response").isFalse();
            return rsp;
        }
    }

    @ParameterizedTest
    @EnumSource(RingDamage.class)
    void aResumingShmLoginIsRefusedByTheServerWhenEitherRingIsCorrupt(final RingDamage damage) throws Exception
    {
        final TcpShmConfig config = config();
        final LoginCodec codec = new LoginCodec(config);
        firstSession(config, true);
        for (final String bad : new String[] {"srv_cli.shm", "cli_srv.shm"})
        {
            // the other ring is sound (empty, indices far from 0)
            ringIndices(bad.equals("srv_cli.shm") ? "cli_srv.shm" : "srv_cli.shm", 500, 500);
            ringIndices(bad, damage.writeIdx, damage.readIdx);
            final byte[] before = Files.readAllBytes(ring(bad));
            final TestServer s = server(config);
            final ByteBuffer rsp = rawLogin(config, s.port(), true, "srv");
            assertThat(rsp.get(codec.statusOffset())).as("status, %s corrupt", bad).isEqualTo((byte)2);
            assertThat(LoginCodec.readCString(rsp, codec.errorMsgOffset(), LoginCodec.ERROR_MSG_SIZE))
                .isEqualTo("System error");
            assertThat(waitFor(() -> s.events.anyStartsWith("fileError"))).isTrue();
            assertThat(s.events.all()).containsExactly("newConnection cli shm=true",
                "fileError SHM ring " + ring(bad) + " is corrupt: " + damage.detail);
            closer.closeNow(s);
            assertThat(Files.readAllBytes(ring(bad))).as("%s after the refusal", bad).isEqualTo(before);
        }
    }

    @ParameterizedTest
    @EnumSource(RingDamage.class)
    void aResumingShmLoginIsRefusedByTheClientBeforeItConnectsWhenEitherRingIsCorrupt(final RingDamage damage)
        throws Exception
    {
        final TcpShmConfig config = config();
        firstSession(config, true);
        for (final String bad : new String[] {"srv_cli.shm", "cli_srv.shm"})
        {
            ringIndices(bad.equals("srv_cli.shm") ? "cli_srv.shm" : "srv_cli.shm", 500, 500);
            ringIndices(bad, damage.writeIdx, damage.readIdx);
            final TestServer s = server(config);
            final TestClient c = client("client", config);
            assertThat(c.connect(true, s.port())).isFalse();
            assertThat(c.events.all()).containsExactly("systemError SHM ring " + ring(bad) + " is corrupt: " +
                damage.detail);
            s.awaitIterations(4L * config.controlSocketPollPeriod());
            assertThat(s.events.all()).as("the server saw no login").isEmpty();
            closer.closeNow(c);
            closer.closeNow(s);
        }
    }

    @ParameterizedTest(name = "server restarted={0}")
    @ValueSource(booleans = {false, true})
    void aResetShmLoginIsNotBlockedByCorruptRings(final boolean restart) throws Exception
    {
        final TcpShmConfig config = config();
        final LoginCodec codec = new LoginCodec(config);
        firstSession(config, true);
        ringIndices("srv_cli.shm", 1000 + C + 1, 1000);
        ringIndices("cli_srv.shm", 999, 1000);
        TestServer s = server(config);
        // a resuming login is refused ...
        assertThat(rawLogin(config, s.port(), true, "srv").get(codec.statusOffset())).isEqualTo((byte)2);
        if (restart)
        {
            closer.closeNow(s);
            s = server(config);
        }
        // ... a reset login of the same client name zeroes the rings and works
        final TestClient fresh = client("client-new", config);
        assertThat(fresh.connect(true, s.port())).as("reset login; client %s; server %s", fresh.events, s.events)
            .isTrue();
        echo(fresh, 100);
        closer.closeNow(fresh);
        closer.closeNow(s);
        for (final String name : new String[] {"srv_cli.shm", "cli_srv.shm"})
        {
            assertThat(ShmRing.sanityCheck(direct(Files.readAllBytes(ring(name))), SHM)).as(name).isNull();
        }
    }

    /** Positive control: the check reads the indices as free-running u32, so sound rings across the wrap pass. */
    @Test
    void aResumingShmLoginAcceptsSoundRingsWhoseIndicesWrap() throws Exception
    {
        final TcpShmConfig config = config();
        firstSession(config, true);
        ringIndices("srv_cli.shm", -8, -8); // empty, 8 blocks before the wrap of 2^32
        ringIndices("cli_srv.shm", -8, -8);
        final TestServer s = server(config);
        final TestClient c = client("client", config);
        assertThat(c.connect(true, s.port())).as("client %s; server %s", c.events, s.events).isTrue();
        echo(c, 100); // several laps of the 32-block rings, across the wrap of the indices
        assertThat(c.conn().sendPosition()).as("send position (u32) past the wrap").isBetween(1L, 10_000L);
        assertThat(c.conn().receivePosition()).as("receive position (u32) past the wrap").isBetween(1L, 10_000L);
        assertThat(s.events.anyStartsWith("fileError")).isFalse();
    }
}
