package io.tcpshm;

import io.tcpshm.internal.GroupHandoff;

/**
 * A group of a server's connection slots, all TCP or all SHM, polled by one thread of the user's
 * choice; its live connections are handed between the control thread and that thread by
 * {@link GroupHandoff}.
 */
final class ServerGroup
{
    /** A slot whose connection is not logged on (its files may still be open for its last client). */
    static final int FREE = 0;
    /** A slot whose connection is logged on and in its group's poll. */
    static final int LIVE = 1;
    /** A slot whose session was asked to close, waiting for the group's poll to let go of it. */
    static final int DRAINING = 2;

    final boolean shm;
    final Slot[] slots;
    final GroupHandoff<TcpShmConnection> handoff;

    ServerGroup(final boolean shm, final TcpShmConnection[] connections)
    {
        this.shm = shm;
        this.slots = new Slot[connections.length];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new Slot(connections[i], i);
        }
        this.handoff = new GroupHandoff<>(connections);
    }

    /** @return the group's connections, one per slot (fixed for the server's life). */
    TcpShmConnection[] connections()
    {
        final TcpShmConnection[] result = new TcpShmConnection[slots.length];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = slots[i].conn;
        }
        return result;
    }

    /** A connection slot and its hand-off state between the control thread and its group's thread. */
    static final class Slot
    {
        final TcpShmConnection conn;
        /** This slot's index in its group's hand-off. */
        final int index;
        /** Control thread only: {@link #FREE}, {@link #LIVE} or {@link #DRAINING}. */
        int state = FREE;
        /** Control thread only: the hand-off version that removed this slot from its group. */
        int drainVersion;

        Slot(final TcpShmConnection conn, final int index)
        {
            this.conn = conn;
            this.index = index;
        }
    }
}
