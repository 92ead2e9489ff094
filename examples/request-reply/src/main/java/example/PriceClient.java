package example;

import io.tcpshm.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/** Sends price requests; replies come back in order, each exactly once, through crashes of either side. */
public final class PriceClient implements ClientHandler
{
    final TcpShmClient client;
    private final BiConsumer<Long, Long> onPrice; // (request id, price); boxing is fine in an example
    private long nextId;

    public PriceClient(final Path dir, final TcpShmConfig config, final BiConsumer<Long, Long> onPrice) throws IOException
    {
        this.client = new TcpShmClient("trader", dir, config, this);
        this.onPrice = onPrice;
    }

    /** Sends a request; returns its id, or -1 when the queue has no room now (poll, then try again). */
    public long request(final int instrument)
    {
        final MsgHeader out = client.connection().alloc(12);
        if (out == null)
        {
            return -1;
        }
        out.msgType(PriceServer.REQUEST);
        out.buffer().putLong(out.payloadOffset(), nextId);
        out.buffer().putInt(out.payloadOffset() + 8, instrument);
        client.connection().push();
        return nextId++;
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
    public void onServerMsg(final MsgHeader reply)
    {
        onPrice.accept(reply.buffer().getLong(reply.payloadOffset()), reply.buffer().getLong(reply.payloadOffset() + 8));
        client.connection().pop();
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        System.err.println("client: " + message);
    }
}
