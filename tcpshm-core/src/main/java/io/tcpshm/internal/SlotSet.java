package io.tcpshm.internal;

/**
 * A set of slot numbers {@code 0 .. capacity - 1} for one thread: adding is constant time and idempotent,
 * the members are read back by position, and {@link #retainIf} compacts the set in one pass. No allocation
 * after construction.
 */
public final class SlotSet
{
    private final boolean[] member;
    private final int[] slots;
    private int count;

    /** @param capacity the number of slots. */
    public SlotSet(final int capacity)
    {
        member = new boolean[capacity];
        slots = new int[capacity];
    }

    /**
     * Adds {@code slot} unless it is in the set already.
     *
     * @param slot 0 .. capacity - 1.
     */
    public void add(final int slot)
    {
        if (!member[slot])
        {
            member[slot] = true;
            slots[count++] = slot;
        }
    }

    /**
     * @param slot 0 .. capacity - 1.
     * @return whether {@code slot} is in the set.
     */
    public boolean contains(final int slot)
    {
        return member[slot];
    }

    /** @return the number of slots in the set. */
    public int size()
    {
        return count;
    }

    /**
     * @param i 0 .. {@link #size()} - 1.
     * @return the slot at position {@code i} (in the order added, until a {@link #retainIf}).
     */
    public int get(final int i)
    {
        return slots[i];
    }

    /** Empties the set. */
    public void clear()
    {
        for (int i = 0; i < count; i++)
        {
            member[slots[i]] = false;
        }
        count = 0;
    }

    /**
     * Keeps the slots for which {@code keep} answers true and removes the others, in one pass.
     *
     * @param keep the test; it may add slots to this set (they are kept, and not tested in this pass).
     */
    public void retainIf(final SlotPredicate keep)
    {
        final int n = count;
        int kept = 0;
        int i = 0;
        try
        {
            for (; i < n; i++)
            {
                final int slot = slots[i];
                if (keep.test(slot))
                {
                    slots[kept++] = slot;
                }
                else
                {
                    member[slot] = false;
                }
            }
        }
        finally
        {
            // a test that threw leaves the slots it did not reach in the set (the one it threw on too)
            for (; i < count; i++)
            {
                slots[kept++] = slots[i]; // and the slots the tests added, which sit at n .. count - 1
            }
            count = kept;
        }
    }

    /** A test of one slot, for {@link #retainIf}. */
    @FunctionalInterface
    public interface SlotPredicate
    {
        /**
         * @param slot a slot of the set.
         * @return true to keep it.
         */
        boolean test(int slot);
    }
}
