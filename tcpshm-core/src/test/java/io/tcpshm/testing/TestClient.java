package io.tcpshm.testing;

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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A client polled by the test thread, sending numbered messages and checking that the echoes
 * come back exactly once and in order: payload = 8-byte sequence number, then bytes derived from it.
 * Facing a hostile server ({@link #untrusted}) it pops whatever arrives and only counts it.
 */
public final class TestClient implements ClientHandler, AutoCloseable
{
    public final Events events = new Events();
    public final AtomicLong clock;
    public final TcpShmClient client;
    public final TcpShmConfig config;
    public boolean shm;
    public long sent;
    public long received;
    public long popDeferred;
    public boolean autoPop = true;
    /** Connected to a hostile server: whatever arrives is popped and counted in {@link #untrustedReceived}, unchecked. */
    public boolean untrusted;
    /** Messages popped while {@link #untrusted}. */
    public long untrustedReceived;
    /**
     * A rejected login's event carries its status, server name and sequence numbers too
     * ("loginReject status=2 Already logged on from srv 0 0 0"); otherwise only its message.
     */
    public boolean detailedRejects;

    public TestClient(final String name, final Path dir, final TcpShmConfig config, final AtomicLong clock)
    {
        this.clock = clock;
        this.config = config;
        try
        {
            this.client = new TcpShmClient(name, dir, config, this);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Sets {@link #detailedRejects}; returns this client. */
    public TestClient withDetailedRejects()
    {
        detailedRejects = true;
        return this;
    }

    public TcpShmConnection conn()
    {
        return client.connection();
    }

    public boolean connect(final boolean useShm, final int port)
    {
        shm = useShm;
        return client.connect(useShm, "127.0.0.1", port, new byte[] {0x55});
    }

    public static int lengthFor(final long seq)
    {
        return (int)(8 + (seq * 37) % 200);
    }

    public static int typeFor(final long seq)
    {
        return 1 + (int)(seq % 7);
    }

    public static byte byteFor(final long seq, final int i)
    {
        return (byte)(seq * 31 + i);
    }

    /** Tries to push message number {@code sent}; returns false when the queue is full. */
    public boolean trySend(final boolean more)
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
        if (more)
        {
            conn().pushMore();
        }
        else
        {
            conn().push();
        }
        sent++;
        return true;
    }

    public void poll()
    {
        client.pollTcp(clock.get());
        if (shm)
        {
            client.pollShm();
        }
    }

    /** Polls until {@code done} or the iteration budget is spent; returns done's final value. */
    public boolean pollUntil(final BooleanSupplier done, final long maxMillis)
    {
        final long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            poll();
            Thread.onSpinWait();
        }
        return true;
    }

    /** Sends {@code more} messages and asserts that all of them, and all before, come back within 20 s. */
    public void echoMore(final long more)
    {
        final long target = sent + more;
        org.assertj.core.api.Assertions.assertThat(pollUntil(() ->
        {
            while (sent < target && trySend(false))
            {
                // fill
            }
            return received == target;
        }, 20_000)).as("echoed %d of %d; events %s", received, target, events).isTrue();
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
        if (detailedRejects)
        {
            // every accessor must be safe on whatever a server sent
            events.add("loginReject status=" + response.status() + " " + response.errorMessage() + " from " +
                response.serverName() + " " + response.serverAck() + " " + response.serverSeqStart() + " " +
                response.serverSeqEnd());
        }
        else
        {
            events.add("loginReject " + response.errorMessage());
        }
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
        if (untrusted)
        {
            untrustedReceived++;
            conn().pop();
            return;
        }
        if (!autoPop)
        {
            popDeferred++;
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
