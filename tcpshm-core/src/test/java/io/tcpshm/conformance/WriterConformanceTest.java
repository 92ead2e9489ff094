package io.tcpshm.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.internal.Bits;
import io.tcpshm.internal.FrameHeader;
import io.tcpshm.internal.LoginCodec;
import io.tcpshm.internal.MappedRegion;
import io.tcpshm.internal.PtcpQueue;
import io.tcpshm.internal.ShmRing;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What our codecs and queues write, given the inputs of each captured scenario, equals the C++
 * bytes at every position outside the fixtures' ignorable ranges.
 */
class WriterConformanceTest
{
    /**
     * The C++ harness server's first payload byte of each of its unprompted pushes (the README: "base + i, with
     * base given in its description"). The descriptions do not give them, so they are written here as the C++
     * client logged the payloads it received ({@code harnessEventLog} in fixtures.json: "RECV type=21 ...
     * payload=a0a1a2a3a4", and so on).
     */
    private static final Map<Integer, Integer> SERVER_PUSH_BASE =
        Map.of(21, 0xa0, 22, 0xb0, 30, 0xe0, 31, 0xf0, 40, 0xc0);

    private final Fixtures fx = Fixtures.get();

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------------------------- handshake

    @TestFactory
    List<DynamicTest> loginFramesEqualTheCapture()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Fixtures.Entry e : fx.entries("tcpStream"))
        {
            if (e.name().endsWith(".c2s.bin"))
            {
                tests.add(DynamicTest.dynamicTest(e.name(), () ->
                {
                    final LoginCodec codec = new LoginCodec(e.config());
                    final JsonNode f = e.frames("login").get(0);
                    final JsonNode v = f.get("values");
                    final ByteBuffer frame = ByteBuffer.allocate(codec.loginFrameSize()).order(e.config().byteOrder());
                    codec.encodeLogin(frame, (int)f.get("ackSeq").asLong(), (int)v.get("clientSeqStart").asLong(),
                        (int)v.get("clientSeqEnd").asLong(), Fixtures.hex(v.get("userData").asText()),
                        v.get("useShm").asInt() != 0, v.get("clientName").asText(), v.get("lastServerName").asText());
                    assertSamePart(e + " login", frame.array(), e, 0);
                }));
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> responseFramesEqualTheCapture()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Fixtures.Entry e : fx.entries("tcpStream"))
        {
            if (e.name().endsWith(".s2c.bin"))
            {
                tests.add(DynamicTest.dynamicTest(e.name(), () ->
                {
                    final LoginCodec codec = new LoginCodec(e.config());
                    final JsonNode f = e.frames("loginRsp").get(0);
                    final JsonNode v = f.get("values");
                    final int status = v.get("status").asInt();
                    final boolean meaningful = status != LoginCodec.STATUS_ERROR;
                    final ByteBuffer frame = ByteBuffer.allocate(codec.rspFrameSize()).order(e.config().byteOrder());
                    // with status 2 the ack and seq fields are uninitialised in C++ (ignorable): we write 0 as our server does
                    codec.encodeRsp(frame, meaningful ? (int)f.get("ackSeq").asLong() : 0,
                        meaningful ? (int)v.get("serverSeqStart").asLong() : 0,
                        meaningful ? (int)v.get("serverSeqEnd").asLong() : 0,
                        status, v.get("serverName").asText(), v.get("errorMsg").asText());
                    final byte[] ud = Fixtures.hex(v.get("userData").asText());
                    for (int i = 0; i < ud.length; i++)
                    {
                        frame.put(codec.rspUserDataOffset() + i, ud[i]);
                    }
                    assertSamePart(e + " response", frame.array(), e, 0);
                }));
            }
        }
        return tests;
    }

    @Test
    void heartbeatsEqualTheCapture()
    {
        int count = 0;
        for (final Fixtures.Entry e : fx.entries("tcpStream"))
        {
            for (final JsonNode f : e.frames("heartbeat"))
            {
                final ByteBuffer hb = ByteBuffer.allocate(8).order(e.config().byteOrder());
                FrameHeader.write(hb, 0, Bits.HEADER_LENGTH, FrameHeader.HEARTBEAT_TYPE, (int)f.get("ackSeq").asLong());
                assertSamePart(e + " heartbeat @" + f.get("offset"), hb.array(), e, f.get("offset").asInt());
                count++;
            }
        }
        assertThat(count).as("heartbeats in the captures").isPositive();
    }

    // -------------------------------------------------------------------------- app messages, PTCP

    /**
     * Each captured application message, pushed through a PtcpQueue with the same type, payload and
     * stamped ack, comes out of {@code unsent()} as the captured frame (its C++ padding is ignorable;
     * ours is zero).
     */
    @TestFactory
    List<DynamicTest> appMessagesPushedThroughPtcpQueueEqualTheCapture()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Fixtures.Entry e : fx.entries("tcpStream"))
        {
            if (!e.frames("app").isEmpty())
            {
                tests.add(DynamicTest.dynamicTest(e.name(), () -> pushAppFrames(e)));
            }
        }
        return tests;
    }

    private void pushAppFrames(final Fixtures.Entry e) throws Exception
    {
        final TcpShmConfig config = e.config();
        final boolean c2s = e.name().endsWith(".c2s.bin");
        // a reply's text names the length of the request it answers: that of the client's message in the same session
        final Map<Integer, Integer> requestLength = c2s ? Map.of() :
            payloadLengths(fx.entry(e.name().replace(".s2c.bin", ".c2s.bin")));
        try (MappedRegion region = newPtcp(config))
        {
            final PtcpQueue q = new PtcpQueue(region.buffer(), config.tcpQueueSize(), config.byteOrder());
            assertThat(q.sanityCheck()).isNull();
            for (final JsonNode f : e.frames("app"))
            {
                final int type = f.get("msgType").asInt();
                final int length = f.get("size").asInt() - 8;
                // every payload is built from the README's convention, not from the capture, and checked against
                // the capture's decoding (the frame check below then covers the payload bytes too)
                final byte[] payload;
                if (c2s)
                {
                    payload = Fixtures.clientPayload(type, length);
                }
                else if (type > 100)
                {
                    assertThat(requestLength).as(e + " request of reply type " + type).containsKey(type - 100);
                    payload = Fixtures.replyPayload(type - 100, requestLength.get(type - 100));
                }
                else
                {
                    payload = serverPushPayload(type, length);
                }
                assertThat(Fixtures.hex(payload)).as(e + " payload convention, type " + type)
                    .isEqualTo(f.get("payloadHex").asText());
                final int ack = (int)f.get("ackSeq").asLong();
                assertThat(Bits.isNewer(q.myAck(), ack)).as(e + ": acks never go back").isFalse();
                while (q.myAck() != ack)
                {
                    q.incrementMyAck();
                }
                final byte[] frame = pushOne(q, type, payload);
                assertSamePart(e + " app frame @" + f.get("offset"), frame, e, f.get("offset").asInt());
                q.ack(q.seqEnd()); // keeps the queue from filling up; acks are not part of this check
            }
        }
    }

    /** The tcp-queue-compaction scenario: every snapshot of the client's file, replayed with PtcpQueue. */
    @Test
    void queueCompactionSequenceLeavesTheSameFiles() throws Exception
    {
        final TcpShmConfig config = fx.config("A");
        final Fixtures.Entry stream = fx.entry("tcp-queue-compaction/compaction.c2s.bin");
        final List<JsonNode> apps = stream.frames("app");
        final List<JsonNode> serverHeartbeats = fx.entry("tcp-queue-compaction/compaction.s2c.bin").frames("heartbeat");
        try (MappedRegion region = newPtcp(config))
        {
            final PtcpQueue q = new PtcpQueue(region.buffer(), config.tcpQueueSize(), config.byteOrder());
            assertThat(q.sanityCheck()).isNull();
            int next = 0;
            // the 12 messages before the server's first heartbeat (ack 3)
            while (next < apps.size() && apps.get(next).get("offset").asInt() < stream.frames("heartbeat").get(0).get("offset").asInt())
            {
                pushFrame(q, apps.get(next++));
            }
            assertThat(next).isEqualTo(12);
            assertFile("after 12 pushes", region, "tcp-queue-compaction/client_1_full.cli_srv.ptcp");

            assertThat(q.ack((int)serverHeartbeats.get(0).get("ackSeq").asLong())).isTrue();
            assertFile("after ack 3", region, "tcp-queue-compaction/client_2_acked3.cli_srv.ptcp");

            pushFrame(q, apps.get(next++));
            assertFile("after the compacting push", region, "tcp-queue-compaction/client_3_compacted.cli_srv.ptcp");

            pushFrame(q, apps.get(next++));
            pushFrame(q, apps.get(next++));
            assertThat(next).isEqualTo(apps.size());
            // the harness's next message (type 16, same size) does not fit even after compaction
            assertThat(q.alloc(apps.get(0).get("size").asInt() - 8)).as("alloc with a full queue").isEqualTo(-1);
            assertFile("after the failed alloc", region, "tcp-queue-compaction/client_4_allocfail.cli_srv.ptcp");

            assertThat(q.ack((int)serverHeartbeats.get(1).get("ackSeq").asLong())).isTrue();
            assertFile("after ack 15", region, "tcp-queue-compaction/client_5_allacked.cli_srv.ptcp");
        }
    }

    private static void pushFrame(final PtcpQueue q, final JsonNode f)
    {
        final int type = f.get("msgType").asInt();
        final byte[] payload = Fixtures.clientPayload(type, f.get("size").asInt() - 8);
        assertThat(Fixtures.hex(payload)).isEqualTo(f.get("payloadHex").asText());
        pushOne(q, type, payload);
    }

    /** Allocates, fills, pushes and "sends" one message; returns the bytes handed to the socket. */
    private static byte[] pushOne(final PtcpQueue q, final int type, final byte[] payload)
    {
        final int offset = q.alloc(payload.length);
        assertThat(offset).as("alloc of " + payload.length).isGreaterThanOrEqualTo(0);
        final ByteBuffer wire = q.wireBuffer();
        wire.putShort(offset + FrameHeader.TYPE_OFFSET, (short)type);
        for (int i = 0; i < payload.length; i++)
        {
            wire.put(offset + 8 + i, payload[i]);
        }
        q.push();
        final ByteBuffer unsent = q.unsent();
        final byte[] out = new byte[unsent.remaining()];
        unsent.get(out);
        q.sent(out.length);
        return out;
    }

    /**
     * docs/PROTOCOL.md: after a login, everything unacked is sent again from the oldest. The C++ files
     * left before each re-login, re-sent by PtcpQueue after the peer's handshake ack, give the
     * captured bytes.
     */
    @Test
    void resendAfterLoginEqualsTheCapture() throws Exception
    {
        // the client's offline pushes after it logs in again (ack from the server's response)
        checkResend("tcp-resume/client_offline.cli_srv.ptcp", "tcp-resume/resume1.s2c.bin", "tcp-resume/resume1.c2s.bin");
        // the server's unacked pushes after the killed client logs in again (ack from the client's login)
        checkResend("tcp-resume/server_unacked.srv_cli.ptcp", "tcp-resume/resume2.c2s.bin", "tcp-resume/resume2.s2c.bin");
        // big-endian: the server's message 4 re-sent after login2
        checkResend("tcp-bigendian/server.srv_cli.ptcp", "tcp-bigendian/login2.c2s.bin", "tcp-bigendian/login2.s2c.bin");
    }

    private void checkResend(final String file, final String peerStream, final String ourStream) throws Exception
    {
        final Fixtures.Entry ptcp = fx.entry(file);
        final TcpShmConfig config = ptcp.config();
        final Fixtures.Entry peer = fx.entry(peerStream);
        final Fixtures.Entry ours = fx.entry(ourStream);
        final Path dir = Files.createTempDirectory(tmp, "resend");
        try (MappedRegion region = MappedRegion.open(ptcp.copyTo(dir), PtcpQueue.fileSize(config.tcpQueueSize()), false, 0, 0))
        {
            final PtcpQueue q = new PtcpQueue(region.buffer(), config.tcpQueueSize(), config.byteOrder());
            assertThat(q.sanityCheck()).as(file).isNull();
            final int peerAck = (int)peer.frames().get(0).get("ackSeq").asLong();
            assertThat(q.loginAck(peerAck)).as(file + " loginAck " + peerAck).isTrue();
            final ByteBuffer unsent = q.unsent();
            final byte[] resent = new byte[unsent.remaining()];
            unsent.get(resent);
            final int start = ours.frames().get(0).get("frameBytes").asInt();
            final List<JsonNode> apps = ours.frames("app");
            final JsonNode last = apps.get(apps.size() - 1);
            assertThat(start + resent.length).as(file + ": re-sent bytes end with the last captured app frame")
                .isEqualTo(last.get("offset").asInt() + last.get("frameBytes").asInt());
            assertSamePart(file + " re-sent", resent, ours, start);
        }
    }

    // ------------------------------------------------------------------------------------ SHM rings

    @TestFactory
    List<DynamicTest> shmRingsReplayedWithShmRingEqualTheCapture()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final String name : List.of("shm/cli_srv.shm", "shm/srv_cli.shm"))
        {
            tests.add(DynamicTest.dynamicTest(name, () -> replayRing(fx.entry(name))));
        }
        return tests;
    }

    private void replayRing(final Fixtures.Entry e) throws Exception
    {
        final TcpShmConfig config = e.config();
        final Fixtures.Entry clientRing = fx.entry("shm/cli_srv.shm");
        final Map<Integer, Integer> clientPayloadLength = new HashMap<>();
        clientRing.json.get("pushHistory").forEach(p -> clientPayloadLength.put(p.get("msgType").asInt(), p.get("payloadLen").asInt()));
        final Map<Integer, String> unconsumedPayload = new HashMap<>();
        e.json.get("unconsumed").forEach(u ->
        {
            if (u.has("payloadHex"))
            {
                unconsumedPayload.put(u.get("index").asInt(), u.get("payloadHex").asText());
            }
        });
        final boolean clientProduced = e.json.get("producer").asText().equals("client");

        final Path file = Files.createTempDirectory(tmp, "ring").resolve(e.json.get("fileName").asText());
        try (MappedRegion region = MappedRegion.open(file, ShmRing.fileSize(config.shmQueueSize()), false, 0, 0))
        {
            final ShmRing producer = ShmRing.producer(region.buffer(), config.shmQueueSize());
            final ShmRing consumer = ShmRing.consumer(region.buffer(), config.shmQueueSize());
            for (final JsonNode p : e.json.get("pushHistory"))
            {
                final int type = p.get("msgType").asInt();
                final int len = p.get("payloadLen").asInt();
                final int index = p.get("index").asInt();
                final byte[] payload;
                if (clientProduced)
                {
                    payload = Fixtures.clientPayload(type, len);
                }
                else if (type > 100)
                {
                    payload = Fixtures.replyPayload(type - 100, clientPayloadLength.get(type - 100));
                }
                else
                {
                    payload = serverPushPayload(type, len);
                }
                assertThat(payload.length).as(e + " type " + type).isEqualTo(len);
                if (unconsumedPayload.containsKey(index))
                {
                    assertThat(Fixtures.hex(payload)).as(e + " payload of type " + type).isEqualTo(unconsumedPayload.get(index));
                }
                final int offset = producer.alloc(len);
                assertThat(offset).as(e + " alloc type " + type).isEqualTo(p.get("slots").get(0).asInt() * ShmRing.BLOCK);
                if (p.has("rewindMarkerAt"))
                {
                    assertThat(region.buffer().getShort(p.get("rewindMarkerAt").get("slot").asInt() * ShmRing.BLOCK))
                        .as(e + " rewind marker size").isZero();
                }
                final ByteBuffer b = producer.buffer();
                b.putShort(offset + FrameHeader.TYPE_OFFSET, (short)type);
                for (int i = 0; i < len; i++)
                {
                    b.put(offset + 8 + i, payload[i]);
                }
                producer.push();
                assertThat(producer.publishedWriteIdx()).as(e + " writeIdx after type " + type)
                    .isEqualTo(index + p.get("blocks").asInt());
                if (p.get("state").asText().equals("consumed"))
                {
                    // the C++ consumer popped it before the next push (lock-step request/reply)
                    assertThat(consumer.front()).as(e + " front type " + type).isEqualTo(offset);
                    consumer.pop();
                }
            }
            final int r = Bits.roundUp(config.shmQueueSize(), 128);
            final int cache = region.buffer().getInt(r + 4);
            // docs/PROTOCOL.md: our producer may keep its readIdx cache private; if it writes R+4 at all,
            // never a value newer than readIdx. So R+4 is checked by that rule, not byte for byte.
            assertThat(Bits.isNewer(cache, consumer.publishedReadIdx())).as(e + " producer cache at R+4").isFalse();
            Fixtures.assertSameOutsideIgnorable(e + " replayed", FileReadingTest.bytesOf(region.buffer()), e,
                List.of(new int[] {r + 4, 4}));
        }
    }

    // ------------------------------------------------------------------------------------- helpers

    /** README convention of the C++ harness server's unprompted pushes: byte i is {@code base + i}. */
    private static byte[] serverPushPayload(final int type, final int length)
    {
        assertThat(SERVER_PUSH_BASE).as("base of the server's push of type " + type).containsKey(type);
        final byte[] p = new byte[length];
        for (int i = 0; i < length; i++)
        {
            p[i] = (byte)(SERVER_PUSH_BASE.get(type) + i);
        }
        return p;
    }

    /** Payload length by type of the application messages of a stream (a type sent twice must keep its length). */
    private static Map<Integer, Integer> payloadLengths(final Fixtures.Entry stream)
    {
        final Map<Integer, Integer> lengths = new HashMap<>();
        for (final JsonNode f : stream.frames("app"))
        {
            final Integer before = lengths.put(f.get("msgType").asInt(), f.get("size").asInt() - 8);
            assertThat(before == null || before == f.get("size").asInt() - 8).as(stream + " type " + f.get("msgType"))
                .isTrue();
        }
        return lengths;
    }

    private MappedRegion newPtcp(final TcpShmConfig config) throws Exception
    {
        final Path file = Files.createTempDirectory(tmp, "q").resolve("cli_srv.ptcp");
        return MappedRegion.open(file, PtcpQueue.fileSize(config.tcpQueueSize()), false, 0, 0);
    }

    private void assertFile(final String what, final MappedRegion region, final String fixture)
    {
        Fixtures.assertSameOutsideIgnorable(what, FileReadingTest.bytesOf(region.buffer()), fx.entry(fixture));
    }

    /**
     * Compares {@code actual} with the capture's bytes at {@code start .. start + actual.length},
     * outside the capture's ignorable ranges.
     */
    static void assertSamePart(final String what, final byte[] actual, final Fixtures.Entry capture, final int start)
    {
        final byte[] all = capture.bytes();
        assertThat(start + actual.length).as(what + ": inside " + capture.name()).isLessThanOrEqualTo(all.length);
        final List<int[]> ignorable = capture.ignorable();
        final StringBuilder diffs = new StringBuilder();
        for (int i = 0; i < actual.length; i++)
        {
            if (actual[i] != all[start + i] && !Fixtures.isIgnorable(ignorable, start + i))
            {
                diffs.append(String.format("@%d: ours %02x, C++ %02x%n", start + i, actual[i] & 0xFF, all[start + i] & 0xFF));
            }
        }
        assertThat(diffs.toString()).as(what + " against " + capture.name() + "\nours " + Fixtures.hex(actual)).isEmpty();
    }
}
