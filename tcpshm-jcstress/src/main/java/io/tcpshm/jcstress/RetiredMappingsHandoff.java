package io.tcpshm.jcstress;

import io.tcpshm.internal.RetiredMappings;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.nio.file.Path;

/**
 * The hand-off of retired mappings between the thread polling SHM, which closes them at the start
 * of a poll, and the thread that connects, which takes one back when it opens the same file again.
 * A mapping is taken and still open, or not taken and already closed when {@code take} returns: never
 * taken and closed (a mapping unmapped under its new owner), nor missed while still open (a second
 * open of the file, refused by the first one's lock).
 */
@JCStressTest
@Description("A retired mapping is either taken back open, or closed before take returns.")
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "Taken back, open.")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "Not taken; already closed when take returned.")
@Outcome(expect = Expect.FORBIDDEN, desc = "Taken and closed, or missed while open.")
@State
public class RetiredMappingsHandoff
{
    /** A mapping that records its close. */
    static final class Mapping implements RetiredMappings.Closeable
    {
        private static final Path PATH = Path.of("cli_srv.shm");
        volatile boolean closed;

        @Override
        public Path path()
        {
            return PATH;
        }

        @Override
        public void close()
        {
            closed = true;
        }
    }

    final RetiredMappings<Mapping> retired = new RetiredMappings<>();
    final Mapping mapping = new Mapping();

    /** One mapping retired, as a switch of rings leaves it. */
    public RetiredMappingsHandoff()
    {
        retired.retire(mapping);
    }

    /** The thread polling SHM, at the start of a poll. */
    @Actor
    public void poller()
    {
        retired.closeAll();
    }

    /**
     * The thread that connects, opening the same file again.
     *
     * @param r r1: 1 when taken back; r2: 1 when the mapping was closed when take returned.
     */
    @Actor
    public void connector(final II_Result r)
    {
        final Mapping taken = retired.take(Mapping.PATH);
        r.r1 = taken != null ? 1 : 0;
        r.r2 = mapping.closed ? 1 : 0;
    }
}
