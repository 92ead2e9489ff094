package io.tcpshm;

import io.tcpshm.testing.Await;
import io.tcpshm.testing.OpenFiles;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Run by {@code FullFileSystemTest} in a JVM of its own, in a mount namespace where {@code args[0]} is
 * a 256 KiB tmpfs ({@code args[1]} is an ordinary directory). Plays a full file system under each
 * kind of file, on the server and on the client, and prints one line per check: {@code ok <what>} or
 * {@code FAILED <what>: <details>}; exits 0 only when every check passed. A full file system must be
 * a clear error at login or construction, never a fault out of a poll, and must leave everyone else
 * served.
 */
public final class FullDiskProbe
{
    private final Path small;
    private final Path disk;
    private final AtomicLong clock = new AtomicLong(1000);
    private final List<String> failures = new ArrayList<>();
    private int port;

    private FullDiskProbe(final Path small, final Path disk)
    {
        this.small = small;
        this.disk = disk;
    }

    public static void main(final String[] args) throws Exception
    {
        final FullDiskProbe probe = new FullDiskProbe(Path.of(args[0]), Path.of(args[1]));
        probe.run();
        System.exit(probe.failures.isEmpty() ? 0 : 1);
    }

    private void check(final String what, final boolean ok, final Object details)
    {
        if (ok)
        {
            System.out.println("ok " + what);
        }
        else
        {
            failures.add(what);
            System.out.println("FAILED " + what + ": " + details);
        }
    }

    private TcpShmConfig.Builder base()
    {
        return TcpShmConfig.builder().connectionTimeout(1_000_000).newConnectionTimeout(1_000_000).loginTimeoutMillis(5000);
    }

    /** Fills the small file system but for {@code leaveBytes}; returns the filler to delete. */
    private Path fill(final long leaveBytes) throws IOException
    {
        final Path filler = small.resolve("filler");
        final ByteBuffer chunk = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            while (Files.getFileStore(small).getUsableSpace() > leaveBytes)
            {
                chunk.clear();
                ch.write(chunk);
            }
        }
        catch (final IOException full)
        {
            // full before the target: fine
        }
        return filler;
    }

    private static Map<String, Integer> openFiles()
    {
        return OpenFiles.snapshot();
    }

    private boolean echo(final TestClient c, final int count)
    {
        final long target = c.received + count;
        return c.pollUntil(() ->
        {
            while (c.sent < target && c.trySend(false))
            {
                // fill
            }
            return c.received >= target;
        }, 20_000);
    }

    private void run() throws Exception
    {
        serverRingsOnAFullFileSystem();
        serverQueueOnAFullFileSystem();
        clientQueueOnAFullFileSystem();
        lastServerAndCountersOnAFullFileSystem();
        aFaultInAPollClosesOnlyItsConnection();
    }

    /**
     * A queue file made sparse by someone else (a C++ peer's ftruncate) on a full file system: the server's
     * first store into a new page faults inside its poll. That connection closes with the reason; the
     * server goes on serving the others.
     */
    private void aFaultInAPollClosesOnlyItsConnection() throws Exception
    {
        final int queue = 1 << 16;
        final TcpShmConfig config = base().shmDir(disk.resolve("shm")).tcpQueueSize(queue).build();
        final Path serverDir = Files.createDirectories(small.resolve("s5"));
        final Path file = serverDir.resolve("srv_cli5.ptcp");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            ch.write(ByteBuffer.allocate(20), queue); // the index area, zero: an empty queue; the blocks stay holes
        }
        // the client remembers srv, so the login resumes on that file instead of resetting (writing) it
        Files.createDirectories(disk.resolve("c5"));
        Files.write(disk.resolve("c5").resolve("cli5.lastserver"), new byte[] {'s', 'r', 'v', 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0});
        try (TestServer s = new TestServer("srv", serverDir, config, clock);
             TestClient victim = new TestClient("cli5", disk.resolve("c5"), config, clock);
             TestClient other = new TestClient("other5", disk.resolve("o5"), config, clock))
        {
            check("poll fault: the other client logs in", other.connect(false, s.port()), other.events);
            final Path filler = fill(0);
            check("poll fault: the victim logs in (resuming on the sparse file)", victim.connect(false, s.port()),
                victim.events);
            // its first message makes the server push an echo into a page the file system cannot give
            victim.trySend(false);
            final boolean closed = victim.pollUntil(() -> victim.conn().isClosed(), 10_000);
            check("poll fault: the victim's connection is closed", closed, victim.events);
            // the server reports on its own thread, after it closed the socket the victim saw closing: wait for it
            check("poll fault: the server reports the fault as the reason", Await.until(() ->
                s.events.any(e -> e.startsWith("disconnected cli5 Memory access fault on a mapped file of srv->cli5"))),
                s.events);
            s.checkAlive();
            check("poll fault: the server still serves the other client", echo(other, 20), other.events);
            Files.delete(filler);
        }
    }

    /** SHM rings of 1 MiB on the 256 KiB file system: the SHM login is refused, TCP goes on. */
    private void serverRingsOnAFullFileSystem() throws Exception
    {
        Files.createDirectories(small.resolve("shm"));
        final TcpShmConfig config = base().shmDir(small.resolve("shm")).shmQueueSize(1 << 20).build();
        try (TestServer s = new TestServer("srv", disk.resolve("s1"), config, clock);
             TestClient shm = new TestClient("shmcli", disk.resolve("c1shm"), config, clock);
             TestClient tcp = new TestClient("tcpcli", disk.resolve("c1tcp"), config, clock))
        {
            check("server SHM rings: login refused", !shm.connect(true, s.port()), shm.events);
            check("server SHM rings: the client is told 'System error'",
                shm.events.all().contains("loginReject System error"), shm.events);
            check("server SHM rings: the server reports no space",
                s.events.any(e -> e.startsWith("fileError Cannot create") && e.contains("No space left")), s.events);
            s.checkAlive();
            check("server SHM rings: a TCP client is still served", tcp.connect(false, s.port()) && echo(tcp, 20),
                tcp.events);
            try (Stream<Path> left = Files.list(small.resolve("shm")))
            {
                check("server SHM rings: no half-made ring is left sized", left.allMatch(p -> sizeIsZero(p)), "");
            }
        }
    }

    private static boolean sizeIsZero(final Path p)
    {
        try
        {
            return Files.size(p) == 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** The server's 64 KiB PTCP file cannot be made; once there is room the same client logs in. */
    private void serverQueueOnAFullFileSystem() throws Exception
    {
        final TcpShmConfig config = base().shmDir(disk.resolve("shm")).tcpQueueSize(1 << 16).build();
        Files.createDirectories(disk.resolve("shm"));
        try (TestServer s = new TestServer("srv", small.resolve("s2"), config, clock);
             TestClient c = new TestClient("cli", disk.resolve("c2"), config, clock))
        {
            final Path filler = fill(16 * 1024);
            check("server PTCP file: login refused on a full file system", !c.connect(false, s.port()), c.events);
            check("server PTCP file: the server reports no space",
                s.events.any(e -> e.startsWith("fileError Cannot create") && e.contains("No space left")), s.events);
            s.checkAlive();
            Files.delete(filler);
            c.events.clear();
            check("server PTCP file: with room again the client logs in and is served",
                c.connect(false, s.port()) && echo(c, 20), c.events);
        }
    }

    /** The client's 64 KiB PTCP file cannot be made after the response: a clear error, then a retry works. */
    private void clientQueueOnAFullFileSystem() throws Exception
    {
        final TcpShmConfig config = base().shmDir(disk.resolve("shm")).tcpQueueSize(1 << 16).build();
        try (TestServer s = new TestServer("srv", disk.resolve("s3"), config, clock);
             TestClient c = new TestClient("cli3", small.resolve("c3"), config, clock))
        {
            final Path filler = fill(16 * 1024);
            final Map<String, Integer> before = openFiles();
            check("client PTCP file: connect fails on a full file system", !c.connect(false, s.port()), c.events);
            check("client PTCP file: the client reports no space",
                c.events.any(e -> e.startsWith("systemError Cannot create") && e.contains("No space left")), c.events);
            // the server's end of the session it answered closes when it reads the client's close
            s.awaitIterations(1000);
            final boolean serverClosed = c.pollUntil(() -> s.events.anyStartsWith("disconnected cli3"), 10_000);
            // the server's queue file of cli3 stays mapped (a slot keeps its files between sessions), with no descriptor
            final List<String> added = OpenFiles.added(before, openFiles());
            check("client PTCP file: nothing left open", serverClosed && added.isEmpty(), added + ", server events " + s.events);
            Files.delete(filler);
            c.events.clear();
            // the server saw a session that the client dropped; it may take a poll or two to free the slot
            boolean in = false;
            for (int i = 0; i < 50 && !in; i++)
            {
                in = c.connect(false, s.port());
                if (!in)
                {
                    s.awaitIterations(1000);
                }
            }
            check("client PTCP file: with room again the client logs in and is served", in && echo(c, 20), c.events);
        }
    }

    /** A client or server that cannot create its .lastserver or counters file fails at once, cleanly. */
    private void lastServerAndCountersOnAFullFileSystem() throws Exception
    {
        final TcpShmConfig config = base().shmDir(disk.resolve("shm")).publishCounters(true).build();
        Files.createDirectories(small.resolve("c4"));
        Files.createDirectories(small.resolve("s4"));
        final Path filler = fill(0);
        final Map<String, Integer> before = openFiles();
        try (TestClient c = new TestClient("cli4", small.resolve("c4"), config, clock))
        {
            check("client files: construction fails on a full file system", false, "it succeeded: " + c.client);
        }
        catch (final UncheckedIOException ex)
        {
            check("client files: construction fails with 'No space left'", ex.getCause().getMessage().contains("No space left"),
                ex.getCause());
        }
        try (TestServer s = new TestServer("srv4", small.resolve("s4"), config, clock))
        {
            check("server counters file: start fails on a full file system", false, "it started on " + s.port());
        }
        catch (final IllegalStateException ex)
        {
            check("server counters file: start fails, the reason names no space", ex.getMessage().contains("No space left"),
                ex.getMessage());
        }
        check("client and server files: nothing left open", OpenFiles.added(before, openFiles()).isEmpty(),
            OpenFiles.added(before, openFiles()));
        Files.delete(filler);
        try (TestClient again = new TestClient("cli4", small.resolve("c4"), config, clock))
        {
            check("client files: with room again the same name opens", again.client.clientName().equals("cli4"), "");
        }
    }
}
