package example;

import io.tcpshm.*;

import java.io.IOException;
import java.nio.file.Path;

/** Sends orders encoded in place and counts the fills. */
public final class Trader implements ClientHandler
{
    final TcpShmClient client;
    private final OrderFlyweight order = new OrderFlyweight();
    private final OrderFlyweight fill = new OrderFlyweight();
    long fills;
    long filledQuantity;
    long lastFillId = -1;

    public Trader(final Path dir, final TcpShmConfig config) throws IOException
    {
        client = new TcpShmClient("trader", dir, config, this);
    }

    /** @return false when the queue has no room now. */
    public boolean send(final long id, final long price, final int instrument, final int quantity, final byte side)
    {
        final MsgHeader msg = client.connection().alloc(OrderFlyweight.LENGTH);
        if (msg == null)
        {
            return false;
        }
        msg.msgType(OrderFlyweight.ORDER);
        order.wrap(msg).set(id, price, instrument, quantity, side);
        client.connection().push();
        return true;
    }

    public int poll(final long nowSeconds)
    {
        return client.pollTcp(nowSeconds) + client.pollShm();
    }

    @Override
    public long onLoginSuccess(final LoginResponse response)
    {
        return System.nanoTime() / 1_000_000_000L;
    }

    @Override
    public void onServerMsg(final MsgHeader msg)
    {
        fill.wrap(msg);
        if (fill.id() != lastFillId + 1)
        {
            throw new IllegalStateException("fill " + fill.id() + " after " + lastFillId);
        }
        lastFillId = fill.id();
        fills++;
        filledQuantity += fill.quantity();
        client.connection().pop();
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        System.err.println("trader: " + message);
    }
}
