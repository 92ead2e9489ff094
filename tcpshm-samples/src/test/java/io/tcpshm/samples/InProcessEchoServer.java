package io.tcpshm.samples;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tcpshm echo-server} run in a thread of this JVM on a free port of 127.0.0.1, quiet, until
 * {@link #close()}: it then stops polling, closes (and unlocks) its files and must have ended
 * without an exception.
 */
final class InProcessEchoServer implements AutoCloseable
{
    private final EchoServerCommand server = new EchoServerCommand();
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<Integer> exit = new AtomicReference<>();
    /** The port it listens on. */
    final int port;

    /**
     * @param args more echo-server options (--ptcp-dir, --shm-dir, --big-endian, ...).
     */
    InProcessEchoServer(final String... args) throws InterruptedException
    {
        final List<String> all = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--quiet"));
        all.addAll(List.of(args));
        new CommandLine(server).parseArgs(all.toArray(new String[0]));
        thread = new Thread(() ->
        {
            try
            {
                exit.set(server.call());
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        }, "in-process-echo-server");
        thread.start();
        port = server.awaitListening(10_000);
        assertThat(port).as("echo server listening (failure: %s)", failure.get()).isPositive();
    }

    @Override
    public void close() throws InterruptedException
    {
        server.requestStop();
        thread.join(10_000);
        assertThat(thread.isAlive()).as("echo server stopped").isFalse();
        assertThat(failure.get()).as("echo server failure").isNull();
        assertThat(exit.get()).as("echo server exit code").isZero();
    }
}
