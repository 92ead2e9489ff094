package io.tcpshm.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * Creates a file that only this side writes (a PTCP queue, a last-server or counters file) already at
 * its full size, so that no process ever sees it empty: written under a temporary name, then linked into
 * place (atomic: one creator wins, nothing is replaced). Where hard links are refused (EPERM on some file
 * systems) it falls back to creating the file in place with {@code O_EXCL}, still atomic but visible empty
 * until it is sized.
 */
public final class FileCreator
{
    /** Links a new file into place. */
    @FunctionalInterface
    public interface Linker
    {
        /**
         * @param link     the name to create.
         * @param existing the file it names.
         * @throws IOException as {@link Files#createLink} does.
         */
        void link(Path link, Path existing) throws IOException;
    }

    /** The creator the engine uses: {@link Files#createLink}. */
    public static final FileCreator DEFAULT = new FileCreator(Files::createLink);

    /** Zeroes written at creation, a chunk at a time. */
    private static final int RESERVE_CHUNK = 64 * 1024;

    private final Linker linker;

    /**
     * @param linker how to link the written file into place (a test plays a file system that refuses links).
     */
    public FileCreator(final Linker linker)
    {
        this.linker = linker;
    }

    /**
     * Creates {@code path} with {@code size} zero bytes unless it exists (then leaves it alone).
     *
     * @param path           the file.
     * @param size           its size.
     * @param shareWithGroup readable and writable by the group too (else owner only).
     * @throws IOException naming the file.
     */
    void createFull(final Path path, final int size, final boolean shareWithGroup) throws IOException
    {
        final Path dir = path.toAbsolutePath().getParent();
        final Path tmp = dir.resolve("." + path.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" +
            System.nanoTime());
        try
        {
            try (FileChannel ch = ProcessFiles.openChannel(tmp, shareWithGroup))
            {
                reserve(ch, path, size);
            }
            try
            {
                linker.link(path, tmp); // atomic: fails if another process created it meanwhile
            }
            catch (final FileAlreadyExistsException ex)
            {
                // someone else created it first: use theirs
            }
            catch (final UnsupportedOperationException | FileSystemException ex)
            {
                createInPlace(path, size, shareWithGroup);
            }
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
    }

    private static void createInPlace(final Path path, final int size, final boolean shareWithGroup) throws IOException
    {
        final FileChannel ch;
        try
        {
            ch = FileChannel.open(path, EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString(shareWithGroup ? "rw-rw----" : "rw-------")));
        }
        catch (final FileAlreadyExistsException ex)
        {
            return; // someone else created it first: use theirs
        }
        try (ch)
        {
            reserve(ch, path, size);
        }
        catch (final IOException ex)
        {
            Files.deleteIfExists(path);
            throw ex;
        }
    }

    /**
     * Writes zeros over the whole file rather than one byte at its end: the blocks (tmpfs pages) are then
     * allocated now, so a full file system is an {@link IOException} here, at login, and not a fault at the
     * first store through the mapping (SIGBUS, which the JVM turns into an {@link InternalError} thrown out
     * of whatever poll touched the page).
     *
     * @throws IOException naming the file.
     */
    static void reserve(final FileChannel ch, final Path path, final int size) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocate(Math.min(size, RESERVE_CHUNK));
        try
        {
            for (long at = 0; at < size; )
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), size - at));
                at += ch.write(zeros, at);
            }
        }
        catch (final IOException ex)
        {
            throw new IOException("Cannot create " + path + " (" + size + " bytes): " + ex.getMessage(), ex);
        }
    }
}
