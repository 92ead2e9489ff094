package io.tcpshm.bench;

import io.tcpshm.tools.SubcommandProvider;

import java.util.List;

/**
 * Adds {@code bench} to the {@code tcpshm} command when this jar is on its class path.
 */
public final class BenchCommands implements SubcommandProvider
{
    @Override
    public List<Object> subcommands()
    {
        return List.of(new BenchCommand());
    }
}
