package io.tcpshm;

import io.tcpshm.files.CountersDescriptor;
import io.tcpshm.files.FileNames;
import io.tcpshm.internal.MappedRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The counters file a client or server publishes ({@link TcpShmConfig#publishCounters()}): one slot per
 * connection, written in place by the connections' {@code CountersWriter}s; and the directory it lives in.
 */
final class PublishedCounters
{
    private PublishedCounters()
    {
    }

    /**
     * Opens {@code <dir>/<name>.counters}, zeroed, and moves each connection's counters into its slot.
     */
    static MappedRegion open(final Path dir, final String name, final TcpShmConfig config,
        final TcpShmConnection[] connections) throws IOException
    {
        final int size = CountersDescriptor.fileSize(connections.length);
        final Path path = FileNames.countersFile(dir, name);
        if (Files.exists(path) && Files.size(path) != size)
        {
            Files.delete(path); // our own file, of another configuration: counters start at 0 anyway
        }
        final MappedRegion region = MappedRegion.openOwned(path, size, config.shareFilesWithGroup(), 0, size);
        try
        {
            region.zero();
            CountersDescriptor.writeHeader(region.buffer(), connections.length, name);
        }
        catch (final RuntimeException | Error ex)
        {
            region.close(); // e.g. a fault writing the page: nothing is left mapped or locked
            throw ex;
        }
        for (int i = 0; i < connections.length; i++)
        {
            connections[i].counters().moveTo(region.buffer(), CountersDescriptor.slotOffset(i));
        }
        return region;
    }

    /** Moves the counters back to private memory and closes the counters file. */
    static void close(final MappedRegion region, final TcpShmConnection[] connections)
    {
        if (region == null)
        {
            return;
        }
        for (final TcpShmConnection c : connections)
        {
            c.counters().moveTo(ByteBuffer.allocateDirect(CountersDescriptor.SLOT_SIZE).order(ByteOrder.nativeOrder()), 0);
        }
        region.close();
    }

    /**
     * Creates the directory of a client's or server's files (owner-only, or with the group) when missing.
     *
     * @throws IOException when it cannot be created.
     */
    static void createDirectory(final Path dir, final boolean shareWithGroup) throws IOException
    {
        if (Files.isDirectory(dir))
        {
            return;
        }
        final Set<PosixFilePermission> perms = PosixFilePermissions.fromString(shareWithGroup ? "rwxrwx---" : "rwx------");
        try
        {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(perms));
            Files.setPosixFilePermissions(dir, perms); // the umask may have cleared the group bits
        }
        catch (final UnsupportedOperationException ex)
        {
            Files.createDirectories(dir);
        }
    }
}
