package io.tcpshm.internal;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/**
 * The lock that says a live process uses a client or server name in a ptcp directory: an exclusive record lock on
 * the whole of {@code <dir>/<name>.lock} ({@link Names#ownerLockFile}), held from the client's construction or the
 * server's start until its stop. It covers every file of that name in the directory (the queue files
 * {@code <name>_<peer>.ptcp} and the last-server file), which are therefore mapped without locks of their own and
 * keep no descriptor open: a server holds one descriptor for all its queue files instead of one each. A second
 * process, or a second client or server in this process, with the same name and directory is refused here.
 *
 * <p>The lock file goes through {@link ProcessFiles} like every mapped file: the process never opens it twice, as
 * closing a second descriptor of it would drop the lock.
 */
public final class OwnerLock implements java.io.Closeable
{
    private final Path path;
    private ProcessFiles.SharedChannel channel;
    private FileLock lock;

    private OwnerLock(final Path path, final ProcessFiles.SharedChannel channel, final FileLock lock)
    {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the owner lock of {@code name} in {@code dir}, creating the lock file if needed.
     *
     * @param dir the ptcp directory (existing).
     * @param name the client's or server's name.
     * @param shareWithGroup create the lock file readable and writable by the group too.
     * @return the lock, held until {@link #close()}.
     * @throws IOException naming the file when another process, or another client or server of this process, holds
     *     it, or when it cannot be opened.
     */
    public static OwnerLock acquire(final Path dir, final String name, final boolean shareWithGroup) throws IOException
    {
        return acquireFile(Names.ownerLockFile(dir, name), name, shareWithGroup);
    }

    /**
     * Takes the owner lock held in {@code path} (for the SHM directory's, {@link Names#shmOwnerLockFile}).
     *
     * @param path the lock file.
     * @param name the client's or server's name, for the message.
     * @param shareWithGroup create the lock file readable and writable by the group too.
     * @return the lock, held until {@link #close()}.
     * @throws IOException naming the file when it is held, or cannot be opened.
     */
    public static OwnerLock acquireFile(final Path path, final String name, final boolean shareWithGroup)
        throws IOException
    {
        synchronized (ProcessFiles.class)
        {
            final ProcessFiles.SharedChannel shared = ProcessFiles.acquire(path, shareWithGroup);
            FileLock lock = null;
            try
            {
                if (shared.users > 1)
                {
                    throw new IOException("File " + path + " is in use: '" + name + "' runs already in this process " +
                        "with this directory (two clients or servers with the same name and directory?)");
                }
                lock = ProcessFiles.tryLock(shared.channel, path, 0, Long.MAX_VALUE);
                return new OwnerLock(path, shared, lock);
            }
            catch (final IOException | RuntimeException ex)
            {
                ProcessFiles.release(lock, shared);
                throw ex;
            }
        }
    }

    /** @return the lock file. */
    public Path path()
    {
        return path;
    }

    /** Releases the lock and closes the lock file (which stays, empty). Idempotent. */
    @Override
    public void close()
    {
        if (channel != null)
        {
            ProcessFiles.release(lock, channel);
            channel = null;
            lock = null;
        }
    }
}
