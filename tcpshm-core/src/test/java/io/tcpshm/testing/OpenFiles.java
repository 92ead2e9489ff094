package io.tcpshm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * This process's open file descriptors by what they point at ({@code /proc/self/fd}), for tests that
 * check an error path leaks nothing: compare a snapshot before with one after. Sockets count as
 * {@code socket}, pipes as {@code pipe}, files by path. Jars are left out: loading a class the first
 * time may open one, for good.
 */
public final class OpenFiles
{
    private OpenFiles()
    {
    }

    /** @return how many descriptors point at each target. */
    public static Map<String, Integer> snapshot()
    {
        final Map<String, Integer> targets = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                final String target;
                try
                {
                    target = Files.readSymbolicLink(fd).toString();
                }
                catch (final IOException gone)
                {
                    continue; // closed meanwhile (the listing's own descriptor among others)
                }
                if (target.endsWith(".jar"))
                {
                    continue;
                }
                final String kind = target.startsWith("socket:") ? "socket" : target.startsWith("pipe:") ? "pipe" : target;
                targets.merge(kind, 1, Integer::sum);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return targets;
    }

    /** @return each descriptor open in {@code after} beyond those of {@code before}, by target. */
    public static List<String> added(final Map<String, Integer> before, final Map<String, Integer> after)
    {
        final List<String> added = new ArrayList<>();
        for (final Map.Entry<String, Integer> e : after.entrySet())
        {
            for (int i = before.getOrDefault(e.getKey(), 0); i < e.getValue(); i++)
            {
                added.add(e.getKey());
            }
        }
        return added;
    }
}
