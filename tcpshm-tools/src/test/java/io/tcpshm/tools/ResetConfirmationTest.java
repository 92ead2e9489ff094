package io.tcpshm.tools;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code tcpshm reset} without {@code --yes}: it asks on the terminal and resets only on "y". With
 * no terminal it refuses (a script must say {@code --yes}), whatever standard input holds. The
 * terminal is a pseudo-terminal from util-linux {@code script}, around a child JVM.
 */
class ResetConfirmationTest
{
    private static final Path SCRIPT = Path.of("/usr/bin/script");
    private static final int TCP_QUEUE_SIZE = 2000;

    @TempDir
    Path tmp;

    private Path clientDir;
    private Path shmDir;

    /** A client's files as a stopped client leaves them: a queue holding one message, a last server, a ring pair. */
    @BeforeEach
    void files() throws IOException
    {
        clientDir = Files.createDirectories(tmp.resolve("client"));
        shmDir = Files.createDirectories(tmp.resolve("shm"));
        final ByteBuffer q = ByteBuffer.allocate(TCP_QUEUE_SIZE + 20).order(ByteOrder.LITTLE_ENDIAN);
        q.putShort(0, (short)12).putShort(2, (short)1).putInt(4, 3).putInt(8, 42);
        final ByteBuffer idx = q.duplicate().order(ByteOrder.nativeOrder());
        idx.putInt(TCP_QUEUE_SIZE, 2).putInt(TCP_QUEUE_SIZE + 4, 0).putInt(TCP_QUEUE_SIZE + 8, 2)
            .putInt(TCP_QUEUE_SIZE + 12, 7).putInt(TCP_QUEUE_SIZE + 16, 3);
        Files.write(clientDir.resolve("cli_srv.ptcp"), q.array());
        final byte[] last = new byte[16];
        System.arraycopy("srv".getBytes(StandardCharsets.US_ASCII), 0, last, 0, 3);
        Files.write(clientDir.resolve("cli.lastserver"), last);
        final byte[] ring = new byte[2048 + 256];
        ByteBuffer.wrap(ring).order(ByteOrder.nativeOrder()).putInt(2048, 9).putInt(2048 + 128, 9);
        Files.write(shmDir.resolve("cli_srv.shm"), ring);
        Files.write(shmDir.resolve("srv_cli.shm"), ring);
    }

    private Map<String, byte[]> snapshot() throws IOException
    {
        final Map<String, byte[]> all = new TreeMap<>();
        for (final Path dir : new Path[] {clientDir, shmDir})
        {
            try (Stream<Path> list = Files.list(dir))
            {
                for (final Path f : (Iterable<Path>)list::iterator)
                {
                    all.put(dir.getFileName() + "/" + f.getFileName(), Files.isRegularFile(f) ? Files.readAllBytes(f) :
                        new byte[0]);
                }
            }
        }
        return all;
    }

    private void assertUnchanged(final Map<String, byte[]> before) throws IOException
    {
        final Map<String, byte[]> after = snapshot();
        assertThat(after.keySet()).as("no backup directory, no new file").isEqualTo(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    }

    private List<Path> backups() throws IOException
    {
        try (Stream<Path> list = Files.list(clientDir))
        {
            return list.filter(p -> p.getFileName().toString().startsWith("backup-cli_srv-")).collect(Collectors.toList());
        }
    }

    private static boolean allZero(final Path f) throws IOException
    {
        for (final byte b : Files.readAllBytes(f))
        {
            if (b != 0)
            {
                return false;
            }
        }
        return true;
    }

    @Test
    void withoutATerminalItRefusesEvenWhenStandardInputSaysYes() throws Exception
    {
        final Map<String, byte[]> before = snapshot();
        final InputStream oldIn = System.in;
        final CommandRun run;
        try
        {
            System.setIn(new ByteArrayInputStream("y\n".getBytes(StandardCharsets.US_ASCII)));
            run = CommandRun.run("reset", clientDir.toString(), "cli", "srv", "--shm-dir", shmDir.toString());
        }
        finally
        {
            System.setIn(oldIn);
        }
        assertThat(run.exit).as(run.toString()).isEqualTo(1);
        assertThat(run.out).contains("reset cli <-> srv (client side):",
            "refused: not a terminal; pass --yes to reset without asking", "not reset")
            .doesNotContain("reset done");
        assertUnchanged(before);
    }

    private static String quote(final String s)
    {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Runs {@code tcpshm reset} in a child JVM on a pseudo-terminal, typing {@code answer} and Enter. */
    private Terminal onATerminal(final String answer) throws Exception
    {
        assumeThat(Files.isExecutable(SCRIPT)).as("util-linux script (a pseudo-terminal)").isTrue();
        final List<String> java = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
            System.getProperty("java.class.path"), Main.class.getName(), "reset", clientDir.toString(), "cli", "srv",
            "--shm-dir", shmDir.toString()));
        final String command = java.stream().map(ResetConfirmationTest::quote).collect(Collectors.joining(" "));
        final Path log = tmp.resolve("terminal.log");
        final Process p = new ProcessBuilder(SCRIPT.toString(), "-q", "-e", "-c", command, "/dev/null")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (OutputStream in = p.getOutputStream())
        {
            // typed ahead: the terminal keeps the line until the prompt reads it
            in.write((answer + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        final boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended)
        {
            p.destroyForcibly();
        }
        final String out = Files.readString(log).replace("\r", "");
        assertThat(ended).as(out).isTrue();
        return new Terminal(p.exitValue(), out);
    }

    /** A child's exit code and what it showed on the terminal (the typed answer echoed, CRs removed). */
    private static final class Terminal
    {
        final int exit;
        final String out;

        Terminal(final int exit, final String out)
        {
            this.exit = exit;
            this.out = out;
        }

        @Override
        public String toString()
        {
            return "exit " + exit + "\n--- terminal\n" + out;
        }
    }

    @ParameterizedTest(name = "answer=\"{0}\"")
    @ValueSource(strings = {"n", "", "no", " N "})
    void onATerminalAnyAnswerButYesChangesNothing(final String answer) throws Exception
    {
        final Map<String, byte[]> before = snapshot();
        final Terminal run = onATerminal(answer);
        assertThat(run.out).contains("reset cli <-> srv (client side):",
            "cli_srv.ptcp: 1 messages (16 bytes) queued and not acked, myAck 3 -- discarded",
            "last server 'srv' -- forgotten", "Reset and discard this? [y/N] ", "not reset")
            .doesNotContain("reset done", "not a terminal");
        assertThat(run.exit).as(run.toString()).isEqualTo(1);
        assertUnchanged(before);
    }

    @ParameterizedTest(name = "answer=\"{0}\"")
    @ValueSource(strings = {"y", "Y", " y "})
    void onATerminalYesResets(final String answer) throws Exception
    {
        final Map<String, byte[]> before = snapshot();
        final Terminal run = onATerminal(answer);
        assertThat(run.out).contains("Reset and discard this? [y/N] ", "reset done; backup in " + clientDir.resolve(
            "backup-cli_srv-")).doesNotContain("not reset");
        assertThat(run.exit).as(run.toString()).isZero();
        for (final String f : new String[] {"client/cli_srv.ptcp", "client/cli.lastserver", "shm/cli_srv.shm",
            "shm/srv_cli.shm"})
        {
            final Path file = tmp.resolve(f);
            assertThat(allZero(file)).as("%s zeroed", f).isTrue();
            assertThat(Files.size(file)).isEqualTo(before.get(f).length);
        }
        final List<Path> backups = backups();
        assertThat(backups).hasSize(1);
        for (final String f : new String[] {"client/cli_srv.ptcp", "client/cli.lastserver", "shm/cli_srv.shm",
            "shm/srv_cli.shm"})
        {
            assertThat(backups.get(0).resolve(Path.of(f).getFileName())).as("backup of %s", f)
                .hasBinaryContent(before.get(f));
        }
    }
}
