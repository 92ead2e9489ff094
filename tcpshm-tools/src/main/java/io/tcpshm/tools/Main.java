package io.tcpshm.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ServiceLoader;

/**
 * The {@code tcpshm} command. Built in: the operating tools {@code stat}, {@code inspect} and {@code reset};
 * every other subcommand comes from a {@link SubcommandProvider} on the class path (the echo programs, the
 * demo and the chaos runner, the benchmarks). A user mistake (bad option, invalid setting) prints one line
 * and exits non-zero, never a stack trace.
 */
@Command(name = "tcpshm", mixinStandardHelpOptions = true, version = "tcpshm for Java 0.1.0",
    description = "Persistent low-latency messaging over TCP and shared memory, wire-compatible with C++ tcpshm.",
    subcommands = {InspectCommand.class, ResetCommand.class, StatCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable
{
    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns the exit code (for tests and for {@link #main}).
     *
     * @param args command line.
     * @return exit code.
     */
    public static int run(final String... args)
    {
        final CommandLine cl = new CommandLine(new Main());
        for (final SubcommandProvider provider : ServiceLoader.load(SubcommandProvider.class))
        {
            for (final Object command : provider.subcommands())
            {
                cl.addSubcommand(command);
            }
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) ->
        {
            ex.getCommandLine().getErr().println("tcpshm: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() +
                " --help'.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) ->
        {
            final String message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            c.getErr().println("tcpshm " + c.getCommandName() + ": " + message);
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run()
    {
        new CommandLine(this).usage(System.out);
    }
}
