package io.tcpshm;

import io.tcpshm.files.PtcpQueueDescriptor;
import io.tcpshm.testing.Await;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The flight recorder events, recorded and read back: a login on both sides, a rejected login on both
 * sides, a disconnect on both sides with its reason, a sequence number mismatch on both sides with the
 * numbers of each, and a client's file error.
 */
class FlightEventsTest
{
    private static final List<String> EVENTS = List.of("io.tcpshm.Login", "io.tcpshm.LoginReject",
        "io.tcpshm.Disconnect", "io.tcpshm.SequenceMismatch", "io.tcpshm.FileError");

    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(TestConfigs.T0);

    @Test
    void loginsRejectsDisconnectsMismatchesAndFileErrorsAreRecorded() throws Exception
    {
        final List<RecordedEvent> recorded;
        try (Recording recording = new Recording())
        {
            EVENTS.forEach(recording::enable);
            recording.start();
            playEveryEvent();
            recording.stop();
            final Path file = tmp.resolve("tcpshm.jfr");
            recording.dump(file);
            recorded = RecordingFile.readAllEvents(file);
        }

        final RecordedEvent clientLogin = one(recorded, "io.tcpshm.Login", "client", "cli");
        assertThat(clientLogin.getString("remoteName")).isEqualTo("srv");
        assertThat(clientLogin.getBoolean("shm")).isFalse();
        final RecordedEvent serverLogin = one(recorded, "io.tcpshm.Login", "server", "srv");
        assertThat(serverLogin.getString("remoteName")).isEqualTo("cli");
        assertThat(serverLogin.getString("remoteAddress")).startsWith("127.0.0.1:");

        final RecordedEvent serverReject = one(recorded, "io.tcpshm.LoginReject", "server", "srv");
        assertThat(serverReject.getString("remoteName")).isEqualTo("c2");
        assertThat(serverReject.getInt("status")).isEqualTo(2);
        assertThat(serverReject.getString("error")).isEqualTo("bad password");
        final RecordedEvent clientReject = one(recorded, "io.tcpshm.LoginReject", "client", "c2");
        assertThat(clientReject.getString("remoteName")).isEqualTo("srv");
        assertThat(clientReject.getString("error")).isEqualTo("bad password");

        final RecordedEvent clientClose = one(recorded, "io.tcpshm.Disconnect", "client", "cli");
        assertThat(clientClose.getString("remoteName")).isEqualTo("srv");
        assertThat(clientClose.getString("reason")).isEqualTo("USER_CLOSE");
        final RecordedEvent serverClose = one(recorded, "io.tcpshm.Disconnect", "server", "srv");
        assertThat(serverClose.getString("remoteName")).isEqualTo("cli");
        assertThat(serverClose.getString("reason")).isEqualTo("REMOTE_CLOSE");

        final RecordedEvent clientMismatch = one(recorded, "io.tcpshm.SequenceMismatch", "client", "cli");
        final RecordedEvent serverMismatch = one(recorded, "io.tcpshm.SequenceMismatch", "server", "srv");
        assertThat(clientMismatch.getLong("localAck")).as("the ack the test wrote into the client's file").isEqualTo(9);
        assertThat(serverMismatch.getLong("remoteAck")).isEqualTo(9);
        assertThat(serverMismatch.getLong("localSeqEnd")).as("the server sent 3 echoes").isEqualTo(3);
        assertThat(clientMismatch.getLong("remoteSeqEnd")).isEqualTo(3);
        assertThat(clientMismatch.getLong("remoteAck")).isEqualTo(serverMismatch.getLong("localAck"));

        final RecordedEvent fileError = one(recorded, "io.tcpshm.FileError", "client", "cf");
        assertThat(fileError.getString("message")).startsWith("Last-server file").contains("corrupt");
    }

    /** Every kind of event, each once per side that reports it. */
    private void playEveryEvent() throws Exception
    {
        final TcpShmConfig config = TestConfigs.noTimeouts(tmp.resolve("shm")).build();
        final TestServer server = closer.keep(new TestServer("srv", tmp.resolve("server"), config, clock));

        TestClient cli = new TestClient("cli", tmp.resolve("cli"), config, clock);
        assertThat(cli.connect(false, server.port())).as(cli.events.toString()).isTrue();
        cli.echoMore(3);

        server.rejectWith = "bad password";
        final TestClient c2 = closer.keep(new TestClient("c2", tmp.resolve("c2"), config, clock));
        assertThat(c2.connect(false, server.port())).isFalse();
        server.rejectWith = null;

        cli.conn().close();
        cli.poll();
        assertThat(Await.until(() -> !server.disconnects.isEmpty())).as("the server saw the close").isTrue();
        cli.close();

        // the client claims 9 echoes consumed where the server sent 3: both sides report the mismatch
        final Path queue = tmp.resolve("cli").resolve("cli_srv.ptcp");
        try (FileChannel ch = FileChannel.open(queue, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer ack = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 9);
            ch.write(ack, PtcpQueueDescriptor.indexAreaOffset(config.tcpQueueSize()) + PtcpQueueDescriptor.MY_ACK_OFFSET);
        }
        cli = closer.keep(new TestClient("cli", tmp.resolve("cli"), config, clock));
        assertThat(cli.connect(false, server.port())).isFalse();
        assertThat(cli.events.anyStartsWith("seqMismatch")).as(cli.events.toString()).isTrue();

        // a last-server file without a NUL: the client refuses to log in rather than start afresh
        final TestClient cf = new TestClient("cf", tmp.resolve("cf"), config, clock);
        cf.close();
        final byte[] garbage = new byte[config.nameSize()];
        Arrays.fill(garbage, (byte)'x');
        Files.write(tmp.resolve("cf").resolve("cf.lastserver"), garbage);
        final TestClient cfAgain = closer.keep(new TestClient("cf", tmp.resolve("cf"), config, clock));
        assertThat(cfAgain.connect(false, server.port())).isFalse();
    }

    /** The single event of a type reported by one side under one local name. */
    private static RecordedEvent one(final List<RecordedEvent> events, final String type, final String side,
        final String local)
    {
        final List<RecordedEvent> found = events.stream()
            .filter(e -> e.getEventType().getName().equals(type))
            .filter(e -> side.equals(e.getString("side")) && local.equals(e.getString("localName")))
            .toList();
        assertThat(found).as("%s reported by %s %s among %s", type, side, local, events).hasSize(1);
        return found.get(0);
    }
}
