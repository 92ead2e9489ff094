package io.tcpshm.internal;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.files.PtcpQueueDescriptor;
import io.tcpshm.files.ShmRingDescriptor;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The files of one persistent connection and their lifecycle: opening (creating as needed) the PTCP
 * queue file or the two SHM rings for a peer name, checking them when a connection resumes, zeroing
 * them when it starts anew, and releasing them. Publishes the {@link Transport} over them.
 *
 * <p>Threads: the files are opened and released by whoever opens sessions (a client's connecting
 * thread, a server's control thread). A client's SHM poller may still be inside a callback on rings
 * that a reconnect replaced: those rings stay mapped until that poller's next poll
 * ({@link #releaseRetiredIfAny()}), and a pop or push the callback makes completes on them
 * ({@link #retiredRing}).
 */
public final class ConnectionFiles
{
    private final TcpShmConfig config;
    private final String localName;
    private final Path ptcpDir;
    private final CloseRequest close;
    private final TcpSession session;
    private final PollerThreads pollers;
    /**
     * Where the transport over the open files is published, or null: one immutable object written with a
     * volatile write and read once per operation, so that a thread polling SHM never sees half of a change of
     * rings (a client reconnecting to another server) made by the thread that connects.
     */
    private final TransportHolder holder;
    /** This side's owner lock in the SHM directory, taken at the first SHM session (shared by a server's slots). */
    private final ShmOwnerLock shmOwner;

    private String remoteName;
    /**
     * Rings replaced while another thread may still be reading them (the client's SHM poll), kept mapped
     * until that thread starts its next poll, the same files are opened again, or the client stops. Whoever
     * takes a region out of the queue closes it, so each is closed once whichever thread gets it.
     */
    private final RetiredMappings<MappedRegion> retired = new RetiredMappings<>();
    /**
     * The rings replaced while another thread may be inside an SHM callback, newest first, chained through
     * {@link ShmTransport#retiredBefore} (written before the transport changes, so a thread that sees the
     * new transport sees these too): a message that thread fronted or allocated before a switch is popped or
     * pushed on the ring it came from, however many switches came since. The SHM poller cuts the chain behind
     * its head at the start of each poll.
     */
    private volatile ShmTransport retiredLink;

    /**
     * @param config    the connection's settings.
     * @param localName this side's name.
     * @param ptcpDir   where PTCP queue files live.
     * @param close     the connection's close request (a corrupt ring asks for the close).
     * @param session   the connection's TCP session.
     * @param pollers   the connection's poller threads.
     * @param holder    where the connection keeps its transport.
     * @param shmOwner  this side's owner lock in the SHM directory, which covers its ends of the rings.
     */
    public ConnectionFiles(final TcpShmConfig config, final String localName, final Path ptcpDir,
        final CloseRequest close, final TcpSession session, final PollerThreads pollers, final TransportHolder holder,
        final ShmOwnerLock shmOwner)
    {
        this.shmOwner = shmOwner;
        this.config = config;
        this.localName = localName;
        this.ptcpDir = ptcpDir;
        this.close = close;
        this.session = session;
        this.pollers = pollers;
        this.holder = holder;
    }

    /** @return the transport over the open files, or null (a volatile read). */
    public Transport transport()
    {
        return holder.transport();
    }

    /** @return the rings when the open files are SHM, else null. */
    public ShmTransport shm()
    {
        final Transport t = holder.transport();
        return t instanceof ShmTransport ? (ShmTransport)t : null;
    }

    /** @return the PTCP queue when the open files are TCP, else null. */
    public TcpTransport tcp()
    {
        final Transport t = holder.transport();
        return t instanceof TcpTransport ? (TcpTransport)t : null;
    }

    /** @return the ack of the PTCP queue (the next sequence expected from the peer), or 0 without one. */
    public int localAck()
    {
        final TcpTransport tcp = tcp();
        return tcp == null ? 0 : tcp.queue().myAck();
    }

    /** @return the first sequence still in the PTCP queue (not yet acked by the peer), or 0 without one. */
    public int localSeqStart()
    {
        final TcpTransport tcp = tcp();
        return tcp == null ? 0 : tcp.queue().seqStart();
    }

    /** @return the sequence after the last one in the PTCP queue, or 0 without one. */
    public int localSeqEnd()
    {
        final TcpTransport tcp = tcp();
        return tcp == null ? 0 : tcp.queue().seqEnd();
    }

    /**
     * PTCP durability at an interval (see {@link TcpTransport#forceIfDue}); nothing without a queue.
     *
     * @param now the current time in the units of the configured timeouts.
     */
    public void forceIfDue(final long now)
    {
        final TcpTransport tcp = tcp();
        if (tcp != null)
        {
            tcp.forceIfDue(now);
        }
    }

    /** @return the peer's name the files are for, or null. */
    public String remoteName()
    {
        return remoteName;
    }

    /**
     * @param remote the peer's name.
     * @param shm    SHM rings (true) or a PTCP queue.
     * @return true when exactly those files are open.
     */
    public boolean hasFilesFor(final String remote, final boolean shm)
    {
        final Transport t = holder.transport();
        return remote.equals(remoteName) && (shm ? t instanceof ShmTransport : t instanceof TcpTransport);
    }

    /**
     * Opens (creating as needed) the files of the persistent connection with {@code remote}.
     *
     * @param remote            the peer's name.
     * @param shm               SHM rings (true) or a PTCP queue.
     * @param deferRingRelease  rings being replaced may still be read by the SHM poller (a client).
     * @return null on success, else the error; nothing stays open on error.
     */
    public IOException open(final String remote, final boolean shm, final boolean deferRingRelease)
    {
        release(deferRingRelease);
        MappedRegion sendRegion = null;
        MappedRegion recvRegion = null;
        MappedRegion keptSend = null;
        MappedRegion keptRecv = null;
        try
        {
            if (shm)
            {
                final int size = ShmRingDescriptor.fileLength(config.shmQueueSize());
                final int r = ShmRingDescriptor.indexAreaOffset(config.shmQueueSize());
                final Path sendPath = Names.shmFile(config.shmDir(), localName, remote);
                final Path recvPath = Names.shmFile(config.shmDir(), remote, localName);
                // rings this connection had before a switch are still mapped while the SHM thread may be reading
                // them: take those mappings back (with their locks) rather than unmap them under that thread
                keptSend = retired.take(sendPath);
                keptRecv = retired.take(recvPath);
                // this side's ends of its rings are covered by its owner lock in the SHM directory: the rings
                // themselves carry no lock and keep no descriptor, and the peer's ends are its own lock's
                shmOwner.ensure();
                sendRegion = keptSend != null ? keptSend : MappedRegion.open(sendPath, size,
                    config.shareFilesWithGroup(), 0, -1);
                recvRegion = keptRecv != null ? keptRecv : MappedRegion.open(recvPath, size,
                    config.shareFilesWithGroup(), 0, -1);
                // no sanity check here: a login that resets the connection must succeed whatever the rings hold (a
                // peer killed inside its reset leaves them half zeroed); a resuming login checks them (sanityCheck)
                holder.transport(new ShmTransport(sendRegion, recvRegion, config.shmQueueSize(), config.byteOrder(),
                    close));
            }
            else
            {
                final Path path = Names.ptcpFile(ptcpDir, localName, remote);
                final int size = PtcpQueueDescriptor.fileLength(config.tcpQueueSize());
                // covered by the owner lock of this side's name (OwnerLock): no lock and no descriptor of its own
                sendRegion = MappedRegion.openOwned(path, size, config.shareFilesWithGroup(), 0, 0);
                final PtcpQueue queue = new PtcpQueue(sendRegion.buffer(), config.tcpQueueSize(), config.byteOrder());
                holder.transport(new TcpTransport(sendRegion, queue, session, pollers,
                    config.tcpReceiveBufferMaxSize(), config.ptcpForceInterval()));
            }
            remoteName = remote;
            return null;
        }
        catch (final IOException ex)
        {
            if (holder.transport() == null)
            {
                // a mapping taken back goes back to the retired ones: the SHM thread may still be reading it
                giveBackOrClose(sendRegion, keptSend);
                giveBackOrClose(recvRegion, keptRecv);
            }
            release(false);
            return ex;
        }
    }

    /**
     * Checks the files of a connection that resumes: the PTCP queue's index walk (which also completes an
     * index change interrupted by a crash), or the indices of both SHM rings.
     *
     * @return null when sound, else what is wrong, naming the file.
     */
    public String sanityCheck()
    {
        final Transport t = holder.transport();
        if (t instanceof ShmTransport)
        {
            final ShmTransport link = (ShmTransport)t;
            final String send = ShmRing.sanityCheck(link.sendRegion.buffer(), config.shmQueueSize());
            if (send != null)
            {
                return "SHM ring " + link.sendRegion.path() + " is corrupt: " + send;
            }
            final String recv = ShmRing.sanityCheck(link.recvRegion.buffer(), config.shmQueueSize());
            return recv == null ? null : "SHM ring " + link.recvRegion.path() + " is corrupt: " + recv;
        }
        if (t == null)
        {
            return null;
        }
        final TcpTransport tcp = (TcpTransport)t;
        final String problem = tcp.queue().sanityCheck();
        return problem == null ? null : "Ptcp file " + tcp.region().path() + " is corrupt: " + problem;
    }

    /** Zeroes the open files: a new persistent connection. */
    public void reset()
    {
        final Transport t = holder.transport();
        if (t instanceof ShmTransport)
        {
            final ShmTransport link = (ShmTransport)t;
            // the index words first: a crash part way leaves empty rings rather than indices over zeroed blocks
            final int indexArea = ShmRingDescriptor.indexAreaOffset(config.shmQueueSize());
            link.sendRegion.zero(indexArea);
            link.recvRegion.zero(indexArea);
            link.sendRing.reload(true);
            link.recvRing.reload(false);
        }
        else if (t != null)
        {
            ((TcpTransport)t).queue().reset();
        }
    }

    /**
     * Unmaps everything. SHM rings that another thread may still be reading (the client's SHM poll) are
     * kept mapped until that thread's next poll when {@code deferRings} is set.
     *
     * @param deferRings whether the rings may still be read by a client's SHM poller.
     */
    public void release(final boolean deferRings)
    {
        final Transport t = holder.transport();
        if (t instanceof TcpTransport)
        {
            ((TcpTransport)t).region().close();
        }
        final ShmTransport link = t instanceof ShmTransport ? (ShmTransport)t : null;
        if (link != null && deferRings)
        {
            link.retiredBefore = retiredLink; // before the link is published in the chain
            retiredLink = link; // before the transport changes: see the field
        }
        holder.transport(null);
        if (link != null)
        {
            if (deferRings)
            {
                retired.retire(link.sendRegion);
                retired.retire(link.recvRegion);
            }
            else
            {
                link.sendRegion.close();
                link.recvRegion.close();
            }
        }
        remoteName = null;
    }

    /** Unmaps every retired ring: at stop, once no thread polls. */
    public void releaseRetired()
    {
        retired.closeAll();
    }

    /** Releases this side's owner lock in the SHM directory: at a client's stop, after every ring is unmapped. */
    public void releaseShmOwner()
    {
        shmOwner.close();
    }

    /**
     * Called by the thread that polls SHM at the start of each poll: it is then inside no use of any ring,
     * and the rings in the queue were replaced (a volatile write of the transport) before they were queued,
     * so it never reads them again. Allocation-free; two volatile reads when nothing was retired.
     */
    public void releaseRetiredIfAny()
    {
        // no callback of this thread is pending now, so links retired before this read are needed no more; the head
        // is kept (the connecting thread chains new links onto it), and it may even be the link this poll reads next
        final ShmTransport head = retiredLink;
        if (head != null && head.retiredBefore != null)
        {
            head.retiredBefore = null;
        }
        if (!retired.isEmpty())
        {
            retired.closeAll();
        }
    }

    /**
     * The ring, of the rings replaced by switches since the caller's poll began, that holds the calling
     * thread's fronted (consumer) or allocated (producer) message: only for the client's SHM poller finishing
     * a callback begun before a switch. Those regions are closed only by that same thread (at the start of its
     * next poll) or at {@code stop}, so checking that they are open is not racy for it.
     *
     * @param producer the send ring (push) or the receive ring (pop).
     * @return the ring.
     * @throws IllegalStateException when the caller is not the SHM poller or has no such message.
     */
    public ShmRing retiredRing(final boolean producer)
    {
        if (pollers.isShmPoller())
        {
            // newest first: the ring this poll fronted from (or its callback allocated in) was current when this
            // poll began or became so later, so every link retired after it was never used by this poll, and one
            // older than it can only hold a message fronted in an earlier poll and never popped
            for (ShmTransport old = retiredLink; old != null; old = old.retiredBefore)
            {
                if (old.isClosed())
                {
                    // closed by this thread at the start of this poll or an earlier one, before it read the
                    // rings it uses now: neither this link nor an older one holds this poll's message
                    break;
                }
                final ShmRing ring = producer ? old.sendRing : old.recvRing;
                if (producer ? ring.hasAllocated() : ring.hasFronted())
                {
                    return ring;
                }
            }
        }
        throw new IllegalStateException(producer ? "push without a successful alloc" : "pop without a current message");
    }

    private void giveBackOrClose(final MappedRegion region, final MappedRegion kept)
    {
        if (region != null && region == kept)
        {
            retired.retire(region);
        }
        else if (region != null)
        {
            region.close();
        }
    }
}
