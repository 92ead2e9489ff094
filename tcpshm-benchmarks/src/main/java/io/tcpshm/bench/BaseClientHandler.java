package io.tcpshm.bench;

import io.tcpshm.ClientHandler;
import io.tcpshm.DisconnectReason;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;

import static io.tcpshm.bench.TcpShmSetup.seconds;

/**
 * Client callbacks that report errors on stderr, which {@link BenchCommand} shows when a row fails,
 * and ignore what arrives. Not final: the ping client overrides the message callback.
 */
class BaseClientHandler implements ClientHandler
{
    /** {@inheritDoc} */
    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        System.err.println("client: " + message);
    }

    /** {@inheritDoc} */
    @Override
    public void onLoginReject(final LoginResponse response)
    {
        System.err.println("client: rejected " + response.errorMessage());
    }

    /** {@inheritDoc} */
    @Override
    public long onLoginSuccess(final LoginResponse response)
    {
        return seconds(System.nanoTime());
    }

    /** {@inheritDoc} */
    @Override
    public void onSeqNumberMismatch(final long a, final long b, final long c, final long d, final long e, final long f)
    {
        System.err.println("client: seq mismatch");
    }

    /** {@inheritDoc} */
    @Override
    public void onServerMsg(final MsgHeader header)
    {
    }

    /** {@inheritDoc} */
    @Override
    public void onDisconnected(final DisconnectReason reason, final String detail, final Exception cause)
    {
        System.err.println("client: disconnected " + reason.describe(detail));
    }
}
