package io.tcpshm.limits;

import io.tcpshm.LoginRequest;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.ServerHandler;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.TcpShmServer;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The child JVM of {@link DescriptorLimitTest}: an echo server that, on command from its standard input, takes every
 * free file descriptor of its process but {@code n} ({@code hog n}) or gives {@code n} back ({@code free n}), and
 * prints its callbacks ({@code systemError ...}, {@code logon NAME}) and its answers ({@code HOGGED}, {@code FREED})
 * on standard output. Every class it needs is loaded before it hogs: with no descriptor left, a class file on the
 * class path could not be opened.
 */
public final class DescriptorHogServer implements ServerHandler
{
    private final Deque<FileInputStream> hog = new ArrayDeque<>();

    private DescriptorHogServer()
    {
    }

    /**
     * @param args the ptcp directory.
     * @throws Exception when the server cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final DescriptorHogServer handler = new DescriptorHogServer();
        final TcpShmConfig config = TcpShmConfig.builder().maxTcpConnectionsPerGroup(8).maxNewConnections(8)
            .connectionTimeout(1_000_000).newConnectionTimeout(1_000_000).build();
        final TcpShmServer server = new TcpShmServer("srv", Path.of(args[0]), config, handler);
        if (!server.start("127.0.0.1", 0))
        {
            throw new IllegalStateException("server did not start");
        }
        say("PORT " + server.localPort());
        final BufferedReader commands = new BufferedReader(new InputStreamReader(System.in));
        final Deque<String> pending = new java.util.concurrent.ConcurrentLinkedDeque<>();
        final Thread reader = new Thread(() ->
        {
            try
            {
                for (String line; (line = commands.readLine()) != null; )
                {
                    pending.add(line);
                }
            }
            catch (final IOException ignore)
            {
                // the parent went away
            }
            pending.add("exit 0");
        });
        reader.setDaemon(true);
        reader.start();
        long now = 0;
        while (true)
        {
            final String command = pending.poll();
            if (command != null)
            {
                final String[] c = command.split(" ");
                final int n = Integer.parseInt(c[1]);
                switch (c[0])
                {
                    case "hog" -> handler.hogAllBut(n);
                    case "free" -> handler.free(n);
                    default ->
                    {
                        server.stop();
                        return;
                    }
                }
            }
            now++;
            server.pollCtl(now >> 20);
            server.pollTcp(now >> 20, 0);
        }
    }

    private static synchronized void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }

    /** Opens /dev/null until the process has no descriptor left, then closes {@code spare} of them. */
    private void hogAllBut(final int spare) throws IOException
    {
        try
        {
            while (true)
            {
                hog.push(new FileInputStream("/dev/null"));
            }
        }
        catch (final IOException ex)
        {
            if (ex.getMessage() == null || !ex.getMessage().contains("Too many open files"))
            {
                throw ex;
            }
        }
        free(spare);
        say("HOGGED " + hog.size());
    }

    private void free(final int n) throws IOException
    {
        for (int i = 0; i < n && !hog.isEmpty(); i++)
        {
            hog.pop().close();
        }
        say("FREED " + n);
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        say("systemError " + message);
    }

    @Override
    public int onNewConnection(final InetSocketAddress remoteAddress, final LoginRequest login, final LoginResponse response)
    {
        return 0;
    }

    @Override
    public void onClientLogon(final InetSocketAddress remoteAddress, final TcpShmConnection conn)
    {
        say("logon " + conn.remoteName());
    }

    @Override
    public void onClientMsg(final TcpShmConnection conn, final MsgHeader in)
    {
        final MsgHeader out = conn.alloc(in.payloadLength());
        if (out == null)
        {
            return;
        }
        out.msgType(in.msgType());
        out.buffer().put(out.payloadOffset(), in.buffer(), in.payloadOffset(), in.payloadLength());
        conn.pop();
        conn.push();
    }
}
