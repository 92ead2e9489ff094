package io.tcpshm.files;

import io.tcpshm.internal.Names;

import java.nio.file.Path;

/**
 * Where the files of a persistent connection live (docs/PROTOCOL.md, "Files" and "Names"), for tools
 * that find, inspect or reset them.
 */
public final class FileNames
{
    private FileNames()
    {
    }

    /**
     * @param dir    the side's {@code ptcpDir}.
     * @param local  this side's name.
     * @param remote the peer's name.
     * @return {@code <dir>/<local>_<remote>.ptcp}, the local side's send queue.
     */
    public static Path ptcpFile(final Path dir, final String local, final String remote)
    {
        return Names.ptcpFile(dir, local, remote);
    }

    /**
     * @param shmDir   the {@code shmDir} setting.
     * @param sender   the name of the side that writes messages into the ring.
     * @param receiver the name of the side that reads them.
     * @return {@code <shmDir>/<sender>_<receiver>.shm}.
     */
    public static Path shmFile(final Path shmDir, final String sender, final String receiver)
    {
        return Names.shmFile(shmDir, sender, receiver);
    }

    /**
     * @param dir    the client's {@code ptcpDir}.
     * @param client the client's name.
     * @return {@code <dir>/<client>.lastserver}.
     */
    public static Path lastServerFile(final Path dir, final String client)
    {
        return Names.lastServerFile(dir, client);
    }

    /**
     * @param dir   the client's or server's {@code ptcpDir}.
     * @param owner the client's or server's name.
     * @return {@code <dir>/<owner>.lock}: locked (a POSIX record lock on the whole file) while a live process uses
     *     this name in this directory; its queue files and last-server file carry no lock of their own.
     */
    public static Path ownerLockFile(final Path dir, final String owner)
    {
        return Names.ownerLockFile(dir, owner);
    }

    /**
     * @param shmDir the SHM directory.
     * @param owner  the client's or server's name.
     * @return {@code <shmDir>/<owner>.shmlock}: locked (whole file) while a live process uses this name's end of the
     *     rings in that directory (the producer end of {@code <owner>_<peer>.shm}, the consumer end of
     *     {@code <peer>_<owner>.shm}); the rings carry no lock of their own.
     */
    public static Path shmOwnerLockFile(final Path shmDir, final String owner)
    {
        return Names.shmOwnerLockFile(shmDir, owner);
    }

    /**
     * @param dir   the client's or server's {@code ptcpDir}.
     * @param owner the client's or server's name.
     * @return {@code <dir>/<owner>.counters}.
     */
    public static Path countersFile(final Path dir, final String owner)
    {
        return dir.resolve(owner + ".counters");
    }

    /**
     * @param name     a client or server name.
     * @param nameSize the {@code nameSize} setting (the name field, its NUL included).
     * @return null when the name is usable, else why not.
     */
    public static String problem(final String name, final int nameSize)
    {
        return Names.problem(name, nameSize);
    }
}
