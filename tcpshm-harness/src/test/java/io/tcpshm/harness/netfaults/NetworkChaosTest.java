package io.tcpshm.harness.netfaults;

import io.tcpshm.TcpShmConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * All faults at once, switched at random moments by a seeded {@link Random}: cuts (byte budgets
 * and test-driven, FIN or RST), 1-byte splitting switched on and off, random delays, and stalls of
 * one or both directions for up to 60 ms against a 40 ms timeout (heartbeats every 5 ms), so some
 * stalls end in a timeout and some do not. The clock follows real time. Every echo exactly once, in
 * order, and exact totals on both sides.
 */
class NetworkChaosTest
{
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void everythingAtOnce(final boolean shm) throws Exception
    {
        final long total = Rig.scaled(shm ? 20_000 : 8_000);
        final int maxCuts = (int)Rig.scaled(30);
        final TcpShmConfig config = Rig.config(tmp).heartbeatInterval(5).connectionTimeout(40)
            .newConnectionTimeout(1_000).build();
        final long seed = Rig.BASE_SEED + 40 + (shm ? 1 : 0);
        try (Rig rig = new Rig(tmp, config, shm, seed, Rig.scaled(120_000)))
        {
            rig.unitNanos = 1_000_000;
            if (shm)
            {
                rig.paceMillis = Rig.scaled(2_000);
            }
            final Random r = new Random(seed ^ 0xc4a05);
            final FaultProxy proxy = rig.proxy;
            final long mean = total * 240 / maxCuts;
            proxy.cutBudget = () -> proxy.cuts.get() >= maxCuts ? -1 :
                r.nextInt(5) == 0 ? r.nextInt(200) : shm ? -1 : (long)(r.nextDouble() * 2 * mean);
            proxy.longDelayMicros = 20_000;
            final long[] nextChange = {0};
            final int[] stalls = {0};
            final int[] splitRuns = {0};
            final long switchEvery = 2_000_000L; // ~2 ms between switches, on average 4
            final long start = System.nanoTime();
            rig.run(total, Rig.scaled(60_000), () ->
            {
                final long now = System.nanoTime() - start;
                if (now < nextChange[0])
                {
                    return;
                }
                nextChange[0] = now + (long)(r.nextDouble() * 2 * switchEvery);
                switch (r.nextInt(20))
                {
                    case 0:
                        if (proxy.cuts.get() < maxCuts)
                        {
                            proxy.cutAll();
                        }
                        break;
                    case 1:
                    case 2:
                        final int which = r.nextInt(3);
                        proxy.stallFor(which != 1, which != 0, r.nextInt(60));
                        stalls[0]++;
                        break;
                    case 3:
                    case 4:
                        proxy.splitBytes = !proxy.splitBytes;
                        if (proxy.splitBytes)
                        {
                            splitRuns[0]++;
                        }
                        break;
                    case 5:
                    case 6:
                        proxy.maxDelayMicros = proxy.maxDelayMicros > 0 ? 0 : 1 + r.nextInt(500);
                        break;
                    default:
                        break;
                }
            });
            proxy.disarm();
            proxy.stall(false, false);
            proxy.splitBytes = false;
            proxy.maxDelayMicros = 0;
            rig.checkFinalCounts(total);
            System.out.printf("netfaults chaos shm=%s: %d messages, %d cuts, %d stalls, %d split runs, %d logins, " +
                "timeouts client %d server %d; %s%n", shm, total, proxy.cuts.get(), stalls[0], splitRuns[0],
                rig.client.events.count("loginSuccess"), rig.client.events.count("disconnected Timeout"),
                rig.server.events.count("disconnected cli Timeout"), proxy.stats());
            assertThat(stalls[0]).isPositive();
            assertThat(splitRuns[0]).isPositive();
        }
    }
}
