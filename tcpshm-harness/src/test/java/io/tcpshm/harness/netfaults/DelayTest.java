package io.tcpshm.harness.netfaults;

import io.tcpshm.TcpShmConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every chunk waits a random time in the proxy before it is forwarded (up to 300 us; one in a
 * hundred up to 30 or 100 ms), both directions, logins included. With a generous timeout nothing
 * may close; with a timeout shorter than the longest delays (40 ms, heartbeats every 5 ms) sessions
 * time out now and then and the client logs in again: either way every echo comes back exactly
 * once, in order.
 */
class DelayTest
{
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "shm={0} tight={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void randomDelays(final boolean shm, final boolean tight) throws Exception
    {
        final long total = Rig.scaled(shm ? 20_000 : 5_000);
        // the fake clock follows real time in milliseconds
        final TcpShmConfig config = Rig.config(tmp).heartbeatInterval(5).connectionTimeout(tight ? 40 : 10_000)
            .newConnectionTimeout(10_000).build();
        try (Rig rig = new Rig(tmp, config, shm, Rig.BASE_SEED + 20 + (shm ? 1 : 0) + (tight ? 2 : 0), 120_000))
        {
            rig.unitNanos = 1_000_000;
            rig.proxy.maxDelayMicros = 300;
            rig.proxy.longDelayMicros = tight ? 100_000 : 30_000;
            if (shm)
            {
                // only the heartbeat link crosses the proxy: spread the run over 1.5 s so that many
                // delayed heartbeats (every 5 ms) cross while the rings carry the messages
                rig.paceMillis = 1_500;
            }
            rig.run(total, 60_000, () -> { });
            rig.proxy.maxDelayMicros = 0; // let the final acks through quickly
            rig.checkFinalCounts(total);
            final long logins = rig.client.events.count("loginSuccess");
            System.out.printf("netfaults delays shm=%s tight=%s: %d messages, %d logins, timeouts client %d server %d; %s%n",
                shm, tight, total, logins, rig.client.events.count("disconnected Timeout"),
                rig.server.events.count("disconnected cli Timeout"), rig.proxy.stats());
            assertThat(rig.proxy.delayedChunks.get()).isGreaterThan(shm ? 100 : 1000);
            if (!tight)
            {
                assertThat(rig.client.events.all()).as(rig.describe()).containsExactly("loginSuccess srv");
                assertThat(rig.server.events.anyStartsWith("disconnected")).as(rig.describe()).isFalse();
            }
        }
    }
}
