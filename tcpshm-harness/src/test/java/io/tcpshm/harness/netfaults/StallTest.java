package io.tcpshm.harness.netfaults;

import io.tcpshm.DisconnectReason;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy stops forwarding in both directions without closing anything (a silent peer, a dead
 * link) while both sides keep polling on a fake clock frozen at T0 (the login's time, so the last
 * receive time of both sides is T0), with messages in flight. Default settings: connectionTimeout
 * 10, heartbeatInterval 3, controlSocketPollPeriod 64 (so the SHM link's system calls are driven by
 * the clock, not by every poll).
 *
 * <ul>
 * <li>At T0 + connectionTimeout neither side times out, however many polls (the rule is "more than
 * connectionTimeout").</li>
 * <li>At T0 + connectionTimeout + 1 the server closes the connection with "Timeout" within one
 * whole poll iteration of its thread, and the client within one {@code pollTcp}.</li>
 * <li>Then the stall ends (or the proxy cuts the dead connection first), the client logs in again
 * and the stream completes: every echo exactly once, in order.</li>
 * <li>A stall shorter than the timeout (ended at T0 + connectionTimeout) closes nothing: the same
 * session carries on.</li>
 * <li>Half-open: at T0 + connectionTimeout the proxy closes the client's side only and keeps the
 * server's open and silent. The client's logins are refused ("Already logged on") while the
 * server's slot is live; at T0 + connectionTimeout + 1 the server times out within one poll, the
 * client's next login succeeds and the stream completes.</li>
 * </ul>
 */
class StallTest
{
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "shm={0} end={1}")
    @CsvSource({"false,UNSTALL", "false,CUT", "false,SHORT", "false,HALF_OPEN", "true,UNSTALL", "true,CUT", "true,SHORT",
        "true,HALF_OPEN"})
    void silentLinkTimesOutExactlyThenRecovers(final boolean shm, final String end) throws Exception
    {
        final long total = Rig.scaled(6_000);
        final TcpShmConfig config = Rig.config(tmp).build();
        final long timeout = config.connectionTimeout();
        try (Rig rig = new Rig(tmp, config, shm, Rig.BASE_SEED + 30 + (shm ? 1 : 0), 60_000))
        {
            rig.reconnect = false;
            assertThat(rig.connect()).as(rig.describe()).isTrue();
            final long firstPart = total / 3;
            rig.run(firstPart, 20_000, () -> { });
            // more in flight, then the link goes silent in both directions
            rig.step(firstPart + 200);
            rig.proxy.stall(true, true);
            rig.proxy.awaitStalled(5_000, () -> rig.step(firstPart + 200));
            final TcpShmConnection sc = rig.serverConn();
            final TcpShmConnection cc = rig.client.conn();
            // Whatever the proxy forwarded before it stalled is read now, still at T0: a byte read later, at
            // T0 + connectionTimeout, would move that side's last receive time and so its timeout. So both sides
            // poll until the proxy's counters stand still and the kernel holds none of those bytes any more.
            final long settleDeadline = System.nanoTime() + 10_000_000_000L;
            long forwarded = -1;
            while (true)
            {
                rig.step(firstPart + 200);
                rig.server.awaitIterations(1);
                final long now = rig.proxy.bytesUp.get() + rig.proxy.bytesDown.get();
                final long unread = forwardedNotYetRead(rig.proxy.port(), rig.server.port());
                if (now == forwarded && unread == 0)
                {
                    break;
                }
                forwarded = now;
                if (System.nanoTime() - settleDeadline > 0)
                {
                    throw new AssertionError("forwarded bytes still unread (" + unread + ") after 10 s: " +
                        rig.describe());
                }
            }
            if (!shm)
            {
                // the premise on TCP: the link went silent with messages in flight (sent, echo not yet back); on SHM
                // the messages go through the rings, and only the heartbeats of the TCP link stop
                assertThat(rig.client.sent).as(rig.describe()).isGreaterThan(rig.client.received);
            }
            final long sentBefore = rig.proxy.bytesUp.get() + rig.proxy.bytesDown.get();

            // at T0 + connectionTimeout: not yet, on either side, however many polls
            rig.clock.set(Rig.T0 + timeout);
            rig.server.awaitIterations(100);
            for (int i = 0; i < 1_000; i++)
            {
                rig.step(firstPart + 200);
            }
            rig.server.awaitIterations(100);
            assertThat(sc.isClosed()).as("server closed at T0 + connectionTimeout: " + rig.describe()).isFalse();
            assertThat(cc.isClosed()).as("client closed at T0 + connectionTimeout: " + rig.describe()).isFalse();
            // the premise: nothing arrived after T0 (the last receive time of both is still T0)
            assertThat(sc.stats().lastReceiveTime()).isEqualTo(Rig.T0);
            assertThat(cc.stats().lastReceiveTime()).isEqualTo(Rig.T0);
            assertThat(rig.proxy.bytesUp.get() + rig.proxy.bytesDown.get()).as("nothing forwarded while stalled")
                .isEqualTo(sentBefore);
            // both sent heartbeats meanwhile (now - lastSend >= heartbeatInterval): they are stuck in the proxy
            assertThat(cc.stats().heartbeatsSent()).isPositive();
            assertThat(sc.stats().heartbeatsSent()).isPositive();

            if ("SHORT".equals(end))
            {
                // the link comes back before anyone gives up: the same session carries on
                rig.proxy.stall(false, false);
                rig.run(total, 30_000, () -> { });
                rig.checkFinalCounts(total);
                assertThat(rig.client.events.all()).as(rig.describe()).containsExactly("loginSuccess srv");
                assertThat(rig.server.events.anyStartsWith("disconnected")).as(rig.describe()).isFalse();
                return;
            }

            if ("HALF_OPEN".equals(end))
            {
                rig.proxy.abandonAll();
                rig.proxy.stall(false, false);
                rig.pollUntil(() -> cc.isClosed(), 10_000, "client seeing its side closed");
                rig.client.poll();
                assertThat(rig.client.events.all()).as(rig.describe()).hasSize(2)
                    .allMatch(e -> e.equals("loginSuccess srv") || e.startsWith("disconnected Remote close") ||
                    e.startsWith("disconnected Send error"));
                // the server's slot is still live (silent, not timed out): logins are refused
                for (int i = 0; i < 3; i++)
                {
                    assertThat(rig.connect()).as(rig.describe()).isFalse();
                }
                assertThat(rig.client.events.count("loginReject Already logged on")).as(rig.describe()).isEqualTo(3);
                assertThat(sc.isClosed()).isFalse();
                rig.clock.set(Rig.T0 + timeout + 1);
                rig.server.awaitIterations(1);
                assertThat(sc.isClosed()).as("server closed within one poll: " + rig.describe()).isTrue();
                assertThat(sc.closeReason()).isEqualTo(DisconnectReason.TIMEOUT.text());
                rig.reconnect = false;
                rig.pollUntil(() -> rig.server.events.anyStartsWith("disconnected cli"), 10_000, "server reporting");
                assertThat(rig.connect()).as(rig.describe()).isTrue();
                rig.reconnect = true;
                rig.run(total, 30_000, () -> { });
                rig.checkFinalCounts(total);
                assertThat(rig.client.events.count("loginSuccess")).as(rig.describe()).isEqualTo(2);
                assertThat(rig.server.events.all()).as(rig.describe()).contains("disconnected cli Timeout");
                return;
            }

            // one unit later: the server within one whole poll iteration, the client within one poll
            rig.clock.set(Rig.T0 + timeout + 1);
            rig.server.awaitIterations(1);
            assertThat(sc.isClosed()).as("server closed within one poll after T0 + connectionTimeout + 1: " +
                rig.describe()).isTrue();
            assertThat(sc.closeReason()).isEqualTo(DisconnectReason.TIMEOUT.text());
            rig.client.poll();
            assertThat(rig.client.events.all()).as(rig.describe())
                .containsExactly("loginSuccess srv", "disconnected Timeout");
            rig.pollUntil(() -> rig.server.events.anyStartsWith("disconnected cli"), 10_000, "server reporting the close");
            assertThat(rig.server.events.all()).as(rig.describe()).contains("disconnected cli Timeout");

            if ("CUT".equals(end))
            {
                rig.proxy.cutAll();
            }
            rig.proxy.stall(false, false);
            // the client logs in again (the clock stays at T0 + timeout + 1) and the stream completes
            rig.reconnect = true;
            rig.run(total, 30_000, () -> { });
            rig.checkFinalCounts(total);
            assertThat(rig.client.events.count("disconnected")).as(rig.describe()).isEqualTo(1);
            assertThat(rig.client.events.count("loginSuccess")).as(rig.describe()).isEqualTo(2);
            System.out.printf("netfaults stall shm=%s end=%s: %d messages, %s%n", shm, end, total, rig.proxy.stats());
        }
    }

    /**
     * Bytes the proxy forwarded that the kernel still holds, from its table of TCP sockets ({@code /proc/net/tcp}
     * and {@code tcp6}, Linux): unsent in the proxy's sockets towards the client (local port: the proxy's) and
     * towards the server (remote port: the server's), unread in the client's socket (remote port: the proxy's) and
     * in the server's (local port: the server's). Listening sockets are left out (their queues count connections).
     */
    private static long forwardedNotYetRead(final int proxyPort, final int serverPort) throws IOException
    {
        long pending = 0;
        for (final String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"})
        {
            final Path file = Path.of(table);
            if (!Files.exists(file))
            {
                // without IPv6 there is no tcp6; without tcp, 0 would say "all read" without having looked
                assertThat(table).as("the kernel's socket table " + table + " (Linux)").endsWith("6");
                continue;
            }
            final List<String> lines = Files.readAllLines(file);
            for (final String line : lines.subList(1, lines.size()))
            {
                // sl local_address rem_address st tx_queue:rx_queue ...; addresses are hex ADDRESS:PORT
                final String[] f = line.trim().split("\\s+");
                if ("0A".equals(f[3]))
                {
                    continue;
                }
                final int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                final int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                final int colon = f[4].indexOf(':');
                final long tx = Long.parseLong(f[4].substring(0, colon), 16);
                final long rx = Long.parseLong(f[4].substring(colon + 1), 16);
                if (local == proxyPort || remote == serverPort)
                {
                    pending += tx;
                }
                if (remote == proxyPort || local == serverPort)
                {
                    pending += rx;
                }
            }
        }
        return pending;
    }
}
