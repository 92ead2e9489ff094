package io.tcpshm;

import io.tcpshm.testing.Events;
import io.tcpshm.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server whose control poll and every group run on their own threads, with clients that keep
 * logging on, echoing, dropping and logging on again: the hand-off of connections between the
 * control thread and the group threads must never lose, duplicate or corrupt a message.
 */
class MultiThreadServerTest
{
    @TempDir
    Path tmp;

    @Test
    void connectionsHandedBetweenControlAndGroupThreadsStayExactlyOnce() throws Exception
    {
        Files.createDirectories(tmp.resolve("shm"));
        final AtomicLong clock = new AtomicLong(1000);
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(tmp.resolve("shm"))
            .maxTcpGroups(2).maxShmGroups(2).maxTcpConnectionsPerGroup(2).maxShmConnectionsPerGroup(2)
            .connectionTimeout(1_000_000).controlSocketPollPeriod(4).build();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Events events = new Events();
        final ServerHandler handler = new ServerHandler()
        {
            @Override
            public void onSystemError(final String message, final Exception cause)
            {
                events.add("systemError " + message);
            }

            @Override
            public int onNewConnection(final InetSocketAddress a, final LoginRequest login, final LoginResponse rsp)
            {
                // c0, c1 -> group 0; c2, c3 -> group 1
                return (login.clientName().charAt(1) - '0') / 2;
            }

            @Override
            public void onClientFileError(final TcpShmConnection conn, final String reason, final Exception cause)
            {
                events.add("fileError " + reason);
            }

            @Override
            public void onSeqNumberMismatch(final TcpShmConnection conn, final long a, final long b, final long c,
                final long d, final long e, final long f)
            {
                events.add("seqMismatch");
            }

            @Override
            public void onClientLogon(final InetSocketAddress a, final TcpShmConnection conn)
            {
                events.add("logon " + conn.remoteName());
            }

            @Override
            public void onClientDisconnected(final TcpShmConnection conn, final DisconnectReason reason, final String detail,
                final Exception cause)
            {
                events.add("disconnected " + conn.remoteName());
            }

            @Override
            public void onClientMsg(final TcpShmConnection conn, final MsgHeader in)
            {
                final MsgHeader out = conn.alloc(in.payloadLength());
                if (out == null)
                {
                    return;
                }
                out.msgType(in.msgType());
                out.buffer().put(out.payloadOffset(), in.buffer(), in.payloadOffset(), in.payloadLength());
                conn.pop();
                conn.push();
            }
        };
        final TcpShmServer server = new TcpShmServer("srv", tmp.resolve("server"), config, handler);
        assertThat(server.start("127.0.0.1", 0)).isTrue();
        final int port = server.localPort();
        final List<Thread> threads = new ArrayList<>();
        final boolean[] stop = {false};
        final Runnable[] loops = {
            () -> server.pollCtl(clock.get()),
            () -> server.pollTcp(clock.get(), 0),
            () -> server.pollTcp(clock.get(), 1),
            () -> server.pollShm(0),
            () -> server.pollShm(1),
        };
        final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (final Runnable loop : loops)
        {
            final Thread t = new Thread(() ->
            {
                try
                {
                    while (running.get())
                    {
                        loop.run();
                        Thread.onSpinWait();
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        try
        {
            // four clients (two TCP, two SHM) take turns: connect, echo a batch, drop, repeat
            final TestClient[] clients = new TestClient[4];
            for (int i = 0; i < 4; i++)
            {
                clients[i] = new TestClient("c" + i, tmp.resolve("c" + i), config, clock);
            }
            for (int round = 0; round < 12; round++)
            {
                for (int i = 0; i < 4; i++)
                {
                    final TestClient c = clients[i];
                    final boolean shm = i % 2 == 1;
                    assertThat(c.pollUntil(() -> c.connect(shm, port), 20_000)).as("round %d client %d: %s", round, i,
                        c.events).isTrue();
                }
                for (int i = 0; i < 4; i++)
                {
                    final TestClient c = clients[i];
                    final long target = c.sent + 500;
                    assertThat(c.pollUntil(() ->
                    {
                        while (c.sent < target && c.trySend(false))
                        {
                            // fill
                        }
                        return c.received == target;
                    }, 20_000)).as("round %d client %d echoed %d of %d", round, i, c.received, target).isTrue();
                }
                // drop every client; the next round logs on again while group threads keep polling
                for (final TestClient c : clients)
                {
                    c.conn().close();
                    final TestClient cc = c;
                    assertThat(cc.pollUntil(() -> cc.conn().isClosed() && !cc.client.connection().session().isOpen(), 10_000))
                        .isTrue();
                }
                assertThat(failure.get()).isNull();
            }
            for (final TestClient c : clients)
            {
                c.close();
            }
        }
        finally
        {
            running.set(false);
            for (final Thread t : threads)
            {
                t.join(10_000);
            }
            server.stop();
        }
        assertThat(failure.get()).isNull();
        assertThat(events.count("logon c")).isEqualTo(48);
        assertThat(events.any(e -> e.startsWith("systemError") || e.startsWith("fileError") || e.startsWith("seq"))).isFalse();
    }
}
