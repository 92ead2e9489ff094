package io.tcpshm.hostile;

import io.tcpshm.ClientHandler;
import io.tcpshm.DisconnectReason;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A well-behaved {@link TcpShmClient} polled by the test thread. Against the echoing server it
 * sends numbered messages and checks that every echo comes back exactly once, in order, intact
 * (payload: an 8-byte sequence number, then bytes derived from it). When {@code trusted} is false
 * (connected to a hostile server) it pops whatever arrives and counts it.
 */
final class EchoClient implements ClientHandler, AutoCloseable
{
    final AtomicLong clock;
    final TcpShmClient client;
    final List<String> events = new ArrayList<>();
    boolean trusted = true;
    long sent;
    long received;
    long untrustedReceived;

    EchoClient(final String name, final Path dir, final TcpShmConfig config, final AtomicLong clock)
    {
        this.clock = clock;
        try
        {
            this.client = new TcpShmClient(name, dir, config, this);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    TcpShmConnection conn()
    {
        return client.connection();
    }

    boolean shm;

    boolean connect(final int port)
    {
        return connect(false, port);
    }

    boolean connect(final boolean useShm, final int port)
    {
        shm = useShm;
        return client.connect(useShm, "127.0.0.1", port, new byte[] {0x55});
    }

    static int lengthFor(final long seq)
    {
        return (int)(8 + (seq * 37) % 200);
    }

    static int typeFor(final long seq)
    {
        return 1 + (int)(seq % 7);
    }

    static byte byteFor(final long seq, final int i)
    {
        return (byte)(seq * 31 + i);
    }

    boolean trySend()
    {
        final int length = lengthFor(sent);
        final MsgHeader h = conn().alloc(length);
        if (h == null)
        {
            return false;
        }
        h.msgType(typeFor(sent));
        final ByteBuffer b = h.buffer();
        final int off = h.payloadOffset();
        b.putLong(off, sent);
        for (int i = 8; i < length; i++)
        {
            b.put(off + i, byteFor(sent, i));
        }
        conn().push();
        sent++;
        return true;
    }

    void poll()
    {
        client.pollTcp(clock.get());
        if (shm)
        {
            client.pollShm();
        }
    }

    /** Sends {@code count} more messages and polls until all of them are echoed; fails after 10 s. */
    void echo(final int count)
    {
        if (conn().isClosed())
        {
            throw new AssertionError("the well-behaved client is not connected: " + events);
        }
        final long target = sent + count;
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (received < target)
        {
            while (sent < target && trySend())
            {
                // fill the queue
            }
            poll();
            if (conn().isClosed())
            {
                throw new AssertionError("the well-behaved client was disconnected: " + events);
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("echo stalled at " + received + " of " + target + ": " + events);
            }
        }
    }

    @Override
    public void close()
    {
        client.stop();
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        events.add("systemError " + message);
    }

    @Override
    public void onLoginReject(final LoginResponse response)
    {
        // every accessor must be safe on whatever the server sent
        events.add("loginReject status=" + response.status() + " " + response.errorMessage() + " from " +
            response.serverName() + " " + response.serverAck() + " " + response.serverSeqStart() + " " +
            response.serverSeqEnd());
    }

    @Override
    public long onLoginSuccess(final LoginResponse response)
    {
        events.add("loginSuccess " + response.serverName());
        return clock.get();
    }

    @Override
    public void onSeqNumberMismatch(final long localAck, final long localSeqStart, final long localSeqEnd,
        final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
    {
        events.add("seqMismatch " + localAck + " " + localSeqStart + " " + localSeqEnd + " " + remoteAck + " " +
            remoteSeqStart + " " + remoteSeqEnd);
    }

    @Override
    public void onServerMsg(final MsgHeader header)
    {
        if (!trusted)
        {
            untrustedReceived++;
            conn().pop();
            return;
        }
        final ByteBuffer b = header.buffer();
        final int off = header.payloadOffset();
        final long seq = b.getLong(off);
        if (seq != received)
        {
            throw new AssertionError("expected echo " + received + " but got " + seq);
        }
        final int length = lengthFor(seq);
        if (header.payloadLength() != length || header.msgType() != typeFor(seq))
        {
            throw new AssertionError("echo " + seq + " has length " + header.payloadLength() + " type " +
                header.msgType() + ", expected " + length + " / " + typeFor(seq));
        }
        for (int i = 8; i < length; i++)
        {
            if (b.get(off + i) != byteFor(seq, i))
            {
                throw new AssertionError("echo " + seq + " payload byte " + i + " differs");
            }
        }
        received++;
        conn().pop();
    }

    @Override
    public void onDisconnected(final DisconnectReason reason, final String detail, final Exception cause)
    {
        events.add("disconnected " + reason.describe(detail));
    }
}
