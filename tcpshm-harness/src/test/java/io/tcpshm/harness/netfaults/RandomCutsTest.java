package io.tcpshm.harness.netfaults;

import io.tcpshm.TcpShmConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections cut at random moments (both sockets closed, each with a FIN or a RST), the client
 * logging in again through the proxy each time, while it echoes a fixed number of messages:
 * every echo comes back exactly once, in order, and both sides consumed exactly that many.
 *
 * <p>TCP: each proxied connection gets a random byte budget (both directions together) after which
 * it is cut, possibly inside a frame; one in five budgets is under 200 bytes, so cuts also fall
 * inside the login frame, the login response and the first re-sent messages. SHM: the data does
 * not cross the proxy, so the test cuts the heartbeat link at random message counts, and one
 * connection in four gets a budget under 140 bytes (inside the login or the response).
 */
class RandomCutsTest
{
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void randomCutsLoseAndDuplicateNothing(final boolean shm) throws Exception
    {
        final long total = Rig.scaled(20_000);
        final int targetCuts = (int)Rig.scaled(30);
        final int maxCuts = targetCuts * 5 / 3; // 50 at scale 1
        // the fake clock follows real time in milliseconds: heartbeats flow, nothing times out
        final TcpShmConfig config = Rig.config(tmp).heartbeatInterval(20).connectionTimeout(5_000)
            .newConnectionTimeout(5_000).build();
        final long seed = Rig.BASE_SEED + (shm ? 1 : 0);
        try (Rig rig = new Rig(tmp, config, shm, seed, Rig.scaled(120_000)))
        {
            rig.unitNanos = 1_000_000;
            final Random r = new Random(seed ^ 0x5eed);
            final FaultProxy proxy = rig.proxy;
            final Runnable hook;
            if (!shm)
            {
                // ~240 bytes cross per echoed message (both directions)
                final long mean = total * 240 / targetCuts;
                proxy.cutBudget = () -> proxy.cuts.get() >= maxCuts ? -1 :
                    r.nextInt(5) == 0 ? r.nextInt(200) : (long)(r.nextDouble() * 2 * mean);
                hook = () -> { };
            }
            else
            {
                proxy.cutBudget = () -> proxy.cuts.get() >= maxCuts ? -1 : r.nextInt(4) == 0 ? r.nextInt(140) : -1;
                final long gap = 2 * total / targetCuts;
                final long[] nextCut = {r.nextLong(gap)};
                hook = () ->
                {
                    // a cut due while the link is down (the client still reconnecting) is made on the next live
                    // link rather than skipped, so the count of cuts does not depend on timing
                    if (rig.client.received >= nextCut[0] && proxy.cuts.get() < maxCuts && proxy.cutAll())
                    {
                        nextCut[0] = rig.client.received + r.nextLong(gap);
                    }
                };
            }
            rig.run(total, Rig.scaled(30_000), hook); // a bound for a hung run, as long as the work
            proxy.disarm();
            rig.checkFinalCounts(total);
            final long logins = rig.client.events.count("loginSuccess");
            System.out.printf("netfaults cuts shm=%s: %d messages, %d cuts, %d logins, %d connect attempts (%d failed); %s%n",
                shm, total, proxy.cuts.get(), logins, rig.connectAttempts, rig.connectFailures, proxy.stats());
            assertThat(proxy.cuts.get()).as(rig.describe()).isBetween(targetCuts * 2 / 3, maxCuts);
            // every session but the last was ended by a cut, and the client saw each end
            assertThat(rig.client.events.count("disconnected")).isBetween(logins - 1, logins);
            assertThat(logins).isGreaterThan(targetCuts / 3);
        }
    }
}
