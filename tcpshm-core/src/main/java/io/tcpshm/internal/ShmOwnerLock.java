package io.tcpshm.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The owner lock of a client's or server's name in its SHM directory ({@link Names#shmOwnerLockFile}), taken at its
 * first SHM session and held until it stops. It covers this side's end of every ring of that name: the producer end
 * of {@code <name>_<peer>.shm} and the consumer end of {@code <peer>_<name>.shm}. The rings are therefore mapped with
 * no lock and no descriptor of their own, and an SHM connection costs a server one descriptor (its socket), not
 * three. A second process using the same name and SHM directory fails at its first SHM login.
 *
 * <p>One thread: a server's control thread, or a client's connecting thread; {@link #close()} at the stop.
 */
public final class ShmOwnerLock
{
    private final Path shmDir;
    private final String name;
    private final boolean shareWithGroup;
    private OwnerLock lock;

    /**
     * @param shmDir the SHM directory.
     * @param name the client's or server's name.
     * @param shareWithGroup create the lock file readable and writable by the group too.
     */
    public ShmOwnerLock(final Path shmDir, final String name, final boolean shareWithGroup)
    {
        this.shmDir = shmDir;
        this.name = name;
        this.shareWithGroup = shareWithGroup;
    }

    /**
     * Takes the lock unless it is held already.
     *
     * @throws IOException naming the lock file when another process (or client or server of this one) holds it.
     */
    public void ensure() throws IOException
    {
        if (lock == null)
        {
            lock = OwnerLock.acquireFile(Names.shmOwnerLockFile(shmDir, name), name, shareWithGroup);
        }
    }

    /** Releases the lock, if held. */
    public void close()
    {
        if (lock != null)
        {
            lock.close();
            lock = null;
        }
    }
}
