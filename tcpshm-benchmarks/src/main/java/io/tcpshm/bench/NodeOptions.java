package io.tcpshm.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code key=value} options a {@link BenchNode} is started with, after its scenario and role.
 * Every peer reads its settings through this, with the defaults it would use when started by hand.
 */
final class NodeOptions
{
    private final Map<String, String> opts = new HashMap<>();

    /**
     * @param args the node's whole command line: scenario, role, then key=value options.
     */
    NodeOptions(final String[] args)
    {
        for (int i = 2; i < args.length; i++)
        {
            final int eq = args[i].indexOf('=');
            opts.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
    }

    /**
     * @param key option name.
     * @param dflt value when the option was not given.
     * @return the option's text.
     */
    String opt(final String key, final String dflt)
    {
        return opts.getOrDefault(key, dflt);
    }

    /**
     * @param key option name.
     * @param dflt value when the option was not given.
     * @return the option as an int.
     */
    int intOpt(final String key, final int dflt)
    {
        return Integer.parseInt(opt(key, String.valueOf(dflt)));
    }

    /**
     * @return how long the measuring side runs before it records, from {@code warmupMs}, in nanoseconds.
     */
    long warmupNs()
    {
        return Long.parseLong(opt("warmupMs", "1000")) * 1_000_000L;
    }

    /**
     * @return how long the measuring side records, from {@code measureMs}, in nanoseconds.
     */
    long measureNs()
    {
        return Long.parseLong(opt("measureMs", "2000")) * 1_000_000L;
    }
}
