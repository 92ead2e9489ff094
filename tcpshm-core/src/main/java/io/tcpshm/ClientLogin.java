package io.tcpshm;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.Closeables;
import io.tcpshm.internal.FlightEvents;
import io.tcpshm.internal.FrameHeader;
import io.tcpshm.internal.LoginCodec;
import io.tcpshm.internal.Names;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A client's login exchange (docs/PROTOCOL.md, "Login"): a new socket, the login frame out, the response
 * frame in by one deadline, and the checks of the response that need none of the client's files (its
 * frame, its status, the server's name). {@link TcpShmClient} then decides what the answer means for its
 * files and its session. A failure is reported to the handler and closes the socket; nothing is thrown.
 * The frames are allocated once, so a reconnect allocates only what the JDK's sockets do.
 */
final class ClientLogin
{
    private final String clientName;
    private final TcpShmConfig config;
    private final ClientHandler handler;
    private final LoginCodec codec;
    private final ByteBuffer loginFrame;
    private final ByteBuffer rspFrame;
    private final LoginResponse rspView;

    ClientLogin(final String clientName, final TcpShmConfig config, final ClientHandler handler)
    {
        this.clientName = clientName;
        this.config = config;
        this.handler = handler;
        this.codec = new LoginCodec(config);
        this.loginFrame = ByteBuffer.allocateDirect(codec.loginFrameSize()).order(config.byteOrder());
        this.rspFrame = ByteBuffer.allocateDirect(codec.rspFrameSize()).order(config.byteOrder());
        this.rspView = new LoginResponse(codec, rspFrame);
    }

    /**
     * Connects, sends the login and reads the whole response, each within {@code loginTimeoutMillis}.
     *
     * @param host server host.
     * @param port server port.
     * @param useShm the transport asked for.
     * @param userData the login's user data, or null.
     * @param ack the client's ack (0 without a remembered server).
     * @param seqStart the first sequence in the client's queue.
     * @param seqEnd the sequence after the last one in the client's queue.
     * @param remembered the server remembered from the last login, or "".
     * @return the socket, non-blocking, with the response in {@link #response()}; null after a failure was
     *     reported.
     */
    SocketChannel exchange(final String host, final int port, final boolean useShm, final byte[] userData,
        final int ack, final int seqStart, final int seqEnd, final String remembered)
    {
        SocketChannel socket = null;
        try
        {
            socket = SocketChannel.open();
            socket.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
            final Socket adaptor = socket.socket();
            adaptor.connect(new InetSocketAddress(host, port), config.loginTimeoutMillis());
            codec.encodeLogin(loginFrame, ack, seqStart, seqEnd, userData, useShm, clientName, remembered);
            loginFrame.clear();
            while (loginFrame.hasRemaining())
            {
                socket.write(loginFrame);
            }
            if (!readResponse(adaptor, System.nanoTime() + config.loginTimeoutMillis() * 1_000_000L))
            {
                handler.onSystemError("Login response not received: the server closed the connection", null);
                Closeables.closeQuietly(socket);
                return null;
            }
            socket.configureBlocking(false);
            return socket;
        }
        catch (final IOException | RuntimeException ex)
        {
            handler.onSystemError("Connect to " + host + ":" + port + " failed: " + ex, ex instanceof Exception ? ex : null);
            Closeables.closeQuietly(socket);
            return null;
        }
    }

    /**
     * Reads the login response frame by one deadline for the whole frame: a server that trickles it a
     * byte at a time must not hold {@code connect} for a timeout per read.
     */
    private boolean readResponse(final Socket adaptor, final long deadlineNanos) throws IOException
    {
        final InputStream in = adaptor.getInputStream();
        final byte[] bytes = new byte[codec.rspFrameSize()];
        int n = 0;
        while (n < bytes.length)
        {
            final long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000L;
            final int r;
            try
            {
                if (leftMillis <= 0)
                {
                    throw new SocketTimeoutException();
                }
                adaptor.setSoTimeout((int)Math.min(Integer.MAX_VALUE, leftMillis));
                r = in.read(bytes, n, bytes.length - n);
            }
            catch (final SocketTimeoutException ex)
            {
                throw new SocketTimeoutException("login response timed out after loginTimeoutMillis (" +
                    config.loginTimeoutMillis() + " ms) with " + n + " of its " + bytes.length + " bytes");
            }
            if (r < 0)
            {
                return false;
            }
            n += r;
        }
        rspFrame.clear();
        rspFrame.put(bytes).clear();
        return true;
    }

    /**
     * Checks the response that {@link #exchange} read: its frame, its status and the server's name.
     *
     * @param socket the exchange's socket, closed here on a failure.
     * @param ack the ack the login sent.
     * @param seqStart the first sequence the login sent.
     * @param seqEnd the end sequence the login sent.
     * @return the server's (valid) name when it accepted the login; null after the failure was reported
     *     ({@code onSystemError}, {@code onSeqNumberMismatch} or {@code onLoginReject}).
     */
    String accepted(final SocketChannel socket, final int ack, final int seqStart, final int seqEnd)
    {
        rspView.reset();
        final int size = FrameHeader.size(rspFrame, 0);
        final int type = FrameHeader.msgType(rspFrame, 0);
        final String serverName = LoginCodec.readCString(rspFrame, codec.serverNameOffset(), config.nameSize());
        final boolean nameHasNul = LoginCodec.hasNul(rspFrame, codec.serverNameOffset(), config.nameSize());
        if (size != codec.rspMsgSize() || type != LoginCodec.LOGIN_RSP_TYPE || !nameHasNul ||
            serverName != null && serverName.isEmpty())
        {
            handler.onSystemError("Invalid LoginRsp: size " + size + " (expected " + codec.rspMsgSize() + "), type " +
                type + ", server name " + (!nameHasNul ? "without NUL" : "'" + serverName + "'") +
                ": do both sides use the same nameSize and user data sizes?", null);
            Closeables.closeQuietly(socket);
            return null;
        }
        final int status = rspView.status();
        if (status == LoginCodec.STATUS_SEQ_MISMATCH)
        {
            mismatch(socket, serverName, ack, seqStart, seqEnd);
            return null;
        }
        if (status != LoginCodec.STATUS_OK)
        {
            Closeables.closeQuietly(socket);
            FlightEvents.loginReject(FlightEvents.CLIENT, clientName, serverName, status, rspView.errorMessage());
            handler.onLoginReject(rspView);
            return null;
        }
        final String problem = serverName == null ? "is not UTF-8" : Names.problem(serverName, config.nameSize());
        if (problem != null)
        {
            Closeables.closeQuietly(socket);
            handler.onSystemError("Invalid LoginRsp: server name '" + serverName + "' " + problem, null);
            return null;
        }
        return serverName;
    }

    /**
     * Reports a sequence mismatch (the server's or one this client found) to the flight recorder and the
     * handler, and closes the socket.
     *
     * @param socket the exchange's socket.
     * @param serverName the server's name, or null when it is not valid UTF-8.
     * @param ack the client's ack.
     * @param seqStart the first sequence in the client's queue.
     * @param seqEnd the sequence after the last one in the client's queue.
     */
    void mismatch(final SocketChannel socket, final String serverName, final int ack, final int seqStart,
        final int seqEnd)
    {
        Closeables.closeQuietly(socket);
        FlightEvents.sequenceMismatch(FlightEvents.CLIENT, clientName, serverName, Bits.u32(ack), Bits.u32(seqStart),
            Bits.u32(seqEnd), rspView.serverAck(), rspView.serverSeqStart(), rspView.serverSeqEnd());
        handler.onSeqNumberMismatch(Bits.u32(ack), Bits.u32(seqStart), Bits.u32(seqEnd),
            rspView.serverAck(), rspView.serverSeqStart(), rspView.serverSeqEnd());
    }

    /** @return the response of the last exchange, valid until the next one. */
    LoginResponse response()
    {
        return rspView;
    }

    /** @return the server's ack in the last response, as the int the sequence arithmetic uses. */
    int serverAck()
    {
        return rspFrame.getInt(LoginCodec.ACK_OFFSET);
    }
}
