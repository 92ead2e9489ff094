package io.tcpshm;

import io.tcpshm.internal.ShmRing;
import io.tcpshm.testing.Await;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A callback of the client's SHM poller that outlives a switch of the connection: after a switch to TCP its
 * {@code pop} consumes the SHM message it was given, on the ring it came from, and never the TCP message the
 * connecting thread holds at that moment (review finding: it once did, racing the TCP thread's state, and the
 * TCP thread's own pop then failed); and an SHM login waits until it has returned, so that no server zeroes
 * the rings it still writes.
 */
class RetiredRingCallbackTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(1000);

    /** Holds the SHM poller inside its callback until released; leaves TCP messages fronted for the test. */
    private static final class Handler implements ClientHandler
    {
        final CountDownLatch shmCallbackEntered = new CountDownLatch(1);
        final CountDownLatch releaseShmCallback = new CountDownLatch(1);
        final AtomicReference<Throwable> shmPopFailure = new AtomicReference<>();
        volatile Thread shmPoller;
        volatile TcpShmClient client;
        volatile long tcpFronted = -1;
        volatile boolean shmPopped;
        /** When set, the SHM callback allocates a reply before it waits and pushes it after its pop. */
        volatile boolean replyFromCallback;

        @Override
        public void onServerMsg(final MsgHeader header)
        {
            if (Thread.currentThread() != shmPoller)
            {
                tcpFronted = header.buffer().getLong(header.payloadOffset()); // left fronted: the test pops it
                return;
            }
            try
            {
                final MsgHeader reply = replyFromCallback ? client.connection().alloc(8) : null;
                if (reply != null)
                {
                    reply.msgType(1);
                    reply.buffer().putLong(reply.payloadOffset(), 77);
                }
                shmCallbackEntered.countDown();
                assertThat(releaseShmCallback.await(30, TimeUnit.SECONDS)).isTrue();
                client.connection().pop();
                if (reply != null)
                {
                    client.connection().push();
                }
                shmPopped = true;
            }
            catch (final Throwable t)
            {
                shmPopFailure.set(t);
            }
        }

        final java.util.concurrent.ConcurrentLinkedQueue<String> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();

        @Override
        public void onSystemError(final String message, final Exception cause)
        {
            errors.add(message);
        }

        @Override
        public long onLoginSuccess(final LoginResponse response)
        {
            return 1000;
        }

    }

    private static void send(final TcpShmClient client, final long value)
    {
        final MsgHeader h = client.connection().alloc(8);
        assertThat(h).isNotNull();
        h.msgType(1);
        h.buffer().putLong(h.payloadOffset(), value);
        client.connection().push();
    }

    private boolean logIn(final TcpShmClient client, final boolean shm, final int port)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline)
        {
            if (client.connect(shm, "127.0.0.1", port, null))
            {
                return true;
            }
            Thread.yield(); // the server has not yet seen the last session end ("Already logged on")
        }
        return false;
    }

    private Thread startPoller(final TcpShmClient client, final Handler handler,
        final AtomicReference<Throwable> pollerFailure)
    {
        final Thread poller = new Thread(() ->
        {
            try
            {
                while (!handler.shmPopped && handler.shmPopFailure.get() == null)
                {
                    client.pollShm();
                }
            }
            catch (final Throwable t)
            {
                pollerFailure.set(t);
            }
        }, "shm-poller");
        handler.shmPoller = poller;
        poller.start();
        return poller;
    }

    private static int ringIndex(final Path file, final TcpShmConfig config, final int at) throws Exception
    {
        final ByteBuffer ring = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.nativeOrder());
        return ring.getInt(ShmRing.fileSize(config.shmQueueSize()) - ShmRing.INDEX_AREA + at);
    }

    /**
     * A callback that began on server A's rings holds while the client switches. An SHM login waits for it: the
     * server zeroes the rings at a login that starts a new connection, and the callback's pop and push would then
     * write into the new rings (a -Plong stress run found srvA_cli.shm with writeIdx 0 and readIdx 3). So SHM to B
     * fails with the reason while the callback holds, and TCP to B does not wait; once the callback has popped and
     * pushed on A's rings, SHM to A again (a new connection: the client's last server is B) finds consistent
     * rings and echoes.
     */
    @Test
    void anShmLoginWaitsForACallbackOfThePreviousSessionThatStillUsesItsRings() throws Exception
    {
        final Path shmDir = Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = TestConfigs.noTimeouts(shmDir).controlSocketPollPeriod(1).loginTimeoutMillis(300)
            .build();
        final TestServer a = closer.keep(new TestServer("srvA", tmp.resolve("a"), config, clock));
        final TestServer b = closer.keep(new TestServer("srvB", tmp.resolve("b"), config, clock));
        final Handler handler = new Handler();
        handler.replyFromCallback = true;
        final TcpShmClient client = new TcpShmClient("cli", tmp.resolve("client"), config, handler);
        handler.client = client;
        final AtomicReference<Throwable> pollerFailure = new AtomicReference<>();
        Thread poller = null;
        try
        {
            assertThat(logIn(client, true, a.port())).isTrue();
            poller = startPoller(client, handler, pollerFailure);
            send(client, 1); // echoed by A; the poller fronts it, allocates a reply and stays in its callback
            assertThat(handler.shmCallbackEntered.await(10, TimeUnit.SECONDS)).isTrue();
            final int sentBefore = ringIndex(shmDir.resolve("cli_srvA.shm"), config, 0);
            client.connection().close();
            client.pollTcp(clock.get());

            assertThat(client.connect(true, "127.0.0.1", b.port(), null)).as("SHM to B while the callback holds").isFalse();
            assertThat(handler.errors).singleElement().asString().startsWith("SHM poller busy: pollShm has not returned");
            assertThat(logIn(client, false, b.port())).as("TCP to B does not wait").isTrue();
            client.connection().close();
            client.pollTcp(clock.get());

            handler.releaseShmCallback.countDown();
            poller.join(10_000);
            assertThat(poller.isAlive()).isFalse();
            assertThat(pollerFailure.get()).isNull();
            assertThat(handler.shmPopFailure.get()).as("the SHM callback's pop and push").isNull();
            assertThat(handler.shmPopped).isTrue();
            final Path fromA = shmDir.resolve("srvA_cli.shm");
            assertThat(ringIndex(fromA, config, 128)).as("readIdx of srvA_cli.shm")
                .isEqualTo(ringIndex(fromA, config, 0)).isPositive();
            assertThat(ringIndex(shmDir.resolve("cli_srvA.shm"), config, 0)).as("writeIdx of cli_srvA.shm")
                .isGreaterThan(sentBefore);

            // SHM to A: a new connection, so A zeroes the rings; nothing writes into them behind its back
            assertThat(logIn(client, true, a.port())).as("SHM to A again: " + handler.errors).isTrue();
            assertThat(ringIndex(fromA, config, 128)).as("readIdx of the zeroed srvA_cli.shm")
                .isEqualTo(ringIndex(fromA, config, 0));
            send(client, 5);
            assertThat(Await.until(() ->
            {
                client.pollShm();
                return handler.tcpFronted == 5; // delivered on this thread: left fronted by the handler
            })).as("the echo over the new rings").isTrue();
            client.connection().pop();
            assertThat(handler.errors).hasSize(1);
        }
        finally
        {
            handler.releaseShmCallback.countDown();
            if (poller != null)
            {
                poller.join(10_000);
            }
            client.stop();
        }
    }

    @Test
    void aCallbackThatOutlivesASwitchToTcpPopsItsOwnRingAndLeavesTheTcpMessageAlone() throws Exception
    {
        final Path shmDir = Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = TestConfigs.noTimeouts(shmDir).controlSocketPollPeriod(1).build();
        final TestServer server = closer.keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        final Handler handler = new Handler();
        final TcpShmClient client = new TcpShmClient("cli", tmp.resolve("client"), config, handler);
        handler.client = client;
        final AtomicReference<Throwable> pollerFailure = new AtomicReference<>();
        Thread poller = null;
        try
        {
            assertThat(logIn(client, true, server.port())).isTrue();
            poller = startPoller(client, handler, pollerFailure);
            send(client, 1); // echoed into srv_cli.shm; the poller fronts it and stays in its callback
            assertThat(handler.shmCallbackEntered.await(10, TimeUnit.SECONDS)).isTrue();

            // the connecting thread switches to TCP and holds a TCP message fronted
            client.connection().close();
            client.pollTcp(clock.get());
            assertThat(logIn(client, false, server.port())).isTrue();
            send(client, 2);
            assertThat(Await.until(() ->
            {
                client.pollTcp(clock.get());
                return handler.tcpFronted == 2;
            })).as("the TCP echo is fronted").isTrue();

            handler.releaseShmCallback.countDown(); // the SHM callback now pops
            poller.join(10_000);
            assertThat(poller.isAlive()).isFalse();
            assertThat(pollerFailure.get()).isNull();
            assertThat(handler.shmPopFailure.get()).as("the SHM callback's pop").isNull();
            assertThat(handler.shmPopped).isTrue();

            // the SHM message left its ring (checked before the TCP thread pops anything); the TCP message is still
            // the TCP thread's to pop, and then nothing is left
            final Path fromServer = shmDir.resolve("srv_cli.shm");
            assertThat(ringIndex(fromServer, config, 128)).as("readIdx of srv_cli.shm")
                .isEqualTo(ringIndex(fromServer, config, 0)).isPositive();
            client.connection().pop();
            assertThat(client.connection().stats().messagesReceived()).isEqualTo(2);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.connection().pop())
                .isInstanceOf(IllegalStateException.class).hasMessage("pop without a current message");
        }
        finally
        {
            handler.releaseShmCallback.countDown();
            if (poller != null)
            {
                poller.join(10_000);
            }
            client.stop();
        }
    }
}
