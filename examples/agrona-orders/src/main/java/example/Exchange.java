package example;

import io.tcpshm.*;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Fills every order in full at its price: the reply is the order itself, as a fill. */
public final class Exchange implements ServerHandler
{
    final TcpShmServer server;
    private final OrderFlyweight in = new OrderFlyweight();
    private final OrderFlyweight out = new OrderFlyweight();

    public Exchange(final Path dir, final TcpShmConfig config)
    {
        server = new TcpShmServer("exchange", dir, config, this);
    }

    public int poll(final long nowSeconds)
    {
        return server.pollCtl(nowSeconds) + server.pollTcp(nowSeconds, 0) + server.pollShm(0);
    }

    @Override
    public int onNewConnection(final InetSocketAddress from, final LoginRequest login, final LoginResponse response)
    {
        return 0;
    }

    @Override
    public void onClientMsg(final TcpShmConnection conn, final MsgHeader order)
    {
        final MsgHeader fill = conn.alloc(OrderFlyweight.LENGTH);
        if (fill == null)
        {
            return; // no room now: the order comes again at the next poll
        }
        fill.msgType(OrderFlyweight.FILL);
        in.wrap(order);
        out.wrap(fill).set(in.id(), in.price(), in.instrument(), in.quantity(), in.side());
        conn.pop();
        conn.push();
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        System.err.println("exchange: " + message);
    }
}
