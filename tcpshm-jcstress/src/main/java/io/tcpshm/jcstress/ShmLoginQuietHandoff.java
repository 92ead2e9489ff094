package io.tcpshm.jcstress;

import io.tcpshm.internal.PollerThreads;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The wait of an SHM login for the thread polling SHM ({@link PollerThreads#requestShmQuiet} and
 * {@link PollerThreads#acknowledgeShmQuiet}). The connecting thread ends the session (the volatile
 * {@code shmReady} of {@code TcpShmClient} goes false), asks, and may log in once the poller has
 * acknowledged. The poller reads {@code shmReady} at the entry of a poll: when true it runs a callback on
 * the rings, when false it acknowledges and returns. Once the connector sees the acknowledgement, that poll
 * must not have used the rings, and what a callback of an earlier poll wrote into them (a plain store here,
 * weaker than the ring's release stores) must be visible to the connector, which is about to let the
 * server zero them.
 */
@JCStressTest
@Description("An acknowledged SHM-quiet request means the poller saw the session ended and its earlier writes are visible.")
@Outcome(id = {"1, 0, 0", "1, 0, 1"}, expect = Expect.ACCEPTABLE,
    desc = "The poll came first: it used the rings and did not acknowledge; the connector keeps waiting.")
@Outcome(id = {"0, 0, 0", "0, 0, 1"}, expect = Expect.ACCEPTABLE,
    desc = "Not yet acknowledged when checked; the poll saw the session ended.")
@Outcome(id = "0, 1, 1", expect = Expect.ACCEPTABLE,
    desc = "Acknowledged: the poll saw the session ended and the earlier callback's write is visible.")
@Outcome(expect = Expect.FORBIDDEN, desc = "Acknowledged, yet the poll used the rings or the earlier write is lost.")
@State
public class ShmLoginQuietHandoff
{
    final PollerThreads threads = new PollerThreads();
    /** The session is live on its rings until the connector ends it. */
    volatile boolean shmReady = true;
    /** A ring word written by a callback of the poller's previous poll. */
    int ringWord;

    /** The thread polling SHM: the end of a previous callback, then the entry of the next poll. */
    @Actor
    public void poller(final III_Result r)
    {
        ringWord = 1;
        if (shmReady)
        {
            r.r1 = 1; // this poll runs a callback on the rings
        }
        else
        {
            threads.acknowledgeShmQuiet();
        }
    }

    /**
     * The thread that connects: ends the session, asks, and checks once.
     *
     * @param r r2: 1 when acknowledged; r3: the ring word it then reads.
     */
    @Actor
    public void connector(final III_Result r)
    {
        shmReady = false;
        final long request = threads.requestShmQuiet();
        r.r2 = threads.shmQuietAcknowledged(request) ? 1 : 0;
        r.r3 = ringWord;
    }
}
