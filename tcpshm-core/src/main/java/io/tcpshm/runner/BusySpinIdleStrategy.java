package io.tcpshm.runner;

/**
 * Never gives the core away: an idle round only hints the processor that this is a spin loop
 * ({@link Thread#onSpinWait()}). The lowest latency, and 100% of a core whether there is work or not:
 * for a thread pinned to a core of its own.
 */
public final class BusySpinIdleStrategy implements IdleStrategy
{
    /** A strategy that spins when a round did no work. */
    public BusySpinIdleStrategy()
    {
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount == 0)
        {
            Thread.onSpinWait();
        }
    }

    @Override
    public void reset()
    {
        // no state
    }
}
