package io.tcpshm.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The crowd chaos run: an echo server with {@code --connections} persistent TCP connections from one client process
 * ({@link CrowdClientCommand}) exchanging numbered messages; the server is SIGKILLed {@code --kills} times mid-traffic,
 * after a seeded random delay, and started again on the same files. After each kill every connection must log on
 * again and have an echo again (the time that takes is reported); at the end every number must have come back exactly
 * once and in order, and no log may show a sequence number mismatch.
 */
@Command(name = "chaos-crowd", mixinStandardHelpOptions = true,
    description = "Crash chaos at scale: SIGKILLs an echo server serving many persistent connections, restarts it, and "
        + "checks that every connection resumes exactly once, in order.")
public final class CrowdChaosCommand implements Callable<Integer>
{
    @Option(names = "--connections", defaultValue = "1000", description = "Persistent connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--kills", defaultValue = "3", description = "Server SIGKILLs (default ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--seed", description = "Seed of the random delays (default: drawn and printed).")
    Long seed;

    @Option(names = "--max-delay-ms", defaultValue = "1500",
        description = "Longest random delay of traffic before a kill, ms (default ${DEFAULT-VALUE}).")
    int maxDelayMs;

    @Option(names = "--recovery-timeout", defaultValue = "120",
        description = "Seconds every connection may take to resume after a kill (default ${DEFAULT-VALUE}).")
    int recoveryTimeoutSeconds;

    @Option(names = "--json", description = "Also write the results to this JSON file.")
    Path json;

    @Option(names = "--keep", description = "Keep the work directory (it is always kept when a check fails).")
    boolean keep;

    private final PrintStream out = System.out;
    private final ChildLauncher launcher = new ChildLauncher();

    @Override
    public Integer call() throws Exception
    {
        final long s = seed != null ? seed : new Random().nextLong();
        final Random random = new Random(s);
        final Path dir = Files.createTempDirectory("tcpshm-chaos-crowd-");
        final Thread hook = new Thread(launcher::killAll);
        Runtime.getRuntime().addShutdownHook(hook);
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("seed", s);
        result.put("connections", connections);
        final List<Double> recoveries = new ArrayList<>();
        String failure = null;
        Map<String, Long> last = Map.of();
        final long started = System.nanoTime();
        try
        {
            final int port = ChildProcesses.freePort();
            final List<String> serverArgs = List.of("echo-server", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--ptcp-dir", dir.resolve("server").toString(), "--tcp-conns-per-group", String.valueOf(connections),
                "--max-new-connections", "64", "--quiet");
            int incarnation = 0;
            Process server = launcher.start(serverArgs, dir.resolve("server-" + incarnation + ".log"));
            final Path status = dir.resolve("crowd.status");
            final Path stop = dir.resolve("crowd.stop");
            final Process crowd = launcher.start(List.of("crowd-client", "--connections", String.valueOf(connections),
                "--port", String.valueOf(port), "--ptcp-dir", dir.resolve("clients").toString(), "--status",
                status.toString(), "--stop", stop.toString()), dir.resolve("crowd.log"));
            final long t0 = System.nanoTime();
            last = awaitResumed(status, crowd, 0);
            result.put("firstLogonSeconds", (System.nanoTime() - t0) / 1e9);
            for (int k = 0; k < kills; k++)
            {
                Thread.sleep(random.nextInt(maxDelayMs + 1)); // traffic flows: the kill lands mid-push or mid-poll
                final long loginsBefore = read(status).getOrDefault("logins", 0L);
                server.destroyForcibly().waitFor();
                server = launcher.start(serverArgs, dir.resolve("server-" + ++incarnation + ".log"));
                final long restart = System.nanoTime();
                last = awaitResumed(status, crowd, loginsBefore + connections);
                recoveries.add((System.nanoTime() - restart) / 1e9);
            }
            Files.writeString(stop, "stop\n");
            if (!crowd.waitFor(60, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("the crowd did not drain within 60 s");
            }
            last = read(status);
            final int exit = crowd.exitValue();
            server.destroyForcibly().waitFor();
            if (exit != 0 || last.get("sent") == null || !last.get("sent").equals(last.get("received")) ||
                last.getOrDefault("gaps", -1L) != 0L || last.getOrDefault("duplicates", -1L) != 0L)
            {
                failure = "crowd exit " + exit + ", final status " + last;
            }
            final String mismatch = findInLogs(dir, "sequence number mismatch");
            if (failure == null && mismatch != null)
            {
                failure = mismatch;
            }
        }
        catch (final IllegalStateException ex)
        {
            failure = ex.getMessage();
            last = read(dir.resolve("crowd.status")); // what the crowd had counted when it failed
        }
        finally
        {
            launcher.killAll();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        result.put("kills", kills);
        result.put("survived", recoveries.size());
        result.put("recoverySeconds", recoveries);
        result.put("messages", last.getOrDefault("received", 0L));
        result.put("lost", last.containsKey("sent") ? last.get("sent") - last.get("received") : -1);
        result.put("duplicated", last.getOrDefault("duplicates", -1L));
        result.put("seconds", (System.nanoTime() - started) / 1e9);
        result.put("failure", failure);
        result.put("ok", failure == null);
        final List<Double> sorted = new ArrayList<>(recoveries);
        sorted.sort(null);
        out.printf(Locale.ROOT, "chaos crowd seed %d: %d connections, %d/%d server kills survived, every connection back " +
            "and echoing in p50 %.1f s max %.1f s, %d messages checked, lost %s, duplicated %s: %s%n", s, connections,
            recoveries.size(), kills, sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2),
            sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1), (Long)result.get("messages"), result.get("lost"),
            result.get("duplicated"), failure == null ? "OK" : "FAILED: " + failure + " (logs in " + dir + ")");
        if (json != null)
        {
            Files.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result),
                StandardCharsets.UTF_8);
        }
        if (failure == null && !keep)
        {
            ChildProcesses.deleteTree(dir);
        }
        return failure == null ? 0 : 1;
    }

    /**
     * Waits until every connection is logged on, has an echo since its login, and the crowd has made at least
     * {@code logins} logins in all; fails after the recovery timeout or when the crowd exits.
     */
    private Map<String, Long> awaitResumed(final Path status, final Process crowd, final long logins) throws Exception
    {
        final long deadline = System.nanoTime() + recoveryTimeoutSeconds * 1_000_000_000L;
        Map<String, Long> st = Map.of();
        while (System.nanoTime() - deadline < 0)
        {
            if (!crowd.isAlive())
            {
                throw new IllegalStateException("the crowd exited with " + crowd.exitValue() + " (status " + st + ")");
            }
            st = read(status);
            if (st.getOrDefault("connected", 0L) == connections && st.getOrDefault("resumed", 0L) == connections &&
                st.getOrDefault("logins", 0L) >= Math.max(logins, connections))
            {
                return st;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("not every connection resumed within " + recoveryTimeoutSeconds + " s: " + st);
    }

    /** The crowd's status file as numbers, empty while there is none. */
    private static Map<String, Long> read(final Path status) throws IOException
    {
        final Map<String, Long> values = new HashMap<>();
        if (!Files.exists(status))
        {
            return values;
        }
        for (final String field : Files.readString(status, StandardCharsets.UTF_8).trim().split(" "))
        {
            final int eq = field.indexOf('=');
            if (eq > 0)
            {
                values.put(field.substring(0, eq), Long.parseLong(field.substring(eq + 1)));
            }
        }
        return values;
    }

    /** @return the first log line, with its file, that contains {@code text}; null when none does. */
    private static String findInLogs(final Path dir, final String text) throws IOException
    {
        try (var logs = Files.list(dir))
        {
            for (final Path log : (Iterable<Path>)logs.filter(p -> p.toString().endsWith(".log"))::iterator)
            {
                for (final String line : Files.readAllLines(log, StandardCharsets.UTF_8))
                {
                    if (line.contains(text))
                    {
                        return log.getFileName() + ": " + line;
                    }
                }
            }
        }
        return null;
    }
}
