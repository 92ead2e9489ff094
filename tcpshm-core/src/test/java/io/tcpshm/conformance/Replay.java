package io.tcpshm.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/**
 * The captured peer of a live replay: a socket on 127.0.0.1 that records every byte our side
 * writes and answers with the captured bytes of the other direction, chunk by chunk as the C++
 * peer sent them (the recording proxy re-sent each chunk whole).
 */
final class Replay
{
    /** Bound on every wait: generous for a loaded 2-core machine, yet a hang fails fast. */
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private Replay()
    {
    }

    /**
     * Polls {@code poll} until {@code done} holds, failing with {@code what} after the deadline.
     */
    static void await(final String what, final BooleanSupplier done, final Runnable poll)
    {
        final long end = System.nanoTime() + DEADLINE_NANOS;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - end > 0)
            {
                fail("timed out waiting for " + what);
            }
            poll.run();
            LockSupport.parkNanos(100_000);
        }
    }

    /** One captured peer on one socket: records what it receives, sends captured chunks on request. */
    abstract static class Peer implements AutoCloseable
    {
        final byte[] out;
        final List<int[]> chunks;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private volatile boolean eof;
        private volatile Throwable error;
        volatile Socket socket;
        int nextChunk;
        Thread reader;

        Peer(final byte[] out, final List<int[]> chunks)
        {
            this.out = out;
            this.chunks = chunks;
        }

        /** Reads until EOF, recording; runs on the peer's thread. */
        void readAll(final InputStream in) throws IOException
        {
            final byte[] buf = new byte[4096];
            int n;
            try
            {
                while ((n = in.read(buf)) >= 0)
                {
                    synchronized (received)
                    {
                        received.write(buf, 0, n);
                    }
                }
            }
            catch (final java.net.SocketException ex)
            {
                // A socket closed with unread input (e.g. the captured peer's last heartbeat, which
                // carries nothing new) sends a reset instead of a FIN: that is the other side's close
                // too. Every expected byte was awaited before the close, so nothing is lost.
                if (!"Connection reset".equals(ex.getMessage()))
                {
                    throw ex;
                }
            }
            eof = true;
        }

        /** Reads exactly {@code n} bytes (recording them), as the C++ peer reads a handshake frame. */
        void readExactly(final InputStream in, final int n) throws IOException
        {
            final byte[] buf = new byte[n];
            int got = 0;
            while (got < n)
            {
                final int r = in.read(buf, got, n - got);
                if (r < 0)
                {
                    eof = true;
                    return;
                }
                got += r;
            }
            synchronized (received)
            {
                received.write(buf, 0, n);
            }
        }

        void failed(final Throwable t)
        {
            error = t;
            eof = true;
        }

        byte[] received()
        {
            synchronized (received)
            {
                return received.toByteArray();
            }
        }

        int receivedCount()
        {
            synchronized (received)
            {
                return received.size();
            }
        }

        boolean eof()
        {
            return eof;
        }

        /** Sends the next captured chunk whole. */
        void sendNextChunk()
        {
            final int[] c = chunks.get(nextChunk++);
            try
            {
                final OutputStream os = socket.getOutputStream();
                os.write(out, c[0], c[1]);
                os.flush();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("captured peer: sending chunk @" + c[0], ex);
            }
        }

        void awaitReceived(final int bytes, final Runnable poll)
        {
            await(bytes + " bytes from our side (have " + receivedCount() + ")", () ->
            {
                checkError();
                return receivedCount() >= bytes;
            }, poll);
        }

        void awaitEof(final Runnable poll)
        {
            await("our side to close the socket", this::eof, poll);
            checkError();
        }

        void checkError()
        {
            if (error != null)
            {
                throw new AssertionError("captured peer failed", error);
            }
        }

        void closeSocket()
        {
            try
            {
                if (socket != null)
                {
                    socket.close();
                }
            }
            catch (final IOException ignore)
            {
                // test teardown
            }
        }

        @Override
        public void close() throws Exception
        {
            closeSocket();
            if (reader != null)
            {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            }
        }
    }

    /**
     * Plays the C++ server: accepts one connection, reads the login frame, answers with the first
     * {@code autoChunks} captured chunks (the response, sent within the client's blocking connect),
     * then records everything else.
     */
    static final class FakeServer extends Peer
    {
        private final ServerSocket listener;

        FakeServer(final byte[] s2c, final List<int[]> chunks, final int loginFrameSize, final int autoChunks)
            throws IOException
        {
            super(s2c, chunks);
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            nextChunk = autoChunks;
            reader = new Thread(() ->
            {
                try (Socket s = listener.accept())
                {
                    s.setTcpNoDelay(true);
                    socket = s;
                    final InputStream in = s.getInputStream();
                    readExactly(in, loginFrameSize);
                    for (int i = 0; i < autoChunks; i++)
                    {
                        final int[] c = chunks.get(i);
                        s.getOutputStream().write(s2c, c[0], c[1]);
                    }
                    readAll(in);
                }
                catch (final IOException ex)
                {
                    if (!eof())
                    {
                        failed(ex);
                    }
                }
            }, "captured-cpp-server");
            reader.setDaemon(true);
            reader.start();
        }

        int port()
        {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws Exception
        {
            listener.close();
            super.close();
        }
    }

    /**
     * Plays the C++ client: connects to our server and records what it answers; the test sends the
     * captured chunks (login first) when the scenario reaches them.
     */
    static final class FakeClient extends Peer
    {
        FakeClient(final byte[] c2s, final List<int[]> chunks, final int port) throws IOException
        {
            super(c2s, chunks);
            final Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket = s;
            reader = new Thread(() ->
            {
                try
                {
                    readAll(s.getInputStream());
                }
                catch (final IOException ex)
                {
                    if (!eof())
                    {
                        // a reset after our server closed a rejected login counts as its close
                        if (!s.isClosed())
                        {
                            failed(ex);
                        }
                    }
                }
            }, "captured-cpp-client");
            reader.setDaemon(true);
            reader.start();
        }
    }
}
