package io.tcpshm.internal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SlotSet} against a {@link LinkedHashSet} model: adds, and passes of {@code retainIf} whose test removes
 * some slots, adds others (as a poll's callback pushes on other connections) and may throw (as a callback may).
 */
class SlotSetTest
{
    private static final int CAPACITY = 16;

    @Property(tries = 300)
    void behavesAsASetWhateverTheTestsDo(@ForAll @Size(max = 60) final List<@IntRange(max = 999) Integer> ops)
    {
        final SlotSet set = new SlotSet(CAPACITY);
        final Set<Integer> model = new LinkedHashSet<>();
        for (final int op : ops)
        {
            final int slot = op % CAPACITY;
            if (op < 600)
            {
                set.add(slot);
                model.add(slot);
            }
            else
            {
                // a pass that keeps the slots whose (slot + op) is even, adds slot (op / 7) when visiting the first
                // slot, and throws on the slot equal to op % 5 when op > 900
                final int added = (op / 7) % CAPACITY;
                final boolean throwing = op > 900;
                final int thrower = op % 5;
                // the order the set keeps: kept slots in turn, then (after a throw) the ones not reached, then added ones
                final Set<Integer> expected = new LinkedHashSet<>();
                final List<Integer> order = new ArrayList<>(model);
                boolean threw = false;
                boolean addedNew = false;
                for (int i = 0; i < order.size(); i++)
                {
                    final int s = order.get(i);
                    if (throwing && s == thrower)
                    {
                        expected.addAll(order.subList(i, order.size()));
                        threw = true;
                        break;
                    }
                    if (i == 0)
                    {
                        addedNew = !model.contains(added);
                    }
                    if ((s + op) % 2 == 0)
                    {
                        expected.add(s);
                    }
                }
                if (addedNew)
                {
                    expected.add(added);
                }
                final int[] visits = {0};
                final Runnable pass = () -> set.retainIf(s ->
                {
                    if (throwing && s == thrower)
                    {
                        throw new IllegalStateException("callback threw");
                    }
                    if (visits[0]++ == 0)
                    {
                        set.add(added);
                    }
                    return (s + op) % 2 == 0;
                });
                if (threw)
                {
                    assertThatThrownBy(pass::run).hasMessage("callback threw");
                }
                else
                {
                    pass.run();
                }
                model.clear();
                model.addAll(expected);
            }
            final Set<Integer> actual = new LinkedHashSet<>();
            for (int i = 0; i < set.size(); i++)
            {
                actual.add(set.get(i));
            }
            assertThat(set.size()).as("no slot twice").isEqualTo(actual.size());
            assertThat(actual).containsExactlyElementsOf(model);
            for (int s = 0; s < CAPACITY; s++)
            {
                assertThat(set.contains(s)).isEqualTo(model.contains(s));
            }
        }
    }
}
