package io.tcpshm.harness;

import io.tcpshm.samples.EchoCounters;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The demo: an echo server and an echo client as two separate processes on loopback, first over
 * SHM then over TCP. Halfway through each mode the client is killed with SIGKILL and restarted,
 * then the server; the stream resumes where it was. Ends with a table per mode.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Runs an echo server and client as two processes over SHM then TCP, kills each with SIGKILL "
        + "mid-stream, restarts it, and shows that nothing was lost or duplicated.")
public final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--phase-seconds", defaultValue = "3",
        description = "Seconds between the events of each mode (start, kill client, kill server, stop); default ${DEFAULT-VALUE}.")
    double phaseSeconds;

    @Option(names = "--keep", description = "Keep the temporary directories (printed at the end).")
    boolean keep;

    private final PrintStream out = System.out;
    private final ChildLauncher launcher = new ChildLauncher();
    private final boolean interactive = System.console() != null;
    private long lastPlainLine;

    /** What one mode measured. */
    private static final class Result
    {
        String mode;
        long sent;
        long received;
        long duplicated;
        Histogram rtt;
        double seconds;
        String failure;
    }

    @Override
    public Integer call() throws Exception
    {
        final Path work = Files.createTempDirectory("tcpshm-demo-");
        final Path devShm = Path.of("/dev/shm");
        final Path shmDir = Files.isDirectory(devShm) && Files.isWritable(devShm) ?
            Files.createTempDirectory(devShm, "tcpshm-demo-") : Files.createDirectories(work.resolve("shm"));
        final Thread cleanup = new Thread(launcher::killAll);
        Runtime.getRuntime().addShutdownHook(cleanup);
        final List<Result> results = new ArrayList<>();
        try
        {
            out.println("tcpshm demo: echo server and echo client as two processes; each is killed with SIGKILL " +
                "mid-stream and restarted.");
            out.println("  work dir " + work + ", SHM rings in " + shmDir);
            results.add(runMode("SHM", true, work.resolve("shm-mode"), shmDir));
            results.add(runMode("TCP", false, work.resolve("tcp-mode"), shmDir));
        }
        finally
        {
            launcher.killAll();
            Runtime.getRuntime().removeShutdownHook(cleanup);
            if (!keep)
            {
                ChildProcesses.deleteTree(work);
                ChildProcesses.deleteTree(shmDir);
            }
        }
        printTable(results);
        if (keep)
        {
            out.println("kept " + work + " and " + shmDir);
        }
        boolean ok = true;
        for (final Result r : results)
        {
            if (r.failure != null || r.sent != r.received || r.duplicated != 0 || r.sent == 0)
            {
                ok = false;
                out.println(r.mode + " FAILED: " + (r.failure != null ? r.failure : "sent " + r.sent + ", received " +
                    r.received));
            }
        }
        if (ok)
        {
            out.println("Every message was echoed exactly once, in order, across both kills in both modes.");
        }
        return ok ? 0 : 1;
    }

    private Result runMode(final String mode, final boolean shm, final Path dir, final Path shmDir) throws Exception
    {
        Files.createDirectories(dir);
        final Result result = new Result();
        result.mode = mode;
        final int port = ChildProcesses.freePort();
        final Path clientDir = dir.resolve("client");
        final Path counters = clientDir.resolve("cli.echo");
        final String[] common = {"--port", String.valueOf(port), "--shm-dir", shmDir.toString(), "--quiet"};
        final List<String> serverArgs = args("echo-server", common, "--host", "127.0.0.1", "--ptcp-dir",
            dir.resolve("server").toString());
        final List<String> clientBase = args("echo-client", common, "--ptcp-dir", clientDir.toString(),
            shm ? "--shm" : "--tcp");
        int incarnation = 0;
        final long phase = (long)(phaseSeconds * 1e9);
        final long start = System.nanoTime();
        Process server = launcher.start(serverArgs, dir.resolve("server.log"));
        Process client = launcher.start(withHlog(clientBase, dir, incarnation++), dir.resolve("client.log"));
        if (!awaitProgress(counters, 0, mode, start, 20))
        {
            result.failure = "the client did not log on: see " + dir.resolve("client.log") + " and " +
                dir.resolve("server.log") + "\n" + ChildProcesses.tail(dir.resolve("client.log")) + ChildProcesses.tail(dir.resolve("server.log"));
            return result;
        }
        final long t0 = System.nanoTime();
        progressFor(counters, mode, t0, phase);
        client.destroyForcibly().waitFor();
        progressLine(counters, mode, t0, "client killed (SIGKILL)");
        client = launcher.start(withHlog(clientBase, dir, incarnation++), dir.resolve("client.log"));
        progressFor(counters, mode, t0, phase);
        server.destroyForcibly().waitFor();
        progressLine(counters, mode, t0, "server killed (SIGKILL)");
        server = launcher.start(serverArgs, dir.resolve("server.log"));
        progressFor(counters, mode, t0, phase);
        // a clean stop: the client stops sending, waits for its last echoes and prints its summary
        client.destroy();
        final boolean exited = client.waitFor(20, TimeUnit.SECONDS);
        result.seconds = (System.nanoTime() - t0) / 1e9;
        if (interactive)
        {
            out.print("\r" + " ".repeat(100) + "\r");
        }
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        final long[] c = EchoCounters.read(counters);
        result.sent = c == null ? 0 : c[0];
        result.received = c == null ? 0 : c[1];
        final String log = Files.exists(dir.resolve("client.log")) ?
            Files.readString(dir.resolve("client.log"), StandardCharsets.UTF_8) : "";
        if (log.contains("duplicate:"))
        {
            result.duplicated = 1;
        }
        if (!exited || client.exitValue() != 0)
        {
            result.failure = "the client " + (exited ? "exited with " + client.exitValue() : "did not stop") + ":\n" +
                ChildProcesses.tail(dir.resolve("client.log"));
        }
        result.rtt = readHistograms(dir);
        return result;
    }

    private static List<String> withHlog(final List<String> base, final Path dir, final int incarnation)
    {
        final List<String> a = new ArrayList<>(base);
        a.add("--hlog");
        a.add(dir.resolve("rtt-" + incarnation + ".hlog").toString());
        return a;
    }

    private static List<String> args(final String command, final String[] common, final String... more)
    {
        final List<String> a = new ArrayList<>();
        a.add(command);
        a.addAll(List.of(common));
        a.addAll(List.of(more));
        return a;
    }

    private boolean awaitProgress(final Path counters, final long above, final String mode, final long start,
        final int seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline)
        {
            final long[] c = EchoCounters.read(counters);
            if (c != null && c[1] > above)
            {
                return true;
            }
            progressLine(counters, mode, start, "starting");
            Thread.sleep(100);
        }
        return false;
    }

    private void progressFor(final Path counters, final String mode, final long t0, final long nanos)
        throws InterruptedException
    {
        final long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end)
        {
            progressLine(counters, mode, t0, "running");
            Thread.sleep(Math.max(1, Math.min(250, (end - System.nanoTime()) / 1_000_000L)));
        }
    }

    private void progressLine(final Path counters, final String mode, final long t0, final String what)
    {
        final boolean event = !what.equals("running") && !what.equals("starting");
        final long nanos = System.nanoTime();
        if (!interactive && !event && nanos - lastPlainLine < 1_000_000_000L)
        {
            return; // not a terminal: one line a second instead of a line rewritten in place
        }
        lastPlainLine = nanos;
        final long[] c = EchoCounters.read(counters);
        out.printf((interactive ? "\r" : "") + "  [%s] %5.1f s  sent %,12d  echoed %,12d  %-26s", mode,
            (nanos - t0) / 1e9, c == null ? 0 : c[0], c == null ? 0 : c[1], what);
        if (event || !interactive)
        {
            out.println();
        }
        out.flush();
    }

    private static Histogram readHistograms(final Path dir) throws IOException
    {
        final Histogram total = new Histogram(3);
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path f : (Iterable<Path>)files.filter(p -> p.toString().endsWith(".hlog"))::iterator)
            {
                final HistogramLogReader reader = new HistogramLogReader(f.toFile());
                org.HdrHistogram.EncodableHistogram h;
                while ((h = reader.nextIntervalHistogram()) != null)
                {
                    total.add((Histogram)h);
                }
                reader.close();
            }
        }
        return total;
    }

    private void printTable(final List<Result> results)
    {
        out.println();
        out.printf("%-5s %12s %12s %6s %11s %10s %10s %10s %12s %12s%n", "mode", "sent", "received", "lost",
            "duplicated", "RTT p50", "p99", "p99.9", "max", "msg/s");
        for (final Result r : results)
        {
            final Histogram h = r.rtt == null ? new Histogram(3) : r.rtt;
            out.printf("%-5s %12d %12d %6d %11d %10s %10s %10s %12s %12.0f%n", r.mode, r.sent, r.received,
                r.sent - r.received, r.duplicated, us(h, 50), us(h, 99), us(h, 99.9),
                h.getTotalCount() == 0 ? "-" : String.format("%.2f us", h.getMaxValue() / 1e3),
                r.seconds > 0 ? r.received / r.seconds : 0.0);
        }
        out.println("RTT: ping-pong round trips of the clients' runs, kills included in max; msg/s: echoes per " +
            "second over the mode.");
    }

    /** In steps of 10 ns: an SHM round trip is a few hundred, where steps of 0.1 us would hide a third of it. */
    private static String us(final Histogram h, final double percentile)
    {
        return h.getTotalCount() == 0 ? "-" : String.format("%.2f us", h.getValueAtPercentile(percentile) / 1e3);
    }
}
