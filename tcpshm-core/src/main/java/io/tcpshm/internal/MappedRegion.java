package io.tcpshm.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A file mapped read-write into memory, with an advisory byte-range lock held while it is open,
 * and unmapped deterministically by {@link #close()}.
 *
 * <p>Unmapping: on JDK 22 and later the file is mapped through the final Foreign Function and
 * Memory API ({@code FileChannel.map(..., Arena)}) and unmapped by closing a shared arena, which
 * the JVM makes safe against concurrent access. On JDK 17 to 21 the mapping is a plain
 * {@link MappedByteBuffer} released with {@code sun.misc.Unsafe.invokeCleaner} (module
 * {@code jdk.unsupported}, open to every class path; it prints no warning there). Both paths are
 * reached reflectively so that the library compiles for Java 17 and needs no JVM flag.
 *
 * <p>Files are never resized once they have content: a file of the wrong size is a
 * configuration mismatch with the peer (a C++ peer would resize it under a live mapping and crash
 * the other process), and is reported as an {@link IOException} naming both sizes. A missing or
 * empty file is created with its full size, zero-filled.
 */
public final class MappedRegion implements AutoCloseable, RetiredMappings.Closeable
{
    private static final Mapper MAPPER = Mapper.create();

    /**
     * Files open in this process, one channel each (guarded by itself). The locks are POSIX record
     * locks, owned by the process: closing any descriptor of a file drops all of them, so a file is
     * never opened twice at once, else closing one region (or a refused second open) would silently
     * unlock the others for other processes.
     */
    private static final Map<Object, SharedChannel> OPEN_FILES = new HashMap<>();

    private final Path path;
    private final SharedChannel channel;
    private final ByteBuffer buffer;
    private final Object arena;
    private FileLock lock;
    /** Volatile: a thread that did not close the region may ask (a client's retired rings). */
    private volatile boolean closed;

    private MappedRegion(
        final Path path, final SharedChannel channel, final ByteBuffer buffer, final Object arena, final FileLock lock)
    {
        this.path = path;
        this.channel = channel;
        this.buffer = buffer;
        this.arena = arena;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) and maps a file of exactly {@code size} bytes and takes an
     * exclusive advisory lock on {@code [lockPosition, lockPosition + lockLength)}.
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
        SharedChannel shared = null;
        FileLock lock = null;
        synchronized (OPEN_FILES)
        {
            try
            {
                shared = acquireChannel(path, shareWithGroup);
                final FileChannel channel = shared.channel;
                if (lockLength > 0)
                {
                    lock = tryLock(channel, path, lockPosition, lockLength);
                }
                final long existing = channel.size();
                if (existing == 0)
                {
                    // new (or never sized) file: give it its full size, zero-filled and allocated
                    try
                    {
                        reserve(channel, path, size);
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
                final ByteBuffer buffer = MAPPER.map(channel, size, arenaOut);
                return new MappedRegion(path, shared, buffer, arenaOut[0], lock);
            }
            catch (final IOException | RuntimeException ex)
            {
                closeQuietly(lock, shared);
                if (ex instanceof IOException)
                {
                    throw (IOException)ex;
                }
                throw new IOException("Cannot map " + path + ": " + ex, ex);
            }
        }
    }

    /** Called holding OPEN_FILES: the process's channel of this file, opened (and created) if needed. */
    private static SharedChannel acquireChannel(final Path path, final boolean shareWithGroup) throws IOException
    {
        Object key = fileKey(path);
        final SharedChannel open = key == null ? null : OPEN_FILES.get(key);
        if (open != null)
        {
            open.users++;
            return open;
        }
        final FileChannel channel = openChannel(path, shareWithGroup);
        if (key == null)
        {
            key = fileKey(path);
        }
        final SharedChannel shared = new SharedChannel(key != null ? key : path.toAbsolutePath().normalize(), channel);
        OPEN_FILES.put(shared.key, shared);
        return shared;
    }

    private static Object fileKey(final Path path)
    {
        try
        {
            final Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return key != null ? key : path.toAbsolutePath().normalize();
        }
        catch (final IOException ex)
        {
            return null; // missing: nobody in this process has it open
        }
    }

    /**
     * Like {@link #open} for a file that only this side writes (a PTCP queue, a last-server or
     * counters file): a missing file is created already at its full size (written under a temporary
     * name, then linked into place, so no process ever sees it empty), and an existing empty file is
     * therefore damage (truncated, or made by something else) and an error, not a new file.
     * SHM rings use {@link #open}: a C++ peer creates them empty and then sizes them.
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
        if (!Files.exists(path))
        {
            createFull(path, size, shareWithGroup);
        }
        else if (Files.isRegularFile(path) && Files.size(path) == 0)
        {
            throw new IOException("File " + path + " is empty: it was truncated or not written by tcpshm (tcpshm " +
                "creates its files at full size); move it away, or restore it from a backup");
        }
        return open(path, size, shareWithGroup, lockPosition, lockLength);
    }

    private static void createFull(final Path path, final int size, final boolean shareWithGroup) throws IOException
    {
        final Path dir = path.toAbsolutePath().getParent();
        final Path tmp = dir.resolve("." + path.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" +
            System.nanoTime());
        try
        {
            try (FileChannel ch = openChannel(tmp, shareWithGroup))
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
                // no hard links here (EPERM on some file systems): create it in place with O_EXCL, still atomic
                // (one creator wins, nothing is replaced), but visible empty until it is sized
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

    /** Zeroes written at file creation, a chunk at a time. */
    private static final int RESERVE_CHUNK = 64 * 1024;

    /**
     * Writes zeros over the whole file rather than one byte at its end: the blocks (tmpfs pages) are
     * then allocated now, so a full file system is an {@link IOException} here, at login, and not a
     * fault at the first store through the mapping (SIGBUS, which the JVM turns into an
     * {@link InternalError} thrown out of whatever poll touched the page).
     */
    private static void reserve(final FileChannel ch, final Path path, final int size) throws IOException
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

    /** Links a new file into place; a seam so that tests can play a file system that refuses hard links. */
    @FunctionalInterface
    interface Linker
    {
        void link(Path link, Path existing) throws IOException;
    }

    /** {@link Files#createLink}, except in tests. */
    static volatile Linker linker = Files::createLink;

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
     * Checks whether a file exists, without creating it.
     *
     * @param path file to look at.
     * @return true if a regular file is there.
     */
    public static boolean exists(final Path path)
    {
        return Files.isRegularFile(path);
    }

    private static FileChannel openChannel(final Path path, final boolean shareWithGroup) throws IOException
    {
        final Set<PosixFilePermission> perms = PosixFilePermissions.fromString(shareWithGroup ? "rw-rw----" : "rw-------");
        try
        {
            final FileChannel created;
            try
            {
                created = FileChannel.open(path, EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE_NEW), PosixFilePermissions.asFileAttribute(perms));
            }
            catch (final UnsupportedOperationException ex)
            {
                return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
            }
            catch (final FileAlreadyExistsException ex)
            {
                return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            try
            {
                Files.setPosixFilePermissions(path, perms); // the umask may have cleared the group bits
            }
            catch (final IOException | UnsupportedOperationException ex)
            {
                // keep what the umask left
            }
            return created;
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException("Cannot create " + path + ": directory missing", ex);
        }
        catch (final FileSystemException ex)
        {
            throw new IOException("Cannot open " + path + ": " + ex.getReason(), ex);
        }
    }

    private static FileLock tryLock(final FileChannel channel, final Path path, final long position, final long length)
        throws IOException
    {
        FileLock lock;
        try
        {
            lock = channel.tryLock(position, length, false);
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null;
        }
        if (lock == null)
        {
            throw new IOException("File " + path + " is in use: another process (or another client/server in this " +
                "process) holds its lock; two peers with the same names and directory?");
        }
        return lock;
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
    public Path path()
    {
        return path;
    }

    /**
     * Zeroes every byte of the mapping.
     */
    public void zero()
    {
        zero(0);
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
        final int size = buffer.capacity();
        zeroRange(from, size);
        VarHandle.storeStoreFence(); // the first range before any byte of the second, even to a killed process
        zeroRange(0, from);
    }

    private void zeroRange(final int start, final int end)
    {
        int i = start;
        for (; i + 8 <= end; i += 8)
        {
            buffer.putLong(i, 0L);
            final Runnable hook = zeroStep;
            if (hook != null)
            {
                hook.run();
            }
        }
        for (; i < end; i++)
        {
            buffer.put(i, (byte)0);
        }
    }

    /** Tests only: run after each 8-byte store of {@link #zero(int)} (it may throw to play a crash there). */
    static volatile Runnable zeroStep;

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
            MAPPER.unmap(buffer, arena);
        }
        finally
        {
            closeQuietly(lock, channel);
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

    private static void closeQuietly(final FileLock lock, final SharedChannel channel)
    {
        synchronized (OPEN_FILES)
        {
            try
            {
                if (lock != null && lock.isValid())
                {
                    lock.release();
                }
            }
            catch (final IOException ignore)
            {
                // closing the channel releases it anyway
            }
            if (channel == null || --channel.users > 0)
            {
                return; // other regions of this file still use the channel (and their locks)
            }
            OPEN_FILES.remove(channel.key);
            try
            {
                channel.channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing more can be done; the mapping is already gone
            }
        }
    }

    /** One open channel of a file, shared by the regions of this process that map it. */
    private static final class SharedChannel
    {
        final Object key;
        final FileChannel channel;
        int users = 1;

        SharedChannel(final Object key, final FileChannel channel)
        {
            this.key = key;
            this.channel = channel;
        }
    }

    /**
     * The two ways of mapping and unmapping, chosen once by JDK version.
     */
    private abstract static class Mapper
    {
        abstract ByteBuffer map(FileChannel channel, int size, Object[] arenaOut) throws IOException;

        abstract void unmap(ByteBuffer buffer, Object arena);

        static Mapper create()
        {
            if (Runtime.version().feature() >= 22)
            {
                try
                {
                    return new FfmMapper();
                }
                catch (final ReflectiveOperationException ex)
                {
                    // fall through to the cleaner
                }
            }
            return new CleanerMapper();
        }
    }

    /**
     * JDK 22+: {@code Arena.ofShared()}, {@code FileChannel.map(mode, 0, size, arena)},
     * {@code segment.asByteBuffer()}, and {@code arena.close()} to unmap.
     */
    private static final class FfmMapper extends Mapper
    {
        private final MethodHandle ofShared;
        private final MethodHandle map;
        private final MethodHandle asByteBuffer;
        private final MethodHandle close;

        FfmMapper() throws ReflectiveOperationException
        {
            final MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            final Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
            final Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            ofShared = lookup.findStatic(arenaClass, "ofShared", MethodType.methodType(arenaClass));
            map = lookup.findVirtual(FileChannel.class, "map", MethodType.methodType(
                segmentClass, FileChannel.MapMode.class, long.class, long.class, arenaClass));
            asByteBuffer = lookup.findVirtual(segmentClass, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
            close = lookup.findVirtual(arenaClass, "close", MethodType.methodType(void.class));
        }

        @Override
        ByteBuffer map(final FileChannel channel, final int size, final Object[] arenaOut) throws IOException
        {
            Object arena = null;
            try
            {
                arena = ofShared.invoke();
                final Object segment = map.invoke(channel, FileChannel.MapMode.READ_WRITE, 0L, (long)size, arena);
                final ByteBuffer buffer = (ByteBuffer)asByteBuffer.invoke(segment);
                arenaOut[0] = arena;
                return buffer.order(java.nio.ByteOrder.nativeOrder());
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                unmap(null, arena);
                throw ex;
            }
            catch (final Throwable ex)
            {
                unmap(null, arena);
                throw new IOException(ex);
            }
        }

        @Override
        void unmap(final ByteBuffer buffer, final Object arena)
        {
            if (arena == null)
            {
                return;
            }
            try
            {
                close.invoke(arena);
            }
            catch (final RuntimeException | Error ex)
            {
                throw ex;
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    /**
     * JDK 17 to 21: {@code FileChannel.map} and {@code Unsafe.invokeCleaner}; if the cleaner is
     * unavailable the mapping is left to the garbage collector.
     */
    private static final class CleanerMapper extends Mapper
    {
        private final MethodHandle invokeCleaner;

        CleanerMapper()
        {
            MethodHandle handle = null;
            try
            {
                final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                final java.lang.reflect.Field field = unsafeClass.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                final Object unsafe = field.get(null);
                handle = MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
            }
            catch (final ReflectiveOperationException | RuntimeException ex)
            {
                handle = null;
            }
            invokeCleaner = handle;
        }

        @Override
        ByteBuffer map(final FileChannel channel, final int size, final Object[] arenaOut) throws IOException
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size).order(java.nio.ByteOrder.nativeOrder());
        }

        @Override
        void unmap(final ByteBuffer buffer, final Object arena)
        {
            if (invokeCleaner == null || buffer == null)
            {
                return;
            }
            try
            {
                invokeCleaner.invokeExact(buffer);
            }
            catch (final RuntimeException | Error ex)
            {
                throw ex;
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }
}
