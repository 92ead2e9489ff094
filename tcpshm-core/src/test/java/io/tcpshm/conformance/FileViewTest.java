package io.tcpshm.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.files.PtcpQueueDescriptor;
import io.tcpshm.files.PtcpQueueFile;
import io.tcpshm.files.ShmRingDescriptor;
import io.tcpshm.files.ShmRingFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public read-only file views ({@code io.tcpshm.files}) read every PTCP queue and SHM ring the C++
 * peers left behind as the captures decode them, and never change a byte of the file.
 */
class FileViewTest
{
    private final Fixtures fx = Fixtures.get();

    @TempDir
    Path tmp;

    @TestFactory
    List<DynamicTest> everyCppQueueFileReadsThroughTheView()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Fixtures.Entry e : fx.entries("ptcp"))
        {
            tests.add(DynamicTest.dynamicTest(e.name(), () ->
            {
                final TcpShmConfig config = e.config();
                final Path file = e.copyTo(Files.createTempDirectory(tmp, "ptcp"));
                final byte[] before = Files.readAllBytes(file);
                final PtcpQueueFile view = PtcpQueueFile.read(file);
                assertThat(view.fileLength()).isEqualTo(PtcpQueueDescriptor.fileLength(config.tcpQueueSize()));
                assertThat(view.tcpQueueSize()).isEqualTo(config.tcpQueueSize());
                assertThat(view.writeIdx()).as(e + " writeIdx").isEqualTo(e.indexField("writeIdx"));
                assertThat(view.readIdx()).as(e + " readIdx").isEqualTo(e.indexField("readIdx"));
                assertThat(view.sendIdx()).as(e + " sendIdx").isEqualTo(e.indexField("sendIdx"));
                assertThat(view.readSeq()).as(e + " readSeq").isEqualTo(e.indexField("readSeq"));
                assertThat(view.myAck()).as(e + " myAck").isEqualTo(e.indexField("myAck"));
                final PtcpQueueFile.Contents contents = view.contents();
                assertThat(contents.problem()).as(e + " problem").isNull();
                assertThat(contents.seqStart()).as(e + " seqStart").isEqualTo(e.json.get("seqStart").asLong());
                assertThat(contents.seqEnd()).as(e + " seqEnd").isEqualTo(e.json.get("seqEnd").asLong());
                assertThat(contents.messagesQueued()).as(e + " queued").isEqualTo(e.json.get("queued").size());
                if (contents.messagesQueued() > 0)
                {
                    assertThat(contents.headerOrder()).as(e + " header order").isEqualTo(config.byteOrder());
                }
                assertThat(Arrays.equals(Files.readAllBytes(file), before)).as(e + ": the file is unchanged").isTrue();
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> everyCppRingFileReadsThroughTheView()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Fixtures.Entry e : fx.entries("shm"))
        {
            tests.add(DynamicTest.dynamicTest(e.name(), () ->
            {
                final TcpShmConfig config = e.config();
                final Path file = e.copyTo(Files.createTempDirectory(tmp, "shm"));
                final byte[] before = Files.readAllBytes(file);
                final ShmRingFile view = ShmRingFile.read(file);
                assertThat(view.fileLength()).isEqualTo(ShmRingDescriptor.fileLength(config.shmQueueSize()));
                if (config.shmQueueSize() > 64)
                {
                    assertThat(view.shmQueueSize()).isEqualTo(config.shmQueueSize());
                    assertThat(view.blocks()).as(e + " blocks").isEqualTo(e.json.get("blocks").asInt());
                }
                assertThat(view.writeIdx()).as(e + " writeIdx").isEqualTo(e.indexField("writeIdx"));
                assertThat(view.readIdx()).as(e + " readIdx").isEqualTo(e.indexField("readIdx"));
                final ShmRingFile.Contents contents = view.contents();
                assertThat(contents.problem()).as(e + " problem").isNull();
                long messages = 0;
                long bytes = 0;
                for (final JsonNode u : e.json.get("unconsumed"))
                {
                    if (!u.get("kind").asText().equals("rewindMarker"))
                    {
                        messages++;
                        bytes += u.get("size").asLong();
                    }
                }
                assertThat(contents.messagesUnconsumed()).as(e + " messages").isEqualTo(messages);
                assertThat(contents.bytesUnconsumed()).as(e + " bytes").isEqualTo(bytes);
                assertThat(Arrays.equals(Files.readAllBytes(file), before)).as(e + ": the file is unchanged").isTrue();
            }));
        }
        return tests;
    }
}
