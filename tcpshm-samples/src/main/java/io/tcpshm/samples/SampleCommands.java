package io.tcpshm.samples;

import io.tcpshm.tools.SubcommandProvider;

import java.util.List;

/**
 * Adds {@code echo-server} and {@code echo-client} to the {@code tcpshm} command.
 */
public final class SampleCommands implements SubcommandProvider
{
    @Override
    public List<Object> subcommands()
    {
        return List.of(new EchoServerCommand(), new EchoClientCommand());
    }
}
