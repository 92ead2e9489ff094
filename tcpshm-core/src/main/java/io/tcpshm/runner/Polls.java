package io.tcpshm.runner;

import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmServer;

import java.util.function.LongSupplier;

/**
 * The rounds of polls a client or a server needs, whole or split by thread. A round reads the clock
 * once and passes that {@code now} to every poll of the round; the clock's unit is the unit of the
 * configuration's times (seconds by default, {@link #MONOTONIC_SECONDS}).
 *
 * <p>Threading rules (the same as when the user polls): a server's {@code pollCtl} on one thread, each
 * group's poll on one thread at a time; a client's {@code pollTcp} on the thread that also connects, pushes
 * and stops it, and its {@code pollShm} on that thread or one other.
 */
public final class Polls
{
    /** Least real time between two control polls of {@link #server}: 50 microseconds. */
    public static final long CONTROL_INTERVAL_NANOS = 50_000L;

    /** {@link #server} looks at the real time for its control poll on one round in this many (a power of two). */
    public static final int CONTROL_CHECK_ROUNDS = 8;

    /** Seconds of {@link System#nanoTime()}: the unit of the default configuration's times. */
    public static final LongSupplier MONOTONIC_SECONDS = () -> System.nanoTime() / 1_000_000_000L;

    private Polls()
    {
    }

    /**
     * Everything on one thread. The message polls run on every round; the control poll on one round after at
     * least {@link #CONTROL_INTERVAL_NANOS} of real time since its last one, checked on one round in
     * {@link #CONTROL_CHECK_ROUNDS}. Every control poll may make system calls (accepts, logins, the SHM heartbeat
     * links, on one call out of {@code controlSocketPollPeriod}), and one that falls inside a round trip adds its
     * time to it: in a busy loop, calling it on every round put such a call inside a few percent of the round
     * trips. A period in real time rather than in rounds keeps logins prompt when an idle strategy parks
     * between rounds.
     *
     * @param server the server.
     * @param config its configuration (for the number of groups).
     * @param clock  the time passed to the polls.
     * @return {@code pollCtl} (as above), then every TCP group, then every SHM group.
     */
    public static PollWork server(final TcpShmServer server, final TcpShmConfig config, final LongSupplier clock)
    {
        final int tcpGroups = config.maxTcpGroups();
        final int shmGroups = config.maxShmGroups();
        return new PollWork()
        {
            private int round;
            private long lastControlNanos = System.nanoTime() - CONTROL_INTERVAL_NANOS;

            @Override
            public int poll()
            {
                final long now = clock.getAsLong();
                int work = 0;
                if ((++round & (CONTROL_CHECK_ROUNDS - 1)) == 0)
                {
                    final long nanos = System.nanoTime();
                    if (nanos - lastControlNanos >= CONTROL_INTERVAL_NANOS)
                    {
                        lastControlNanos = nanos;
                        work += server.pollCtl(now);
                    }
                }
                for (int g = 0; g < tcpGroups; g++)
                {
                    work += server.pollTcp(now, g);
                }
                for (int g = 0; g < shmGroups; g++)
                {
                    work += server.pollShm(g);
                }
                return work;
            }
        };
    }

    /**
     * @param server the server.
     * @param clock  the time passed to {@code pollCtl}.
     * @return the control poll alone: new connections, logins and disconnects.
     */
    public static PollWork serverControl(final TcpShmServer server, final LongSupplier clock)
    {
        return () -> server.pollCtl(clock.getAsLong());
    }

    /**
     * @param server the server.
     * @param group  a TCP group, from 0 to {@code maxTcpGroups - 1}.
     * @param clock  the time passed to {@code pollTcp}.
     * @return one TCP group's poll.
     */
    public static PollWork serverTcpGroup(final TcpShmServer server, final int group, final LongSupplier clock)
    {
        return () -> server.pollTcp(clock.getAsLong(), group);
    }

    /**
     * @param server the server.
     * @param group  an SHM group, from 0 to {@code maxShmGroups - 1}.
     * @return one SHM group's poll.
     */
    public static PollWork serverShmGroup(final TcpShmServer server, final int group)
    {
        return () -> server.pollShm(group);
    }

    /**
     * @param client the client.
     * @param clock  the time passed to {@code pollTcp}.
     * @return both of a client's polls on one thread: {@code pollTcp} then {@code pollShm}.
     */
    public static PollWork client(final TcpShmClient client, final LongSupplier clock)
    {
        return () -> client.pollTcp(clock.getAsLong()) + client.pollShm();
    }

    /**
     * @param client the client.
     * @return a client's {@code pollShm} alone, for a thread of its own beside the one that calls {@code pollTcp}.
     */
    public static PollWork clientShm(final TcpShmClient client)
    {
        return client::pollShm;
    }
}
