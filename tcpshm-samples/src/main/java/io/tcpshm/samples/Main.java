package io.tcpshm.samples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tcpshm} command: {@code demo}, {@code chaos}, {@code echo-server}, {@code echo-client}, {@code bench}, {@code inspect},
 * {@code reset}, {@code stat}. A user
 * mistake (bad option, invalid setting) prints one line and exits non-zero, never a stack trace.
 */
@Command(name = "tcpshm", mixinStandardHelpOptions = true, version = "tcpshm for Java 0.1.0",
    description = "Persistent low-latency messaging over TCP and shared memory, wire-compatible with C++ tcpshm.",
    subcommands = {DemoCommand.class, ChaosCommand.class, EchoServerCommand.class, EchoClientCommand.class, io.tcpshm.bench.BenchCommand.class,
        InspectCommand.class, ResetCommand.class, StatCommand.class,
        CommandLine.HelpCommand.class})
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

    /**
     * Removes a command's shutdown hook when its run ended by itself, so that a command run in-process
     * (tests) leaves none behind; during a shutdown the hook is what is ending the run, and stays.
     *
     * @param hook the hook the command registered.
     */
    static void removeShutdownHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // the hook is running
        }
    }

    @Override
    public void run()
    {
        new CommandLine(this).usage(System.out);
    }
}
