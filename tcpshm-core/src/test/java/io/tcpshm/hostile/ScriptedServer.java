package io.tcpshm.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hostile server: a plain {@link ServerSocket} on its own thread that, for each script, accepts one
 * connection, reads the login frame, writes the scripted bytes in one write, then either half-closes
 * (FIN after the bytes) or stays silent, and reads until the client closes.
 */
final class ScriptedServer implements AutoCloseable
{
    record Script(byte[] reply, boolean halfClose)
    {
    }

    private final ServerSocket listener;
    private final Thread thread;
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    /** Per script, the login bytes the client sent (possibly fewer than a frame). */
    private final BlockingQueue<byte[]> logins = new LinkedBlockingQueue<>();
    private volatile boolean running = true;

    ScriptedServer() throws IOException
    {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(100);
        thread = new Thread(this::run, "scripted-server");
        thread.setDaemon(true);
        thread.start();
    }

    int port()
    {
        return listener.getLocalPort();
    }

    void play(final Script script)
    {
        scripts.add(script);
    }

    /** Waits for the connection of the last script to end; returns the login it received. */
    byte[] awaitLogin()
    {
        try
        {
            final byte[] login = logins.poll(20, TimeUnit.SECONDS);
            if (login == null)
            {
                throw new AssertionError("the scripted connection did not end");
            }
            return login;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private void run()
    {
        while (running)
        {
            final Script script;
            try
            {
                script = scripts.poll(100, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            if (script == null)
            {
                continue;
            }
            byte[] login = new byte[0];
            try (Socket socket = accept())
            {
                if (socket != null)
                {
                    socket.setSoTimeout(20_000);
                    socket.setTcpNoDelay(true);
                    final InputStream in = socket.getInputStream();
                    login = in.readNBytes(WireModel.LOGIN_FRAME);
                    socket.getOutputStream().write(script.reply());
                    socket.getOutputStream().flush();
                    if (script.halfClose())
                    {
                        socket.shutdownOutput();
                    }
                    final byte[] sink = new byte[4096];
                    while (in.read(sink) >= 0)
                    {
                        // heartbeats: discard until the client closes
                    }
                }
            }
            catch (final IOException ex)
            {
                // the client reset the connection: it is over either way
            }
            logins.add(login);
        }
    }

    private Socket accept() throws IOException
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (running && System.nanoTime() < deadline)
        {
            try
            {
                return listener.accept();
            }
            catch (final java.net.SocketTimeoutException ex)
            {
                // again
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException
    {
        running = false;
        listener.close();
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
