package io.tcpshm;

import io.tcpshm.internal.Closeables;
import io.tcpshm.internal.GroupHandoff;
import io.tcpshm.internal.SlotSet;
import io.tcpshm.internal.TcpSession;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * The poll of one TCP group of a server, on the group's thread. It has two modes:
 * <ul>
 * <li><b>direct</b>, while the group has fewer live connections than {@code tcpReadinessThreshold}: every
 *     connection is polled on every call, and each poll reads its socket (one system call each);</li>
 * <li><b>readiness</b>, from that many connections on (back to direct below half of it, or when empty): one
 *     {@link Selector#selectNow(Consumer)} per call says which sockets have bytes, and only those are read. The
 *     connections that delivered a message lately, up to {@code tcpReadinessThreshold - 1} of them (the <b>hot</b>
 *     ones), are read directly on every call instead, their keys interested in nothing: the JDK's epoll selector
 *     boxes the descriptor number of every ready socket (an allocation for numbers above 127), and a busy connection
 *     among thousands would otherwise cost that on every message. A hot connection silent for
 *     {@value #COOL_AFTER_POLLS} calls goes back to the selector.
 *     The other connections are polled without a read when they are in the attention set (a message was
 *     delivered, a message is held, bytes or an ack wait to be sent, a push was made, the file waits to be
 *     forced) and on the sweeps, which go through every connection once per half heartbeat interval of the
 *     caller's clock, {@value #SWEEP_BATCH} connections per call, for heartbeats, timeouts and forces.</li>
 * </ul>
 *
 * <pre>
 *   pollTcp(now) in readiness mode
 *   +----------------------------+   +-------------------------+   +------------------------------+
 *   | selectNow: sockets with    |-->| attention set: polled   |-->| sweep: next SWEEP_BATCH      |
 *   | bytes, polled with a read  |   | without a read, kept    |   | connections, without a read, |
 *   | (kept if not settled)      |   | until settled           |   | when a pass is under way     |
 *   +----------------------------+   +-------------------------+   +------------------------------+
 * </pre>
 *
 * <p>Keys and the hand-off: the selector's keys are this thread's own per-slot state. When the control thread
 * removes a connection, this poller cancels its key and runs a {@code selectNow} to deregister it before it
 * releases the hand-off ({@link GroupHandoff#release()}); the control thread then closes a socket no selector
 * holds, so the descriptor is freed at once rather than at a later select.
 */
final class TcpGroupPoller
{
    /** Connections looked at per call while a sweep pass is under way. */
    static final int SWEEP_BATCH = 32;
    /** Calls without a message after which a hot connection goes back to the selector. */
    static final long COOL_AFTER_POLLS = 1L << 16;
    private static final Consumer<SelectionKey> IGNORE_READY = key ->
    {
    };

    private final int groupId;
    private final GroupHandoff<TcpShmConnection> handoff;
    private final ServerHandler handler;
    private final int threshold;
    private final long sweepInterval;
    private final SlotSet attention;
    private final SlotSet hot;
    private final int hotMax;
    private final SlotSet.SlotPredicate onHot = this::pollHot;
    /** Per slot, in readiness mode: its key (null when none), and the slot number as the key's attachment. */
    private final SelectionKey[] keys;
    private final Integer[] slotNumbers;
    /** Per slot: whether its last poll left it unsettled; the round of that poll; the round of its last message. */
    private final boolean[] keepPolling;
    private final long[] polledRound;
    private final long[] delivered;
    private final Consumer<SelectionKey> onReady = this::pollReady;
    private final SlotSet.SlotPredicate onAttention = this::pollAttention;
    private Selector selector;
    private boolean readiness;
    /** Set when the selector failed: the group stays in direct mode. */
    private boolean readinessBroken;
    private long round;
    private long now;
    private int work;
    /** List position of the next connection of the sweep pass under way, or -1 between passes. */
    private int sweepNext = -1;
    private long lastSweepStart;
    private boolean swept;

    TcpGroupPoller(final int groupId, final GroupHandoff<TcpShmConnection> handoff, final ServerHandler handler,
        final TcpShmConfig config)
    {
        this.groupId = groupId;
        this.handoff = handoff;
        this.handler = handler;
        this.threshold = config.tcpReadinessThreshold();
        this.sweepInterval = Math.max(1, config.heartbeatInterval() / 2);
        final int slots = handoff.size();
        attention = new SlotSet(slots);
        hot = new SlotSet(slots);
        hotMax = Math.max(1, threshold - 1);
        keys = new SelectionKey[slots];
        slotNumbers = new Integer[slots];
        for (int i = 0; i < slots; i++)
        {
            slotNumbers[i] = i;
        }
        keepPolling = new boolean[slots];
        polledRound = new long[slots];
        delivered = new long[slots];
    }

    /** @return true while the group polls by readiness. */
    boolean readiness()
    {
        return readiness;
    }

    /**
     * One poll of the group.
     *
     * @param now the caller's clock.
     * @return messages delivered plus connections whose socket moved bytes.
     */
    int poll(final long now)
    {
        if (handoff.refreshHeld())
        {
            try
            {
                membersChanged();
            }
            finally
            {
                handoff.release();
            }
        }
        this.now = now;
        work = 0;
        if (!readiness)
        {
            for (int i = 0, n = handoff.listedCount(); i < n; i++)
            {
                pollDirect(handoff.live(i));
            }
            return work;
        }
        round++;
        try
        {
            selector.selectNow(onReady);
        }
        catch (final IOException ex)
        {
            readinessFailed(ex);
            return work;
        }
        hot.retainIf(onHot);
        attention.retainIf(onAttention);
        sweep();
        return work;
    }

    /** Closes the selector (the server stops; no poll follows). */
    void close()
    {
        Closeables.closeQuietly(selector);
        selector = null;
        readiness = false;
    }

    /** Polls one connection with a read, in direct mode. */
    private void pollDirect(final TcpShmConnection conn)
    {
        final int io = conn.session().ioCount();
        try
        {
            final MsgHeader header = conn.pollTcpSession(now);
            if (header != null)
            {
                work++;
                handler.onClientMsg(conn, header);
            }
        }
        catch (final InternalError fault)
        {
            conn.accessFault(fault); // this connection closes; the others are served
        }
        if (conn.session().ioCount() != io)
        {
            work++;
        }
    }

    /** Polls one connection and says whether it needs polling next round even if no byte arrives. */
    private boolean pollOne(final TcpShmConnection conn, final int slot, final boolean readable)
    {
        polledRound[slot] = round;
        final TcpSession session = conn.session();
        final int io = session.ioCount();
        try
        {
            final MsgHeader header = conn.pollTcpSession(now, readable);
            if (header != null)
            {
                delivered[slot] = round;
                work++;
                handler.onClientMsg(conn, header);
            }
        }
        catch (final InternalError fault)
        {
            conn.accessFault(fault); // this connection closes; the others are served
        }
        if (session.ioCount() != io)
        {
            work++;
        }
        // a delivered message may have another behind it in the receive buffer, which no readiness reports
        final boolean keep = delivered[slot] == round || !session.settled();
        keepPolling[slot] = keep;
        return keep;
    }

    private void pollReady(final SelectionKey key)
    {
        final int slot = (Integer)key.attachment();
        if (handoff.listed(slot) && pollOne(handoff.member(slot), slot, true))
        {
            attention.add(slot);
        }
        warm(slot);
    }

    private boolean pollAttention(final int slot)
    {
        if (!handoff.listed(slot) || hot.contains(slot))
        {
            return false; // left the group, or read on every call while hot
        }
        if (polledRound[slot] == round)
        {
            return keepPolling[slot]; // polled with a read a moment ago
        }
        final boolean keep = pollOne(handoff.member(slot), slot, false);
        warm(slot);
        return keep;
    }

    /** A hot connection: read on every call; back to the selector after a long silence (or when it left). */
    private boolean pollHot(final int slot)
    {
        if (!handoff.listed(slot))
        {
            return false;
        }
        if (polledRound[slot] != round)
        {
            pollOne(handoff.member(slot), slot, true);
        }
        if (round - delivered[slot] < COOL_AFTER_POLLS)
        {
            return true; // it became hot at a message, so the round of its last message is how long it is silent
        }
        final SelectionKey key = keys[slot];
        if (key != null && key.isValid())
        {
            key.interestOps(SelectionKey.OP_READ); // the selector reports it again; attention covers what is left
        }
        attention.add(slot);
        return false;
    }

    /** A connection that delivered a message in this round becomes hot while there is room. */
    private void warm(final int slot)
    {
        if (delivered[slot] != round || hot.contains(slot) || hot.size() >= hotMax)
        {
            return;
        }
        final SelectionKey key = keys[slot];
        if (key != null && key.isValid())
        {
            key.interestOps(0); // read directly from now on: the selector no longer reports it
            hot.add(slot);
        }
    }

    /** Goes on with the sweep pass under way, or starts one when half a heartbeat interval has passed. */
    private void sweep()
    {
        if (sweepNext < 0)
        {
            if (swept && now - lastSweepStart < sweepInterval)
            {
                return;
            }
            swept = true;
            lastSweepStart = now;
            sweepNext = 0;
        }
        final int n = handoff.listedCount();
        final int end = Math.min(n, sweepNext + SWEEP_BATCH);
        for (int i = sweepNext; i < end; i++)
        {
            final int slot = handoff.liveSlot(i);
            if (polledRound[slot] != round && pollOne(handoff.live(i), slot, false))
            {
                attention.add(slot);
            }
        }
        sweepNext = end >= n ? -1 : end;
    }

    /**
     * The control thread added or removed connections (the list is rebuilt, not yet released): brings the keys
     * and the mode up to date. Joiners enter the attention set, so each is polled once whatever its socket says.
     */
    private void membersChanged()
    {
        final int n = handoff.listedCount();
        final boolean wasReadiness = readiness;
        // hysteresis: readiness from the threshold up, direct again below half of it or when the group is empty
        readiness = !readinessBroken && (n >= threshold || wasReadiness && n > 0 && n >= threshold / 2);
        for (int i = 0; i < n; i++)
        {
            handoff.live(i).session().attention(readiness ? attention : null, handoff.liveSlot(i));
        }
        if (!readiness)
        {
            // closing the selector deregisters every key at once: the control thread may then close the sockets
            attention.clear();
            hot.clear();
            java.util.Arrays.fill(keys, null);
            Closeables.closeQuietly(selector);
            selector = null;
            return;
        }
        boolean cancelled = false;
        for (int slot = 0; slot < keys.length; slot++)
        {
            final SelectionKey key = keys[slot];
            if (key != null && (!handoff.listed(slot) || key.channel() != handoff.member(slot).session().channel()))
            {
                key.cancel();
                keys[slot] = null;
                cancelled = true;
            }
        }
        if (cancelled)
        {
            deregisterCancelled();
            if (!readiness)
            {
                return; // the selector failed
            }
        }
        if (selector == null && !openSelector())
        {
            return;
        }
        for (int i = 0; i < n; i++)
        {
            final int slot = handoff.liveSlot(i);
            if (keys[slot] == null)
            {
                register(handoff.live(i), slot);
                attention.add(slot);
                if (hot.contains(slot) && keys[slot] != null)
                {
                    keys[slot].interestOps(0); // a new session of a hot slot: still read directly
                }
            }
            else if (!wasReadiness)
            {
                attention.add(slot);
            }
        }
    }

    private void register(final TcpShmConnection conn, final int slot)
    {
        final SocketChannel channel = conn.session().channel();
        if (channel == null)
        {
            return;
        }
        try
        {
            keys[slot] = channel.register(selector, SelectionKey.OP_READ, slotNumbers[slot]);
        }
        catch (final IOException | RuntimeException ex)
        {
            // a socket closed under it: the connection's next poll finds the close; the others are served
            conn.requestClose(DisconnectReason.REMOTE_CLOSE, "Cannot register the socket for readiness: " + ex, ex);
        }
    }

    /** Cancelled keys leave the selector at its next select: run one now, so their sockets can be closed at once. */
    private void deregisterCancelled()
    {
        try
        {
            selector.selectNow(IGNORE_READY); // readiness is level-triggered: what this drops is reported again
        }
        catch (final IOException ex)
        {
            readinessFailed(ex);
        }
    }

    private boolean openSelector()
    {
        try
        {
            selector = Selector.open();
            return true;
        }
        catch (final IOException ex)
        {
            readinessFailed(ex);
            return false;
        }
    }

    /** The selector failed: report it, drop every key and poll the group directly from now on. */
    private void readinessFailed(final IOException ex)
    {
        readinessBroken = true;
        readiness = false;
        java.util.Arrays.fill(keys, null);
        attention.clear();
        hot.clear();
        Closeables.closeQuietly(selector); // deregisters every key: the sockets stay open, in direct polls now
        selector = null;
        handler.onSystemError("TCP group " + groupId + ": readiness polling failed, polling every connection " +
            "directly from now on: " + ex, ex);
    }
}
