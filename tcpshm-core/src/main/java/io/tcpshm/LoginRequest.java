package io.tcpshm;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.LoginCodec;

import java.nio.ByteBuffer;

/**
 * A view of a received login frame, passed to {@link ServerHandler#onNewConnection}. Valid only
 * during that callback.
 */
public final class LoginRequest
{
    private final LoginCodec codec;
    private final ByteBuffer frame;

    LoginRequest(final LoginCodec codec, final ByteBuffer frame)
    {
        this.codec = codec;
        this.frame = frame;
    }

    /** @return the client's name (already checked to be a valid file-name part). */
    public String clientName()
    {
        final String name = LoginCodec.readCString(frame, codec.clientNameOffset(), codec.nameSize());
        return name == null ? "" : name;
    }

    /** @return the server name the client remembers from its last login, or "" for none. */
    public String lastServerName()
    {
        final String name = LoginCodec.readCString(frame, codec.lastServerNameOffset(), codec.nameSize());
        return name == null ? "" : name;
    }

    /** @return true when the client asks to carry messages over shared memory. */
    public boolean useShm()
    {
        return frame.get(codec.useShmOffset()) != 0;
    }

    /** @return {@code clientSeqStart} as a u32. */
    public long clientSeqStart()
    {
        return Bits.u32(frame.getInt(LoginCodec.SEQ_START_OFFSET));
    }

    /** @return {@code clientSeqEnd} as a u32. */
    public long clientSeqEnd()
    {
        return Bits.u32(frame.getInt(LoginCodec.SEQ_END_OFFSET));
    }

    /** @return the client's ack from the header as a u32. */
    public long clientAck()
    {
        return Bits.u32(frame.getInt(LoginCodec.ACK_OFFSET));
    }

    /** @return the frame; user data is at {@link #userDataOffset()} (raw bytes, read in place). */
    public ByteBuffer userData()
    {
        return frame;
    }

    /** @return offset of the user data in {@link #userData()}, aligned as configured. */
    public int userDataOffset()
    {
        return codec.loginUserDataOffset();
    }

    /** @return bytes of user data ({@code loginUserDataSize}). */
    public int userDataLength()
    {
        return codec.loginUserDataSize();
    }

    @Override
    public String toString()
    {
        return "LoginRequest{clientName=" + clientName() + ", lastServerName=" + lastServerName() +
            ", useShm=" + useShm() + '}';
    }
}
