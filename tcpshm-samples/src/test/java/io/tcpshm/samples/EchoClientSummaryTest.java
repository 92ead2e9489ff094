package io.tcpshm.samples;

import io.tcpshm.tools.CommandRun;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The echo client's round-trip report: the summary line counts every round trip of the run, and the
 * HdrHistogram log ({@code --hlog}) holds every one of them too, the last interval included (the log's
 * intervals once took the summary's round trips, and the last interval was never written).
 */
class EchoClientSummaryTest
{
    private static final int COUNT = 3000;
    private static final Pattern SUMMARY = Pattern.compile(
        "RTT ns of (\\d+) round trips: p50 (\\d+) p90 (\\d+) p99 (\\d+) p99\\.9 (\\d+) max (\\d+)");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "withLog={0}")
    @ValueSource(booleans = {true, false})
    void theSummaryAndTheLogCountEveryRoundTrip(final boolean withLog) throws Exception
    {
        final Path shmDir = Files.createDirectories(tmp.resolve("shm"));
        final Path hlog = tmp.resolve("rtt.hlog");
        try (InProcessEchoServer server = new InProcessEchoServer("--ptcp-dir", tmp.resolve("server").toString(),
            "--shm-dir", shmDir.toString()))
        {
            final String[] common = {"echo-client", "--tcp", "--port", String.valueOf(server.port), "--ptcp-dir",
                tmp.resolve("client").toString(), "--shm-dir", shmDir.toString(), "--count", String.valueOf(COUNT),
                "--quiet"};
            final CommandRun run = withLog ? CommandRun.run(concat(common, "--hlog", hlog.toString())) :
                CommandRun.run(common);
            assertThat(run.exit).as(run.toString()).isZero();
            final Matcher m = SUMMARY.matcher(run.out);
            assertThat(m.find()).as(run.out).isTrue();
            assertThat(Long.parseLong(m.group(1))).isEqualTo(COUNT);
            // in nanoseconds, and in order: p50 <= p90 <= p99 <= p99.9 <= max
            for (int g = 2; g < 6; g++)
            {
                assertThat(Long.parseLong(m.group(g))).isPositive().isLessThanOrEqualTo(Long.parseLong(m.group(g + 1)));
            }
        }
        if (withLog)
        {
            long logged = 0;
            try (HistogramLogReader reader = new HistogramLogReader(hlog.toFile()))
            {
                EncodableHistogram interval;
                while ((interval = reader.nextIntervalHistogram()) != null)
                {
                    logged += ((org.HdrHistogram.Histogram)interval).getTotalCount();
                }
            }
            assertThat(logged).isEqualTo(COUNT);
        }
    }

    private static String[] concat(final String[] a, final String... b)
    {
        final String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
