package io.tcpshm.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * A thread-safe log of callback events as text lines, for tests to assert on.
 */
public final class Events
{
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

    public void add(final String line)
    {
        lines.add(line);
    }

    public List<String> all()
    {
        return new ArrayList<>(lines);
    }

    public boolean any(final Predicate<String> p)
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

    public boolean anyStartsWith(final String prefix)
    {
        return any(s -> s.startsWith(prefix));
    }

    public long count(final String prefix)
    {
        return lines.stream().filter(s -> s.startsWith(prefix)).count();
    }

    public void clear()
    {
        lines.clear();
    }

    @Override
    public String toString()
    {
        return String.join("\n", lines);
    }
}
