package io.tcpshm.conformance;

import io.tcpshm.ClientHandler;
import io.tcpshm.DisconnectReason;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.TcpShmClient;

import java.util.ArrayList;
import java.util.List;

/**
 * A client handler that records every callback, like the C++ harness's log lines, and pops each
 * message (the harness's "pop" mode) or only fronts it ("hold" mode).
 */
final class RecordingClientHandler implements ClientHandler
{
    /** One delivered message: type, size, ackSeq and payload as hex. */
    record Msg(int msgType, int size, long ackSeq, String payloadHex)
    {
    }

    final List<String> systemErrors = new ArrayList<>();
    final List<Msg> popped = new ArrayList<>();
    final List<Msg> fronted = new ArrayList<>();
    TcpShmClient client;
    boolean pop = true;
    long loginNow = 1000;
    int loginSuccesses;
    String disconnectReason;
    // onLoginReject / onLoginSuccess
    int rspStatus = -1;
    String rspServerName;
    String rspError;
    String rspUserDataHex;
    long[] mismatch;

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        systemErrors.add(message);
    }

    @Override
    public void onLoginReject(final LoginResponse response)
    {
        capture(response);
    }

    @Override
    public long onLoginSuccess(final LoginResponse response)
    {
        capture(response);
        loginSuccesses++;
        return loginNow;
    }

    private void capture(final LoginResponse response)
    {
        rspStatus = response.status();
        rspServerName = response.serverName();
        rspError = response.errorMessage();
        final byte[] ud = new byte[response.userDataLength()];
        for (int i = 0; i < ud.length; i++)
        {
            ud[i] = response.userData().get(response.userDataOffset() + i);
        }
        rspUserDataHex = Fixtures.hex(ud);
    }

    @Override
    public void onSeqNumberMismatch(final long localAck, final long localSeqStart, final long localSeqEnd,
        final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
    {
        mismatch = new long[] {localAck, localSeqStart, localSeqEnd, remoteAck, remoteSeqStart, remoteSeqEnd};
    }

    @Override
    public void onServerMsg(final MsgHeader header)
    {
        final byte[] payload = new byte[header.payloadLength()];
        for (int i = 0; i < payload.length; i++)
        {
            payload[i] = header.buffer().get(header.payloadOffset() + i);
        }
        final Msg m = new Msg(header.msgType(), header.size(), header.ackSeq(), Fixtures.hex(payload));
        if (pop)
        {
            popped.add(m);
            client.connection().pop();
        }
        else if (fronted.isEmpty() || !fronted.get(fronted.size() - 1).equals(m))
        {
            // an unpopped message is delivered again by every poll: record it once
            fronted.add(m);
        }
    }

    @Override
    public void onDisconnected(final DisconnectReason reason, final String detail, final Exception cause)
    {
        disconnectReason = reason.describe(detail);
    }
}
