package io.tcpshm.samples;

import io.tcpshm.tools.CommandRun;
import io.tcpshm.tools.Main;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inspect} and {@code reset} on real files: an echo server and client run as processes,
 * both are killed with SIGKILL mid-stream, then the files are inspected (they must be sound and
 * agree with each other as a login would check) and a sequence mismatch is repaired with reset.
 */
class OperatingToolsTest
{
    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll()
    {
        processes.forEach(Process::destroyForcibly);
    }

    private Process start(final Path log, final String... args) throws Exception
    {
        final List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.add(p);
        return p;
    }

    private static String[] run(final int[] exit, final String... args)
    {
        final CommandRun run = CommandRun.run(args);
        exit[0] = run.exit;
        return new String[] {run.out, run.err};
    }

    private static int freePort() throws Exception
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            return s.getLocalPort();
        }
    }

    private static boolean inRange(final long x, final long start, final long end)
    {
        return x >= start && x <= end;
    }

    @Test
    void inspectAfterACrashThenResetASequenceMismatch() throws Exception
    {
        final int port = freePort();
        final Path server = tmp.resolve("server");
        final Path client = tmp.resolve("client");
        final Path shm = Files.createDirectories(tmp.resolve("shm"));
        final String[] common = {"--port", String.valueOf(port), "--shm-dir", shm.toString(), "--quiet"};
        final Process s = start(tmp.resolve("server.log"), concat(new String[] {"echo-server", "--host", "127.0.0.1",
            "--ptcp-dir", server.toString(), "--publish-counters"}, common));
        final Process c = start(tmp.resolve("client.log"), concat(new String[] {"echo-client", "--ptcp-dir",
            client.toString(), "--mode", "stream", "--publish-counters"}, common));
        final long deadline = System.nanoTime() + 30_000_000_000L;
        long[] counters = null;
        while (System.nanoTime() < deadline)
        {
            counters = EchoCounters.read(client.resolve("cli.echo"));
            if (counters != null && counters[1] > 20_000)
            {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(counters).as(Files.readString(tmp.resolve("client.log"))).isNotNull();
        // the goal of the wait: the crash below comes mid-stream, after more than 20 000 echoes
        assertThat(counters[1]).as("echoes received in 30 s: %s", Files.readString(tmp.resolve("client.log")))
            .isGreaterThan(20_000);
        final ObjectMapper json = new ObjectMapper();
        final int[] exit = new int[1];
        // the live counters, read from the files the running processes publish
        final JsonNode liveClient = json.readTree(run(exit, "stat", client.toString(), "--json")[0]).get(0);
        assertThat(exit[0]).isZero();
        final JsonNode liveServer = json.readTree(run(exit, "stat", server.toString(), "--json")[0]).get(0);
        assertThat(liveClient.get("local").asText()).isEqualTo("cli");
        assertThat(liveClient.get("remote").asText()).isEqualTo("srv");
        assertThat(liveClient.get("loggedOn").asText()).isEqualTo("yes");
        assertThat(liveClient.get("logins").asLong()).isEqualTo(1);
        assertThat(liveClient.get("messagesSent").asLong()).isGreaterThanOrEqualTo(20_000);
        assertThat(liveClient.get("messagesReceived").asLong()).isGreaterThan(20_000);
        assertThat(liveServer.get("local").asText()).isEqualTo("srv");
        assertThat(liveServer.get("messagesReceived").asLong()).isGreaterThan(20_000);
        assertThat(run(exit, "stat", client.toString(), "--once")[0]).contains("cli->srv", "tcp", "yes");
        // crash both in the middle of the stream
        c.destroyForcibly().waitFor();
        s.destroyForcibly().waitFor();

        final JsonNode clientView = json.readTree(run(exit, "inspect", client.toString(), "--shm-dir", shm.toString(),
            "--json")[0]);
        assertThat(exit[0]).isZero();
        final JsonNode serverView = json.readTree(run(exit, "inspect", server.toString(), "--json")[0]);
        assertThat(exit[0]).isZero();
        assertThat(clientView.get("lastServers").get("cli").asText()).isEqualTo("srv");
        final JsonNode cq = clientView.get("ptcp").get(0);
        final JsonNode sq = serverView.get("ptcp").get(0);
        assertThat(cq.get("local").asText()).isEqualTo("cli");
        assertThat(cq.get("remote").asText()).isEqualTo("srv");
        assertThat(sq.get("local").asText()).isEqualTo("srv");
        assertThat(cq.get("sanity").asText()).isEqualTo("ok");
        assertThat(sq.get("sanity").asText()).isEqualTo("ok");
        // the files agree as the login check requires, so a restart would resume
        assertThat(inRange(cq.get("myAck").asLong(), sq.get("seqStart").asLong(), sq.get("seqEnd").asLong())).isTrue();
        assertThat(inRange(sq.get("myAck").asLong(), cq.get("seqStart").asLong(), cq.get("seqEnd").asLong())).isTrue();
        assertThat(cq.get("messagesQueued").asLong()).isEqualTo(cq.get("seqEnd").asLong() - cq.get("seqStart").asLong());
        final String text = run(exit, "inspect", client.toString(), "--shm-dir", shm.toString())[0];
        assertThat(text).contains("client cli: last server srv", "TCP cli -> srv", "sanity: ok");

        // break the client's ack, as a restored old backup would: a login now reports a mismatch
        final Path ptcp = client.resolve("cli_srv.ptcp");
        try (FileChannel ch = FileChannel.open(ptcp, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            b.putInt(0, cq.get("myAck").intValue() + 1_000_000);
            ch.write(b, ch.size() - 4);
        }
        Process s2 = start(tmp.resolve("server2.log"), concat(new String[] {"echo-server", "--host", "127.0.0.1",
            "--ptcp-dir", server.toString()}, common));
        final long total = counters[0] + 5_000;
        Process c2 = start(tmp.resolve("client2.log"), concat(new String[] {"echo-client", "--ptcp-dir",
            client.toString(), "--count", String.valueOf(total)}, common));
        assertThat(c2.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(c2.exitValue()).isNotZero();
        assertThat(Files.readString(tmp.resolve("client2.log"))).contains("sequence number mismatch");

        // refused while the server holds the files? the client's files are free now; the server's are locked
        run(exit, "reset", server.toString(), "srv", "cli", "--yes");
        assertThat(exit[0]).as("server files are in use by the running server").isEqualTo(1);
        final String resetOut = run(exit, "reset", client.toString(), "cli", "srv", "--shm-dir", shm.toString(), "--yes")[0];
        assertThat(exit[0]).as(resetOut).isZero();
        assertThat(resetOut).contains("last server 'srv' -- forgotten", "reset done; backup in");
        try (Stream<Path> files = Files.list(client))
        {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("backup-cli_srv-"));
        }
        // a reset discards what was in flight; the echo client's own numbering must start again with it
        Files.delete(client.resolve("cli.echo"));
        c2 = start(tmp.resolve("client3.log"), concat(new String[] {"echo-client", "--ptcp-dir", client.toString(),
            "--count", "5000"}, common));
        assertThat(c2.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(tmp.resolve("client3.log"))).isTrue();
        assertThat(c2.exitValue()).as(Files.readString(tmp.resolve("client3.log"))).isZero();
        s2.destroy();
        s2.waitFor(10, TimeUnit.SECONDS);
    }

    private static String[] concat(final String[] a, final String[] b)
    {
        final String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
