package io.tcpshm.bench;

import io.tcpshm.LoginRequest;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.ServerHandler;
import io.tcpshm.TcpShmConnection;

import java.net.InetSocketAddress;

/**
 * Server callbacks that accept every log-on, pop what arrives and report errors on stderr, which
 * {@link BenchCommand} shows when a row fails. Not final: the benchmark server overrides the message callback.
 */
class BaseServerHandler implements ServerHandler
{
    /** {@inheritDoc} */
    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        System.err.println("server: " + message);
    }

    /** {@inheritDoc} */
    @Override
    public int onNewConnection(final InetSocketAddress a, final LoginRequest login, final LoginResponse rsp)
    {
        return 0;
    }

    /** {@inheritDoc} */
    @Override
    public void onClientFileError(final TcpShmConnection conn, final String reason, final Exception cause)
    {
        System.err.println("server: " + reason);
    }

    /** {@inheritDoc} */
    @Override
    public void onSeqNumberMismatch(final TcpShmConnection conn, final long a, final long b, final long c,
        final long d, final long e, final long f)
    {
        System.err.println("server: seq mismatch");
    }

    /** {@inheritDoc} */
    @Override
    public void onClientMsg(final TcpShmConnection conn, final MsgHeader header)
    {
        conn.pop();
    }
}
