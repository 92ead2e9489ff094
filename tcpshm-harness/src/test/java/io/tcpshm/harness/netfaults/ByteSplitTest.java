package io.tcpshm.harness.netfaults;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every byte in both directions goes through the proxy as a write of its own on a TCP_NODELAY
 * socket (a segment of its own): logins, login responses, messages, acks and heartbeats, for a
 * whole run, with a second login half way (the client closes, then logs in again with a non-empty
 * queue, so the re-sent messages are split as well). Nothing may break: one session per login,
 * no disconnect but the one the client asked for, every echo exactly once in order.
 */
class ByteSplitTest
{
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void everyByteInItsOwnSegment(final boolean shm) throws Exception
    {
        // TCP: every message crosses byte by byte, so fewer; SHM: only the login and heartbeats cross
        final long total = Rig.scaled(shm ? 20_000 : 1_500);
        // the fake clock follows real time in milliseconds; heartbeats every 5 ms cross split too
        final TcpShmConfig config = Rig.config(tmp).heartbeatInterval(5).connectionTimeout(10_000)
            .newConnectionTimeout(10_000).build();
        try (Rig rig = new Rig(tmp, config, shm, Rig.BASE_SEED + 10 + (shm ? 1 : 0), 120_000))
        {
            rig.unitNanos = 1_000_000;
            rig.proxy.splitBytes = true;
            if (shm)
            {
                rig.paceMillis = 1_000; // spread over a second so that heartbeats cross the proxy, split
            }
            assertThat(rig.connect()).as(rig.describe()).isTrue();
            final long half = total / 2;
            rig.run(half, 60_000, () -> { });

            // the client ends the session with messages still unacked, then logs in again (split too)
            while (rig.client.sent < total && rig.client.trySend(false))
            {
                // queue more than the server has seen
            }
            rig.client.conn().close();
            rig.client.poll();
            final TcpShmConnection sc = rig.serverConn();
            rig.reconnect = false;
            rig.pollUntil(() -> rig.server.events.anyStartsWith("disconnected cli"), 10_000, "server noticing the close");
            rig.reconnect = true;
            assertThat(rig.connect()).as(rig.describe()).isTrue();
            rig.run(total, 60_000, () -> { });
            rig.checkFinalCounts(total);

            assertThat(rig.client.events.all()).as(rig.describe())
                .containsExactly("loginSuccess srv", "disconnected Closed by user", "loginSuccess srv");
            assertThat(rig.server.events.count("disconnected")).as(rig.describe()).isEqualTo(1);
            final FaultProxy p = rig.proxy;
            assertThat(p.writes.get()).as("one write per byte").isEqualTo(p.bytesUp.get() + p.bytesDown.get());
            // two logins (56 bytes each) and two responses (72 bytes each) at least
            assertThat(p.bytesUp.get()).isGreaterThanOrEqualTo(2 * 56);
            assertThat(p.bytesDown.get()).isGreaterThanOrEqualTo(2 * 72);
            if (shm)
            {
                // the SHM link carries heartbeats only (not counted on receipt): some crossed, split
                assertThat(rig.client.conn().stats().heartbeatsSent()).isPositive();
                assertThat(sc.stats().heartbeatsSent()).isPositive();
                assertThat(p.bytesUp.get()).isGreaterThan(2 * 56 + 8);
                assertThat(p.bytesDown.get()).isGreaterThan(2 * 72 + 8);
            }
            else
            {
                // the client closed right after pushing, without reading: what it pushed last, or the server's
                // echoes of it, were not acked, so one side or the other re-sent after the second login (split)
                assertThat(rig.client.conn().stats().messagesResent() + sc.stats().messagesResent())
                    .as("re-sent after the second login").isPositive();
            }
            System.out.printf("netfaults split shm=%s: %d messages, %s%n", shm, total, p.stats());
        }
    }
}
