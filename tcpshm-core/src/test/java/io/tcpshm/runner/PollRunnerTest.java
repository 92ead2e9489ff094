package io.tcpshm.runner;

import io.tcpshm.ClientHandler;
import io.tcpshm.LoginRequest;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.ServerHandler;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.TcpShmServer;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server polled by runners (all on one thread, or control, TCP group and SHM group each on its own) with a
 * back-off that parks, and a client on the test thread: every message comes back once, in order. Closing a
 * runner ends its thread even while it parks; a round that throws ends the loop and is kept.
 */
class PollRunnerTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(TestConfigs.T0);

    @ParameterizedTest
    @ValueSource(strings = {"one thread, TCP", "one thread, SHM", "thread per poll, TCP", "thread per poll, SHM"})
    void aServerOnRunnersEchoesEveryMessageOnceInOrder(final String mode) throws Exception
    {
        final boolean shm = mode.endsWith("SHM");
        Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = TestConfigs.noTimeouts(tmp.resolve("shm")).build();
        final TcpShmServer server = new TcpShmServer("srv", tmp.resolve("server"), config, new EchoHandler());
        assertThat(server.start("127.0.0.1", 0)).isTrue();
        final List<PollRunner> runners = new ArrayList<>();
        // parks after 10 idle rounds, up to 100 us: the server is idle between the client's bursts
        if (mode.startsWith("one thread"))
        {
            runners.add(PollRunner.start("srv", Polls.server(server, config, clock::get), backoff()));
        }
        else
        {
            runners.add(PollRunner.start("srv-ctl", Polls.serverControl(server, clock::get), backoff()));
            runners.add(PollRunner.start("srv-tcp-0", Polls.serverTcpGroup(server, 0, clock::get), backoff()));
            runners.add(PollRunner.start("srv-shm-0", Polls.serverShmGroup(server, 0), backoff()));
        }
        final List<Long> received = new ArrayList<>();
        final TcpShmClient[] client = {null};
        client[0] = new TcpShmClient("cli", tmp.resolve("client"), config, new ClientHandler()
        {
            @Override
            public long onLoginSuccess(final LoginResponse response)
            {
                return clock.get();
            }

            @Override
            public void onServerMsg(final MsgHeader header)
            {
                received.add(header.buffer().getLong(header.payloadOffset()));
                client[0].connection().pop();
            }

            @Override
            public void onSystemError(final String message, final Exception cause)
            {
                throw new AssertionError("client: " + message, cause);
            }
        });
        try
        {
            assertThat(client[0].connect(shm, "127.0.0.1", server.localPort(), null)).isTrue();
            final PollWork clientPolls = Polls.client(client[0], clock::get);
            long sent = 0;
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (received.size() < 2_000 && System.nanoTime() < deadline)
            {
                final MsgHeader out = sent < 2_000 && sent - received.size() < 100 ? client[0].connection().alloc(8) : null;
                if (out != null)
                {
                    out.msgType(1);
                    out.buffer().putLong(out.payloadOffset(), sent++);
                    client[0].connection().push();
                }
                clientPolls.poll();
            }
            assertThat(received).hasSize(2_000);
            for (int i = 0; i < received.size(); i++)
            {
                assertThat(received.get(i)).as("echo %d", i).isEqualTo(i);
            }
            for (final PollRunner r : runners)
            {
                assertThat(r.isRunning()).as(r.toString()).isTrue();
            }
        }
        finally
        {
            client[0].stop();
            runners.forEach(PollRunner::close);
            server.stop();
        }
        for (final PollRunner r : runners)
        {
            assertThat(r.isRunning()).as("closed: " + r).isFalse();
            assertThat(r.failure()).isNull();
        }
    }

    @Test
    void closeEndsAThreadThatParksAndJoinsIt()
    {
        final AtomicInteger rounds = new AtomicInteger();
        // parks a whole second per idle round once it is there: close() must not wait for the park to end
        final PollRunner runner = PollRunner.start("idle", () ->
        {
            rounds.incrementAndGet();
            return 0;
        }, new BackoffIdleStrategy(0, 0, 1_000_000_000L, 1_000_000_000L));
        assertThat(io.tcpshm.testing.Await.until(() -> rounds.get() >= 1)).isTrue();
        runner.close();
        assertThat(runner.isRunning()).isFalse();
        assertThat(runner.failure()).isNull();
        assertThatThrownBy(runner::start).isInstanceOf(IllegalStateException.class)
            .hasMessage("PollRunner 'idle' was started or closed already");
    }

    @Test
    void aRoundThatThrowsEndsTheLoopAndIsKept()
    {
        final IllegalStateException boom = new IllegalStateException("boom");
        final PollRunner started = closer.keep(PollRunner.start("failing", () ->
        {
            throw boom;
        }, new BusySpinIdleStrategy()));
        assertThat(io.tcpshm.testing.Await.until(() -> !started.isRunning())).isTrue();
        assertThat(started.failure()).isSameAs(boom);

        final PollRunner onCaller = new PollRunner("caller", () ->
        {
            throw boom;
        }, new YieldingIdleStrategy());
        assertThatThrownBy(onCaller::run).isSameAs(boom);
    }

    @Test
    void aLoopOnTheCallersThreadEndsWhenClosedFromARound()
    {
        final AtomicInteger rounds = new AtomicInteger();
        final PollRunner[] runner = {null};
        runner[0] = new PollRunner("caller", () ->
        {
            if (rounds.incrementAndGet() == 1_000)
            {
                runner[0].close();
            }
            return 1;
        }, new YieldingIdleStrategy());
        runner[0].run();
        assertThat(rounds.get()).isEqualTo(1_000);
    }

    private static BackoffIdleStrategy backoff()
    {
        return new BackoffIdleStrategy(10, 10, 1_000, 100_000);
    }

    /** Echoes every message (pop, then push the same type and payload). */
    private static final class EchoHandler implements ServerHandler
    {
        @Override
        public int onNewConnection(final InetSocketAddress remoteAddress, final LoginRequest login,
            final LoginResponse response)
        {
            return 0;
        }

        @Override
        public void onClientMsg(final TcpShmConnection conn, final MsgHeader header)
        {
            final MsgHeader out = conn.alloc(header.payloadLength());
            if (out == null)
            {
                return;
            }
            out.msgType(header.msgType());
            out.buffer().put(out.payloadOffset(), header.buffer(), header.payloadOffset(), header.payloadLength());
            conn.pop();
            conn.push();
        }

        @Override
        public void onSystemError(final String message, final Exception cause)
        {
            throw new AssertionError("server: " + message, cause);
        }
    }
}
