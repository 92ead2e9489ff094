package io.tcpshm.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Hands the members of one server group (a fixed set of slots, each with its connection object)
 * between the control thread, which adds and removes them, and the group thread, which polls the
 * members currently in the group. The two may be the same thread or two threads; a member is
 * never used by both at once, and each sees everything the other wrote before handing it over.
 *
 * <p>Protocol and why its orderings are enough (Java Memory Model):
 * <ul>
 * <li><b>join</b> (control): after setting the member up with plain writes, sets its slot's flag
 *     (volatile write) and then increments {@code version} (volatile write).</li>
 * <li><b>poll</b> (group, {@link #liveCount()} on every call): reads {@code version} (volatile);
 *     when it changed, reads every slot's flag (volatile reads) into a private list, then writes
 *     {@code seenVersion = version} (volatile). Reading a flag set by a join synchronizes with
 *     that write, so the member's set-up happens-before the group's use of it, whether the flag
 *     was seen through the version it belongs to or through a later one.</li>
 * <li><b>leave</b> (control): clears the flag (volatile write), increments {@code version}, and
 *     returns that version. Until {@link #released} says {@code seenVersion} has reached it, the
 *     group may still be polling the member (it polls from its list of an older version), so
 *     the control thread must not touch it. Once it has: the group rebuilt its list after
 *     reading the cleared flag (a flag read after the version read, and the version read saw
 *     the leave's increment or a later one, so it saw the cleared flag or a later join, which
 *     cannot happen before the release), dropped the member, and its volatile write of
 *     {@code seenVersion} makes all its earlier writes to the member visible to the control
 *     thread that reads it. From then on the group does not touch the member until a later join.</li>
 * </ul>
 * A list rebuild, the only costly step, happens once per change; the steady-state cost for the
 * group thread is one volatile read (a plain load on x86) per poll.
 *
 * @param <T> the member type (the server's connection).
 */
public final class GroupHandoff<T>
{
    private final T[] members;
    /** Per slot: 1 while its member is in the group. Written by the control thread only. */
    private final AtomicIntegerArray inGroup;
    /** Incremented by the control thread after each join or leave (volatile write publishes it). */
    private volatile int version;
    /** Written by the group thread after it rebuilt its list for a version. */
    private volatile int seenVersion;
    /** Control thread only: the last version published. */
    private int versionCounter;
    /** Group thread only: the version the list was built for. */
    private int cachedVersion;
    /** Group thread only: members in the group, then nulls. */
    private final T[] live;
    /** Group thread only: the slot of each member of {@link #live}. */
    private final int[] liveSlots;
    /** Group thread only: per slot, whether it is in the list built last. */
    private final boolean[] listed;
    /** Group thread only. */
    private int liveCount;

    /**
     * @param members the member of each slot, fixed for the group's life (a copy is kept).
     */
    public GroupHandoff(final T[] members)
    {
        this.members = members.clone();
        this.inGroup = new AtomicIntegerArray(members.length);
        this.live = Arrays.copyOf(members, members.length);
        Arrays.fill(live, null);
        this.liveSlots = new int[members.length];
        this.listed = new boolean[members.length];
    }

    /** @return the number of slots. */
    public int size()
    {
        return members.length;
    }

    /**
     * @param slot 0 .. {@link #size()} - 1.
     * @return the member of {@code slot}.
     */
    public T member(final int slot)
    {
        return members[slot];
    }

    /**
     * Control thread: adds the member of {@code slot} to the group once it is set up.
     *
     * @param slot the slot.
     */
    public void join(final int slot)
    {
        inGroup.set(slot, 1);
        publish();
    }

    /**
     * Control thread: removes the member of {@code slot}; it is the control thread's again once
     * {@link #released(int)} returns true for the returned version.
     *
     * @param slot the slot.
     * @return the version that removed it.
     */
    public int leave(final int slot)
    {
        inGroup.set(slot, 0);
        return publish();
    }

    /**
     * Control thread: whether the group thread has dropped everything removed up to
     * {@code leaveVersion} (so those members are no longer touched by it).
     *
     * @param leaveVersion a value returned by {@link #leave(int)}.
     * @return true once the group has seen that version.
     */
    public boolean released(final int leaveVersion)
    {
        return seenVersion - leaveVersion >= 0;
    }

    private int publish()
    {
        final int v = ++versionCounter;
        version = v;
        return v;
    }

    /**
     * Group thread, at the start of every poll: brings the list of live members up to date (a
     * volatile read when nothing changed).
     *
     * @return how many members are live; they are {@link #live(int)} 0 .. that - 1.
     */
    public int liveCount()
    {
        final int v = version;
        if (v != cachedVersion)
        {
            rebuild(v);
            seenVersion = v;
        }
        return liveCount;
    }

    /**
     * Group thread, for a group that keeps state of its own per member (a readiness selector's keys): like
     * {@link #liveCount()}, but a rebuilt list is not released yet. The group brings its own state up to date,
     * then calls {@link #release()}; until then the control thread does not touch the members that left.
     *
     * @return true when the list was rebuilt (members joined or left since the last call).
     */
    public boolean refreshHeld()
    {
        final int v = version;
        if (v == cachedVersion)
        {
            return false;
        }
        rebuild(v);
        return true;
    }

    /**
     * Group thread, after {@link #refreshHeld()} returned true and the group let go of the members that left:
     * publishes the version seen (volatile write), so everything the group did to them happens-before the
     * control thread's next use of them.
     */
    public void release()
    {
        seenVersion = cachedVersion;
    }

    /** @return the number of members in the list built last (group thread). */
    public int listedCount()
    {
        return liveCount;
    }

    /**
     * Group thread: whether a slot's member is in the list built last (a member that left is not, even before the
     * list is released).
     *
     * @param slot 0 .. {@link #size()} - 1.
     * @return true when listed.
     */
    public boolean listed(final int slot)
    {
        return listed[slot];
    }

    /**
     * Group thread: the slot of a member of the list built last.
     *
     * @param i 0 .. {@link #listedCount()} - 1.
     * @return its slot.
     */
    public int liveSlot(final int i)
    {
        return liveSlots[i];
    }

    /**
     * Group thread: a member of the list built by the last {@link #liveCount()}.
     *
     * @param i 0 .. that count - 1.
     * @return the member.
     */
    public T live(final int i)
    {
        return live[i];
    }

    private void rebuild(final int v)
    {
        int n = 0;
        for (int slot = 0; slot < members.length; slot++)
        {
            listed[slot] = inGroup.get(slot) != 0;
            if (listed[slot])
            {
                liveSlots[n] = slot;
                live[n++] = members[slot];
            }
        }
        for (int i = n; i < liveCount; i++)
        {
            live[i] = null;
        }
        liveCount = n;
        cachedVersion = v;
    }
}
