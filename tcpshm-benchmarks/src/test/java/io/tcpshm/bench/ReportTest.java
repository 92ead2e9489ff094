package io.tcpshm.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report reads a row's p50 for issue 13's targets as the median of its pairs, and says where a row's pairs ran at
 * different levels of the machine, so that a verdict taken across levels is not read as one about the code.
 */
class ReportTest
{
    /** A row of process pairs whose round trips all took the given nanoseconds, one value per pair. */
    private static BenchResult row(final String name, final long... pairNanos)
    {
        final List<BenchResult> pairs = new ArrayList<>();
        for (final long nanos : pairNanos)
        {
            final Histogram h = new Histogram(60_000_000_000L, 3);
            h.recordValueWithCount(nanos, 1000);
            pairs.add(new BenchResult(BenchResult.RTT, name).latency(h));
        }
        return BenchResult.mergeRtt(pairs);
    }

    @Test
    void rowsWhosePairsRanAtDifferentLevelsAreMarkedAndTheTargetsUseThePairMedian()
    {
        final List<BenchResult> results = List.of(row("shm ping-pong 16B tcpshm", 240, 830, 920),
            row("shm ping-pong 16B C floor", 140, 140, 145));
        final String table = new Report(results, new int[] {16}).table();
        assertThat(table).containsPattern("shm ping-pong 16B tcpshm +0\\.24 +0\\.83 +0\\.92 +pairs at different levels \\(3\\.8x\\)");
        assertThat(table).doesNotContainPattern("shm ping-pong 16B C floor +0\\.14 +0\\.14 +0\\.14 +pairs at different");
        // the median pair, 830 ns, over the floor's 140 ns; the target line says the levels differed
        assertThat(table).containsPattern("SHM 16B p50 <= 1\\.4x C floor p50 \\(pair medians\\) +5\\.93 +MISSED \\(pairs at different levels\\)");
    }

    @Test
    void rowsAtOneLevelAreNotMarked()
    {
        final List<BenchResult> results = List.of(row("shm ping-pong 16B tcpshm", 190, 200, 210),
            row("shm ping-pong 16B C floor", 140, 150, 150));
        final String table = new Report(results, new int[] {16}).table();
        assertThat(table).doesNotContain("pairs at different levels");
        assertThat(table).containsPattern("SHM 16B p50 <= 1\\.4x C floor p50 \\(pair medians\\) +1\\.33 +met\\n");
        assertThat(Report.pairSpread(results.get(0))).isBetween(1.10, 1.11);
    }
}
