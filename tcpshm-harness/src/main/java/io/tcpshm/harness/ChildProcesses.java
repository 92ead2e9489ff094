package io.tcpshm.harness;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Small helpers shared by the commands that run tcpshm peers as child processes ({@code bench},
 * {@code demo}, {@code chaos}): scratch directories, free ports, log tails.
 */
public final class ChildProcesses
{
    private ChildProcesses()
    {
    }

    /**
     * Deletes a directory tree, best effort (scratch files of finished child processes).
     *
     * @param root the tree; nothing happens when it does not exist.
     */
    public static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(root))
        {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
        catch (final IOException ignore)
        {
            // best effort
        }
    }

    /**
     * @return a TCP port that was free on this host a moment ago.
     * @throws IOException when no port can be bound.
     */
    public static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            return s.getLocalPort();
        }
    }

    /**
     * @param log a child's log file.
     * @return its last 10 lines, indented, or "" when it cannot be read.
     */
    public static String tail(final Path log)
    {
        try
        {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "    " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 10), lines.size())) + "\n";
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
    }
}
