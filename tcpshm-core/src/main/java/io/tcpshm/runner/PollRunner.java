package io.tcpshm.runner;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a round of polls in a loop and waits between idle rounds as its {@link IdleStrategy} says, on a
 * thread of its own ({@link #start}) or on the caller's ({@link #run}), until {@link #close()}.
 *
 * <pre>{@code
 * try (PollRunner serverLoop = PollRunner.start("prices-server",
 *         Polls.server(server, config, Polls.MONOTONIC_SECONDS), new BackoffIdleStrategy()))
 * {
 *     ...                        // the server serves; an idle one parks instead of spinning
 * }                              // close(): the loop ends after its round and the thread is joined
 * }</pre>
 *
 * <p>A round that throws ends the loop: {@link #run} rethrows it; a started thread keeps it for
 * {@link #failure()}. The engine's own callbacks never throw out of a poll (a callback that throws is
 * reported and its connection closed), so this is the user's {@link PollWork} failing.
 */
public final class PollRunner implements AutoCloseable
{
    private final String name;
    private final PollWork work;
    private final IdleStrategy idle;
    // volatile: close() may come from any thread and the loop must see it; read once per round, a plain load
    // on x86 and a load-acquire on ARM
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile Thread thread;

    /**
     * @param name a name for the thread {@link #start()} starts.
     * @param work the round of polls.
     * @param idle how to wait after a round with no work; used by this runner alone.
     */
    public PollRunner(final String name, final PollWork work, final IdleStrategy idle)
    {
        this.name = Objects.requireNonNull(name, "name");
        this.work = Objects.requireNonNull(work, "work");
        this.idle = Objects.requireNonNull(idle, "idle");
    }

    /**
     * Creates a runner and starts its thread.
     *
     * @param name the thread's name.
     * @param work the round of polls.
     * @param idle how to wait after a round with no work.
     * @return the running runner; close it to stop.
     */
    public static PollRunner start(final String name, final PollWork work, final IdleStrategy idle)
    {
        return new PollRunner(name, work, idle).start();
    }

    /**
     * Starts a thread (non-daemon, named after the runner) that runs the loop.
     *
     * @return this.
     * @throws IllegalStateException when it was started or closed already.
     */
    public PollRunner start()
    {
        if (thread != null || !running)
        {
            throw new IllegalStateException("PollRunner '" + name + "' was started or closed already");
        }
        final Thread t = new Thread(() ->
        {
            try
            {
                run();
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }, name);
        thread = t;
        t.start();
        return this;
    }

    /**
     * Runs the loop on the calling thread until {@link #close()} (from another thread or from a callback).
     * A failure of a round is rethrown here.
     */
    public void run()
    {
        final PollWork work = this.work;
        final IdleStrategy idle = this.idle;
        idle.reset();
        while (running)
        {
            idle.idle(work.poll());
        }
    }

    /** @return what ended a started thread's loop, or null. */
    public Throwable failure()
    {
        return failure;
    }

    /** @return whether the loop has not been asked to stop and, when it runs on its own thread, still runs. */
    public boolean isRunning()
    {
        final Thread t = thread;
        return running && (t == null || t.isAlive());
    }

    /**
     * Ends the loop after its current round; when the runner started a thread, wakes it if it is parked
     * and waits for it to end (unless this is that thread, closing itself from a callback).
     */
    @Override
    public void close()
    {
        running = false;
        final Thread t = thread;
        if (t != null && t != Thread.currentThread())
        {
            LockSupport.unpark(t);
            boolean interrupted = false;
            while (t.isAlive())
            {
                try
                {
                    t.join();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString()
    {
        return "PollRunner{" + name + ", " + idle + (running ? "" : ", closed") + '}';
    }
}
