package io.tcpshm;

import io.tcpshm.testing.Await;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The time-triggered prompt ack (docs/PROTOCOL.md, "Heartbeats, prompt acks and timeouts"): a side that only
 * receives, with {@code ackThresholdBytes} out of reach and {@code heartbeatInterval} far away, sends an
 * ack-only heartbeat once {@code now - lastSend >= ackDelay} after a pop, and not before. The sender sees
 * the ack: its queue is released.
 *
 * <p>The server only pops (echo off); the client only sends. A fake clock moves by hand; the server's thread
 * polls at every value it is given (at least 100 whole iterations before anything is checked "not yet").
 */
class PromptAckDelayTest
{
    private static final long D = 5; // ackDelay
    private static final long T0 = 1000;

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(T0);
    @RegisterExtension
    final Closer closer = new Closer();

    private TestServer s;
    private TestClient c;
    private TcpShmConnection sc;

    private void start()
    {
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(tmp).ackDelay(D).ackThresholdBytes(1 << 30)
            .heartbeatInterval(1_000).connectionTimeout(1_000_000).newConnectionTimeout(1_000_000).build();
        s = closer.keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        s.echo = false;
        c = closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThat(c.connect(false, s.port())).as(c.events.toString()).isTrue();
        sc = s.server.tcpGroupConnections(0)[0];
        assertThat(Await.until(() -> "cli".equals(sc.remoteName()) && !sc.isClosed())).isTrue();
    }

    /** The client sends {@code n} messages at the current time and the server pops them all. */
    private void sendAndAwaitPops(final int n)
    {
        final long popped = sc.stats().messagesReceived();
        for (int i = 0; i < n; i++)
        {
            assertThat(c.trySend(false)).isTrue();
        }
        assertThat(Await.until(() -> sc.stats().messagesReceived() == popped + n)).as("server popped %d", n).isTrue();
        s.awaitIterations(1); // its volatile iteration count orders what the server thread did before
        assertThat(sc.myAck()).isEqualTo(popped + n);
    }

    /** At {@code time}, the server polls 100+ times and the client polls: no ack may have come. */
    private void noAckAt(final long time, final long heartbeatsBefore, final int queued)
    {
        clock.set(time);
        s.awaitIterations(100);
        for (int i = 0; i < 100; i++)
        {
            c.poll();
        }
        s.awaitIterations(100);
        c.poll();
        assertThat(sc.stats().heartbeatsSent()).as("server heartbeats at %d", time).isEqualTo(heartbeatsBefore);
        assertThat(c.conn().stats().heartbeatsReceived()).as("client heartbeats received at %d", time)
            .isEqualTo(heartbeatsBefore);
        assertThat(c.conn().queuedCount()).as("client queue at %d", time).isEqualTo(queued);
    }

    /** At {@code time}, exactly one ack-only heartbeat comes and releases the client's whole queue. */
    private void ackAt(final long time, final long heartbeatsBefore)
    {
        clock.set(time);
        assertThat(c.pollUntil(() -> c.conn().queuedCount() == 0, 10_000)).as("client queue released at %d: %d left",
            time, c.conn().queuedCount()).isTrue();
        // the client can read the ack before the server thread has counted it: a whole server iteration after, its
        // count is there (the iteration count is volatile and written after the counters)
        s.awaitIterations(1);
        assertThat(sc.stats().heartbeatsSent()).as("server heartbeats at %d", time).isEqualTo(heartbeatsBefore + 1);
        assertThat(c.conn().stats().heartbeatsReceived()).isEqualTo(heartbeatsBefore + 1);
        // one ack, not one per poll: nothing more is due at this time
        s.awaitIterations(200);
        for (int i = 0; i < 100; i++)
        {
            c.poll();
        }
        assertThat(sc.stats().heartbeatsSent()).as("server heartbeats later at %d", time).isEqualTo(heartbeatsBefore + 1);
        assertThat(c.conn().stats().heartbeatsReceived()).isEqualTo(heartbeatsBefore + 1);
        assertThat(sc.stats().messagesSent()).as("the server sent no application message").isZero();
    }

    @Test
    void anAckOnlyHeartbeatGoesOutAckDelayAfterTheLastSendAndNotBefore()
    {
        start();
        // the server's last send: the login response at T0
        sendAndAwaitPops(3);
        noAckAt(T0, 0, 3);
        noAckAt(T0 + D - 1, 0, 3);
        ackAt(T0 + D, 0);

        // the ack was a send at T0 + D: the next pops wait for T0 + 2D
        sendAndAwaitPops(2);
        noAckAt(T0 + D + 1, 1, 2);
        noAckAt(T0 + 2 * D - 1, 1, 2);
        ackAt(T0 + 2 * D, 1);
    }

    @Test
    void aPopLongAfterTheLastSendIsAckedAtOnce()
    {
        start();
        // nothing sent by the server since T0; much later (but before a heartbeat is due) the client sends
        final long t = T0 + 10 * D;
        clock.set(t);
        s.awaitIterations(100);
        assertThat(sc.stats().heartbeatsSent()).as("nothing popped, nothing to announce").isZero();
        sendAndAwaitPops(1);
        // the delay counts from the last send, not from the pop: due at the same time value
        ackAt(t, 0);
        // that ack was a send at t: pops made at t now wait until t + D
        sendAndAwaitPops(3);
        noAckAt(t, 1, 3);
        noAckAt(t + D - 1, 1, 3);
        ackAt(t + D, 1);
    }

    @Test
    void nothingPoppedMeansNoAckEvenAfterTheDelay()
    {
        start();
        final java.util.concurrent.atomic.AtomicBoolean fronted = new java.util.concurrent.atomic.AtomicBoolean();
        s.onMsg = (conn, h) -> fronted.set(true); // holds the message unpopped
        assertThat(c.trySend(false)).isTrue();
        assertThat(Await.until(fronted::get)).as("the server fronted the message").isTrue();
        noAckAt(T0 + D, 0, 1);
        noAckAt(T0 + 3 * D, 0, 1);
        assertThat(sc.myAck()).isZero();
    }
}
