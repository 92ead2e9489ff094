package io.tcpshm.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BenchResultTest
{
    private static BenchResult pair(final long value, final int count, final double allocBytesPerMsg)
    {
        final Histogram h = new Histogram(60_000_000_000L, 3);
        h.recordValueWithCount(value, count);
        return new BenchResult(BenchResult.RTT, "row").latency(h).put("allocBytesPerMsg", allocBytesPerMsg);
    }

    @Test
    void pairsOfARowAreJoinedByAddingTheirHistograms() throws Exception
    {
        // 3000 round trips at 400 ns, then 1000 at 1000 ns: the joined p50 is the first pair's, p90 the second's
        final BenchResult merged = BenchResult.mergeRtt(List.of(pair(400, 3000, 0.0), pair(1000, 1000, 2.0)));
        final BenchResult back = BenchResult.fromJson(merged.toJson());
        assertThat(back.num("count")).isEqualTo(4000);
        assertThat(back.num("p50Ns")).isBetween(399.0, 401.0);
        assertThat(back.num("p90Ns")).isBetween(999.0, 1001.0);
        assertThat(back.num("allocBytesPerMsg")).isEqualTo(0.5); // 2 B over a quarter of the round trips
        assertThat(back.num("pairs")).isEqualTo(2);
        assertThat((java.util.List<?>)back.get("pairP50Ns")).hasSize(2);
        assertThat(back.histogram().getTotalCount()).isEqualTo(4000);
    }
}
