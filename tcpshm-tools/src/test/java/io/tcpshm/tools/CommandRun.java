package io.tcpshm.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@code tcpshm} subcommand run in this JVM with its standard output and error captured.
 * System.out/err are process-wide, so callers must not run two at once. Shared with the tests of the modules
 * that add subcommands (the test-jar of tcpshm-tools).
 */
public final class CommandRun
{
    /** The exit code. */
    public final int exit;
    /** What it printed to standard output. */
    public final String out;
    /** What it printed to standard error. */
    public final String err;

    private CommandRun(final int exit, final String out, final String err)
    {
        this.exit = exit;
        this.out = out;
        this.err = err;
    }

    /**
     * @param args the command line after {@code tcpshm}.
     * @return its exit code and output.
     */
    public static CommandRun run(final String... args)
    {
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit;
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.run(args);
        }
        finally
        {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new CommandRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public String toString()
    {
        return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
}
