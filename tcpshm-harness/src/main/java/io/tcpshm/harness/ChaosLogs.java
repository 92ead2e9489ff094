package io.tcpshm.harness;

import io.tcpshm.samples.EchoCounters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The final checks of a chaos mode that read files: the client's counters ({@link EchoCounters}) and every log of the
 * mode, scanned for the traces of a lost, duplicated or mismatched message.
 */
final class ChaosLogs
{
    private ChaosLogs()
    {
    }

    /**
     * Reads the final counters into the result and scans every log of the mode.
     *
     * @param dir      the mode's work directory, which holds the logs.
     * @param counters the echo client's counters file.
     * @param r        the mode's result: its sent, received and duplicated counts are set.
     * @return the problems found, one per log and kind, empty when none.
     * @throws IOException when the directory cannot be listed or a log cannot be read.
     */
    static List<String> check(final Path dir, final Path counters, final ChaosCommand.Result r) throws IOException
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

    /**
     * Counts the occurrences of a text in a log that a live child may still be writing.
     *
     * @param log  the log file.
     * @param text the text to count.
     * @return how many times the text occurs, 0 when the log cannot be read (not written yet).
     */
    static int count(final Path log, final String text)
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
}
