package io.tcpshm.internal;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file mapped read-write into memory, with an advisory byte-range lock held while it is open,
 * and unmapped deterministically by {@link #close()} ({@link Mapper}). The process's open files and
 * their locks are kept by {@link ProcessFiles}; files only this side writes are created at full size
 * by {@link FileCreator}.
 *
 * <p>Files are never resized once they have content: a file of the wrong size is a
 * configuration mismatch with the peer (a C++ peer would resize it under a live mapping and crash
 * the other process), and is reported as an {@link IOException} naming both sizes. A missing or
 * empty file is created with its full size, zero-filled.
 */
public final class MappedRegion implements AutoCloseable, RetiredMappings.Closeable
{
    private final Path path;
    private final ProcessFiles.SharedChannel channel;
    private final ByteBuffer buffer;
    private final Object arena;
    private FileLock lock;
    /** Volatile: a thread that did not close the region may ask (a client's retired rings). */
    private volatile boolean closed;

    private MappedRegion(final Path path, final ProcessFiles.SharedChannel channel, final ByteBuffer buffer,
        final Object arena, final FileLock lock)
    {
        this.path = path;
        this.channel = channel;
        this.buffer = buffer;
        this.arena = arena;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) and maps a file of exactly {@code size} bytes and takes an
     * exclusive advisory lock on {@code [lockPosition, lockPosition + lockLength)}. With a length of 0 the file
     * takes no lock of its own (an {@link OwnerLock} covers it): it may be mapped only once in this process, and
     * its descriptor is closed once it is mapped, so that a server with thousands of connections holds one
     * descriptor per connection (its socket), not two. With a negative length it takes no lock either and may be
     * mapped any number of times in this process (an SHM ring: its two ends, a client's and a server's in one JVM,
     * are covered by the owner locks of the two sides in the SHM directory), and keeps no descriptor.
     *
     * @param path file to open.
     * @param size expected size in bytes.
     * @param shareWithGroup create the file readable and writable by the group too (else owner only).
     * @param lockPosition first byte of the lock range.
     * @param lockLength length of the lock range; 0 takes no lock.
     * @return the mapped region.
     * @throws IOException with a message naming the file on any failure: wrong size, in use, no access.
     */
    public static MappedRegion open(
        final Path path, final int size, final boolean shareWithGroup, final long lockPosition, final long lockLength)
        throws IOException
    {
        ProcessFiles.SharedChannel shared = null;
        FileLock lock = null;
        synchronized (ProcessFiles.class)
        {
            try
            {
                shared = lockLength < 0 ? ProcessFiles.acquireUnlockedShared(path, shareWithGroup) :
                    ProcessFiles.acquire(path, shareWithGroup);
                final FileChannel channel = shared.channel;
                if (lockLength > 0)
                {
                    lock = ProcessFiles.tryLock(channel, path, lockPosition, lockLength);
                }
                else if (lockLength == 0 && shared.users > 1)
                {
                    throw new IOException("File " + path + " is in use: it is mapped already in this process (two " +
                        "clients or servers with the same names and directory?)");
                }
                final long existing = channel.size();
                if (existing == 0)
                {
                    // new (or never sized) file: give it its full size, zero-filled and allocated
                    try
                    {
                        FileCreator.reserve(channel, path, size);
                    }
                    catch (final IOException ex)
                    {
                        channel.truncate(0); // empty again, so that a later open sizes it anew
                        throw ex;
                    }
                }
                else if (existing != size)
                {
                    throw new IOException("File " + path + " has size " + existing + " but this configuration expects " +
                        size + " bytes: the peer or an earlier run used other settings (queue size, name size?)");
                }
                final Object[] arenaOut = new Object[1];
                final ByteBuffer buffer = Mapper.INSTANCE.map(channel, size, arenaOut);
                if (lockLength == 0)
                {
                    ProcessFiles.keepNoDescriptor(shared);
                }
                else if (lockLength < 0)
                {
                    ProcessFiles.dropDescriptor(shared);
                }
                final MappedRegion region = new MappedRegion(path, shared, buffer, arenaOut[0], lock);
                ProcessFiles.held(shared, region);
                return region;
            }
            catch (final IOException | RuntimeException ex)
            {
                if (shared != null && lockLength < 0)
                {
                    ProcessFiles.dropDescriptor(shared); // the channel opened for this mapping
                }
                ProcessFiles.release(lock, shared);
                if (ex instanceof IOException)
                {
                    throw (IOException)ex;
                }
                throw new IOException("Cannot map " + path + ": " + ex, ex);
            }
        }
    }

    /**
     * Like {@link #open} for a file that only this side writes (a PTCP queue, a last-server or
     * counters file): a missing file is created already at its full size ({@link FileCreator}), and
     * an existing empty file is therefore damage (truncated, or made by something else) and an
     * error, not a new file. SHM rings use {@link #open}: a C++ peer creates them empty and then
     * sizes them.
     *
     * @param path file to open.
     * @param size expected size in bytes.
     * @param shareWithGroup create the file readable and writable by the group too (else owner only).
     * @param lockPosition first byte of the lock range.
     * @param lockLength length of the lock range; 0 takes no lock.
     * @return the mapped region.
     * @throws IOException with a message naming the file on any failure.
     */
    public static MappedRegion openOwned(
        final Path path, final int size, final boolean shareWithGroup, final long lockPosition, final long lockLength)
        throws IOException
    {
        return openOwned(path, size, shareWithGroup, lockPosition, lockLength, FileCreator.DEFAULT);
    }

    /**
     * {@link #openOwned(Path, int, boolean, long, long)} with a given way of creating the file.
     *
     * @param path file to open.
     * @param size expected size in bytes.
     * @param shareWithGroup create the file readable and writable by the group too (else owner only).
     * @param lockPosition first byte of the lock range.
     * @param lockLength length of the lock range; 0 takes no lock.
     * @param creator creates a missing file at full size.
     * @return the mapped region.
     * @throws IOException with a message naming the file on any failure.
     */
    public static MappedRegion openOwned(final Path path, final int size, final boolean shareWithGroup,
        final long lockPosition, final long lockLength, final FileCreator creator) throws IOException
    {
        if (!Files.exists(path))
        {
            creator.createFull(path, size, shareWithGroup);
        }
        else if (Files.isRegularFile(path) && Files.size(path) == 0)
        {
            throw new IOException("File " + path + " is empty: it was truncated or not written by tcpshm (tcpshm " +
                "creates its files at full size); move it away, or restore it from a backup");
        }
        return open(path, size, shareWithGroup, lockPosition, lockLength);
    }

    /**
     * Writes the mapping's dirty pages to the storage device (msync), for durability across a power
     * loss. A system call; costly.
     */
    public void force()
    {
        if (buffer instanceof MappedByteBuffer)
        {
            ((MappedByteBuffer)buffer).force();
        }
    }

    /**
     * @return the mapped bytes; a direct buffer in native byte order, position 0, limit = size.
     */
    public ByteBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the file mapped.
     */
    @Override
    public Path path()
    {
        return path;
    }

    /**
     * Zeroes every byte of the mapping.
     */
    public void zero()
    {
        zero(0, CrashPoint.NONE);
    }

    /**
     * Zeroes every byte of the mapping, {@code [from, size)} first, then {@code [0, from)}, in 8-byte
     * stores, with a store-store fence between the two ranges: a file whose indices sit at its end
     * passes their offset, so that a process killed part way leaves zeroed indices over stale blocks
     * rather than stale indices over zeroed blocks.
     *
     * @param from a multiple of 8, at most the size.
     */
    public void zero(final int from)
    {
        zero(from, CrashPoint.NONE);
    }

    /**
     * {@link #zero(int)}, reaching {@code crashPoint} after each 8-byte store.
     *
     * @param from       a multiple of 8, at most the size.
     * @param crashPoint where a test plays a crash.
     */
    public void zero(final int from, final CrashPoint crashPoint)
    {
        final int size = buffer.capacity();
        zeroRange(from, size, crashPoint);
        VarHandle.storeStoreFence(); // the first range before any byte of the second, even to a killed process
        zeroRange(0, from, crashPoint);
    }

    private void zeroRange(final int start, final int end, final CrashPoint crashPoint)
    {
        int i = start;
        for (; i + 8 <= end; i += 8)
        {
            buffer.putLong(i, 0L);
            crashPoint.reached();
        }
        for (; i < end; i++)
        {
            buffer.put(i, (byte)0);
        }
    }

    /**
     * Unmaps the file, releases the lock and closes the file. Any later access to {@link #buffer()}
     * is a bug; on JDK 22+ it fails with an exception, on older JDKs it may crash the JVM, so
     * callers close only what no thread can reach any more. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            Mapper.INSTANCE.unmap(buffer, arena);
        }
        finally
        {
            ProcessFiles.release(lock, channel, this);
            lock = null;
        }
    }

    /**
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }
}
