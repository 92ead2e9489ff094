package io.tcpshm.harness;

import io.tcpshm.tools.Main;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@code tcpshm} subcommands as child JVMs on this JVM's class path and remembers the live ones, so that a
 * shutdown hook (or the end of the run) can kill every child left behind: a demo or chaos run killed with Ctrl-C
 * must not leave an echo client or server running.
 */
final class ChildLauncher
{
    private final List<Process> children = new ArrayList<>();

    /**
     * Starts a child JVM running {@code tcpshm} with the given arguments.
     *
     * @param args the subcommand and its options.
     * @param log  the file the child's stdout and stderr are appended to.
     * @return the started process.
     * @throws IOException when the process cannot be started.
     */
    Process start(final List<String> args, final Path log) throws IOException
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        final Process p = pb.start();
        synchronized (children)
        {
            // forget the dead ones: a long run restarts hundreds of children
            children.removeIf(c -> !c.isAlive());
            children.add(p);
        }
        return p;
    }

    /**
     * SIGKILLs every child still alive; safe to call from a shutdown hook while a run is starting children.
     */
    void killAll()
    {
        synchronized (children)
        {
            for (final Process p : children)
            {
                if (p.isAlive())
                {
                    p.destroyForcibly();
                }
            }
            children.clear();
        }
    }
}
