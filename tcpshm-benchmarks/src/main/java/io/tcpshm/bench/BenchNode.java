package io.tcpshm.bench;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.tcpshm.ClientHandler;
import io.tcpshm.DisconnectReason;
import io.tcpshm.LoginRequest;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.ServerHandler;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.TcpShmServer;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * One side of one benchmark, run as its own process by {@link BenchCommand}:
 * {@code BenchNode SCENARIO ROLE key=value...}. A serving role prints {@code READY} (and its port)
 * on stdout once it can be reached, then runs until killed; a driving role measures and writes
 * its {@link BenchResult} as JSON to {@code result=FILE}, then exits.
 *
 * <p>Each side polls from one thread, busy-spinning. Every scenario moves the same bytes: a
 * payload of {@code payload} bytes, echoed back for ping-pong.
 */
public final class BenchNode
{
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Largest round trip recorded (longer ones count as this); fixed so the histogram never resizes (allocates). */
    private static final long MAX_RTT_NS = 60_000_000_000L;

    private final Map<String, String> opts = new HashMap<>();

    private static Histogram newHistogram()
    {
        return new Histogram(MAX_RTT_NS, 3);
    }

    private BenchNode(final String[] args)
    {
        for (int i = 2; i < args.length; i++)
        {
            final int eq = args[i].indexOf('=');
            opts.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
    }

    /**
     * @param args scenario, role, then key=value options.
     * @throws Exception on any failure (the orchestrator reports the process's output).
     */
    public static void main(final String[] args) throws Exception
    {
        final BenchNode node = new BenchNode(args);
        final String scenario = args[0];
        final String role = args[1];
        switch (scenario + "/" + role)
        {
            case "tcpshm-pingpong/server" -> node.tcpshmServer(false);
            case "tcpshm-pingpong/client" -> node.tcpshmPingClient();
            case "tcpshm-stream/server" -> node.tcpshmServer(true);
            case "tcpshm-stream/client" -> node.tcpshmStreamClient();
            case "raw-shm-pingpong/server" -> node.rawShmPong();
            case "raw-shm-pingpong/client" -> node.rawShmPing();
            case "raw-tcp-pingpong/server" -> node.rawTcpPong();
            case "raw-tcp-pingpong/client" -> node.rawTcpPing();
            case "aeron-pingpong/server" -> node.aeronPong();
            case "aeron-pingpong/client" -> node.aeronPing();
            case "raw-shm-stream/server" -> node.rawShmStreamConsumer();
            case "raw-shm-stream/client" -> node.rawShmStreamProducer();
            default -> throw new IllegalArgumentException("unknown scenario/role " + scenario + "/" + role);
        }
        System.exit(0);
    }

    private String opt(final String key, final String dflt)
    {
        return opts.getOrDefault(key, dflt);
    }

    private int intOpt(final String key, final int dflt)
    {
        return Integer.parseInt(opt(key, String.valueOf(dflt)));
    }

    private long warmupNs()
    {
        return Long.parseLong(opt("warmupMs", "1000")) * 1_000_000L;
    }

    private long measureNs()
    {
        return Long.parseLong(opt("measureMs", "2000")) * 1_000_000L;
    }

    private void ready(final int port)
    {
        System.out.println("READY " + port);
        System.out.flush();
    }

    private void writeResult(final BenchResult result) throws IOException
    {
        Files.writeString(Path.of(opt("result", "result.json")), result.toJson(), StandardCharsets.UTF_8);
    }

    private TcpShmConfig tcpshmConfig(final boolean stream)
    {
        final TcpShmConfig.Builder b = TcpShmConfig.builder().shmDir(Path.of(opt("shmDir", "/dev/shm")))
            .ptcpForceInterval(Long.parseLong(opt("forceInterval", "-1")));
        if (stream)
        {
            // room for a stream in flight; heartbeat and timeouts stay at their defaults
            b.shmQueueSize(1 << 20).tcpQueueSize(1 << 20).tcpReceiveBufferInitialSize(1 << 18).tcpReceiveBufferMaxSize(1 << 18);
        }
        return b.build();
    }

    private static long seconds(final long nanos)
    {
        return nanos >> 30; // ~1.07 s: the timeouts' unit in these benchmarks
    }

    // ---------------------------------------------------------------------------------------------
    // tcpshm
    // ---------------------------------------------------------------------------------------------

    /** Echo (ping-pong) or count (stream) server; pollCtl every {@code ctlEvery} iterations. */
    private void tcpshmServer(final boolean stream) throws Exception
    {
        final boolean shm = Boolean.parseBoolean(opt("shm", "true"));
        // the method of the C++ figures the targets were set against: the server's control poll every 16384
        // iterations (one row of the bench calls it in every iteration to show what that costs)
        final int ctlEvery = intOpt("ctlEvery", 16384);
        final TcpShmConfig config = tcpshmConfig(stream);
        final long[] count = new long[1];
        final ServerHandler handler = new BaseServerHandler()
        {
            @Override
            public void onClientMsg(final TcpShmConnection conn, final MsgHeader in)
            {
                if (stream)
                {
                    count[0]++;
                    conn.pop();
                    return;
                }
                final int length = in.payloadLength();
                final MsgHeader out = conn.alloc(length);
                if (out == null)
                {
                    return;
                }
                out.msgType(in.msgType());
                out.buffer().put(out.payloadOffset(), in.buffer(), in.payloadOffset(), length);
                conn.pop();
                conn.push();
            }
        };
        final TcpShmServer server = new TcpShmServer("bsrv", Path.of(opt("dir", ".")).resolve("server"), config, handler);
        if (!server.start("127.0.0.1", 0))
        {
            throw new IllegalStateException("server did not start");
        }
        ready(server.localPort());
        long now = seconds(System.nanoTime());
        long i = 0;
        long firstAt = 0;
        long measureStart = 0;
        long measureStartCount = 0;
        final long warmup = warmupNs();
        final long measure = measureNs();
        while (true)
        {
            if ((++i & 1023) == 0)
            {
                final long nanos = System.nanoTime();
                now = seconds(nanos);
                if (stream && count[0] > 0)
                {
                    if (firstAt == 0)
                    {
                        firstAt = nanos;
                    }
                    else if (measureStart == 0 && nanos - firstAt >= warmup)
                    {
                        measureStart = nanos;
                        measureStartCount = count[0];
                    }
                    else if (measureStart != 0 && nanos - measureStart >= measure)
                    {
                        final double secs = (nanos - measureStart) / 1e9;
                        final long messages = count[0] - measureStartCount;
                        final int payload = intOpt("payload", 32);
                        writeResult(new BenchResult(BenchResult.STREAM, opt("name", "stream"))
                            .put("messages", messages).put("seconds", secs)
                            .put("msgsPerSec", messages / secs)
                            .put("mbPerSec", messages * (double)payload / secs / 1e6));
                        return;
                    }
                }
            }
            if (i % ctlEvery == 0)
            {
                server.pollCtl(now);
            }
            if (shm)
            {
                server.pollShm(0);
            }
            else
            {
                server.pollTcp(now, 0);
            }
        }
    }

    private TcpShmClient connectClient(final boolean shm, final TcpShmConfig config, final ClientHandler handler)
        throws Exception
    {
        final TcpShmClient client = new TcpShmClient("bcli", Path.of(opt("dir", ".")).resolve("client"), config, handler);
        final int port = intOpt("port", 0);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (client.connect(shm, "127.0.0.1", port, null))
            {
                return client;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("could not log on to port " + port);
    }

    private void tcpshmPingClient() throws Exception
    {
        final boolean shm = Boolean.parseBoolean(opt("shm", "true"));
        final int payload = intOpt("payload", 64);
        final boolean[] echoed = new boolean[1];
        final TcpShmClient[] holder = new TcpShmClient[1];
        final TcpShmClient client = connectClient(shm, tcpshmConfig(false), new BaseClientHandler()
        {
            @Override
            public void onServerMsg(final MsgHeader header)
            {
                holder[0].connection().pop();
                echoed[0] = true;
            }
        });
        holder[0] = client;
        final TcpShmConnection conn = client.connection();
        final Histogram h = newHistogram();
        final long start = System.nanoTime();
        final long warmEnd = start + warmupNs();
        final long end = warmEnd + measureNs();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long allocatedAtWarmEnd = -1;
        long n = 0;
        while (true)
        {
            final long t0 = System.nanoTime();
            if (t0 >= end)
            {
                break;
            }
            if (allocatedAtWarmEnd < 0 && t0 >= warmEnd)
            {
                allocatedAtWarmEnd = threads.getCurrentThreadAllocatedBytes();
            }
            final MsgHeader m = conn.alloc(payload);
            if (m == null)
            {
                client.pollTcp(seconds(t0));
                continue;
            }
            m.msgType(1);
            final ByteBuffer b = m.buffer();
            final int off = m.payloadOffset();
            for (int k = 0; k + 8 <= payload; k += 8)
            {
                b.putLong(off + k, t0 + k);
            }
            conn.push();
            echoed[0] = false;
            if (shm)
            {
                while (!echoed[0])
                {
                    client.pollShm();
                }
            }
            else
            {
                final long now = seconds(t0);
                while (!echoed[0])
                {
                    client.pollTcp(now);
                }
            }
            final long rtt = System.nanoTime() - t0;
            if (t0 >= warmEnd)
            {
                h.recordValue(Math.min(rtt, MAX_RTT_NS));
            }
            if (shm && (++n & 1023) == 0)
            {
                // the SHM session's TCP link (heartbeats): between round trips, not inside the one being timed
                client.pollTcp(seconds(t0));
            }
        }
        // bytes this thread allocated per round trip while measuring (the histogram records without allocating)
        final double allocPerMsg = (threads.getCurrentThreadAllocatedBytes() - allocatedAtWarmEnd) /
            (double)Math.max(1, h.getTotalCount());
        writeResult(new BenchResult(BenchResult.RTT, opt("name", "tcpshm")).latency(h).put("allocBytesPerMsg", allocPerMsg));
        client.stop();
    }

    private void tcpshmStreamClient() throws Exception
    {
        final boolean shm = Boolean.parseBoolean(opt("shm", "true"));
        final int payload = intOpt("payload", 32);
        final int batch = intOpt("batch", 1);
        final TcpShmClient client = connectClient(shm, tcpshmConfig(true), new BaseClientHandler());
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

    /** Server callbacks that do nothing but fail loudly on errors. */
    private static class BaseServerHandler implements ServerHandler
    {
        @Override
        public void onSystemError(final String message, final Exception cause)
        {
            System.err.println("server: " + message);
        }

        @Override
        public int onNewConnection(final InetSocketAddress a, final LoginRequest login, final LoginResponse rsp)
        {
            return 0;
        }

        @Override
        public void onClientFileError(final TcpShmConnection conn, final String reason, final Exception cause)
        {
            System.err.println("server: " + reason);
        }

        @Override
        public void onSeqNumberMismatch(final TcpShmConnection conn, final long a, final long b, final long c,
            final long d, final long e, final long f)
        {
            System.err.println("server: seq mismatch");
        }

        @Override
        public void onClientMsg(final TcpShmConnection conn, final MsgHeader header)
        {
            conn.pop();
        }
    }

    /** Client callbacks that report errors and pop what arrives. */
    private static class BaseClientHandler implements ClientHandler
    {
        @Override
        public void onSystemError(final String message, final Exception cause)
        {
            System.err.println("client: " + message);
        }

        @Override
        public void onLoginReject(final LoginResponse response)
        {
            System.err.println("client: rejected " + response.errorMessage());
        }

        @Override
        public long onLoginSuccess(final LoginResponse response)
        {
            return seconds(System.nanoTime());
        }

        @Override
        public void onSeqNumberMismatch(final long a, final long b, final long c, final long d, final long e, final long f)
        {
            System.err.println("client: seq mismatch");
        }

        @Override
        public void onServerMsg(final MsgHeader header)
        {
        }

        @Override
        public void onDisconnected(final DisconnectReason reason, final String detail, final Exception cause)
        {
            System.err.println("client: disconnected " + reason.describe(detail));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // floor: raw shared memory, two mapped slots
    // ---------------------------------------------------------------------------------------------

    // the sequence number shares its cache line with the first 56 payload bytes: the least traffic two
    // processes can exchange through shared memory (one line each way for small payloads)
    private static final int PING_SEQ = 0;
    private static final int PING_DATA = 8;
    private static final int PONG_SEQ = 4096;
    private static final int PONG_DATA = 4096 + 8;

    private MappedByteBuffer mapFile(final String name, final int size) throws IOException
    {
        final Path file = Path.of(opt("shmDir", "/dev/shm")).resolve(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            final MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            b.order(ByteOrder.nativeOrder());
            return b;
        }
    }

    private void rawShmPong() throws IOException
    {
        final int payload = intOpt("payload", 64);
        final MappedByteBuffer b = mapFile(opt("file", "raw-pingpong"), 8192);
        ready(0);
        long last = (long)LONG.getAcquire(b, PING_SEQ);
        while (true)
        {
            final long seq = (long)LONG.getAcquire(b, PING_SEQ);
            if (seq == last)
            {
                continue;
            }
            last = seq;
            b.put(PONG_DATA, b, PING_DATA, payload); // the echo copies the payload, as the tcpshm echo server does
            LONG.setRelease(b, PONG_SEQ, seq);
        }
    }

    private void rawShmPing() throws IOException
    {
        final int payload = intOpt("payload", 64);
        final MappedByteBuffer b = mapFile(opt("file", "raw-pingpong"), 8192);
        final Histogram h = newHistogram();
        final long warmEnd = System.nanoTime() + warmupNs();
        final long end = warmEnd + measureNs();
        long seq = (long)LONG.getAcquire(b, PING_SEQ);
        while (true)
        {
            final long t0 = System.nanoTime();
            if (t0 >= end)
            {
                break;
            }
            seq++;
            for (int k = 0; k + 8 <= payload; k += 8)
            {
                b.putLong(PING_DATA + k, t0 + k);
            }
            LONG.setRelease(b, PING_SEQ, seq);
            while ((long)LONG.getAcquire(b, PONG_SEQ) != seq)
            {
                // busy spin, as every measured side does; like the tcpshm client it does not read the echoed payload
            }
            if (t0 >= warmEnd)
            {
                h.recordValue(Math.min(System.nanoTime() - t0, MAX_RTT_NS));
            }
        }
        writeResult(new BenchResult(BenchResult.RTT, opt("name", "raw-shm")).latency(h));
    }

    // ---------------------------------------------------------------------------------------------
    // floor: raw NIO TCP, busy-polling non-blocking sockets
    // ---------------------------------------------------------------------------------------------

    private void rawTcpPong() throws IOException
    {
        final int frame = 8 + intOpt("payload", 64);
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

    private void rawTcpPing() throws IOException
    {
        final int frame = 8 + intOpt("payload", 64);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", intOpt("port", 0))))
        {
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            final ByteBuffer out = ByteBuffer.allocateDirect(frame);
            final ByteBuffer in = ByteBuffer.allocateDirect(frame);
            final Histogram h = newHistogram();
            final long warmEnd = System.nanoTime() + warmupNs();
            final long end = warmEnd + measureNs();
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
            writeResult(new BenchResult(BenchResult.RTT, opt("name", "raw-tcp")).latency(h));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // peer: Aeron IPC, embedded media driver (SHARED, backoff idle), busy-spinning ends
    // ---------------------------------------------------------------------------------------------

    private static final String IPC = "aeron:ipc";
    private static final int PING_STREAM = 1001;
    private static final int PONG_STREAM = 1002;

    private void aeronPong()
    {
        final String dir = opt("aeronDir", "/dev/shm/tcpshm-bench-aeron");
        final MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        try (MediaDriver driver = MediaDriver.launchEmbedded(ctx);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            Publication pub = aeron.addPublication(IPC, PONG_STREAM);
            Subscription sub = aeron.addSubscription(IPC, PING_STREAM))
        {
            ready(0);
            final FragmentHandler echo = (buffer, offset, length, header) ->
            {
                while (pub.offer(buffer, offset, length) < 0)
                {
                    // back-pressure: retry
                }
            };
            while (true)
            {
                sub.poll(echo, 1);
            }
        }
    }

    private void aeronPing() throws IOException
    {
        final int payload = intOpt("payload", 64);
        final String dir = opt("aeronDir", "/dev/shm/tcpshm-bench-aeron");
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            Publication pub = aeron.addPublication(IPC, PING_STREAM);
            Subscription sub = aeron.addSubscription(IPC, PONG_STREAM))
        {
            while (!pub.isConnected() || !sub.isConnected())
            {
                Thread.onSpinWait();
            }
            final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(8, payload)));
            final boolean[] echoed = new boolean[1];
            final FragmentHandler onPong = (buffer, offset, length, header) -> echoed[0] = true;
            final Histogram h = newHistogram();
            final long warmEnd = System.nanoTime() + warmupNs();
            final long end = warmEnd + measureNs();
            while (true)
            {
                final long t0 = System.nanoTime();
                if (t0 >= end)
                {
                    break;
                }
                for (int k = 0; k + 8 <= payload; k += 8)
                {
                    out.putLong(k, t0 + k);
                }
                while (pub.offer(out, 0, payload) < 0)
                {
                    // back-pressure: retry
                }
                echoed[0] = false;
                while (!echoed[0])
                {
                    sub.poll(onPong, 1);
                }
                if (t0 >= warmEnd)
                {
                    h.recordValue(Math.min(System.nanoTime() - t0, MAX_RTT_NS));
                }
            }
            writeResult(new BenchResult(BenchResult.RTT, opt("name", "aeron")).latency(h));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // floor: raw one-way stream over a mapped ring of 64-byte slots
    // ---------------------------------------------------------------------------------------------

    private static final int RING_SLOTS = 1 << 14;
    private static final int RING_WRITE = RING_SLOTS * 64;
    private static final int RING_READ = RING_WRITE + 128;

    private void rawShmStreamProducer() throws IOException
    {
        final int payload = intOpt("payload", 32);
        final MappedByteBuffer b = mapFile(opt("file", "raw-stream"), RING_READ + 128);
        long w = (long)LONG.getAcquire(b, RING_WRITE);
        long readCache = (long)LONG.getAcquire(b, RING_READ);
        while (true)
        {
            if (w - readCache >= RING_SLOTS)
            {
                readCache = (long)LONG.getAcquire(b, RING_READ);
                if (w - readCache >= RING_SLOTS)
                {
                    Thread.onSpinWait();
                    continue;
                }
            }
            final int slot = (int)(w & (RING_SLOTS - 1)) * 64;
            b.putLong(slot, w);
            for (int k = 8; k + 8 <= 8 + payload; k += 8)
            {
                b.putLong(slot + k, w + k);
            }
            w++;
            LONG.setRelease(b, RING_WRITE, w);
        }
    }

    private void rawShmStreamConsumer() throws IOException
    {
        final int payload = intOpt("payload", 32);
        final MappedByteBuffer b = mapFile(opt("file", "raw-stream"), RING_READ + 128);
        ready(0);
        long r = (long)LONG.getAcquire(b, RING_READ);
        long writeCache = r;
        long count = 0;
        long sink = 0;
        long firstAt = 0;
        long measureStart = 0;
        long startCount = 0;
        final long warmup = warmupNs();
        final long measure = measureNs();
        while (true)
        {
            if (r == writeCache)
            {
                writeCache = (long)LONG.getAcquire(b, RING_WRITE);
                if (r == writeCache)
                {
                    Thread.onSpinWait();
                    continue;
                }
            }
            final int slot = (int)(r & (RING_SLOTS - 1)) * 64;
            sink += b.getLong(slot + 8);
            r++;
            LONG.setRelease(b, RING_READ, r);
            if ((++count & 1023) == 0)
            {
                final long nanos = System.nanoTime();
                if (firstAt == 0)
                {
                    firstAt = nanos;
                }
                else if (measureStart == 0 && nanos - firstAt >= warmup)
                {
                    measureStart = nanos;
                    startCount = count;
                }
                else if (measureStart != 0 && nanos - measureStart >= measure)
                {
                    final double secs = (nanos - measureStart) / 1e9;
                    final long messages = count - startCount;
                    writeResult(new BenchResult(BenchResult.STREAM, opt("name", "raw-shm-stream"))
                        .put("messages", messages).put("seconds", secs).put("msgsPerSec", messages / secs)
                        .put("mbPerSec", messages * (double)payload / secs / 1e6).put("sink", sink & 1));
                    return;
                }
            }
        }
    }
}
