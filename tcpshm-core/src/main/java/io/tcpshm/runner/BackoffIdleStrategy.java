package io.tcpshm.runner;

import java.util.concurrent.locks.LockSupport;

/**
 * Backs off in three steps while the loop stays idle: spins for {@code maxSpins} rounds, then yields for
 * {@code maxYields} rounds, then parks, first for {@code minParkNanos} and twice as long after each idle
 * round up to {@code maxParkNanos}. Any round with work starts over at spinning. An idle thread then costs
 * little CPU; the price is the latency of the first message after a long silence, up to
 * {@code maxParkNanos} plus the operating system's wake-up time.
 */
public final class BackoffIdleStrategy implements IdleStrategy
{
    /** Spins before yielding, by default. */
    public static final long DEFAULT_MAX_SPINS = 10_000;
    /** Yields before parking, by default. */
    public static final long DEFAULT_MAX_YIELDS = 100;
    /** The first park, by default: 1 us. */
    public static final long DEFAULT_MIN_PARK_NANOS = 1_000;
    /** The longest park, by default: 1 ms. */
    public static final long DEFAULT_MAX_PARK_NANOS = 1_000_000;

    /** Where an idle loop is in the back-off. */
    private enum Step
    {
        SPIN, YIELD, PARK
    }

    private final long maxSpins;
    private final long maxYields;
    private final long minParkNanos;
    private final long maxParkNanos;
    private Step step = Step.SPIN;
    private long idleRounds;
    private long parkNanos;

    /** A back-off with the defaults: 10,000 spins, 100 yields, parks from 1 us to 1 ms. */
    public BackoffIdleStrategy()
    {
        this(DEFAULT_MAX_SPINS, DEFAULT_MAX_YIELDS, DEFAULT_MIN_PARK_NANOS, DEFAULT_MAX_PARK_NANOS);
    }

    /**
     * @param maxSpins     idle rounds that spin before yielding (0 or more).
     * @param maxYields    idle rounds that yield before parking (0 or more).
     * @param minParkNanos the first park (1 or more).
     * @param maxParkNanos the longest park (at least {@code minParkNanos}).
     * @throws IllegalArgumentException naming the parameter that is out of range.
     */
    public BackoffIdleStrategy(final long maxSpins, final long maxYields, final long minParkNanos, final long maxParkNanos)
    {
        if (maxSpins < 0)
        {
            throw new IllegalArgumentException("maxSpins = " + maxSpins + ": must be 0 or more");
        }
        if (maxYields < 0)
        {
            throw new IllegalArgumentException("maxYields = " + maxYields + ": must be 0 or more");
        }
        if (minParkNanos < 1)
        {
            throw new IllegalArgumentException("minParkNanos = " + minParkNanos + ": must be 1 or more");
        }
        if (maxParkNanos < minParkNanos)
        {
            throw new IllegalArgumentException("maxParkNanos = " + maxParkNanos + ": must be at least minParkNanos (" +
                minParkNanos + ")");
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNanos = minParkNanos;
        this.maxParkNanos = maxParkNanos;
        reset();
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            return;
        }
        switch (step)
        {
            case SPIN ->
            {
                Thread.onSpinWait();
                if (++idleRounds >= maxSpins)
                {
                    step = maxYields > 0 ? Step.YIELD : Step.PARK;
                    idleRounds = 0;
                }
            }
            case YIELD ->
            {
                Thread.yield();
                if (++idleRounds >= maxYields)
                {
                    step = Step.PARK;
                }
            }
            default ->
            {
                LockSupport.parkNanos(parkNanos);
                parkNanos = Math.min(parkNanos << 1, maxParkNanos);
            }
        }
    }

    @Override
    public void reset()
    {
        step = maxSpins > 0 ? Step.SPIN : maxYields > 0 ? Step.YIELD : Step.PARK;
        idleRounds = 0;
        parkNanos = minParkNanos;
    }

    /** @return the settings, and what the next idle round does: "spin", "yield" or "park 4000 ns". */
    @Override
    public String toString()
    {
        return "BackoffIdleStrategy{spins " + maxSpins + ", yields " + maxYields + ", parks " + minParkNanos + "-" +
            maxParkNanos + " ns; next: " + (step == Step.PARK ? "park " + parkNanos + " ns" :
            step.name().toLowerCase(java.util.Locale.ROOT)) + "}";
    }
}
