package io.tcpshm.internal;

import java.io.IOException;
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
 * The files this process has mapped, one channel each, and the byte-range locks on them. The locks are
 * POSIX record locks, owned by the process: closing any descriptor of a file drops all of them, so a file
 * is never opened twice at once, else closing one mapping (or a refused second open) would silently
 * unlock the others for other processes. Every method holds the class's monitor; {@link MappedRegion}
 * holds it too across a whole open, so that an open and a close of the same file never interleave.
 */
final class ProcessFiles
{
    /** Open channels by file identity (the file key, or the normalized path where there is none). */
    private static final Map<Object, SharedChannel> OPEN = new HashMap<>();

    private ProcessFiles()
    {
    }

    /**
     * One open channel of a file, shared by the mappings of this process that use it; or, for a file mapped without a
     * lock of its own (an owner lock covers it), only the record that this process maps it, with no channel kept.
     */
    static final class SharedChannel
    {
        final Object key;
        /** The regions mapping it, weakly: a region never closed and collected leaves no live holder. */
        final java.util.List<java.lang.ref.WeakReference<Object>> holders = new java.util.ArrayList<>(2);
        FileChannel channel;
        int users = 1;
        /** A file mapped without locks by any number of mappings (an SHM ring): a channel is opened only to map. */
        boolean sharedUnlocked;

        SharedChannel(final Object key, final FileChannel channel)
        {
            this.key = key;
            this.channel = channel;
        }

        /**
         * An entry that keeps no descriptor and whose regions were all collected without a close (a bug of the caller,
         * whose mappings the collector has dropped): once its file is deleted, the file system may give the freed
         * inode number, and so this entry's key, to another file, which this entry must not block. An entry with a
         * channel keeps its inode, and a live region keeps its mapping and so its inode.
         */
        boolean stale()
        {
            if (channel != null || holders.isEmpty())
            {
                return false;
            }
            for (final java.lang.ref.WeakReference<Object> h : holders)
            {
                if (h.get() != null)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * @param path           the file, created if missing.
     * @param shareWithGroup create it readable and writable by the group too (else owner only).
     * @return the process's channel of the file, opened (and the file created) if needed; one more user.
     * @throws IOException naming the file when it cannot be opened.
     */
    static synchronized SharedChannel acquire(final Path path, final boolean shareWithGroup) throws IOException
    {
        final Object key = fileKey(path);
        final SharedChannel open = liveEntry(key);
        if (open != null)
        {
            if (open.channel == null)
            {
                throw new IOException("File " + path + " is in use: it is mapped already in this process (two clients " +
                    "or servers with the same names and directory?)");
            }
            open.users++;
            return open;
        }
        return newEntry(path, key, shareWithGroup, false);
    }

    /** @return the entry of {@code key} (null for none), after dropping it if it is stale. */
    private static SharedChannel liveEntry(final Object key)
    {
        final SharedChannel open = key == null ? null : OPEN.get(key);
        if (open != null && open.stale())
        {
            OPEN.remove(key);
            return null;
        }
        return open;
    }

    /** Opens (creating if needed) a file this process has no entry of, and enters it with one user. */
    private static SharedChannel newEntry(final Path path, final Object keyBefore, final boolean shareWithGroup,
        final boolean sharedUnlocked) throws IOException
    {
        final FileChannel channel = openChannel(path, shareWithGroup);
        final Object key = keyBefore != null ? keyBefore : fileKey(path); // a file created just now has a key now
        final SharedChannel shared = new SharedChannel(key != null ? key : path.toAbsolutePath().normalize(), channel);
        shared.sharedUnlocked = sharedUnlocked;
        OPEN.put(shared.key, shared);
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
     * Takes an exclusive lock on a byte range, without waiting.
     *
     * @return the lock.
     * @throws IOException naming the file when another process (or mapping of this one) holds the range.
     */
    static FileLock tryLock(final FileChannel channel, final Path path, final long position, final long length)
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
     * For a file that any number of mappings of this process share without locks (an SHM ring, whose ends the
     * owner locks of the two sides cover): its entry, with a channel opened for this mapping. The caller maps, then
     * calls {@link #dropDescriptor}, so that no descriptor stays open. No lock of this process is ever held on such
     * a file, so opening and closing a channel of it drops none.
     *
     * @param path           the file, created if missing.
     * @param shareWithGroup create it readable and writable by the group too.
     * @return the entry, one more user, with an open channel.
     * @throws IOException when the file cannot be opened, or this process maps it with an exclusive mapping.
     */
    static synchronized SharedChannel acquireUnlockedShared(final Path path, final boolean shareWithGroup)
        throws IOException
    {
        final Object key = fileKey(path);
        final SharedChannel open = liveEntry(key);
        if (open != null)
        {
            if (open.channel == null && !open.sharedUnlocked)
            {
                throw new IOException("File " + path + " is in use: it is mapped already in this process");
            }
            if (open.channel == null)
            {
                open.channel = openChannel(path, shareWithGroup);
            }
            open.users++;
            return open;
        }
        return newEntry(path, key, shareWithGroup, true);
    }

    /**
     * After a mapping of an {@link #acquireUnlockedShared} file: closes the channel opened for it (the mappings stay
     * valid). A channel of a locked entry (a test mapping a ring with range locks) is left open.
     *
     * @param shared the file's entry.
     */
    static synchronized void dropDescriptor(final SharedChannel shared)
    {
        if (shared.sharedUnlocked && shared.channel != null)
        {
            try
            {
                shared.channel.close();
            }
            catch (final IOException ignore)
            {
                // the mapping is made
            }
            shared.channel = null;
        }
    }

    /**
     * @param path a file.
     * @return this process's record of it, or null (for tests).
     */
    static synchronized SharedChannel recordOf(final Path path)
    {
        final Object key = fileKey(path);
        return key == null ? null : OPEN.get(key);
    }

    /**
     * Records a region that maps the file of {@code shared}, weakly (see {@link SharedChannel#stale()}).
     *
     * @param shared the file's entry.
     * @param region the region made.
     */
    static synchronized void held(final SharedChannel shared, final Object region)
    {
        shared.holders.add(new java.lang.ref.WeakReference<>(region));
    }

    /**
     * For a file mapped without a lock of its own: closes its channel now that the mapping is made (the mapping stays
     * valid), keeping the record that this process maps it, so that a second mapping here is refused. The only user.
     *
     * @param shared the file's entry, with one user.
     */
    static synchronized void keepNoDescriptor(final SharedChannel shared)
    {
        try
        {
            shared.channel.close();
        }
        catch (final IOException ignore)
        {
            // the mapping is made; a close that fails leaves nothing to undo
        }
        shared.channel = null;
    }

    /**
     * Releases a lock and one user of a channel; the channel closes with its last user. Never throws.
     *
     * @param lock    the lock, or null.
     * @param channel the channel, or null.
     */
    static synchronized void release(final FileLock lock, final SharedChannel channel)
    {
        release(lock, channel, null);
    }

    /**
     * {@link #release(FileLock, SharedChannel)} for a region that is closing: it is no longer a holder of the file.
     *
     * @param lock    the lock, or null.
     * @param channel the channel, or null.
     * @param region  the closing region, or null.
     */
    static synchronized void release(final FileLock lock, final SharedChannel channel, final Object region)
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
        if (channel != null)
        {
            channel.holders.removeIf(h -> h.get() == null || h.get() == region);
        }
        if (channel == null || --channel.users > 0)
        {
            return; // other mappings of this file still use the channel (and their locks)
        }
        OPEN.remove(channel.key);
        if (channel.channel == null)
        {
            return; // mapped without a descriptor kept
        }
        try
        {
            channel.channel.close();
        }
        catch (final IOException ignore)
        {
            // nothing more can be done; the mapping is already gone
        }
    }

    /**
     * Opens a file read-write, creating it with owner-only (or owner and group) permissions when missing.
     *
     * @throws IOException naming the file.
     */
    static FileChannel openChannel(final Path path, final boolean shareWithGroup) throws IOException
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
}
