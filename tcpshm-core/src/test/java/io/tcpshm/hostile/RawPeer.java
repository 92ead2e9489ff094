package io.tcpshm.hostile;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A hand-driven, non-blocking client socket that sends whatever it is told. */
final class RawPeer implements AutoCloseable
{
    final SocketChannel socket;
    private boolean closedByServer;
    private final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();

    RawPeer(final int port) throws IOException
    {
        socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        socket.configureBlocking(false);
    }

    void send(final byte[] bytes) throws IOException
    {
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (b.hasRemaining())
        {
            socket.write(b);
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("peer cannot write");
            }
        }
    }

    /** Reads what is there without blocking; returns true once the server has closed the socket. */
    boolean closedByServer()
    {
        if (closedByServer)
        {
            return true;
        }
        final ByteBuffer b = ByteBuffer.allocate(4096);
        try
        {
            int n;
            while ((n = socket.read(b.clear())) > 0)
            {
                received.write(b.array(), 0, n);
            }
            closedByServer = n < 0;
        }
        catch (final IOException ex)
        {
            closedByServer = true; // reset
        }
        return closedByServer;
    }

    /** Everything received so far. */
    byte[] received()
    {
        closedByServer();
        return received.toByteArray();
    }

    /** Sends a login and waits (10 s at most) for a whole response frame; returns its status byte. */
    int login(final byte[] frame) throws IOException
    {
        send(frame);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (received.size() < WireModel.RSP_FRAME)
        {
            if (closedByServer() && received.size() < WireModel.RSP_FRAME)
            {
                return -1;
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no login response");
            }
            Thread.yield();
        }
        return received()[WireModel.RSP_STATUS];
    }

    String errorMessage()
    {
        return WireModel.cstring(received(), WireModel.RSP_ERROR, 32);
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
