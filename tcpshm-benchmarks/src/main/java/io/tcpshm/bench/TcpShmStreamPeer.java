package io.tcpshm.bench;

import io.tcpshm.MsgHeader;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConnection;

import static io.tcpshm.bench.TcpShmSetup.seconds;

/**
 * The sending side of the tcpshm stream rows: pushes messages as fast as the queue takes them, one push
 * per message or {@code batch} messages per push; the server measures the rate.
 */
final class TcpShmStreamPeer
{
    private TcpShmStreamPeer()
    {
    }

    /**
     * Sends until killed.
     *
     * @param options the node's options.
     * @throws Exception if the client cannot log on.
     */
    static void run(final NodeOptions options) throws Exception
    {
        final boolean shm = Boolean.parseBoolean(options.opt("shm", "true"));
        final int payload = options.intOpt("payload", 32);
        final int batch = options.intOpt("batch", 1);
        final TcpShmClient client = TcpShmSetup.connectClient(options, shm, TcpShmSetup.config(options, true),
            new BaseClientHandler());
        final TcpShmConnection conn = client.connection();
        long n = 0;
        long now = seconds(System.nanoTime());
        while (true)
        {
            final MsgHeader m = conn.alloc(payload);
            if (m == null)
            {
                // the poll writes what pushMore left unsent and takes in the acks that make room
                now = seconds(System.nanoTime());
                client.pollTcp(now);
                continue;
            }
            m.msgType(1);
            m.buffer().putLong(m.payloadOffset(), n);
            if (batch > 1 && (n % batch) != batch - 1)
            {
                conn.pushMore();
            }
            else
            {
                conn.push();
            }
            n++;
            if ((n & 1023) == 0)
            {
                // acks arrive in the poll; a sender polls when its queue is full or now and then, not per message
                now = seconds(System.nanoTime());
                client.pollTcp(now);
            }
        }
    }
}
