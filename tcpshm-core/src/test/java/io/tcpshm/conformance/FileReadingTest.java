package io.tcpshm.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.files.PtcpQueueDescriptor;
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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code .ptcp}, {@code .shm} and {@code .lastserver} file the C++ peers left behind, read
 * with our own classes (copies in a temp dir; the shared folder is never written).
 */
class FileReadingTest
{
    private final Fixtures fx = Fixtures.get();

    @TempDir
    Path tmp;

    @TestFactory
    List<DynamicTest> everyPtcpFileReadsAsDecoded()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Fixtures.Entry e : fx.entries("ptcp"))
        {
            tests.add(DynamicTest.dynamicTest(e.name(), () -> checkPtcp(e)));
        }
        return tests;
    }

    private void checkPtcp(final Fixtures.Entry e) throws Exception
    {
        final TcpShmConfig config = e.config();
        final Path dir = Files.createTempDirectory(tmp, "ptcp");
        final Path file = e.copyTo(dir);
        try (MappedRegion region = MappedRegion.open(file, PtcpQueue.fileSize(config.tcpQueueSize()), false, 0, 0))
        {
            final PtcpQueue q = new PtcpQueue(region.buffer(), config.tcpQueueSize(), config.byteOrder());
            assertThat(Bits.u32(q.writeIdx())).as(e + " writeIdx").isEqualTo(e.indexField("writeIdx"));
            assertThat(Bits.u32(q.readIdx())).as(e + " readIdx").isEqualTo(e.indexField("readIdx"));
            assertThat(Bits.u32(sendIdx(region, config))).as(e + " sendIdx").isEqualTo(e.indexField("sendIdx"));
            assertThat(Bits.u32(q.seqStart())).as(e + " readSeq").isEqualTo(e.indexField("readSeq"));
            assertThat(Bits.u32(q.myAck())).as(e + " myAck").isEqualTo(e.indexField("myAck"));

            // Every fixture passes the login check of docs/PROTOCOL.md ("PTCP queue file"), including
            // tcp-reject/client_corrupt_ack: its queue is empty, so no stamped ack can be newer than
            // myAck and the walk ends at writeIdx. Its myAck of 9 is caught by the server's sequence
            // check instead (status 1, seq_mismatch.s2c.bin), not by the file check.
            assertThat(q.sanityCheck()).as(e + " sanityCheck").isNull();
            assertThat(Bits.u32(q.seqStart())).as(e + " seqStart").isEqualTo(e.json.get("seqStart").asLong());
            assertThat(Bits.u32(q.seqEnd())).as(e + " seqEnd").isEqualTo(e.json.get("seqEnd").asLong());
            assertThat(Bits.u32(sendIdx(region, config))).as(e + ": the check keeps a valid sendIdx").isEqualTo(e.indexField("sendIdx"));

            final JsonNode queued = e.json.get("queued");
            assertThat(q.queuedCount()).as(e + " queued count").isEqualTo(queued.size());
            final ByteBuffer wire = q.wireBuffer();
            int idx = q.readIdx();
            long seq = Bits.u32(q.seqStart());
            for (final JsonNode m : queued)
            {
                final String at = e + " queued seq " + seq;
                final int offset = idx * 8;
                final int size = FrameHeader.size(wire, offset);
                assertThat(idx).as(at + " blockIdx").isEqualTo(m.get("blockIdx").asInt());
                assertThat(offset).as(at + " offset").isEqualTo(m.get("offset").asInt());
                assertThat(seq).as(at + " seq").isEqualTo(m.get("seq").asLong());
                assertThat(size).as(at + " size").isEqualTo(m.get("size").asInt());
                assertThat(FrameHeader.msgType(wire, offset)).as(at + " msgType").isEqualTo(m.get("msgType").asInt());
                assertThat(Bits.u32(FrameHeader.ackSeq(wire, offset))).as(at + " ackSeq").isEqualTo(m.get("ackSeq").asLong());
                assertThat(Bits.roundUp8(size) / 8).as(at + " blocks").isEqualTo(m.get("blocks").asInt());
                assertThat(hex(wire, offset, 8)).as(at + " header").isEqualTo(m.get("headerHex").asText());
                assertThat(hex(wire, offset + 8, size - 8)).as(at + " payload").isEqualTo(m.get("payloadHex").asText());
                assertThat(idx < sendIdx(region, config) ? "sent" : "not yet sent").as(at + " state").isEqualTo(m.get("state").asText());
                idx += Bits.roundUp8(size) / 8;
                seq++;
            }
            assertThat(idx).as(e + ": the queued messages end at writeIdx").isEqualTo(q.writeIdx());
        }
    }

    @TestFactory
    List<DynamicTest> everyShmRingConsumesAsDecoded()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Fixtures.Entry e : fx.entries("shm"))
        {
            tests.add(DynamicTest.dynamicTest(e.name(), () -> checkShm(e)));
        }
        return tests;
    }

    /** {@code sendIdx} as stored in the mapped file (the queue keeps its own copy). */
    private static int sendIdx(final MappedRegion region, final TcpShmConfig config)
    {
        return region.buffer().getInt(PtcpQueueDescriptor.indexAreaOffset(config.tcpQueueSize()) +
            PtcpQueueDescriptor.SEND_IDX_OFFSET);
    }

    private void checkShm(final Fixtures.Entry e) throws Exception
    {
        final TcpShmConfig config = e.config();
        final Path dir = Files.createTempDirectory(tmp, "shm");
        final Path file = e.copyTo(dir);
        try (MappedRegion region = MappedRegion.open(file, ShmRing.fileSize(config.shmQueueSize()), false, 0, 0))
        {
            assertThat(ShmRing.sanityCheck(region.buffer(), config.shmQueueSize())).as(e + " sanityCheck").isNull();
            final ShmRing ring = ShmRing.consumer(region.buffer(), config.shmQueueSize());
            assertThat(config.shmBlockCount()).as(e + " blocks").isEqualTo(e.json.get("blocks").asInt());
            assertThat(Bits.u32(ring.publishedWriteIdx())).as(e + " writeIdx").isEqualTo(e.indexField("writeIdx"));
            assertThat(Bits.u32(ring.publishedReadIdx())).as(e + " readIdx").isEqualTo(e.indexField("readIdx"));
            final int r = Bits.roundUp(config.shmQueueSize(), 128);
            assertThat(Bits.u32(ring.buffer().getInt(r + 4))).as(e + " producer's readIdx cache")
                .isEqualTo(e.indexField("producerReadIdxCache"));

            for (final JsonNode u : e.json.get("unconsumed"))
            {
                if (u.get("kind").asText().equals("rewindMarker"))
                {
                    // front() skips it: the next message must start at slot 0 (checked below)
                    assertThat(ring.buffer().getShort(u.get("slot").asInt() * ShmRing.BLOCK)).as(e + " marker size").isZero();
                    continue;
                }
                final String at = e + " entry at index " + u.get("index").asInt();
                final int offset = ring.front();
                assertThat(offset).as(at + ": front").isEqualTo(u.get("slot").asInt() * ShmRing.BLOCK);
                final ByteBuffer b = ring.buffer();
                final int size = FrameHeader.size(b, offset);
                assertThat(size).as(at + " size").isEqualTo(u.get("size").asInt());
                assertThat(FrameHeader.msgType(b, offset)).as(at + " msgType").isEqualTo(u.get("msgType").asInt());
                assertThat(hex(b, offset + 8, size - 8)).as(at + " payload").isEqualTo(u.get("payloadHex").asText());
                assertThat(Bits.u32(ring.readIdx()) % config.shmBlockCount()).as(at + " slot").isEqualTo(u.get("slot").asLong());
                ring.pop();
            }
            assertThat(ring.front()).as(e + ": empty after the listed entries").isEqualTo(-1);
            assertThat(ring.publishedReadIdx()).as(e + ": readIdx caught up").isEqualTo(ring.publishedWriteIdx());

            // the C++ consumer of the re-login did exactly this: the file now equals its after_relogin snapshot
            if (!e.name().contains("after_relogin"))
            {
                Fixtures.assertSameOutsideIgnorable(e + " consumed by us", bytesOf(region.buffer()),
                    fx.entry(e.name().replace(".shm", ".after_relogin.shm")));
            }
        }
    }

    @TestFactory
    List<DynamicTest> everyLastServerFileReadsAsDecoded()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Fixtures.Entry e : fx.entries("lastserver"))
        {
            tests.add(DynamicTest.dynamicTest(e.name(), () -> checkLastServer(e)));
        }
        return tests;
    }

    private void checkLastServer(final Fixtures.Entry e) throws Exception
    {
        final TcpShmConfig config = e.config();
        final byte[] bytes = e.bytes();
        assertThat(bytes.length).as(e + " size").isEqualTo(config.nameSize());
        assertThat(LoginCodec.readCString(ByteBuffer.wrap(bytes), 0, config.nameSize())).as(e + " C string")
            .isEqualTo(e.json.get("value").asText());

        // and through the client, which reads it to fill lastServerName in its login
        final Path dir = Files.createTempDirectory(tmp, "last");
        e.copyTo(dir);
        final String clientName = e.json.get("fileName").asText().replace(".lastserver", "");
        final TcpShmClient client = new TcpShmClient(clientName, dir, config, new RecordingClientHandler());
        try
        {
            assertThat(client.lastServerName()).as(e + " via TcpShmClient").isEqualTo(e.json.get("value").asText());
        }
        finally
        {
            client.stop();
        }
    }

    @Test
    void corruptAckFileIsRefusedByTheServersSequenceCheckNotByTheFileCheck()
    {
        // docs/PROTOCOL.md ("Server side of a login", step 7): the client's ack (9) must lie in [serverSeqStart, serverSeqEnd] = [2, 2]
        final Fixtures.Entry corrupt = fx.entry("tcp-reject/client_corrupt_ack.cli_srv.ptcp");
        final Fixtures.Entry server = fx.entry("tcp-reject/server.srv_cli.ptcp");
        final long clientAck = corrupt.indexField("myAck");
        assertThat(Bits.inRange((int)clientAck, (int)server.json.get("seqStart").asLong(),
            (int)server.json.get("seqEnd").asLong())).isFalse();
        final JsonNode rsp = fx.entry("tcp-reject/seq_mismatch.s2c.bin").frames("loginRsp").get(0);
        assertThat(rsp.get("values").get("status").asInt()).isEqualTo(LoginCodec.STATUS_SEQ_MISMATCH);
    }

    static byte[] bytesOf(final ByteBuffer b)
    {
        final byte[] bytes = new byte[b.capacity()];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = b.get(i);
        }
        return bytes;
    }

    static String hex(final ByteBuffer b, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = b.get(offset + i);
        }
        return Fixtures.hex(bytes);
    }
}
