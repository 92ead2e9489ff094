package io.tcpshm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * A thread-safe log of callback events as text lines, for tests to assert on.
 */
final class Events
{
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

    void add(final String line)
    {
        lines.add(line);
    }

    List<String> all()
    {
        return new ArrayList<>(lines);
    }

    boolean any(final Predicate<String> p)
    {
        for (final String s : lines)
        {
            if (p.test(s))
            {
                return true;
            }
        }
        return false;
    }

    boolean anyStartsWith(final String prefix)
    {
        return any(s -> s.startsWith(prefix));
    }

    long count(final String prefix)
    {
        return lines.stream().filter(s -> s.startsWith(prefix)).count();
    }

    void clear()
    {
        lines.clear();
    }

    @Override
    public String toString()
    {
        return String.join("\n", lines);
    }
}
