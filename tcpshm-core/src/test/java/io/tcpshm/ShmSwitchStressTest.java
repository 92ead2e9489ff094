package io.tcpshm;

import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: when the thread that connects reopened rings that the client had just replaced
 * (SHM to server A, then TCP or another server, then SHM to A again), it unmapped the replaced
 * mappings at once, possibly under the thread polling SHM (a crash on JDK 17-21, an exception out
 * of {@code connect} on 22+); and that thread's {@code pop} or {@code push} inside a callback threw
 * once the rings had been swapped. Here one thread polls SHM without a pause, popping every message
 * in its callback, while the test thread switches mode and server thousands of times and pushes
 * between switches. Nothing may escape either thread, and the client must still work at the end.
 *
 * <p>Iterations: {@code -Dtcpshm.switch.iterations} (default 1500; {@code -Plong} runs 20,000).
 */
class ShmSwitchStressTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(1000);

    /** Counts what arrives and pops it, on whichever thread delivers it. */
    private static final class Handler implements ClientHandler
    {
        final AtomicLong received = new AtomicLong();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        volatile TcpShmClient client;

        @Override
        public void onSystemError(final String message, final Exception cause)
        {
            errors.add(message);
        }

        @Override
        public void onLoginReject(final LoginResponse response)
        {
            errors.add("reject " + response.errorMessage());
        }

        @Override
        public long onLoginSuccess(final LoginResponse response)
        {
            return 1000;
        }

        @Override
        public void onSeqNumberMismatch(final long localAck, final long localSeqStart, final long localSeqEnd,
            final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
        {
            errors.add("seqMismatch");
        }

        @Override
        public void onServerMsg(final MsgHeader header)
        {
            client.connection().pop();
            received.incrementAndGet();
        }

    }

    @Test
    void switchingRingsUnderABusySharedMemoryPollerIsSafe() throws Exception
    {
        final int iterations = Integer.getInteger("tcpshm.switch.iterations", 1500);
        Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = TestConfigs.noTimeouts(tmp.resolve("shm")).controlSocketPollPeriod(1).build();
        final TestServer a = closer.keep(new TestServer("srvA", tmp.resolve("a"), config, clock));
        final TestServer b = closer.keep(new TestServer("srvB", tmp.resolve("b"), config, clock));
        final Handler handler = new Handler();
        final TcpShmClient client = new TcpShmClient("cli", tmp.resolve("client"), config, handler);
        handler.client = client;

        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong shmPolls = new AtomicLong();
        final ConcurrentLinkedQueue<Throwable> shmFailures = new ConcurrentLinkedQueue<>();
        final Thread poller = new Thread(() ->
        {
            try
            {
                while (running.get())
                {
                    client.pollShm();
                    shmPolls.lazySet(shmPolls.get() + 1);
                }
            }
            catch (final Throwable t)
            {
                shmFailures.add(t);
            }
        }, "shm-poller");
        poller.start();
        final Random random = new Random(20261201L);
        int shmLogins = 0;
        int switches = 0;
        try
        {
            for (int i = 0; i < iterations && shmFailures.isEmpty(); i++)
            {
                // mostly SHM, to server A or B; sometimes TCP to A: every pattern A-SHM, A-TCP, B-SHM, A-SHM occurs
                final boolean useShm = random.nextInt(4) != 0;
                final TestServer target = useShm && random.nextBoolean() ? b : a;
                if (!logIn(client, handler, useShm, target))
                {
                    continue;
                }
                switches++;
                if (useShm)
                {
                    shmLogins++;
                }
                // a few messages, echoed while the next switch comes; in SHM mode the poller pops the echoes
                for (int m = random.nextInt(4); m > 0; m--)
                {
                    final MsgHeader h = client.connection().alloc(8);
                    if (h == null)
                    {
                        break;
                    }
                    h.msgType(1);
                    h.buffer().putLong(h.payloadOffset(), i);
                    client.connection().push();
                }
                for (int p = random.nextInt(3); p > 0; p--)
                {
                    client.pollTcp(clock.get());
                }
                client.connection().close();
                client.pollTcp(clock.get()); // ends the session
            }
        }
        finally
        {
            running.set(false);
            poller.join(10_000);
        }
        assertThat(shmFailures).as("what escaped the SHM poller").isEmpty();
        assertThat(poller.isAlive()).isFalse();
        assertThat(switches).as("logins made; errors %s", new java.util.TreeSet<>(handler.errors))
            .isGreaterThan(iterations / 2);
        assertThat(shmLogins).isPositive();
        assertThat(shmPolls.get()).isPositive();
        assertThat(new java.util.TreeSet<>(handler.errors)).as("errors reported (distinct)")
            .allMatch(e -> e.startsWith("reject Already logged on"));

        // the client still works: SHM to A, every message echoed (the test thread polls SHM now)
        assertThat(logIn(client, handler, true, a)).isTrue();
        final long before = handler.received.get();
        for (int m = 0; m < 10; m++)
        {
            final MsgHeader h = client.connection().alloc(8);
            assertThat(h).isNotNull();
            h.msgType(1);
            client.connection().push();
        }
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (handler.received.get() < before + 10 && System.nanoTime() < deadline)
        {
            client.pollTcp(clock.get());
            client.pollShm();
        }
        assertThat(handler.received.get() - before).isEqualTo(10);
        client.stop();
        a.checkAlive();
        b.checkAlive();
    }

    /** Logs in, retrying while the server has not yet seen the last session end ("Already logged on"). */
    private static boolean logIn(final TcpShmClient client, final Handler handler, final boolean useShm,
        final TestServer server)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline)
        {
            final int errors = handler.errors.size();
            if (client.connect(useShm, "127.0.0.1", server.port(), null))
            {
                return true;
            }
            if (handler.errors.size() == errors || !last(handler).startsWith("reject Already logged on"))
            {
                return false;
            }
            server.awaitIterations(2);
        }
        return false;
    }

    private static String last(final Handler handler)
    {
        String last = "";
        for (final String e : handler.errors)
        {
            last = e;
        }
        return last;
    }
}
