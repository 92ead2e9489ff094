package example;

import io.tcpshm.*;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Answers each price request (id, instrument) with (id, price). Each client has a persistent connection. */
public final class PriceServer implements ServerHandler
{
    static final int REQUEST = 1;
    static final int REPLY = 2;
    final TcpShmServer server;

    public PriceServer(final Path dir, final TcpShmConfig config)
    {
        server = new TcpShmServer("prices", dir, config, this);
    }

    public static long priceOf(final int instrument)
    {
        return 10_000L + instrument * 25L;
    }

    /** One round of every poll; the work done lets the caller idle when there was none. */
    public int poll(final long nowSeconds)
    {
        return server.pollCtl(nowSeconds) + server.pollTcp(nowSeconds, 0) + server.pollShm(0);
    }

    @Override
    public int onNewConnection(final InetSocketAddress from, final LoginRequest login, final LoginResponse response)
    {
        return 0; // group 0 of the transport the client chose
    }

    @Override
    public void onClientMsg(final TcpShmConnection conn, final MsgHeader request)
    {
        final MsgHeader reply = conn.alloc(16);
        if (reply == null)
        {
            return; // queue full: the same request comes again at the next poll
        }
        reply.msgType(REPLY);
        reply.buffer().putLong(reply.payloadOffset(), request.buffer().getLong(request.payloadOffset()));
        reply.buffer().putLong(reply.payloadOffset() + 8, priceOf(request.buffer().getInt(request.payloadOffset() + 8)));
        conn.pop(); // before push: the reply carries the request's ack
        conn.push();
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        System.err.println("server: " + message);
    }
}
