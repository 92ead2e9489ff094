package io.tcpshm.bench;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tcpshm.bench.RttHistograms.newHistogram;

/**
 * The rows of the echo programs as users run them: {@code tcpshm echo-server} and {@code tcpshm echo-client}
 * in two JVMs, the client in ping-pong mode writing its round trips to an HdrHistogram log. The client is
 * stopped with SIGTERM after the warm-up and the measurement (it then collects its last echoes and exits);
 * the log's intervals that began inside the warm-up are left out. The echo protocol's messages carry 4 to
 * 16 bytes (types 1 to 4 in turn), so these rows are read against the library's smallest-payload rows.
 */
final class EchoRows
{
    /** The SHM row's name. */
    static final String SHM_ROW = "shm ping-pong 4-16B echo-client + echo-server";
    /** The TCP row's name. */
    static final String TCP_ROW = "tcp ping-pong 4-16B echo-client + echo-server";
    /** The class the rows need on the class path (the samples module). */
    private static final String ECHO_CLIENT_CLASS = "io.tcpshm.samples.EchoClientCommand";
    private static final Pattern LISTENING = Pattern.compile("listening on .*:(\\d+) ");

    /** Starts a process whose output goes to a log, tracked for clean-up by the bench. */
    interface Starter
    {
        /**
         * @param command the command line.
         * @param log file of its output.
         * @param keepStdout true to hand stdout back to the caller instead of the log.
         * @return the process.
         * @throws IOException if it cannot start.
         */
        Process start(List<String> command, Path log, boolean keepStdout) throws IOException;
    }

    private EchoRows()
    {
    }

    /** @return why the rows cannot run in this JVM (the echo programs are not on the class path), or null. */
    static String unavailable()
    {
        try
        {
            Class.forName(ECHO_CLIENT_CLASS, false, EchoRows.class.getClassLoader());
            return null;
        }
        catch (final ClassNotFoundException e)
        {
            return "the echo programs (tcpshm-samples) are not on the class path; run the bench from tcpshm.jar";
        }
    }

    /**
     * Runs one server/client pair and returns the client's round trips after the warm-up.
     *
     * @param name the row's name.
     * @param shm true for SHM, false for TCP.
     * @param crashSafe true for the programs as users run them; false for the exactly-once A/B's other side: the server
     *     replies without its journal and the client keeps its counters in memory.
     * @param javaPrefix the JVM and its options, up to and including the class path.
     * @param warmupMs warm-up.
     * @param measureMs measurement.
     * @param dir a fresh directory of this pair (queue files, logs).
     * @param shmDir a fresh directory for the rings.
     * @param starter starts the processes.
     * @return the row.
     * @throws Exception when a side fails or produces no round trips.
     */
    static BenchResult runPair(final String name, final boolean shm, final boolean crashSafe,
        final List<String> javaPrefix, final long warmupMs,
        final long measureMs, final Path dir, final Path shmDir, final Starter starter) throws Exception
    {
        final Path serverLog = dir.resolve("server.log");
        final Path clientLog = dir.resolve("client.log");
        final Path hlog = dir.resolve("rtt.hlog");
        final List<String> server = new ArrayList<>(javaPrefix);
        server.addAll(List.of("io.tcpshm.tools.Main", "echo-server", "--port", "0", "--name", "bsrv", "--ptcp-dir",
            dir.resolve("server").toString(), "--shm-dir", shmDir.toString()));
        if (!crashSafe)
        {
            server.add("--no-journal");
        }
        final Process serverProcess = starter.start(server, serverLog, true);
        Process clientProcess = null;
        try
        {
            final int port = awaitListening(serverProcess, serverLog);
            final List<String> client = new ArrayList<>(javaPrefix);
            client.addAll(List.of("io.tcpshm.tools.Main", "echo-client", shm ? "--shm" : "--tcp", "--port",
                Integer.toString(port), "--name", "bcli", "--ptcp-dir", dir.resolve("client").toString(), "--shm-dir",
                shmDir.toString(), "--hlog", hlog.toString(), "--quiet"));
            if (!crashSafe)
            {
                client.add("--counters-in-memory");
            }
            clientProcess = starter.start(client, clientLog, false);
            awaitFirstInterval(clientProcess, hlog, clientLog); // the JVM has started and the client is running
            final boolean ended = clientProcess.waitFor(warmupMs + measureMs, TimeUnit.MILLISECONDS);
            if (ended)
            {
                throw new IllegalStateException(name + ": echo-client ended early (exit " + clientProcess.exitValue() +
                    "):\n" + Files.readString(clientLog) + Files.readString(serverLog));
            }
            clientProcess.destroy(); // SIGTERM: it stops sending, collects the last echoes, closes the log
            if (!clientProcess.waitFor(20, TimeUnit.SECONDS))
            {
                throw new IllegalStateException(name + ": echo-client did not stop in 20 s after SIGTERM");
            }
            return new BenchResult(BenchResult.RTT, name).latency(read(hlog, warmupMs));
        }
        finally
        {
            if (clientProcess != null)
            {
                clientProcess.destroyForcibly().waitFor();
            }
            serverProcess.destroyForcibly().waitFor();
        }
    }

    private static int awaitListening(final Process server, final Path log) throws IOException
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(server.getInputStream(),
            StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null)
        {
            final Matcher m = LISTENING.matcher(line);
            if (m.find())
            {
                BenchCommand.drainInBackground(reader); // the server's log lines are not needed
                return Integer.parseInt(m.group(1));
            }
        }
        throw new IllegalStateException("echo-server did not start:\n" + Files.readString(log));
    }

    /** Waits until the client has written its first interval (every 250 ms once it runs), at most 30 s. */
    private static void awaitFirstInterval(final Process client, final Path hlog, final Path log) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!hasInterval(hlog))
        {
            if (!client.isAlive() || System.nanoTime() > deadline)
            {
                throw new IllegalStateException("echo-client wrote no round trips" +
                    (client.isAlive() ? " in 30 s" : " (exit " + client.exitValue() + ")") + ":\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    private static boolean hasInterval(final Path hlog) throws IOException
    {
        if (!Files.exists(hlog))
        {
            return false;
        }
        for (final String line : Files.readAllLines(hlog, StandardCharsets.UTF_8))
        {
            if (!line.isEmpty() && Character.isDigit(line.charAt(0)))
            {
                return true;
            }
        }
        return false;
    }

    /** Adds the log's intervals that began at least {@code warmupMs} after its first one. */
    private static Histogram read(final Path hlog, final long warmupMs) throws IOException
    {
        final Histogram sum = newHistogram();
        long warmEndMillis = Long.MAX_VALUE;
        try (HistogramLogReader reader = new HistogramLogReader(hlog.toFile()))
        {
            EncodableHistogram interval;
            while ((interval = reader.nextIntervalHistogram()) != null)
            {
                if (warmEndMillis == Long.MAX_VALUE)
                {
                    warmEndMillis = interval.getStartTimeStamp() + warmupMs;
                }
                if (interval.getStartTimeStamp() >= warmEndMillis)
                {
                    sum.add((Histogram)interval);
                }
            }
        }
        if (sum.getTotalCount() == 0)
        {
            throw new IllegalStateException("no round trips after the warm-up in " + hlog);
        }
        return sum;
    }
}
