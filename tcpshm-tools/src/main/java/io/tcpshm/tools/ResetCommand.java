package io.tcpshm.tools;

import io.tcpshm.files.FileNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code tcpshm reset DIR LOCAL REMOTE}: the supported way out of a sequence number mismatch.
 * Shows what would be discarded, asks for confirmation (or {@code --yes}), copies the files to a
 * backup directory, then makes the next login start a new persistent connection:
 * <ul>
 * <li>in a client's directory it forgets the last server name (and zeroes the connection's queue
 *     and rings): the next login then carries no last server name, so the server resets its side
 *     too. This alone resolves a mismatch;</li>
 * <li>in a server's directory it zeroes the connection's queue and rings; the client must also be
 *     reset (its numbers still refer to the old connection).</li>
 * </ul>
 * Refuses while a process holds the files' locks (every Java peer does while it has them open; a C++
 * peer takes no locks, so stop it first).
 */
@Command(name = "reset", mixinStandardHelpOptions = true,
    description = "Resets one persistent connection (after a sequence number mismatch), keeping a backup of its files.")
public final class ResetCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "The ptcp directory of this side.")
    Path dir;

    @Parameters(index = "1", paramLabel = "LOCAL", description = "This side's name.")
    String local;

    @Parameters(index = "2", paramLabel = "REMOTE", description = "The peer's name.")
    String remote;

    @Option(names = "--shm-dir", defaultValue = "/dev/shm", description = "Directory of the SHM rings (default ${DEFAULT-VALUE}).")
    Path shmDir;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception
    {
        for (final String[] n : new String[][] {{"LOCAL", local}, {"REMOTE", remote}})
        {
            final String problem = FileNames.problem(n[1], 256);
            if (problem != null)
            {
                throw new IllegalArgumentException(n[0] + " '" + n[1] + "' " + problem);
            }
        }
        if (!Files.isDirectory(dir))
        {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        final Path lastServer = FileNames.lastServerFile(dir, local);
        final boolean client = Files.exists(lastServer);
        final List<Path> files = new ArrayList<>();
        final Path ptcp = FileNames.ptcpFile(dir, local, remote);
        final Path sendRing = FileNames.shmFile(shmDir, local, remote);
        final Path recvRing = FileNames.shmFile(shmDir, remote, local);
        for (final Path f : new Path[] {ptcp, sendRing, recvRing})
        {
            if (Files.exists(f))
            {
                files.add(f);
            }
        }
        if (client)
        {
            files.add(lastServer);
        }
        // the echo sample server's reply journal for this client refers to the old connection's positions
        final Path echoJournal = dir.resolve(remote + ".echo-journal");
        final boolean journal = !client && Files.exists(echoJournal);
        if (files.isEmpty())
        {
            out.println("nothing to reset: no files of " + local + " <-> " + remote + " in " + dir + " or " + shmDir);
            return 1;
        }
        // what would be discarded
        final Set<String> names = new LinkedHashSet<>(List.of(local, remote));
        out.println("reset " + local + " <-> " + remote + (client ? " (client side)" : " (server side)") + ":");
        if (Files.exists(ptcp))
        {
            final Map<String, Object> q = QueueFiles.ptcp(ptcp, names);
            out.printf("  %s: %s messages (%s bytes) queued and not acked, myAck %s -- discarded%n", ptcp,
                q.getOrDefault("messagesQueued", "?"), q.getOrDefault("bytesQueued", "?"), q.getOrDefault("myAck", "?"));
        }
        for (final Path ring : new Path[] {sendRing, recvRing})
        {
            if (Files.exists(ring))
            {
                final Map<String, Object> r = QueueFiles.ring(ring, ring == sendRing ? local : remote,
                    ring == sendRing ? remote : local);
                out.printf("  %s: %s messages unconsumed -- discarded%n", ring, r.getOrDefault("messagesUnconsumed", "?"));
            }
        }
        if (client)
        {
            out.printf("  %s: last server '%s' -- forgotten, so the next login starts a new connection on both sides%n",
                lastServer, QueueFiles.lastServer(lastServer));
        }
        else
        {
            out.println("  note: reset the client " + remote + " too (bin/tcpshm reset CLIENT_DIR " + remote + " " + local +
                "), or its next login still refers to the old connection");
        }
        final List<FileChannel> held = new ArrayList<>();
        // the owner lock of LOCAL says a live client or server uses these files (they carry no lock of their own);
        // the files themselves are locked too, for the ring ends and for peers that lock each file
        final List<Path> locked = new ArrayList<>(files);
        final Path ownerLock = FileNames.ownerLockFile(dir, local);
        if (Files.exists(ownerLock))
        {
            locked.add(ownerLock);
        }
        if (Files.exists(sendRing) || Files.exists(recvRing))
        {
            // the ends of the rings: each side's owner lock in the SHM directory
            for (final String name : new String[] {local, remote})
            {
                final Path shmOwner = FileNames.shmOwnerLockFile(shmDir, name);
                if (Files.exists(shmOwner))
                {
                    locked.add(shmOwner);
                }
            }
        }
        try
        {
            for (final Path f : locked)
            {
                final FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
                held.add(ch);
                final FileLock lock;
                try
                {
                    lock = ch.tryLock(0, Long.MAX_VALUE, false);
                }
                catch (final OverlappingFileLockException ex)
                {
                    throw new IllegalStateException(f + " is in use by this process");
                }
                if (lock == null)
                {
                    out.println("refused: " + f + " is in use by a live process; stop it first");
                    return 1;
                }
            }
            if (!yes && !confirm())
            {
                out.println("not reset");
                return 1;
            }
            final Path backup = newBackupDirectory(dir.resolve("backup-" + local + "_" + remote + "-" +
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
            for (int i = 0; i < files.size(); i++)
            {
                Files.copy(files.get(i), backup.resolve(files.get(i).getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
            for (final FileChannel ch : held.subList(0, files.size()))
            {
                zero(ch); // not the owner lock, which holds nothing
            }
            if (journal)
            {
                Files.move(echoJournal, backup.resolve(echoJournal.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            out.println("reset done; backup in " + backup);
            return 0;
        }
        finally
        {
            for (final FileChannel ch : held)
            {
                try
                {
                    ch.close();
                }
                catch (final IOException ignore)
                {
                    // closing releases the locks
                }
            }
        }
    }

    private boolean confirm() throws IOException
    {
        if (System.console() == null)
        {
            out.println("refused: not a terminal; pass --yes to reset without asking");
            return false;
        }
        out.print("Reset and discard this? [y/N] ");
        out.flush();
        final String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return answer != null && answer.trim().equalsIgnoreCase("y");
    }

    private static void zero(final FileChannel ch) throws IOException
    {
        final long size = ch.size();
        final ByteBuffer zeros = ByteBuffer.allocate(8192);
        for (long pos = 0; pos < size; )
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), size - pos));
            pos += ch.write(zeros, pos);
        }
        ch.force(true);
    }

    /** A new directory named {@code base}, or {@code base-2}, {@code base-3}... when a reset in the same second made one. */
    private static Path newBackupDirectory(final Path base) throws java.io.IOException
    {
        for (int n = 1; ; n++)
        {
            final Path candidate = n == 1 ? base : base.resolveSibling(base.getFileName() + "-" + n);
            try
            {
                return Files.createDirectory(candidate);
            }
            catch (final java.nio.file.FileAlreadyExistsException taken)
            {
                // try the next name
            }
        }
    }
}
