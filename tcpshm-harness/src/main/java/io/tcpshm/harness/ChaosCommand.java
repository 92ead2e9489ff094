package io.tcpshm.harness;

import io.tcpshm.samples.EchoCounters;
import io.tcpshm.tools.Main;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

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

    private static final String[] MOMENTS = {"steady", "restart", "logon"};
    private static final String[] VICTIMS = {"client", "server", "both"};
    private static final String LOGON = "logged on to";

    private final PrintStream out = System.out;
    private final List<Process> children = new ArrayList<>();

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

    /** Unexpected end of a mode: the message says what and where. */
    private static final class ChaosFailure extends Exception
    {
        private static final long serialVersionUID = 1L;

        ChaosFailure(final String message)
        {
            super(message);
        }
    }

    @Override
    public Integer call() throws Exception
    {
        if (kills < 0 || maxDelayMs < 0 || recoveryTimeoutSeconds < 1)
        {
            throw new IllegalArgumentException("--kills and --max-delay-ms must be >= 0, --recovery-timeout >= 1");
        }
        final long theSeed = seed != null ? seed : new Random().nextLong();
        final Path work = Files.createTempDirectory("tcpshm-chaos-");
        final Path devShm = Path.of("/dev/shm");
        final Path shmDir = Files.isDirectory(devShm) && Files.isWritable(devShm) ?
            Files.createTempDirectory(devShm, "tcpshm-chaos-") : Files.createDirectories(work.resolve("shm"));
        final Thread cleanup = new Thread(this::killAll);
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
                results.add(runMode("SHM", true, work.resolve("shm-mode"), shmDir, new Random(random.nextLong())));
            }
            if (modes != Modes.shm)
            {
                results.add(runMode("TCP", false, work.resolve("tcp-mode"), shmDir, new Random(random.nextLong())));
            }
        }
        finally
        {
            killAll();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        final double seconds = (System.nanoTime() - started) / 1e9;
        boolean ok = true;
        final StringBuilder summary = new StringBuilder("chaos seed " + theSeed + ":");
        for (final Result r : results)
        {
            final boolean good = r.failure == null && r.clientExit == 0 && r.sent == r.received && r.sent > 0 &&
                r.duplicated == 0 && r.survived == r.kills;
            ok &= good;
            printResult(r);
            summary.append(String.format(" %s %d/%d kills survived, recovery p50 %s p99 %s max %s, %d messages " +
                "checked, lost %d, duplicated %d%s;", r.mode, r.survived, r.kills, ms(r.recoveryNanos, 50),
                ms(r.recoveryNanos, 99), ms(r.recoveryNanos, 100), r.received, r.sent - r.received, r.duplicated,
                good ? "" : " FAILED"));
        }
        summary.append(String.format(" %.1f s: %s", seconds, ok ? "OK" : "FAILED"));
        if (json != null)
        {
            writeJson(theSeed, ok, seconds, results);
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

    private Result runMode(final String mode, final boolean shm, final Path dir, final Path shmDir, final Random random)
        throws Exception
    {
        final Result r = new Result();
        r.mode = mode;
        for (final String v : VICTIMS)
        {
            r.victims.put(v, 0);
        }
        for (final String m : MOMENTS)
        {
            r.moments.put(m, 0);
        }
        final long t0 = System.nanoTime();
        final Mode m = new Mode(shm, dir, shmDir, random, r);
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

    /** One mode's processes and kill loop. */
    private final class Mode
    {
        private final boolean shm;
        private final Path dir;
        private final Random random;
        private final Result r;
        private final Path counters;
        private final List<String> serverArgs;
        private final List<String> clientBase;
        private Process server;
        private Process client;
        private Path serverLog;
        private Path clientLog;
        /** The kill whose recovery is awaited (0: none), when it happened and the received count that ends it. */
        private int pendingKill;
        private long pendingKillNanos;
        private long pendingThreshold;
        private int pendingKills;
        /** The client's logons in its current log at the last kill. */
        private int logonsAtKill;

        Mode(final boolean shm, final Path dir, final Path shmDir, final Random random, final Result r)
            throws IOException
        {
            this.shm = shm;
            this.dir = Files.createDirectories(dir);
            this.random = random;
            this.r = r;
            final int port = ChildProcesses.freePort();
            final Path clientDir = dir.resolve("client");
            counters = clientDir.resolve("cli.echo");
            final String[] common = {"--port", String.valueOf(port), "--shm-dir", shmDir.toString()};
            serverArgs = new ArrayList<>(List.of("echo-server", "--host", "127.0.0.1", "--ptcp-dir",
                dir.resolve("server").toString()));
            serverArgs.addAll(List.of(common));
            clientBase = new ArrayList<>(List.of("echo-client", "--ptcp-dir", clientDir.toString(),
                shm ? "--shm" : "--tcp"));
            clientBase.addAll(List.of(common));
        }

        void run() throws Exception
        {
            startServer();
            startClient();
            awaitReceivedAbove(0, System.nanoTime(), "the first echo");
            for (int k = 1; k <= kills; k++)
            {
                // the moment of this kill: after the previous kill recovered, or during its restart
                final String moment = k == 1 ? "steady" : MOMENTS[random.nextInt(10) < 6 ? 0 : random.nextInt(2) + 1];
                final String victim = VICTIMS[random.nextInt(10) < 4 ? 0 : random.nextInt(10) < 7 ? 1 : 2];
                switch (moment)
                {
                    case "steady":
                        if (pendingKill != 0)
                        {
                            awaitRecovery();
                        }
                        waitPolling(System.nanoTime() + random.nextInt(maxDelayMs + 1) * 1_000_000L);
                        break;
                    case "restart":
                        // a random point of the restart: JVM start, connect, login, resend, first pushes
                        waitPolling(System.nanoTime() + (long)(random.nextDouble() * restartWindowNanos()));
                        break;
                    default:
                        awaitLogon();
                        waitPolling(System.nanoTime() + random.nextInt(3_000_000));
                        break;
                }
                r.moments.merge(moment, 1, Integer::sum);
                r.victims.merge(victim, 1, Integer::sum);
                kill(k, victim, moment);
                r.kills = k;
            }
            if (pendingKill != 0)
            {
                awaitRecovery();
            }
            waitPolling(System.nanoTime() + 100_000_000L);
            finish();
        }

        /** The restart window: about the time the last kills took to recover (JVM start dominates). */
        private long restartWindowNanos()
        {
            final List<Long> rec = r.recoveryNanos;
            if (rec.isEmpty())
            {
                return 600_000_000L;
            }
            final long[] last = rec.subList(Math.max(0, rec.size() - 9), rec.size()).stream().mapToLong(x -> x)
                .sorted().toArray();
            return Math.max(20_000_000L, last[last.length / 2] * 6 / 5);
        }

        private void kill(final int k, final String victim, final String moment) throws Exception
        {
            final boolean killClient = !victim.equals("server");
            final boolean killServer = !victim.equals("client");
            final long killNanos = System.nanoTime();
            if (killClient)
            {
                client.destroyForcibly();
            }
            if (killServer)
            {
                server.destroyForcibly();
            }
            if (killClient && !client.waitFor(10, TimeUnit.SECONDS) ||
                killServer && !server.waitFor(10, TimeUnit.SECONDS))
            {
                throw new ChaosFailure("kill " + k + ": a process did not die within 10 s of SIGKILL");
            }
            final long[] c = EchoCounters.read(counters);
            if (c == null)
            {
                throw new ChaosFailure("kill " + k + ": cannot read " + counters);
            }
            if (pendingKill != 0)
            {
                r.chained++;
            }
            // the first echo that can only have passed through the restarted process(es)
            final long threshold = killClient ? c[1] : c[0];
            pendingKill = k;
            pendingKillNanos = killNanos;
            pendingThreshold = threshold;
            pendingKills++;
            logonsAtKill = killClient ? 0 : count(clientLog, LOGON);
            if (!quiet)
            {
                out.printf("  [%s] kill %3d: %-6s %-7s at %,d sent %,d echoed%n", r.mode, k, victim, moment, c[0],
                    c[1]);
            }
            if (killServer)
            {
                startServer();
            }
            if (killClient)
            {
                startClient();
            }
        }

        private void awaitRecovery() throws Exception
        {
            final long deadline = pendingKillNanos + recoveryTimeoutSeconds * 1_000_000_000L;
            while (pendingKill != 0)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new ChaosFailure("stuck restart: kill " + pendingKill + " not recovered within " +
                        recoveryTimeoutSeconds + " s (client's received count stays at or below " + pendingThreshold +
                        ")\n" + tails());
                }
                poll();
                pause();
            }
        }

        /** Waits until the client has logged on again after the last kill (its log says so). */
        private void awaitLogon() throws Exception
        {
            final long deadline = System.nanoTime() + recoveryTimeoutSeconds * 1_000_000_000L;
            while (true)
            {
                if (count(clientLog, LOGON) > logonsAtKill)
                {
                    return;
                }
                if (System.nanoTime() > deadline)
                {
                    throw new ChaosFailure("stuck restart: no logon within " + recoveryTimeoutSeconds + " s after kill " +
                        pendingKill + "\n" + tails());
                }
                poll();
                pause();
            }
        }

        private void waitPolling(final long until) throws Exception
        {
            while (System.nanoTime() < until)
            {
                poll();
                pause();
            }
        }

        private void awaitReceivedAbove(final long threshold, final long since, final String what) throws Exception
        {
            final long deadline = since + recoveryTimeoutSeconds * 1_000_000_000L;
            while (true)
            {
                checkAlive();
                final long[] c = EchoCounters.read(counters);
                if (c != null && c[1] > threshold)
                {
                    return;
                }
                if (System.nanoTime() > deadline)
                {
                    throw new ChaosFailure("no " + what + " within " + recoveryTimeoutSeconds + " s\n" + tails());
                }
                pause();
            }
        }

        /** Checks the processes and whether the pending kill has recovered. */
        private void poll() throws ChaosFailure
        {
            checkAlive();
            if (pendingKill == 0)
            {
                return;
            }
            final long[] c = EchoCounters.read(counters);
            if (c != null && c[1] > pendingThreshold)
            {
                final long nanos = System.nanoTime() - pendingKillNanos;
                if (pendingKills == 1)
                {
                    r.recoveryNanos.add(nanos); // a kill that hit an unrecovered restart has no time of its own
                }
                r.survived += pendingKills;
                pendingKills = 0;
                pendingKill = 0;
            }
        }

        private void checkAlive() throws ChaosFailure
        {
            if (!client.isAlive())
            {
                throw new ChaosFailure("the client exited by itself with " + client.exitValue() + "\n" + tails());
            }
            if (!server.isAlive())
            {
                throw new ChaosFailure("the server exited by itself with " + server.exitValue() + "\n" + tails());
            }
        }

        private void finish() throws Exception
        {
            client.destroy(); // SIGTERM: stops sending, drains, exits 0 only when all came back exactly once
            if (!client.waitFor(30, TimeUnit.SECONDS))
            {
                throw new ChaosFailure("the client did not stop within 30 s of SIGTERM\n" + tails());
            }
            r.clientExit = client.exitValue();
            final List<String> problems = checkLogs();
            if (r.clientExit != 0 || !problems.isEmpty())
            {
                throw new ChaosFailure("client exit " + r.clientExit + (problems.isEmpty() ? "" : ", " + problems) +
                    "\n" + tails());
            }
        }

        /** Reads the final counters and scans every log; returns the problems found. */
        List<String> checkLogs() throws IOException
        {
            final long[] c = EchoCounters.read(counters);
            r.sent = c == null ? 0 : c[0];
            r.received = c == null ? 0 : c[1];
            r.duplicated = 0;
            final List<String> problems = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir))
            {
                for (final Path f : (Iterable<Path>)files.filter(p -> p.toString().endsWith(".log")).sorted()::iterator)
                {
                    final String log = Files.readString(f, StandardCharsets.UTF_8);
                    final boolean isClient = f.getFileName().toString().startsWith("client");
                    if (isClient && log.contains("duplicate:"))
                    {
                        r.duplicated++;
                        problems.add(f.getFileName() + ": duplicate");
                    }
                    if (isClient && log.contains("gap:"))
                    {
                        problems.add(f.getFileName() + ": gap");
                    }
                    if (log.contains("sequence number mismatch"))
                    {
                        problems.add(f.getFileName() + ": sequence number mismatch");
                    }
                    if (log.contains(" is corrupt"))
                    {
                        // e.g. a PTCP file whose owner was killed inside an index update: the connection cannot log on
                        problems.add(f.getFileName() + ": a queue file was rejected as corrupt");
                    }
                }
            }
            return problems;
        }

        private void startServer() throws IOException
        {
            serverLog = dir.resolve(String.format("server-%04d.log", r.serverIncarnations++));
            server = start(serverArgs, serverLog);
        }

        private void startClient() throws IOException
        {
            final List<String> a = new ArrayList<>(clientBase);
            a.add("--mode");
            a.add(clientMode == ClientMode.mixed ? (random.nextBoolean() ? "stream" : "ping_pong") : clientMode.name());
            clientLog = dir.resolve(String.format("client-%04d.log", r.clientIncarnations++));
            Files.writeString(clientLog, String.join(" ", a) + "\n", StandardCharsets.UTF_8);
            client = start(a, clientLog);
        }

        private String tails()
        {
            return "  last client log " + clientLog + ":\n" + ChildProcesses.tail(clientLog) + "  last server log " + serverLog + ":\n" +
                ChildProcesses.tail(serverLog);
        }

        void stopAll() throws InterruptedException
        {
            for (final Process p : new Process[] {client, server})
            {
                if (p != null && p.isAlive())
                {
                    p.destroy();
                    if (!p.waitFor(10, TimeUnit.SECONDS))
                    {
                        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    private static void pause()
    {
        LockSupport.parkNanos(500_000L);
    }

    private static int count(final Path log, final String text)
    {
        try
        {
            final String s = Files.readString(log, StandardCharsets.UTF_8);
            int n = 0;
            for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + text.length()))
            {
                n++;
            }
            return n;
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    private Process start(final List<String> args, final Path log) throws IOException
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
            children.removeIf(c -> !c.isAlive());
            children.add(p);
        }
        return p;
    }

    private void killAll()
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

    private void printResult(final Result r)
    {
        out.printf("%s: %d/%d kills survived (victims %s, moments %s, %d before the previous kill had recovered), " +
            "%d client and %d server processes, %.1f s%n", r.mode, r.survived, r.kills, r.victims, r.moments, r.chained,
            r.clientIncarnations, r.serverIncarnations, r.seconds);
        out.printf("%s: recovery from kill to the first echo through the restarted side, %d measured: p50 %s p99 %s " +
            "max %s%n", r.mode, r.recoveryNanos.size(), ms(r.recoveryNanos, 50), ms(r.recoveryNanos, 99),
            ms(r.recoveryNanos, 100));
        out.printf("%s: %d sent, %d echoed, lost %d, duplicated %d, client exit %d%s%n", r.mode, r.sent, r.received,
            r.sent - r.received, r.duplicated, r.clientExit, r.failure == null ? "" : ", FAILED");
    }

    /**
     * @param nanos samples.
     * @param percentile 0-100 (nearest rank).
     * @return the percentile in milliseconds, or -1 without samples.
     */
    static double percentileMillis(final List<Long> nanos, final double percentile)
    {
        if (nanos.isEmpty())
        {
            return -1;
        }
        final long[] sorted = nanos.stream().mapToLong(x -> x).sorted().toArray();
        final int rank = (int)Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    private static String ms(final List<Long> nanos, final double percentile)
    {
        return nanos.isEmpty() ? "-" : String.format("%.1f ms", percentileMillis(nanos, percentile));
    }

    private void writeJson(final long theSeed, final boolean ok, final double seconds, final List<Result> results)
        throws IOException
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("seed", theSeed);
        root.put("ok", ok);
        root.put("killsPerMode", kills);
        root.put("seconds", seconds);
        final List<Map<String, Object>> modeList = new ArrayList<>();
        for (final Result r : results)
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", r.mode);
            m.put("kills", r.kills);
            m.put("survived", r.survived);
            m.put("victims", r.victims);
            m.put("moments", r.moments);
            m.put("chained", r.chained);
            final Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("measured", r.recoveryNanos.size());
            rec.put("p50Ms", percentileMillis(r.recoveryNanos, 50));
            rec.put("p99Ms", percentileMillis(r.recoveryNanos, 99));
            rec.put("maxMs", percentileMillis(r.recoveryNanos, 100));
            m.put("recovery", rec);
            m.put("sent", r.sent);
            m.put("received", r.received);
            m.put("lost", r.sent - r.received);
            m.put("duplicated", r.duplicated);
            m.put("clientExit", r.clientExit);
            m.put("clientProcesses", r.clientIncarnations);
            m.put("serverProcesses", r.serverIncarnations);
            m.put("seconds", r.seconds);
            m.put("failure", r.failure);
            modeList.add(m);
        }
        root.put("modes", modeList);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), root);
    }



}
