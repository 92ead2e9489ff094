package io.tcpshm.testing;

import java.util.function.BooleanSupplier;

/** Waiting for a condition that another thread makes true, with a bound (never a fixed sleep). */
public final class Await
{
    /** How long {@link #until(BooleanSupplier)} waits. */
    public static final long DEFAULT_MILLIS = 10_000;

    private Await()
    {
    }

    /**
     * Spins until {@code condition} holds or {@link #DEFAULT_MILLIS} have passed.
     *
     * @param condition checked again and again.
     * @return its last value: false when the time ran out.
     */
    public static boolean until(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + DEFAULT_MILLIS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.yield(); // the other thread may need this core (2 cores, several busy pollers)
        }
        return true;
    }
}
