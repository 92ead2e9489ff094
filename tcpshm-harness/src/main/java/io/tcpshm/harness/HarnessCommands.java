package io.tcpshm.harness;

import io.tcpshm.tools.SubcommandProvider;

import java.util.List;

/**
 * Adds {@code demo}, {@code chaos} and {@code chaos-crowd} (with its hidden {@code crowd-client}) to the {@code tcpshm}
 * command.
 */
public final class HarnessCommands implements SubcommandProvider
{
    @Override
    public List<Object> subcommands()
    {
        return List.of(new DemoCommand(), new ChaosCommand(), new CrowdChaosCommand(), new CrowdClientCommand());
    }
}
