package io.tcpshm;

import io.tcpshm.internal.MappedRegion;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Damaged files give a clear error through the callbacks (never a silent new connection or a
 * crash), files and directories are private by default, and the PTCP durability setting works.
 */
class FileSafetyTest
{
    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000);
    @RegisterExtension
    final Closer closer = new Closer();

    private TcpShmConfig.Builder base()
    {
        return TcpShmConfig.builder().shmDir(tmp).connectionTimeout(1_000_000);
    }

    private <T extends AutoCloseable> T keep(final T t)
    {
        return closer.keep(t);
    }

    @Test
    void anOwnedFileIsCreatedFullAndAnEmptyOneIsAnError() throws Exception
    {
        final Path fresh = tmp.resolve("a_b.ptcp");
        try (MappedRegion r = MappedRegion.openOwned(fresh, 2020, false, 0, 2020))
        {
            assertThat(r.buffer().capacity()).isEqualTo(2020);
        }
        assertThat(Files.size(fresh)).isEqualTo(2020);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(tmp))
        {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a_b.ptcp"); // no temporary left
        }
        final Path empty = Files.createFile(tmp.resolve("c_d.ptcp"));
        assertThat(catchThrowable(() -> MappedRegion.openOwned(empty, 2020, false, 0, 2020)))
            .hasMessageContaining("c_d.ptcp is empty");
        assertThat(Files.size(empty)).as("left as it was").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"empty", "truncated", "oversized"})
    void aDamagedClientQueueFileIsReportedAndNothingIsSent(final String damage) throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        TestClient c = keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThat(c.connect(false, s.port())).isTrue();
        assertThat(c.trySend(false)).isTrue();
        c.close();
        closer.forget(c);
        final Path ptcp = tmp.resolve("client").resolve("cli_srv.ptcp");
        switch (damage)
        {
            case "empty" -> Files.write(ptcp, new byte[0]);
            case "truncated" -> Files.write(ptcp, java.util.Arrays.copyOf(Files.readAllBytes(ptcp), 1000));
            default -> Files.write(ptcp, java.util.Arrays.copyOf(Files.readAllBytes(ptcp), 4096));
        }
        final long sizeBefore = Files.size(ptcp);
        c = keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThat(c.connect(false, s.port())).isFalse();
        assertThat(c.events.all()).hasSize(1);
        assertThat(c.events.all().get(0)).startsWith("systemError File " + ptcp)
            .contains(damage.equals("empty") ? "is empty" : "has size " + sizeBefore);
        assertThat(Files.size(ptcp)).as("never resized or rewritten").isEqualTo(sizeBefore);
    }

    @Test
    void aCorruptLastServerFileIsReportedInsteadOfStartingAfresh() throws Exception
    {
        final TcpShmConfig config = base().build();
        final TestServer s = keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        TestClient c = keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThat(c.connect(false, s.port())).isTrue();
        c.close();
        closer.forget(c);
        final Path last = tmp.resolve("client").resolve("cli.lastserver");
        final byte[] garbage = new byte[16];
        java.util.Arrays.fill(garbage, (byte)'x'); // no NUL
        Files.write(last, garbage);
        c = keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThat(c.connect(false, s.port())).isFalse();
        assertThat(c.events.all()).singleElement().asString().startsWith("systemError Last-server file")
            .contains("corrupt", "no NUL");
        assertThat(s.events.count("newConnection")).as("only the first login reached the server").isEqualTo(1);
    }

    @Test
    void aDamagedServerSideQueueIsReportedToTheServerAndTheClientIsRejected() throws Exception
    {
        final TcpShmConfig config = base().build();
        TestServer s = keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        final TestClient c = keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThat(c.connect(false, s.port())).isTrue();
        c.conn().close();
        assertThat(c.pollUntil(() -> c.conn().isClosed() && c.events.anyStartsWith("disconnected"), 10_000)).isTrue();
        s.close();
        closer.forget(s);
        Files.write(tmp.resolve("server").resolve("srv_cli.ptcp"), new byte[0]);
        s = keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        c.events.clear();
        assertThat(c.connect(false, s.port())).isFalse();
        assertThat(c.events.all()).containsExactly("loginReject System error");
        assertThat(s.events.any(e -> e.startsWith("fileError File ") && e.contains("srv_cli.ptcp is empty"))).isTrue();
    }

    @Test
    void directoriesAndFilesArePrivateByDefaultAndSharedOnRequest() throws Exception
    {
        for (final boolean share : new boolean[] {false, true})
        {
            final Path dir = tmp.resolve("share-" + share);
            final TcpShmConfig config = base().shmDir(Files.createDirectories(tmp.resolve("shm-" + share)))
                .shareFilesWithGroup(share).build();
            final TestServer s = keep(new TestServer("srv", dir.resolve("server"), config, clock));
            final TestClient c = keep(new TestClient("cli", dir.resolve("client"), config, clock));
            assertThat(c.connect(false, s.port())).isTrue();
            final String file = share ? "rw-rw----" : "rw-------";
            final String directory = share ? "rwxrwx---" : "rwx------";
            assertThat(perms(dir.resolve("client"))).isEqualTo(directory);
            assertThat(perms(dir.resolve("server"))).isEqualTo(directory);
            assertThat(perms(dir.resolve("client").resolve("cli_srv.ptcp"))).isEqualTo(file);
            assertThat(perms(dir.resolve("client").resolve("cli.lastserver"))).isEqualTo(file);
            assertThat(perms(dir.resolve("server").resolve("srv_cli.ptcp"))).isEqualTo(file);
        }
    }

    private static String perms(final Path p) throws Exception
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @ParameterizedTest(name = "ptcpForceInterval={0}")
    @ValueSource(longs = {0, 1})
    void theQueueCanBeForcedToStorage(final long interval) throws IOException
    {
        final TcpShmConfig config = base().ptcpForceInterval(interval).build();
        final TestServer s = keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        final TestClient c = keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThat(c.connect(false, s.port())).isTrue();
        final boolean done = c.pollUntil(() ->
        {
            clock.incrementAndGet();
            while (c.sent < 500 && c.trySend(false))
            {
                // fill
            }
            return c.received == 500;
        }, 30_000);
        assertThat(done).as("echoed %d", c.received).isTrue();
        assertThat(catchThrowable(() -> TcpShmConfig.builder().ptcpForceInterval(-2).build()))
            .hasMessageStartingWith("ptcpForceInterval = -2");

        // The force itself: a page of the queue file written through the mapping stays dirty (in the page cache
        // only) until an msync writes it back, which this process's /proc/self/smaps shows. Logged off, nothing
        // touches the client's mapping but its pushes and the force a poll finds due.
        assumeTrue(msyncCleansPages(tmp), "msync leaves mapped pages dirty on the file system of " + tmp + " (tmpfs?)");
        c.conn().close();
        c.poll();
        assertThat(c.events.all()).containsExactly("loginSuccess srv", "disconnected Closed by user");
        final Path ptcp = c.conn().ptcpFile().toRealPath();
        final TcpShmConnection conn = c.conn();
        writeOne(conn);
        assertThat(dirtyKb(ptcp)).as("a message written, not yet pushed").isPositive();
        conn.push();
        if (interval == 0)
        {
            assertThat(dirtyKb(ptcp)).as("forced by the push").isZero();
            return;
        }
        assertThat(dirtyKb(ptcp)).as("not forced by a push: by a poll, at most every interval").isPositive();
        clock.addAndGet(interval);
        c.poll();
        assertThat(dirtyKb(ptcp)).as("forced by a poll, an interval after the last force at the latest").isZero();
        writeOne(conn);
        conn.push();
        c.poll();
        assertThat(dirtyKb(ptcp)).as("not forced again within the interval").isPositive();
        clock.addAndGet(interval);
        c.poll();
        assertThat(dirtyKb(ptcp)).as("forced once the interval has passed").isZero();
    }

    /** Allocates and writes one 8-byte message (pushed by the caller). */
    private static void writeOne(final TcpShmConnection conn)
    {
        final MsgHeader h = conn.alloc(8);
        assertThat(h).isNotNull();
        h.msgType(1);
        h.buffer().putLong(h.payloadOffset(), 42);
    }

    /**
     * Kilobytes of {@code file}'s pages that this process's mappings of it hold dirty ({@code /proc/self/smaps},
     * Linux); fails when the file is not mapped at all (a 0 must not come from looking in the wrong place).
     */
    private static long dirtyKb(final Path file) throws IOException
    {
        boolean mapped = false;
        boolean inside = false;
        long kb = 0;
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps")))
        {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*"))
            {
                inside = line.endsWith(" " + file);
                mapped |= inside;
            }
            else if (inside && (line.startsWith("Shared_Dirty:") || line.startsWith("Private_Dirty:")))
            {
                kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        assertThat(mapped).as(file + " mapped by this process").isTrue();
        return kb;
    }

    /**
     * Whether smaps can tell a forced mapping from an unforced one in {@code dir}: a page written through a mapping
     * shows dirty, and clean after {@code force} (not on tmpfs, where msync writes nothing back).
     */
    private static boolean msyncCleansPages(final Path dir) throws IOException
    {
        final Path probe = Files.createTempFile(dir, "msync", ".probe").toRealPath();
        try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedByteBuffer page = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096);
            page.putLong(0, 1);
            final boolean dirty = dirtyKb(probe) > 0;
            page.force();
            return dirty && dirtyKb(probe) == 0;
        }
    }
}
