package io.tcpshm.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpshm.files.PtcpQueueDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tcpshm inspect} on damaged files: PTCP queues whose indices or message walk are corrupt,
 * SHM rings whose indices are more than a ring apart, files of the wrong size. It must not crash,
 * exits 0 (it reports, it does not judge), names the damage in each file's {@code sanity}, still
 * reports the sound files next to them, and changes no byte.
 */
class InspectDamagedFilesTest
{
    private static final int Q = 2000;
    private static final int BLOCKS = Q / 8;
    private static final int S = 2048;
    private static final int C = S / 64;

    @TempDir
    Path tmp;

    private Path dir;
    private Path shmDir;

    @BeforeEach
    void dirs() throws IOException
    {
        dir = Files.createDirectories(tmp.resolve("ptcp"));
        shmDir = Files.createDirectories(tmp.resolve("shm"));
    }

    /** A PTCP file of tcpQueueSize 2000 with little-endian headers; indices in host order. */
    private static final class Ptcp
    {
        final ByteBuffer wire = ByteBuffer.allocate(Q + PtcpQueueDescriptor.INDEX_AREA_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer host = wire.duplicate().order(ByteOrder.nativeOrder());

        /** An echo message of {@code type} at {@code block}: size 8 + 4 type, the given ack. */
        Ptcp message(final int block, final int size, final int type, final int ack)
        {
            wire.putShort(block * 8, (short)size).putShort(block * 8 + 2, (short)type).putInt(block * 8 + 4, ack);
            for (int i = 0; i < type; i++)
            {
                wire.putInt(block * 8 + 8 + 4 * i, 100 + i);
            }
            return this;
        }

        Ptcp indices(final int writeIdx, final int readIdx, final int sendIdx, final int readSeq, final int myAck)
        {
            host.putInt(Q, writeIdx).putInt(Q + 4, readIdx).putInt(Q + 8, sendIdx).putInt(Q + 12, readSeq)
                .putInt(Q + 16, myAck);
            return this;
        }

        void write(final Path f) throws IOException
        {
            Files.write(f, wire.array());
        }
    }

    /** A ring file of shmQueueSize 2048 with the given published indices (host order). */
    private static ByteBuffer ring(final int writeIdx, final int readIdx)
    {
        final ByteBuffer b = ByteBuffer.allocate(S + 256).order(ByteOrder.nativeOrder());
        b.putInt(S, writeIdx).putInt(S + 128, readIdx);
        return b;
    }

    private Map<String, byte[]> snapshot() throws IOException
    {
        final Map<String, byte[]> all = new TreeMap<>();
        for (final Path d : new Path[] {dir, shmDir})
        {
            try (Stream<Path> list = Files.list(d))
            {
                for (final Path f : (Iterable<Path>)list::iterator)
                {
                    all.put(d.getFileName() + "/" + f.getFileName(), Files.readAllBytes(f));
                }
            }
        }
        return all;
    }

    private CommandRun inspect(final boolean json)
    {
        final CommandRun run = json ?
            CommandRun.run("inspect", dir.toString(), "--shm-dir", shmDir.toString(), "--json") :
            CommandRun.run("inspect", dir.toString(), "--shm-dir", shmDir.toString());
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.err).as(run.toString()).isEmpty();
        return run;
    }

    private static Map<String, JsonNode> byName(final JsonNode list, final String field)
    {
        final Map<String, JsonNode> m = new HashMap<>();
        for (final JsonNode n : list)
        {
            m.put(n.get(field).asText(), n);
        }
        return m;
    }

    @Test
    void corruptQueuesAreReportedWithWhatIsWrong() throws Exception
    {
        // a sound queue first, so that the damaged ones below differ from it only by their damage
        new Ptcp().message(0, 12, 1, 3).message(2, 16, 2, 3).indices(4, 0, 4, 7, 3).write(dir.resolve("cli_good.ptcp"));
        new Ptcp().message(0, 12, 1, 3).indices(BLOCKS + 1, 0, 0, 7, 3).write(dir.resolve("cli_wbeyond.ptcp"));
        new Ptcp().message(0, 12, 1, 3).indices(0xFFFF_FFF0, 0, 0, 7, 3).write(dir.resolve("cli_wneg.ptcp"));
        new Ptcp().message(0, 12, 1, 3).indices(2, 3, 2, 7, 3).write(dir.resolve("cli_rbeyond.ptcp"));
        new Ptcp().message(0, 4, 1, 3).indices(2, 0, 0, 5, 3).write(dir.resolve("cli_small.ptcp"));
        new Ptcp().message(0, 12, 1, 3).indices(3, 0, 0, 5, 3).write(dir.resolve("cli_zero.ptcp"));
        new Ptcp().message(0, 12, 1, 3).indices(1, 0, 0, 5, 3).write(dir.resolve("cli_overrun.ptcp"));
        new Ptcp().message(0, 12, 1, 10).indices(2, 0, 0, 5, 3).write(dir.resolve("cli_ack.ptcp"));
        // an ack mark in sendIdx whose readIdx is beyond the queue (recovery cannot complete it)
        new Ptcp().message(0, 12, 1, 3).indices(2, 0, PtcpQueueDescriptor.IN_PROGRESS_MARK | (BLOCKS + 5), 5, 3).write(dir.resolve("cli_mark.ptcp"));
        Files.write(dir.resolve("cli_short.ptcp"), new byte[Q + 21]);
        Files.write(dir.resolve("cli_empty.ptcp"), new byte[0]);
        final Map<String, byte[]> before = snapshot();

        final JsonNode view = new ObjectMapper().readTree(inspect(true).out);
        final Map<String, JsonNode> q = byName(view.get("ptcp"), "remote");
        assertThat(q).hasSize(11);
        final JsonNode good = q.get("good");
        assertThat(good.get("sanity").asText()).isEqualTo("ok");
        assertThat(good.get("headerByteOrder").asText()).isEqualTo("little-endian");
        assertThat(good.get("messagesQueued").asLong()).isEqualTo(2);
        assertThat(good.get("seqStart").asLong()).isEqualTo(7);
        assertThat(good.get("seqEnd").asLong()).isEqualTo(9);

        final Map<String, String> expected = new TreeMap<>();
        expected.put("wbeyond", "corrupt: writeIdx 251 is beyond the queue's 250 blocks");
        expected.put("wneg", "corrupt: writeIdx 4294967280 is beyond the queue's 250 blocks");
        expected.put("rbeyond", "corrupt: readIdx 3 is beyond writeIdx 2");
        expected.put("small", "corrupt: message 5 at block 0 has size 4");
        expected.put("zero", "corrupt: message 6 at block 2 has size 0");
        expected.put("overrun", "corrupt: the last message ends at block 2, not at writeIdx 1");
        expected.put("ack", "corrupt: message 5 at block 0 carries ack 10, newer than myAck 3");
        expected.put("mark", "corrupt: sendIdx holds an ack mark with readIdx 255 beyond the queue's 250 blocks");
        expected.put("short", "wrong size: 2021 bytes is not tcpQueueSize + 20 with tcpQueueSize a multiple of 8");
        expected.put("empty", "wrong size: 0 bytes is not tcpQueueSize + 20 with tcpQueueSize a multiple of 8");
        expected.forEach((name, sanity) ->
        {
            final JsonNode n = q.get(name);
            assertThat(n.get("sanity").asText()).as(name).isEqualTo(sanity);
            assertThat(n.get("local").asText()).as(name).isEqualTo("cli");
            // no figure derived from a walk that failed
            assertThat(n.has("messagesQueued")).as(name).isFalse();
            assertThat(n.has("seqStart")).as(name).isFalse();
            assertThat(n.has("headerByteOrder")).as(name).isFalse();
        });
        // the raw indices are shown as unsigned 32-bit values
        assertThat(q.get("wneg").get("writeIdx").asLong()).isEqualTo(0xFFFF_FFF0L);
        assertThat(q.get("wbeyond").get("writeIdx").asLong()).isEqualTo(BLOCKS + 1);
        assertThat(q.get("mark").get("sendIdx").asLong()).isEqualTo((PtcpQueueDescriptor.IN_PROGRESS_MARK | (BLOCKS + 5)) & 0xFFFF_FFFFL);
        assertThat(q.get("short").get("fileBytes").asLong()).isEqualTo(Q + 21);
        assertThat(q.get("short").has("writeIdx")).isFalse();

        final String text = inspect(false).out;
        assertThat(text).contains("TCP cli -> wbeyond  " + dir.resolve("cli_wbeyond.ptcp"),
            "writeIdx 251  readIdx 0  sendIdx 0  readSeq 7  (tcpQueueSize 2000)",
            "sanity: corrupt: writeIdx 251 is beyond the queue's 250 blocks",
            "sanity: corrupt: message 5 at block 0 has size 4",
            "sanity: wrong size: 0 bytes is not tcpQueueSize + 20",
            "sanity: ok");
        // the damaged files are shown, not repaired (recovery runs on a private copy)
        final Map<String, byte[]> after = snapshot();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    }

    @Test
    void aQueueWithAnInterruptedAckIsCompletedInTheReportButNotInTheFile() throws Exception
    {
        // a process killed inside an ack that emptied the queue: mark (old writeIdx 2) stored, index pair not yet 0
        new Ptcp().message(0, 12, 1, 3).indices(2, 0, PtcpQueueDescriptor.IN_PROGRESS_MARK | 2, 6, 3).write(dir.resolve("cli_srv.ptcp"));
        final byte[] before = Files.readAllBytes(dir.resolve("cli_srv.ptcp"));
        final JsonNode q = new ObjectMapper().readTree(inspect(true).out).get("ptcp").get(0);
        assertThat(q.get("sanity").asText()).isEqualTo("ok");
        assertThat(q.get("messagesQueued").asLong()).isZero();
        assertThat(q.get("seqStart").asLong()).isEqualTo(6);
        assertThat(Files.readAllBytes(dir.resolve("cli_srv.ptcp"))).isEqualTo(before);
    }

    @Test
    void ringsMoreThanARingApartAreReportedWithTheirIndices() throws Exception
    {
        // a known name for the ring files' names
        Files.write(dir.resolve("cli.lastserver"), "srv\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Files.write(shmDir.resolve("cli_ahead.shm"), ring(38, 5).array());
        Files.write(shmDir.resolve("cli_behind.shm"), ring(5, 9).array());
        final ByteBuffer badHeader = ring(2, 0);
        badHeader.putShort(0, (short)3);
        Files.write(shmDir.resolve("cli_header.shm"), badHeader.array());
        final ByteBuffer full = ring(C, 0);
        for (int b = 0; b < C; b++)
        {
            full.putShort(b * 64, (short)12).putShort(b * 64 + 2, (short)1);
        }
        Files.write(shmDir.resolve("cli_full.shm"), full.array());
        // indices run freely: 32 blocks apart across the 2^32 wrap is a full ring, not damage
        final ByteBuffer wrap = ByteBuffer.wrap(full.array().clone()).order(ByteOrder.nativeOrder());
        wrap.putInt(S, 0x0000_0010).putInt(S + 128, 0xFFFF_FFF0);
        Files.write(shmDir.resolve("cli_wrap.shm"), wrap.array());
        Files.write(shmDir.resolve("cli_size.shm"), new byte[S + 255]);
        final Map<String, byte[]> before = snapshot();

        final JsonNode view = new ObjectMapper().readTree(inspect(true).out);
        final Map<String, JsonNode> r = byName(view.get("shm"), "receiver");
        assertThat(r).containsOnlyKeys("ahead", "behind", "wrap", "header", "full", "size");
        assertThat(r.get("ahead").get("sanity").asText())
            .isEqualTo("corrupt: writeIdx 38 and readIdx 5 are 33 blocks apart, outside 0..32");
        assertThat(r.get("behind").get("sanity").asText())
            .isEqualTo("corrupt: writeIdx 5 and readIdx 9 are -4 blocks apart, outside 0..32");
        for (final String name : new String[] {"ahead", "behind"})
        {
            assertThat(r.get(name).get("blocks").asLong()).isEqualTo(C);
            assertThat(r.get(name).has("blocksUsed")).as(name).isFalse();
            assertThat(r.get(name).has("messagesUnconsumed")).as(name).isFalse();
        }
        assertThat(r.get("ahead").get("writeIdx").asLong()).isEqualTo(38);
        assertThat(r.get("behind").get("readIdx").asLong()).isEqualTo(9);
        assertThat(r.get("header").get("sanity").asText()).isEqualTo("corrupt: invalid message header at readIdx 0");
        assertThat(r.get("full").get("sanity").asText()).isEqualTo("ok");
        assertThat(r.get("full").get("messagesUnconsumed").asLong()).isEqualTo(C);
        assertThat(r.get("full").get("fillPercent").asDouble()).isEqualTo(100.0);
        assertThat(r.get("full").get("bytesUnconsumed").asLong()).isEqualTo(12L * C);
        assertThat(r.get("wrap").get("sanity").asText()).isEqualTo("ok");
        assertThat(r.get("wrap").get("readIdx").asLong()).isEqualTo(0xFFFF_FFF0L);
        assertThat(r.get("wrap").get("blocksUsed").asLong()).isEqualTo(C);
        assertThat(r.get("wrap").get("messagesUnconsumed").asLong()).isEqualTo(C);
        assertThat(r.get("size").get("sanity").asText())
            .isEqualTo("wrong size: 2303 bytes is not roundUp(shmQueueSize, 128) + 256");

        final String text = inspect(false).out;
        assertThat(text).contains("SHM cli -> ahead  " + shmDir.resolve("cli_ahead.shm"),
            "sanity: corrupt: writeIdx 38 and readIdx 5 are 33 blocks apart, outside 0..32",
            "writeIdx 38  readIdx 5  used ? of 32 blocks (?%)",
            "sanity: wrong size: 2303 bytes");
        final Map<String, byte[]> after = snapshot();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    }

    /** An empty queue holds no header to tell the byte order by: inspect says so instead of guessing. */
    @Test
    void anEmptyQueueHasNoKnownHeaderByteOrder() throws Exception
    {
        new Ptcp().indices(0, 0, 0, 9, 4).write(dir.resolve("cli_empty0.ptcp"));
        final JsonNode view = new ObjectMapper().readTree(inspect(true).out);
        final JsonNode q = byName(view.get("ptcp"), "remote").get("empty0");
        assertThat(q.get("sanity").asText()).isEqualTo("ok");
        assertThat(q.get("messagesQueued").asLong()).isZero();
        assertThat(q.get("headerByteOrder").asText()).isEqualTo("unknown (no message queued)");
    }
}
