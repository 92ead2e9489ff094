package io.tcpshm.testing;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether another process can lock a byte range of a file: {@link #otherProcessCanLock} runs this
 * class's {@code main} in a JVM of its own, which tries an exclusive record lock (POSIX, as the
 * library's) and prints {@code locked} or {@code busy}, so that a test sees what another process sees.
 */
public final class LockProbe
{
    private LockProbe()
    {
    }

    /**
     * @param path the file.
     * @param position first byte of the range.
     * @param length bytes of the range.
     * @return true when a child JVM could lock the range (nobody holds it), false when it is busy.
     * @throws Exception when the child cannot run or answers something else.
     */
    public static boolean otherProcessCanLock(final Path path, final long position, final long length) throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElse(
            Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(),
            path.toString(), String.valueOf(position), String.valueOf(length)).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0 || !(out.equals("locked") || out.equals("busy")))
        {
            throw new IllegalStateException("lock probe failed: " + out);
        }
        return out.equals("locked");
    }

    /**
     * The child's side: locks the range, prints the answer, exits (which releases the lock).
     *
     * @param args file, position, length.
     * @throws Exception when the file cannot be opened.
     */
    public static void main(final String[] args) throws Exception
    {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final FileLock lock = ch.tryLock(Long.parseLong(args[1]), Long.parseLong(args[2]), false);
            System.out.println(lock == null ? "busy" : "locked");
        }
    }
}
