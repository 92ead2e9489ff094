package io.tcpshm.runner;

/**
 * An idle round yields the processor ({@link Thread#yield()}): as fast as a spin when the thread has a
 * core to itself, and polite when other threads want it, but still 100% of a core when nothing else runs.
 */
public final class YieldingIdleStrategy implements IdleStrategy
{
    /** A strategy that yields when a round did no work. */
    public YieldingIdleStrategy()
    {
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount == 0)
        {
            Thread.yield();
        }
    }

    @Override
    public void reset()
    {
        // no state
    }
}
