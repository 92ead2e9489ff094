package io.tcpshm.harness.netfaults;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by {@link StallTest} (TCP, after the re-login): the echoing server holds a message it
 * cannot echo because its queue is full of echoes the peer has not acked yet, and the heartbeat
 * carrying that ack came in the same read as the held message, right behind it. The server applied
 * acks behind a held message only after a read that returned new bytes, so it never saw this one;
 * the peer (its own queue full, waiting for echoes) had nothing more to send until its next
 * heartbeat, and with a clock that does not move, never: a deadlock, at best a stall of a heartbeat
 * interval. Here a raw client does exactly that on a frozen clock: it fills the server's queue with
 * 16 echoes, then writes the 17th message and a heartbeat acking the 16 echoes in one write. The
 * 17th echo must come back.
 */
class HeldMessageAckTest
{
    @TempDir
    Path tmp;

    private static final int PAYLOAD = 112; // frame of 120 bytes: 16 echoes fill a 2000-byte queue

    @Test
    void ackArrivingWithTheHeldMessageFreesTheQueue() throws Exception
    {
        Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(tmp.resolve("shm")).controlSocketPollPeriod(1).build();
        final AtomicLong clock = new AtomicLong(1000); // frozen: no heartbeat, no ack delay, no timeout
        try (TestServer server = new TestServer("srv", tmp.resolve("server"), config, clock);
            Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port()))
        {
            s.setTcpNoDelay(true);
            s.setSoTimeout(5_000);
            final OutputStream out = s.getOutputStream();
            final InputStream in = s.getInputStream();
            out.write(login("raw"));
            final byte[] rsp = readFully(in, 72);
            assertThat(rsp[17]).as("login status").isEqualTo((byte)0);

            for (int i = 0; i < 16; i++)
            {
                out.write(message(i, 0));
            }
            for (int i = 0; i < 16; i++)
            {
                assertThat(seqOf(readFully(in, 120))).isEqualTo(i);
            }
            // the server's queue now holds 16 unacked echoes (1920 of 2000 bytes): message 16 cannot be
            // echoed until the heartbeat behind it, in the same write, is applied
            final ByteBuffer both = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
            both.put(message(16, 0));
            both.putShort((short)8).putShort((short)0).putInt(16);
            out.write(both.array());
            s.setSoTimeout(3_000);
            final byte[] echo;
            try
            {
                echo = readFully(in, 120);
            }
            catch (final SocketTimeoutException ex)
            {
                throw new AssertionError("the echo of message 16 never came: the server did not apply the ack that " +
                    "arrived behind the message it holds; server events: " + server.events, ex);
            }
            assertThat(seqOf(echo)).isEqualTo(16);
            assertThat(ByteBuffer.wrap(echo).order(ByteOrder.LITTLE_ENDIAN).getInt(4)).as("echo's ack").isEqualTo(17);
        }
    }

    /** A login frame (docs/PROTOCOL.md, defaults): 56 bytes, TCP, no last server. */
    private static byte[] login(final String name)
    {
        final ByteBuffer b = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short)52).putShort(2, (short)1).putInt(4, 0);
        b.putInt(8, 0).putInt(12, 0); // clientSeqStart, clientSeqEnd
        b.put(16, (byte)0x55); // user data
        b.put(17, (byte)0); // useShm
        final byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        b.put(18, n);
        return b.array();
    }

    /** Application message number {@code seq} (type 1, payload: the seq, then zeros) carrying {@code ack}. */
    private static byte[] message(final long seq, final int ack)
    {
        final ByteBuffer b = ByteBuffer.allocate(120).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short)(8 + PAYLOAD)).putShort(2, (short)1).putInt(4, ack);
        b.order(ByteOrder.nativeOrder()).putLong(8, seq);
        return b.array();
    }

    private static long seqOf(final byte[] frame)
    {
        return ByteBuffer.wrap(frame).order(ByteOrder.nativeOrder()).getLong(8);
    }

    private static byte[] readFully(final InputStream in, final int n) throws IOException
    {
        final byte[] b = new byte[n];
        int got = 0;
        while (got < n)
        {
            final int r = in.read(b, got, n - got);
            if (r < 0)
            {
                throw new IOException("EOF after " + got + " of " + n + " bytes");
            }
            got += r;
        }
        return b;
    }
}
