package io.tcpshm.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static io.tcpshm.bench.NodeOutput.ready;
import static io.tcpshm.bench.NodeOutput.writeResult;
import static io.tcpshm.bench.RttHistograms.MAX_RTT_NS;
import static io.tcpshm.bench.RttHistograms.newHistogram;

/**
 * The raw TCP ping-pong floor: fixed-size frames over one loopback connection, both ends busy-polling
 * non-blocking NIO sockets with no framing or protocol around them.
 */
final class RawTcpPingPong
{
    private RawTcpPingPong()
    {
    }

    /**
     * Accepts one connection and echoes each frame back; returns when the client closes.
     *
     * @param options the node's options.
     * @throws IOException on a socket failure.
     */
    static void pong(final NodeOptions options) throws IOException
    {
        final int frame = 8 + options.intOpt("payload", 64);
        try (ServerSocketChannel listener = ServerSocketChannel.open())
        {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            ready(((InetSocketAddress)listener.getLocalAddress()).getPort());
            final SocketChannel ch = listener.accept();
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            final ByteBuffer buf = ByteBuffer.allocateDirect(frame);
            while (true)
            {
                buf.clear();
                while (buf.hasRemaining())
                {
                    if (ch.read(buf) < 0)
                    {
                        return;
                    }
                }
                buf.flip();
                while (buf.hasRemaining())
                {
                    ch.write(buf);
                }
            }
        }
    }

    /**
     * Pings for the warm-up and measurement periods, then writes the round-trip result.
     *
     * @param options the node's options.
     * @throws IOException on a socket failure or if the result cannot be written.
     */
    static void ping(final NodeOptions options) throws IOException
    {
        final int frame = 8 + options.intOpt("payload", 64);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", options.intOpt("port", 0))))
        {
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            final ByteBuffer out = ByteBuffer.allocateDirect(frame);
            final ByteBuffer in = ByteBuffer.allocateDirect(frame);
            final Histogram h = newHistogram();
            final long warmEnd = System.nanoTime() + options.warmupNs();
            final long end = warmEnd + options.measureNs();
            while (true)
            {
                final long t0 = System.nanoTime();
                if (t0 >= end)
                {
                    break;
                }
                out.clear();
                out.putLong(0, t0);
                while (out.hasRemaining())
                {
                    ch.write(out);
                }
                in.clear();
                while (in.hasRemaining())
                {
                    if (ch.read(in) < 0)
                    {
                        throw new IOException("pong closed");
                    }
                }
                if (t0 >= warmEnd)
                {
                    h.recordValue(Math.min(System.nanoTime() - t0, MAX_RTT_NS));
                }
            }
            writeResult(options, new BenchResult(BenchResult.RTT, options.opt("name", "raw-tcp")).latency(h));
        }
    }
}
