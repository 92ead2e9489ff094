package io.tcpshm;

import io.tcpshm.internal.GroupHandoff;
import io.tcpshm.internal.SlotSet;

/**
 * The poll of one SHM group of a server, on the group's thread. Checking an empty ring reads three cache lines of
 * the shared file and a few of the connection's objects: a few nanoseconds while they are cached, some tens once a
 * group has too many rings for the caches. So a group of more than {@code shmRingsPerPoll} live connections does
 * not look at every ring on every call:
 * <ul>
 * <li>the <b>hot</b> rings, those that delivered a message in the last {@value #COOL_AFTER_POLLS} calls, are
 *     checked on every call;</li>
 * <li>the others, <b>cold</b>, are checked {@code shmRingsPerPoll} at a time in turn; a cold ring with a message
 *     delivers it and becomes hot.</li>
 * </ul>
 * A group at or below {@code shmRingsPerPoll} checks every ring on every call. The price of the split: the first message
 * on a ring that has been quiet for a while waits until the turn comes round to its ring, at most
 * {@code connections / shmRingsPerPoll} calls. On average that is about what checking every ring on every call would
 * cost it (half a pass over all the rings either way), while a hot ring is checked on every short call.
 *
 * <pre>
 *   pollShm(group), more than shmRingsPerPoll connections
 *   +--------------------------------+   +--------------------------------------------+
 *   | hot rings: front() each,       |-->| next shmRingsPerPoll cold rings in turn:   |
 *   | cool down after long silence   |   | front() each; a message makes the ring hot |
 *   +--------------------------------+   +--------------------------------------------+
 * </pre>
 */
final class ShmGroupPoller
{
    /** Calls without a message after which a hot ring turns cold. */
    static final long COOL_AFTER_POLLS = 1L << 16;

    private final GroupHandoff<TcpShmConnection> handoff;
    private final ServerHandler handler;
    /** Rings checked on every poll up to this many connections; beyond, the cold rings checked per poll. */
    private final int ringsPerPoll;
    private final SlotSet hot;
    /** Per slot: the call that last found a message on its ring. */
    private final long[] lastActive;
    private final SlotSet.SlotPredicate onHot = this::pollHot;
    private long polls;
    private int work;
    /** List position of the next cold ring to check. */
    private int coldNext;

    ShmGroupPoller(final GroupHandoff<TcpShmConnection> handoff, final ServerHandler handler, final TcpShmConfig config)
    {
        this.handoff = handoff;
        this.handler = handler;
        this.ringsPerPoll = config.shmRingsPerPoll();
        hot = new SlotSet(handoff.size());
        lastActive = new long[handoff.size()];
    }

    /**
     * One poll of the group.
     *
     * @return messages delivered.
     */
    int poll()
    {
        final int n = handoff.liveCount(); // a member that left drops out of the hot set at its next check
        polls++;
        work = 0;
        if (n <= ringsPerPoll)
        {
            for (int i = 0; i < n; i++)
            {
                pollOne(handoff.live(i));
            }
            return work;
        }
        hot.retainIf(onHot);
        for (int k = 0, checks = Math.min(ringsPerPoll, n); k < checks; k++)
        {
            if (coldNext >= n)
            {
                coldNext = 0;
            }
            final int slot = handoff.liveSlot(coldNext);
            if (!hot.contains(slot) && pollOne(handoff.live(coldNext)))
            {
                lastActive[slot] = polls;
                hot.add(slot);
            }
            coldNext++;
        }
        return work;
    }

    /** Checks one ring and delivers its front message, if any. */
    private boolean pollOne(final TcpShmConnection conn)
    {
        try
        {
            final MsgHeader header = conn.frontShm();
            if (header != null)
            {
                work++;
                handler.onClientMsg(conn, header);
                return true;
            }
        }
        catch (final InternalError fault)
        {
            conn.accessFault(fault); // this connection closes; the others are served
        }
        return false;
    }

    private boolean pollHot(final int slot)
    {
        if (!handoff.listed(slot))
        {
            return false;
        }
        if (pollOne(handoff.member(slot)))
        {
            lastActive[slot] = polls;
            return true;
        }
        return polls - lastActive[slot] < COOL_AFTER_POLLS;
    }
}
