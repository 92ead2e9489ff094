package io.tcpshm.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the results of a chaos run are judged and shown: the verdict of one mode, its result lines, its part of the
 * summary line, the recovery percentiles and the JSON file.
 */
final class ChaosReport
{
    private ChaosReport()
    {
    }

    /**
     * @param r one mode's result.
     * @return true when the mode ended without failure, every kill was survived, the client exited 0 and every
     * message it sent came back exactly once.
     */
    static boolean passed(final ChaosCommand.Result r)
    {
        return r.failure == null && r.clientExit == 0 && r.sent == r.received && r.sent > 0 && r.duplicated == 0 &&
            r.survived == r.kills;
    }

    /**
     * Prints the three result lines of one mode.
     *
     * @param out where to print.
     * @param r   one mode's result.
     */
    static void printResult(final PrintStream out, final ChaosCommand.Result r)
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
     * @param r    one mode's result.
     * @param good its verdict ({@link #passed(ChaosCommand.Result)}).
     * @return the mode's part of the summary line, starting with a space and ending with a semicolon.
     */
    static String summaryEntry(final ChaosCommand.Result r, final boolean good)
    {
        return String.format(" %s %d/%d kills survived, recovery p50 %s p99 %s max %s, %d messages " +
            "checked, lost %d, duplicated %d%s;", r.mode, r.survived, r.kills, ms(r.recoveryNanos, 50),
            ms(r.recoveryNanos, 99), ms(r.recoveryNanos, 100), r.received, r.sent - r.received, r.duplicated,
            good ? "" : " FAILED");
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

    /**
     * Writes the results of the run as an indented JSON object: the run, then one object per mode.
     *
     * @param json         the file to write.
     * @param seed         the seed of the run.
     * @param ok           the verdict of the run.
     * @param killsPerMode the {@code --kills} option.
     * @param seconds      the duration of the run.
     * @param results      one result per mode run.
     * @throws IOException when the file cannot be written.
     */
    static void writeJson(final Path json, final long seed, final boolean ok, final int killsPerMode,
        final double seconds, final List<ChaosCommand.Result> results) throws IOException
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("seed", seed);
        root.put("ok", ok);
        root.put("killsPerMode", killsPerMode);
        root.put("seconds", seconds);
        final List<Map<String, Object>> modeList = new ArrayList<>();
        for (final ChaosCommand.Result r : results)
        {
            modeList.add(toMap(r));
        }
        root.put("modes", modeList);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), root);
    }

    /** One mode's JSON object, its keys in the order of the file. */
    private static Map<String, Object> toMap(final ChaosCommand.Result r)
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
        return m;
    }

    /** A percentile for the text output: "-" rather than -1 when nothing was measured. */
    private static String ms(final List<Long> nanos, final double percentile)
    {
        return nanos.isEmpty() ? "-" : String.format("%.1f ms", percentileMillis(nanos, percentile));
    }
}
