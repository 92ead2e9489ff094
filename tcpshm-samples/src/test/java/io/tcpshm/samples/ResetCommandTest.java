package io.tcpshm.samples;

import io.tcpshm.tools.CommandRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tcpshm reset} on files left by real echo runs: on a server's directory (the queue is
 * zeroed, the client must be reset too), on SHM rings (both rings of the pair), on a client's TCP
 * files; the backup holds byte-identical copies of what was reset, and nothing else is touched.
 */
class ResetCommandTest
{
    private static final Pattern BACKUP = Pattern.compile("reset done; backup in (\\S+)");

    @TempDir
    Path tmp;

    private Path serverDir;
    private Path clientDir;
    private Path shmDir;

    @BeforeEach
    void dirs() throws IOException
    {
        serverDir = Files.createDirectories(tmp.resolve("server"));
        clientDir = Files.createDirectories(tmp.resolve("client"));
        shmDir = Files.createDirectories(tmp.resolve("shm"));
    }

    private InProcessEchoServer server() throws InterruptedException
    {
        return new InProcessEchoServer("--ptcp-dir", serverDir.toString(), "--shm-dir", shmDir.toString());
    }

    private CommandRun echoClient(final int port, final boolean shm, final long count, final String mode)
    {
        return CommandRun.run("echo-client", shm ? "--shm" : "--tcp", "--port", String.valueOf(port),
            "--ptcp-dir", clientDir.toString(), "--shm-dir", shmDir.toString(), "--count", String.valueOf(count),
            "--mode", mode, "--quiet");
    }

    private JsonNode inspect(final Path dir) throws IOException
    {
        final CommandRun run = CommandRun.run("inspect", dir.toString(), "--shm-dir", shmDir.toString(), "--name", "cli",
            "--json");
        assertThat(run.exit).as(run.toString()).isZero();
        return new ObjectMapper().readTree(run.out);
    }

    /** The regular files directly in {@code dir}, by name, with their bytes. */
    private static Map<String, byte[]> files(final Path dir) throws IOException
    {
        final Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir))
        {
            for (final Path f : (Iterable<Path>)list::iterator)
            {
                if (Files.isRegularFile(f))
                {
                    files.put(f.getFileName().toString(), Files.readAllBytes(f));
                }
            }
        }
        return files;
    }

    private static List<Path> backups(final Path dir, final String pair) throws IOException
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("backup-" + pair + "-"))
                .collect(Collectors.toList());
        }
    }

    /** The one backup directory of {@code pair} in {@code dir}, which the output names. */
    private static Path theBackup(final Path dir, final String pair, final CommandRun reset) throws IOException
    {
        final List<Path> backups = backups(dir, pair);
        assertThat(backups).as(reset.toString()).hasSize(1);
        final Path backup = backups.get(0);
        assertThat(backup.getFileName().toString()).matches("backup-" + Pattern.quote(pair) + "-\\d{8}-\\d{6}");
        final Matcher m = BACKUP.matcher(reset.out);
        assertThat(m.find()).as(reset.toString()).isTrue();
        assertThat(Path.of(m.group(1))).isEqualTo(backup);
        return backup;
    }

    private static void assertAllZero(final Path file, final int expectedSize) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes.length).as("size of %s", file).isEqualTo(expectedSize);
        for (int i = 0; i < bytes.length; i++)
        {
            if (bytes[i] != 0)
            {
                assertThat(bytes[i]).as("byte %d of %s", i, file).isZero();
            }
        }
    }

    private static boolean anyNonZero(final byte[] bytes)
    {
        for (final byte b : bytes)
        {
            if (b != 0)
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void aServerSideResetZeroesTheQueueKeepsABackupAndLeavesTheClientToBeResetToo() throws Exception
    {
        try (InProcessEchoServer server = server())
        {
            final CommandRun run = echoClient(server.port, false, 40, "ping_pong");
            assertThat(run.exit).as(run.toString()).isZero();
        }
        final JsonNode before = inspect(serverDir).get("ptcp").get(0);
        assertThat(before.get("local").asText()).isEqualTo("srv");
        assertThat(before.get("remote").asText()).isEqualTo("cli");
        assertThat(before.get("sanity").asText()).isEqualTo("ok");
        assertThat(before.get("myAck").asLong()).as("the server consumed the 40 requests").isEqualTo(40);
        assertThat(before.get("seqEnd").asLong()).as("the server pushed 40 replies").isEqualTo(40);
        final Map<String, byte[]> serverBefore = files(serverDir);
        assertThat(serverBefore).containsOnlyKeys("srv_cli.ptcp", "cli.echo-journal", "srv.lock"); // its owner lock, empty
        final Map<String, byte[]> clientBefore = files(clientDir);
        assertThat(clientBefore).containsKeys("cli.lastserver", "cli_srv.ptcp");
        final Map<String, byte[]> shmBefore = files(shmDir);

        final CommandRun reset = CommandRun.run("reset", serverDir.toString(), "srv", "cli", "--shm-dir",
            shmDir.toString(), "--yes");
        assertThat(reset.exit).as(reset.toString()).isZero();
        assertThat(reset.out).contains("reset srv <-> cli (server side):",
            serverDir.resolve("srv_cli.ptcp") + ": " + before.get("messagesQueued").asLong() + " messages",
            "myAck 40 -- discarded",
            "note: reset the client cli too (bin/tcpshm reset CLIENT_DIR cli srv)")
            .doesNotContain("last server");
        assertThat(reset.err).isEmpty();

        // the queue is zeroed, size kept: indices, readSeq and myAck all 0, and inspect finds it sound and empty
        assertAllZero(serverDir.resolve("srv_cli.ptcp"), serverBefore.get("srv_cli.ptcp").length);
        final JsonNode after = inspect(serverDir).get("ptcp").get(0);
        for (final String field : new String[] {"writeIdx", "readIdx", "sendIdx", "readSeq", "myAck", "seqStart", "seqEnd",
            "messagesQueued"})
        {
            assertThat(after.get(field).asLong()).as(field).isZero();
        }
        assertThat(after.get("sanity").asText()).isEqualTo("ok");

        // the backup holds the files as they were; the echo journal (old positions) went there too
        final Path backup = theBackup(serverDir, "srv_cli", reset);
        final Map<String, byte[]> saved = files(backup);
        assertThat(saved).containsOnlyKeys("srv_cli.ptcp", "cli.echo-journal");
        assertThat(saved.get("srv_cli.ptcp")).isEqualTo(serverBefore.get("srv_cli.ptcp"));
        assertThat(saved.get("cli.echo-journal")).isEqualTo(serverBefore.get("cli.echo-journal"));
        assertThat(files(serverDir)).containsOnlyKeys("srv_cli.ptcp", "srv.lock");

        // nobody's last server is touched: none appears in the server's directory, the client's files are as they were
        try (Stream<Path> list = Files.list(serverDir))
        {
            assertThat(list.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".lastserver"));
        }
        final Map<String, byte[]> clientAfter = files(clientDir);
        assertThat(clientAfter.keySet()).isEqualTo(clientBefore.keySet());
        clientBefore.forEach((name, bytes) -> assertThat(clientAfter.get(name)).as(name).isEqualTo(bytes));
        final Map<String, byte[]> shmAfter = files(shmDir);
        assertThat(shmAfter.keySet()).isEqualTo(shmBefore.keySet());

        try (InProcessEchoServer server = server())
        {
            // the client alone still refers to the old connection: its login is refused with a mismatch
            CommandRun run = echoClient(server.port, false, 50, "ping_pong");
            assertThat(run.exit).as(run.toString()).isEqualTo(2);
            assertThat(run.err).contains("sequence number mismatch: local ack 40");
            assertThat(files(clientDir).get("cli.lastserver")).isEqualTo(clientBefore.get("cli.lastserver"));

            // once the client is reset too (and the echo client's numbering starts again), a new connection works
            final CommandRun clientReset = CommandRun.run("reset", clientDir.toString(), "cli", "srv", "--shm-dir",
                shmDir.toString(), "--yes");
            assertThat(clientReset.exit).as(clientReset.toString()).isZero();
            Files.delete(clientDir.resolve("cli.echo"));
            run = echoClient(server.port, false, 10, "ping_pong");
            assertThat(run.exit).as(run.toString()).isZero();
            assertThat(run.out).contains("10 sent, 10 echoed in total");
        }
        final JsonNode fresh = inspect(serverDir).get("ptcp").get(0);
        assertThat(fresh.get("myAck").asLong()).as("the new connection's numbering").isEqualTo(10);
        assertThat(fresh.get("seqEnd").asLong()).isEqualTo(10);
    }

    @ParameterizedTest(name = "side={0}")
    @ValueSource(strings = {"client", "server"})
    void resetZeroesBothShmRingsOfThePairAndBacksThemUp(final String side) throws Exception
    {
        try (InProcessEchoServer server = server())
        {
            final CommandRun run = echoClient(server.port, true, 30, "ping_pong");
            assertThat(run.exit).as(run.toString()).isZero();
        }
        final Path send = shmDir.resolve("cli_srv.shm");
        final Path recv = shmDir.resolve("srv_cli.shm");
        final Map<String, byte[]> ringsBefore = files(shmDir);
        // the rings, and the two sides' owner locks of their ends (empty)
        assertThat(ringsBefore).containsOnlyKeys("cli_srv.shm", "srv_cli.shm", "cli.shmlock", "srv.shmlock");
        assertThat(anyNonZero(ringsBefore.get("cli_srv.shm"))).isTrue();
        assertThat(anyNonZero(ringsBefore.get("srv_cli.shm"))).isTrue();
        final JsonNode view = inspect(clientDir);
        assertThat(view.get("shm")).hasSize(2);
        for (final JsonNode ring : view.get("shm"))
        {
            assertThat(ring.get("sanity").asText()).isEqualTo("ok");
            assertThat(ring.get("writeIdx").asLong()).as("%s carried 30 messages", ring.get("file")).isGreaterThanOrEqualTo(30);
        }
        final Map<String, byte[]> clientBefore = files(clientDir);
        final Map<String, byte[]> serverBefore = files(serverDir);

        final boolean client = side.equals("client");
        final Path dir = client ? clientDir : serverDir;
        final String local = client ? "cli" : "srv";
        final String remote = client ? "srv" : "cli";
        final CommandRun reset = CommandRun.run("reset", dir.toString(), local, remote, "--shm-dir", shmDir.toString(),
            "--yes");
        assertThat(reset.exit).as(reset.toString()).isZero();
        assertThat(reset.out).contains(send + ": 0 messages unconsumed -- discarded",
            recv + ": 0 messages unconsumed -- discarded");

        assertAllZero(send, ringsBefore.get("cli_srv.shm").length);
        assertAllZero(recv, ringsBefore.get("srv_cli.shm").length);
        for (final JsonNode ring : inspect(clientDir).get("shm"))
        {
            assertThat(ring.get("writeIdx").asLong()).isZero();
            assertThat(ring.get("readIdx").asLong()).isZero();
            assertThat(ring.get("sanity").asText()).isEqualTo("ok");
        }

        final Path backup = theBackup(dir, local + "_" + remote, reset);
        final Map<String, byte[]> saved = files(backup);
        assertThat(saved.get("cli_srv.shm")).isEqualTo(ringsBefore.get("cli_srv.shm"));
        assertThat(saved.get("srv_cli.shm")).isEqualTo(ringsBefore.get("srv_cli.shm"));
        if (client)
        {
            // the client also forgets its last server: zeroed, and the backup holds the old name
            assertThat(saved).containsOnlyKeys("cli_srv.shm", "srv_cli.shm", "cli.lastserver");
            assertThat(saved.get("cli.lastserver")).isEqualTo(clientBefore.get("cli.lastserver"));
            assertThat(Files.readAllBytes(backup.resolve("cli.lastserver"))).startsWith(new byte[] {'s', 'r', 'v', 0});
            assertAllZero(clientDir.resolve("cli.lastserver"), clientBefore.get("cli.lastserver").length);
            assertThat(inspect(clientDir).get("lastServers").get("cli").asText()).isEmpty();
            assertThat(files(serverDir).keySet()).isEqualTo(serverBefore.keySet());

            // and its next login starts a new connection that works
            Files.delete(clientDir.resolve("cli.echo"));
            try (InProcessEchoServer server = server())
            {
                final CommandRun run = echoClient(server.port, true, 5, "ping_pong");
                assertThat(run.exit).as(run.toString()).isZero();
                assertThat(run.out).contains("5 sent, 5 echoed in total");
            }
        }
        else
        {
            // the server's echo journal goes to the backup with the rings; the client's files are not touched
            assertThat(saved).containsOnlyKeys("cli_srv.shm", "srv_cli.shm", "cli.echo-journal");
            assertThat(saved.get("cli.echo-journal")).isEqualTo(serverBefore.get("cli.echo-journal"));
            final Map<String, byte[]> clientAfter = files(clientDir);
            assertThat(clientAfter.keySet()).isEqualTo(clientBefore.keySet());
            clientBefore.forEach((name, bytes) -> assertThat(clientAfter.get(name)).as(name).isEqualTo(bytes));
        }
    }

    @Test
    void aClientSideTcpResetBacksUpExactlyTheFilesItZeroes() throws Exception
    {
        try (InProcessEchoServer server = server())
        {
            final CommandRun run = echoClient(server.port, false, 3000, "stream");
            assertThat(run.exit).as(run.toString()).isZero();
        }
        final Map<String, byte[]> before = files(clientDir);
        assertThat(before).containsKeys("cli_srv.ptcp", "cli.lastserver", "cli.echo");
        assertThat(anyNonZero(before.get("cli_srv.ptcp"))).isTrue();
        final Map<String, byte[]> serverBefore = files(serverDir);

        final CommandRun reset = CommandRun.run("reset", clientDir.toString(), "cli", "srv", "--shm-dir",
            shmDir.toString(), "--yes");
        assertThat(reset.exit).as(reset.toString()).isZero();
        assertThat(reset.out).contains("reset cli <-> srv (client side):",
            clientDir.resolve("cli.lastserver") + ": last server 'srv' -- forgotten");

        final Path backup = theBackup(clientDir, "cli_srv", reset);
        final Map<String, byte[]> saved = files(backup);
        assertThat(saved).containsOnlyKeys("cli_srv.ptcp", "cli.lastserver");
        for (final Map.Entry<String, byte[]> e : saved.entrySet())
        {
            assertThat(e.getValue()).as("backup of %s", e.getKey()).isEqualTo(before.get(e.getKey()));
            assertAllZero(clientDir.resolve(e.getKey()), before.get(e.getKey()).length);
        }
        // the application's own files stay as they were, and so does the server's side
        final Map<String, byte[]> after = files(clientDir);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (final String name : after.keySet())
        {
            if (!saved.containsKey(name))
            {
                assertThat(after.get(name)).as(name).isEqualTo(before.get(name));
            }
        }
        final Map<String, byte[]> serverAfter = files(serverDir);
        assertThat(serverAfter.keySet()).isEqualTo(serverBefore.keySet());
        serverBefore.forEach((name, bytes) -> assertThat(serverAfter.get(name)).as(name).isEqualTo(bytes));
        assertThat(files(shmDir)).isEmpty();
    }

    @Test
    void nothingToResetIsReportedAndChangesNothing() throws Exception
    {
        final CommandRun reset = CommandRun.run("reset", clientDir.toString(), "cli", "srv", "--shm-dir",
            shmDir.toString(), "--yes");
        assertThat(reset.exit).as(reset.toString()).isEqualTo(1);
        assertThat(reset.out).contains("nothing to reset: no files of cli <-> srv in " + clientDir);
        assertThat(backups(clientDir, "cli_srv")).isEmpty();
        final List<Path> left = new ArrayList<>();
        try (Stream<Path> list = Files.list(clientDir))
        {
            list.forEach(left::add);
        }
        assertThat(left).isEmpty();
    }

    /** Helper's finding: a second reset in the same second failed on the existing backup directory. */
    @Test
    void aResetWhoseBackupNameIsTakenKeepsItsOwnBackup() throws Exception
    {
        // the names the next few seconds' backups would take are all taken already
        final java.time.LocalDateTime now = java.time.LocalDateTime.now();
        for (int s = 0; s < 5; s++)
        {
            Files.createDirectories(clientDir.resolve("backup-cli_srv-" +
                now.plusSeconds(s).format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        }
        final byte[] queue = new byte[2020];
        queue[0] = 42;
        Files.write(clientDir.resolve("cli_srv.ptcp"), queue);
        final CommandRun reset = CommandRun.run("reset", clientDir.toString(), "cli", "srv", "--shm-dir",
            shmDir.toString(), "--yes");
        assertThat(reset.exit).as(reset.toString()).isZero();
        final List<Path> made = new ArrayList<>();
        for (final Path b : backups(clientDir, "cli_srv"))
        {
            if (b.getFileName().toString().endsWith("-2"))
            {
                made.add(b);
            }
        }
        assertThat(made).as(reset.toString()).hasSize(1);
        assertThat(reset.out).contains("reset done; backup in " + made.get(0));
        assertThat(Files.readAllBytes(made.get(0).resolve("cli_srv.ptcp"))).isEqualTo(queue);
        assertThat(Files.readAllBytes(clientDir.resolve("cli_srv.ptcp"))).isEqualTo(new byte[2020]);
    }
}
