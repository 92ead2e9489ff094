package io.tcpshm.jcstress;

import io.tcpshm.internal.GroupHandoff;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The server's hand-off of a connection between the control thread and its group's thread
 * ({@link GroupHandoff}, as {@code TcpShmServer} uses it): a connection logs on, is closed at the
 * group thread's request, and logs on again, while the group thread keeps polling the group
 * (which also holds another, steady connection).
 *
 * <p>The session state is written with plain stores, as the real connection's is. The test checks
 * that the group thread never reads a session half set up or being torn down (it would see the
 * two fields disagree, or a closed session), that the control thread, once the group has released
 * the connection, sees every write the group made to it (its poll count), and that the group
 * picks up the second login.
 */
@JCStressTest
@Description("A connection that logs on, closes and logs on again while another thread polls its group.")
@Outcome(id = "1, 0, 1", expect = Expect.ACCEPTABLE,
    desc = "Every poll saw a whole session, the control thread saw all of the group's writes, the re-login was polled.")
@Outcome(expect = Expect.FORBIDDEN, desc = "The control thread missed a write of the group (first 0), the group " +
    "polled a session half set up or torn down (second 1), or it never polled the second login (third 0).")
@State
public class GroupHandoffRelogin
{
    /** Plain fields, like a connection's session state; {@code a == b > 0} while a session is open. */
    static final class Session
    {
        int a;
        int b;
        int polls;
        volatile boolean closeRequested; // as TcpShmConnection.closing: set by the group, read by control

        void open(final int session)
        {
            a = session;
            polls = 0;
            closeRequested = false;
            b = session;
        }

        void finish()
        {
            a = -1;
            b = -1;
        }
    }

    private static final int STEADY = 100;

    private final GroupHandoff<Session> handoff = new GroupHandoff<>(new Session[] {new Session(), new Session()});
    private volatile boolean done;
    private int controlSawPolls;
    private int groupPolls;
    private int groupTorn;
    private int groupSawSecond;

    /** Slot 1 holds a connection that stays logged on throughout. */
    public GroupHandoffRelogin()
    {
        handoff.member(1).open(STEADY);
        handoff.join(1);
    }

    /** The control thread: login, release after the group's close request, finish, login again. */
    @Actor
    public void control()
    {
        final Session s = handoff.member(0);
        s.open(1);
        handoff.join(0);
        while (!s.closeRequested)
        {
            Thread.onSpinWait();
        }
        final int leave = handoff.leave(0);
        while (!handoff.released(leave))
        {
            Thread.onSpinWait();
        }
        controlSawPolls = s.polls;
        s.finish();
        s.open(2);
        handoff.join(0);
        done = true;
    }

    /** The group thread: polls its live list until the control thread is done, then once more. */
    @Actor
    public void group()
    {
        int polls = 0;
        int torn = 0;
        int sawSecond = 0;
        while (true)
        {
            final boolean finished = done;
            for (int i = 0, n = handoff.liveCount(); i < n; i++)
            {
                final Session s = handoff.live(i);
                final int a = s.a;
                final int b = s.b;
                if (a != b || a <= 0)
                {
                    torn = 1;
                }
                else if (a == 1)
                {
                    polls++;
                    s.polls++;
                    s.closeRequested = true; // e.g. the peer went away: the control thread will close it
                }
                else if (a == 2)
                {
                    sawSecond = 1;
                }
            }
            if (finished)
            {
                break;
            }
        }
        groupPolls = polls;
        groupTorn = torn;
        groupSawSecond = sawSecond;
    }

    /**
     * @param r whether the control thread saw the group's poll count, whether a poll saw a torn
     *     session, whether the second login was polled.
     */
    @Arbiter
    public void check(final III_Result r)
    {
        r.r1 = controlSawPolls == groupPolls ? 1 : 0;
        r.r2 = groupTorn;
        r.r3 = groupSawSecond;
    }
}
