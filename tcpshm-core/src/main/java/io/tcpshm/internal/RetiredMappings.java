package io.tcpshm.internal;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hand-off of file mappings that one thread replaced while another may still be reading them:
 * a client's rings, switched by the thread that connects while the thread polling SHM is inside a
 * poll. The polling thread closes what was retired at the start of its next poll ({@link #closeAll},
 * when it is inside no use of any ring); the connecting thread, when it opens the same file again,
 * takes the still-open mapping back ({@link #take}) instead of opening a second one, which the first
 * one's lock would refuse and which must not unmap the first under the reader.
 *
 * <p>Each mapping is owned by whichever thread removes it from the queue, so it is closed once or
 * taken once, never both. The one gap is a mapping removed by {@link #closeAll} and not yet closed:
 * {@link #take} does not find it, and must not open the file until its lock is released. So
 * {@code closeAll} counts itself in before its first removal and out after its last close, and a
 * {@code take} that finds nothing waits for the count to fall to zero. The count is read after the
 * search, and a removal that made the search miss an element is a CAS on that element that the
 * search's volatile read observed, so the increment before it is visible: the wait cannot be missed.
 *
 * @param <T> the mapping type (in tests, any object with a path and a close).
 */
public final class RetiredMappings<T extends RetiredMappings.Closeable>
{
    /** What the hand-off needs of a mapping. */
    public interface Closeable
    {
        /** @return the mapped file. */
        Path path();

        /** Unmaps and unlocks the file. */
        void close();
    }

    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger closing = new AtomicInteger();
    /**
     * Mappings retired and not yet closed or taken, counted up before a mapping enters the queue and down after it
     * has left it, so it is never below the queue's size: {@link #isEmpty} is one volatile read on every poll, where
     * the queue's own check walks its head node. A poll that reads 0 just before a retire leaves that mapping to the
     * next poll, which is all the hand-off promises.
     */
    private final AtomicInteger pending = new AtomicInteger();

    /**
     * Hands a mapping over to the reading thread, which closes it at its next {@link #closeAll}.
     *
     * @param mapping a mapping nobody will use after the reader's current poll.
     */
    public void retire(final T mapping)
    {
        pending.incrementAndGet();
        queue.add(mapping);
    }

    /** @return true when nothing is waiting to be closed (one volatile read; no allocation). */
    public boolean isEmpty()
    {
        return pending.get() == 0;
    }

    /** Closes every retired mapping: the reading thread at the start of a poll, or anyone at shutdown. */
    public void closeAll()
    {
        closing.incrementAndGet(); // before the first removal: see the class comment
        try
        {
            T mapping;
            while ((mapping = queue.poll()) != null)
            {
                try
                {
                    mapping.close();
                }
                finally
                {
                    pending.decrementAndGet();
                }
            }
        }
        finally
        {
            closing.decrementAndGet();
        }
    }

    /**
     * Takes back the retired mapping of {@code path}, if one is still open.
     *
     * @param path the file to open again.
     * @return the mapping, now the caller's; or null, and then no retired mapping of the file is open
     *     any more (one being closed by {@link #closeAll} was waited for).
     */
    public T take(final Path path)
    {
        for (final T mapping : queue)
        {
            if (mapping.path().equals(path) && queue.remove(mapping))
            {
                pending.decrementAndGet();
                return mapping; // removed by this thread: closeAll will not close it
            }
        }
        while (closing.get() != 0)
        {
            Thread.yield(); // another thread is closing retired mappings, maybe this one: microseconds
        }
        return null;
    }
}
