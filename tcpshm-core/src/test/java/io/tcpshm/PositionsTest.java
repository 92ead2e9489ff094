package io.tcpshm;

import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TcpShmConnection#sendPosition()} and {@link TcpShmConnection#receivePosition()}: a server that dies between
 * the push of a reply and the pop of its request (or before the push) can tell, after its restart, which of the two
 * took place, and so reply exactly once (the chaos runner found the echo server losing a reply killed between pop
 * and push).
 */
class PositionsTest
{
    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000);

    /** A reply as the echo server makes it, pushed only when asked. */
    private static void reply(final TcpShmConnection conn, final MsgHeader in, final boolean push)
    {
        final MsgHeader out = conn.alloc(in.payloadLength());
        assertThat(out).isNotNull();
        out.msgType(in.msgType());
        out.buffer().put(out.payloadOffset(), in.buffer(), in.payloadOffset(), in.payloadLength());
        if (push)
        {
            conn.push();
        }
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void afterARestartThePositionsTellWhetherThePushAndThePopTookPlace(final boolean shm) throws Exception
    {
        Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = TestConfigs.noTimeouts(tmp.resolve("shm")).build();
        final Path serverDir = tmp.resolve("server");
        final List<String> seen = new ArrayList<>();
        final long[] recorded = {-1, -1}; // receive and send positions when the dying server began its reply
        final TestClient c = new TestClient("cli", tmp.resolve("client"), config, clock);
        try
        {
            // server 1: answers message 0 (push, then pop); pushes the reply to message 1 and dies before its pop
            TestServer s = new TestServer("srv", serverDir, config, clock);
            final TestServer s1 = s;
            s.onMsg = (conn, in) ->
            {
                final long seq = in.buffer().getLong(in.payloadOffset());
                if (s1.paused)
                {
                    return;
                }
                synchronized (seen)
                {
                    seen.add("1:" + seq + " in=" + conn.receivePosition());
                }
                final long before = conn.sendPosition();
                if (seq == 0)
                {
                    reply(conn, in, true);
                    assertThat(conn.sendPosition()).isNotEqualTo(before);
                    final long receive = conn.receivePosition();
                    conn.pop();
                    assertThat(conn.receivePosition()).isNotEqualTo(receive);
                    return;
                }
                recorded[0] = conn.receivePosition();
                reply(conn, in, false);
                recorded[1] = conn.sendPosition();
                conn.push();
                s1.paused = true; // killed here: no pop
            };
            assertThat(c.connect(shm, s.port())).as(c.events.toString()).isTrue();
            c.trySend(false);
            c.trySend(false);
            assertThat(c.pollUntil(() -> c.received == 2, 10_000)).as("echoes %d, %s", c.received, seen).isTrue();
            s.close();

            // server 2: handed message 1 again at the recorded receive position, its send position moved: pop only;
            // then message 2: a new receive position; dies after the alloc, before the push
            s = new TestServer("srv", serverDir, config, clock);
            final TestServer s2 = s;
            final long[] firstRecorded = recorded.clone();
            s.onMsg = (conn, in) ->
            {
                final long seq = in.buffer().getLong(in.payloadOffset());
                if (s2.paused)
                {
                    return;
                }
                synchronized (seen)
                {
                    seen.add("2:" + seq + " in=" + conn.receivePosition() + " out=" + conn.sendPosition());
                }
                if (seq == 1)
                {
                    if (conn.receivePosition() == firstRecorded[0] && conn.sendPosition() != firstRecorded[1])
                    {
                        conn.pop(); // answered before the crash
                    }
                    return;
                }
                recorded[0] = conn.receivePosition();
                reply(conn, in, false);
                recorded[1] = conn.sendPosition();
                s2.paused = true; // killed here: no push, no pop
            };
            final int port2 = s.port();
            assertThat(c.pollUntil(() -> c.connect(shm, port2), 10_000)).as(c.events.toString()).isTrue();
            c.trySend(false);
            assertThat(c.pollUntil(() -> s2.paused, 10_000)).as("%s", seen).isTrue();
            assertThat(recorded[0]).isNotEqualTo(firstRecorded[0]);
            s.close();

            // server 3: message 2 again, at the recorded receive position, send position unchanged: reply now
            s = new TestServer("srv", serverDir, config, clock);
            final long[] secondRecorded = recorded.clone();
            s.onMsg = (conn, in) ->
            {
                final long seq = in.buffer().getLong(in.payloadOffset());
                synchronized (seen)
                {
                    seen.add("3:" + seq + " in=" + conn.receivePosition() + " out=" + conn.sendPosition());
                }
                if (seq == 2 && conn.receivePosition() == secondRecorded[0] && conn.sendPosition() == secondRecorded[1])
                {
                    reply(conn, in, true);
                    conn.pop();
                }
            };
            final int port3 = s.port();
            assertThat(c.pollUntil(() -> c.connect(shm, port3), 10_000)).as(c.events.toString()).isTrue();
            assertThat(c.pollUntil(() -> c.received == 3, 10_000)).as("echoes %d, %s", c.received, seen).isTrue();
            // every echo exactly once (the client checks order and content): nothing more arrives
            c.trySend(false);
            s.onMsg = null;
            assertThat(c.pollUntil(() -> c.received == 4, 10_000)).as("echoes %d, %s", c.received, seen).isTrue();
            s.close();
        }
        finally
        {
            c.close();
        }
    }
}
