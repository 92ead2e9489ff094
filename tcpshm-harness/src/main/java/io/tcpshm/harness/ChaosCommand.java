package io.tcpshm.harness;

import io.tcpshm.samples.EchoCounters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * The crash chaos runner: an echo server and an echo client as two processes on loopback (SHM mode, TCP mode or
 * both), and {@code --kills} SIGKILLs per mode of the client, the server or both at moments drawn from a seeded
 * {@link Random}, each victim restarted at once. The moments:
 * <ul>
 * <li>{@code steady}: the stream has recovered from the previous kill; the kill comes after a random delay, most
 *     likely inside a push or a poll (mid-push);</li>
 * <li>{@code restart}: the previous kill has not recovered yet; the kill comes at a random point of the restart
 *     (JVM start, connect, login, resend);</li>
 * <li>{@code logon}: the restarted process has just logged on (its log says so): the kill comes within a few
 *     milliseconds, while the two sides resend what the other has not acknowledged (mid-resend), hitting the
 *     restarted process (mid-login) or the other one.</li>
 * </ul>
 * A kill has recovered at the first echo the client counts that could only have passed through the restarted
 * process(es): after a client kill, any echo counted by the new client; after a server kill alone, the echo of a
 * message the client pushed after the server had died. The counters file ({@link EchoCounters}) is polled about
 * every millisecond for it. At the end the client is stopped with SIGTERM (it drains and exits 0 only when every
 * number came back exactly once, in order) and the runner checks its exit code, its counters (sent == received),
 * every client log for "duplicate:" or "gap:" and every log for a sequence number mismatch. Every wait is bounded:
 * a kill not recovered within {@code --recovery-timeout} is reported as a stuck restart.
 * <p>
 * This class holds the options and the overall flow; {@link ChaosMode} runs one mode and {@link ChaosReport} shows the
 * results.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
    description = "Crash chaos: runs the echo server and client as processes, SIGKILLs the client, the server or both "
        + "at random moments (seeded), restarts them, and checks that every message came back exactly once.")
public final class ChaosCommand implements Callable<Integer>
{
    /** Which transports to run. */
    public enum Modes
    {
        /** SHM only. */
        shm,
        /** TCP only. */
        tcp,
        /** SHM then TCP. */
        both
    }

    /** How the echo client sends. */
    public enum ClientMode
    {
        /** Ping-pong only. */
        ping_pong,
        /** Stream only. */
        stream,
        /** Each client incarnation draws one of the two. */
        mixed
    }

    @Option(names = "--mode", defaultValue = "both", description = "shm, tcp or both (default ${DEFAULT-VALUE}).")
    Modes modes;

    @Option(names = "--kills", defaultValue = "20", description = "SIGKILLs per mode (default ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--seed", description = "Seed of the random kill schedule (default: drawn and printed).")
    Long seed;

    @Option(names = "--client-mode", defaultValue = "mixed",
        description = "ping_pong, stream, or mixed (each client incarnation draws one); default ${DEFAULT-VALUE}.")
    ClientMode clientMode;

    @Option(names = "--max-delay-ms", defaultValue = "300",
        description = "Longest random delay before a steady-state kill, ms (default ${DEFAULT-VALUE}).")
    int maxDelayMs;

    @Option(names = "--recovery-timeout", defaultValue = "30",
        description = "Seconds a kill may take to recover before it counts as a stuck restart (default ${DEFAULT-VALUE}).")
    int recoveryTimeoutSeconds;

    @Option(names = "--json", description = "Also write the results to this JSON file.")
    Path json;

    @Option(names = "--keep", description = "Keep the work directory (it is always kept when a check fails).")
    boolean keep;

    @Option(names = "--quiet", description = "Print only the per-mode results and the summary line.")
    boolean quiet;

    private final PrintStream out = System.out;
    private final ChildLauncher launcher = new ChildLauncher();

    /** What one mode measured. */
    static final class Result
    {
        String mode;
        int kills;
        int survived;
        /** Kills that came before the previous kill had recovered. */
        int chained;
        final Map<String, Integer> victims = new LinkedHashMap<>();
        final Map<String, Integer> moments = new LinkedHashMap<>();
        final List<Long> recoveryNanos = new ArrayList<>();
        long sent;
        long received;
        long duplicated;
        int clientExit = -1;
        int clientIncarnations;
        int serverIncarnations;
        double seconds;
        String failure;
    }

    /**
     * Runs the modes one after the other, then prints their results and the summary line.
     *
     * @return 0 when every mode passed every check, 1 otherwise.
     * @throws Exception when the run could not be set up or a child could not be started.
     */
    @Override
    public Integer call() throws Exception
    {
        if (kills < 0 || maxDelayMs < 0 || recoveryTimeoutSeconds < 1)
        {
            throw new IllegalArgumentException("--kills and --max-delay-ms must be >= 0, --recovery-timeout >= 1");
        }
        final ChaosSettings settings = new ChaosSettings(kills, maxDelayMs, recoveryTimeoutSeconds, clientMode, quiet,
            out);
        final long theSeed = seed != null ? seed : new Random().nextLong();
        final Path work = Files.createTempDirectory("tcpshm-chaos-");
        final Path devShm = Path.of("/dev/shm");
        final Path shmDir = Files.isDirectory(devShm) && Files.isWritable(devShm) ?
            Files.createTempDirectory(devShm, "tcpshm-chaos-") : Files.createDirectories(work.resolve("shm"));
        // a run stopped with Ctrl-C must not leave an echo client or server behind
        final Thread cleanup = new Thread(launcher::killAll);
        Runtime.getRuntime().addShutdownHook(cleanup);
        final List<Result> results = new ArrayList<>();
        final long started = System.nanoTime();
        try
        {
            out.println("tcpshm chaos: seed " + theSeed + ", " + kills + " kills per mode, work dir " + work +
                ", SHM rings in " + shmDir);
            final Random random = new Random(theSeed);
            if (modes != Modes.tcp)
            {
                results.add(runMode(settings, "SHM", true, work.resolve("shm-mode"), shmDir,
                    new Random(random.nextLong())));
            }
            if (modes != Modes.shm)
            {
                results.add(runMode(settings, "TCP", false, work.resolve("tcp-mode"), shmDir,
                    new Random(random.nextLong())));
            }
        }
        finally
        {
            launcher.killAll();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        final double seconds = (System.nanoTime() - started) / 1e9;
        boolean ok = true;
        final StringBuilder summary = new StringBuilder("chaos seed " + theSeed + ":");
        for (final Result r : results)
        {
            final boolean good = ChaosReport.passed(r);
            ok &= good;
            ChaosReport.printResult(out, r);
            summary.append(ChaosReport.summaryEntry(r, good));
        }
        summary.append(String.format(" %.1f s: %s", seconds, ok ? "OK" : "FAILED"));
        if (json != null)
        {
            ChaosReport.writeJson(json, theSeed, ok, kills, seconds, results);
        }
        if (ok && !keep)
        {
            ChildProcesses.deleteTree(work);
            ChildProcesses.deleteTree(shmDir);
        }
        else
        {
            out.println("kept " + work + " and " + shmDir);
        }
        out.println(summary);
        return ok ? 0 : 1;
    }

    /**
     * Runs one mode to its end, failed or not: a failure is recorded in the result (and printed with what the logs
     * show), so that the other mode still runs and the summary covers both.
     */
    private Result runMode(final ChaosSettings settings, final String mode, final boolean shm, final Path dir,
        final Path shmDir, final Random random) throws Exception
    {
        final Result r = new Result();
        r.mode = mode;
        final long t0 = System.nanoTime();
        final ChaosMode m = new ChaosMode(settings, launcher, shm, dir, shmDir, random, r);
        try
        {
            m.run();
        }
        catch (final ChaosFailure ex)
        {
            r.failure = ex.getMessage();
            out.println("  [" + mode + "] FAILED: " + ex.getMessage());
        }
        finally
        {
            m.stopAll();
        }
        if (r.failure != null)
        {
            final List<String> problems = m.checkLogs();
            if (!problems.isEmpty())
            {
                out.println("  [" + mode + "] in the logs: " + problems);
            }
        }
        r.seconds = (System.nanoTime() - t0) / 1e9;
        return r;
    }
}
