package io.tcpshm;

import io.tcpshm.internal.LoginCodec;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link TcpShmConnection#pushMore()} queues a message without writing it: nothing reaches the peer's
 * socket until a {@link TcpShmConnection#push()} or the next poll of the connection's TCP thread writes
 * everything unsent in one go. The peer is a raw socket read with a timeout, so "nothing arrived" is
 * what the wire saw, not what a library peer chose to deliver.
 */
class PushMoreTest
{
    /** How long the wire must stay silent after a pushMore. */
    private static final int SILENCE_MILLIS = 300;

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000); // stands still: no heartbeat, no prompt ack is ever due
    @RegisterExtension
    final Closer closer = new Closer();

    private TcpShmConfig config()
    {
        return TestConfigs.noTimeouts(tmp).build();
    }

    /** One frame as read from the raw socket. */
    private record Frame(int size, int type, int ack, ByteBuffer payload)
    {
        long seq()
        {
            return payload.getLong(0);
        }
    }

    /** Reads one frame (header, payload, padding to 8), waiting at most {@code timeoutMillis} for its start. */
    private static Frame readFrame(final Socket socket, final TcpShmConfig config, final int timeoutMillis)
        throws IOException
    {
        socket.setSoTimeout(timeoutMillis);
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final byte[] header = new byte[8];
        in.readFully(header);
        final ByteBuffer h = ByteBuffer.wrap(header).order(config.byteOrder());
        final int size = h.getShort(0) & 0xFFFF;
        assertThat(size).as("frame size").isGreaterThanOrEqualTo(8);
        final byte[] rest = new byte[((size + 7) & ~7) - 8];
        in.readFully(rest);
        return new Frame(size, h.getShort(2) & 0xFFFF, h.getInt(4),
            ByteBuffer.wrap(rest, 0, size - 8).slice().order(config.byteOrder()));
    }

    /** Reads {@code n} application frames (heartbeats would be skipped, but none is due on a standing clock). */
    private static List<Frame> readMessages(final Socket socket, final TcpShmConfig config, final int n)
        throws IOException
    {
        final List<Frame> frames = new ArrayList<>();
        while (frames.size() < n)
        {
            final Frame f = readFrame(socket, config, 10_000);
            if (f.type() != 0)
            {
                frames.add(f);
            }
        }
        return frames;
    }

    /** The wire stays silent for {@link #SILENCE_MILLIS}: a read times out with nothing read. */
    private static void assertSilent(final Socket socket, final String what) throws IOException
    {
        socket.setSoTimeout(SILENCE_MILLIS);
        final InputStream in = socket.getInputStream();
        assertThatThrownBy(in::read).as("%s: a byte reached the peer's socket", what)
            .isInstanceOf(SocketTimeoutException.class);
    }

    /** A raw server that answers one login with status 0 and hands over the socket. */
    private Socket loggedOnRawServer(final TestClient c, final TcpShmConfig config) throws Exception
    {
        final ServerSocket listener = closer.keep(new ServerSocket(0, 5, InetAddress.getLoopbackAddress()));
        final LoginCodec codec = new LoginCodec(config);
        final CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                listener.setSoTimeout(10_000);
                final Socket s = listener.accept();
                s.setTcpNoDelay(true);
                new DataInputStream(s.getInputStream()).readFully(new byte[codec.loginFrameSize()]);
                final ByteBuffer rsp = ByteBuffer.allocate(codec.rspFrameSize()).order(config.byteOrder());
                codec.encodeRsp(rsp, 0, 0, 0, 0, "srv", "");
                final OutputStream out = s.getOutputStream();
                out.write(rsp.array());
                out.flush();
                return s;
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        assertThat(c.connect(false, listener.getLocalPort())).as(c.events.toString()).isTrue();
        return closer.keep(accepted.get(10, TimeUnit.SECONDS));
    }

    private TestClient client(final TcpShmConfig config)
    {
        return closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));
    }

    private static void assertSequence(final List<Frame> frames, final long first)
    {
        for (int i = 0; i < frames.size(); i++)
        {
            final Frame f = frames.get(i);
            final long seq = first + i;
            assertThat(f.seq()).as("frame %d", i).isEqualTo(seq);
            assertThat(f.size()).as("size of message %d", seq).isEqualTo(8 + TestClient.lengthFor(seq));
            assertThat(f.type()).as("type of message %d", seq).isEqualTo(TestClient.typeFor(seq));
        }
    }

    @Test
    void clientPushMoreWritesNothingUntilAPushWritesEverythingQueued() throws Exception
    {
        final TcpShmConfig config = config();
        final TestClient c = client(config);
        final Socket peer = loggedOnRawServer(c, config);
        for (int i = 0; i < 3; i++)
        {
            assertThat(c.trySend(true)).isTrue(); // pushMore
        }
        // queued and counted, not written
        assertThat(c.conn().queuedCount()).isEqualTo(3);
        assertThat(c.conn().sendPosition()).isEqualTo(3);
        assertThat(c.conn().stats().messagesSent()).isEqualTo(3);
        assertSilent(peer, "after three pushMore");
        // a push writes its own message and the three before it, oldest first
        assertThat(c.trySend(false)).isTrue();
        final List<Frame> frames = readMessages(peer, config, 4);
        assertSequence(frames, 0);
        assertSilent(peer, "after the four messages");
    }

    @Test
    void clientPushMoreIsWrittenByTheNextPoll() throws Exception
    {
        final TcpShmConfig config = config();
        final TestClient c = client(config);
        final Socket peer = loggedOnRawServer(c, config);
        assertThat(c.trySend(true)).isTrue();
        assertThat(c.trySend(true)).isTrue();
        assertSilent(peer, "after two pushMore");
        c.client.pollTcp(clock.get()); // one poll, no push
        assertSequence(readMessages(peer, config, 2), 0);
        // and again: deferred, then written by a poll, with nothing else due
        assertThat(c.trySend(true)).isTrue();
        assertSilent(peer, "after the third pushMore");
        c.client.pollTcp(clock.get());
        assertSequence(readMessages(peer, config, 1), 2);
        assertSilent(peer, "after the third message");
    }

    /**
     * The server side: a reply pushed with {@code pushMore} from {@code onClientMsg} stays off the wire while
     * the group's thread does not poll again (the test server is paused from inside the callback), and the
     * next poll writes it.
     */
    @Test
    void serverPushMoreIsWrittenByTheGroupsNextPoll() throws Exception
    {
        final TcpShmConfig config = config();
        final TestServer s = closer.keep(new TestServer("srv", tmp.resolve("server"), config, clock));
        s.onMsg = (conn, h) ->
        {
            final long seq = h.buffer().getLong(h.payloadOffset());
            conn.pop(); // before the reply: it carries ack 1
            final MsgHeader out = conn.alloc(8);
            out.msgType(9);
            out.buffer().putLong(out.payloadOffset(), seq + 100);
            conn.pushMore();
            s.paused = true; // the group thread finishes this poll and then polls no more
        };
        final LoginCodec codec = new LoginCodec(config);
        final Socket peer = closer.keep(new Socket(InetAddress.getLoopbackAddress(), s.port()));
        peer.setTcpNoDelay(true);
        final ByteBuffer login = ByteBuffer.allocate(codec.loginFrameSize()).order(config.byteOrder());
        codec.encodeLogin(login, 0, 0, 0, null, false, "cli", "");
        peer.getOutputStream().write(login.array());
        final byte[] rspBytes = new byte[codec.rspFrameSize()];
        peer.setSoTimeout(10_000);
        new DataInputStream(peer.getInputStream()).readFully(rspBytes);
        assertThat(rspBytes[codec.statusOffset()]).as("login status").isZero();

        final ByteBuffer msg = ByteBuffer.allocate(16).order(config.byteOrder());
        msg.putShort(0, (short)16).putShort(2, (short)5).putInt(4, 0).putLong(8, 7);
        peer.getOutputStream().write(msg.array());

        final TcpShmConnection sc = s.server.tcpGroupConnections(0)[0];
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!s.paused || sc.stats().messagesSent() != 1)
        {
            assertThat(System.nanoTime()).as("the server's onClientMsg ran").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertSilent(peer, "after the server's pushMore, its group thread paused");
        assertThat(sc.queuedCount()).isEqualTo(1);
        s.paused = false;
        final Frame reply = readFrame(peer, config, 10_000);
        assertThat(reply.type()).isEqualTo(9);
        assertThat(reply.size()).isEqualTo(16);
        assertThat(reply.ack()).as("stamped ack: the request was popped first").isEqualTo(1);
        assertThat(reply.seq()).isEqualTo(107);
    }
}
