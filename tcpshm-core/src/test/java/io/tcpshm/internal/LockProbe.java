package io.tcpshm.internal;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a JVM of its own by {@code MappedRegionTest}: tries to take an exclusive record lock on a
 * byte range of a file and prints {@code locked} or {@code busy}, so that a test sees what another
 * process sees.
 */
public final class LockProbe
{
    private LockProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final FileLock lock = ch.tryLock(Long.parseLong(args[1]), Long.parseLong(args[2]), false);
            System.out.println(lock == null ? "busy" : "locked");
        }
    }
}
