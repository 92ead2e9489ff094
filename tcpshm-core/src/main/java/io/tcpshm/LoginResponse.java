package io.tcpshm;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.LoginCodec;

import java.nio.ByteBuffer;

/**
 * A view of a login response frame: read by a client's callbacks, and filled in by a server's
 * {@link ServerHandler#onNewConnection} (user data and error message). Valid only during the
 * callback it is passed to.
 */
public final class LoginResponse
{
    private final LoginCodec codec;
    private final ByteBuffer frame;
    private String errorMessage;

    LoginResponse(final LoginCodec codec, final ByteBuffer frame)
    {
        this.codec = codec;
        this.frame = frame;
    }

    /** @return the server's name. */
    public String serverName()
    {
        final String name = LoginCodec.readCString(frame, codec.serverNameOffset(), codec.nameSize());
        return name == null ? "" : name;
    }

    /** @return 0 accepted, 1 sequence number mismatch, 2 rejected. */
    public int status()
    {
        return frame.get(codec.statusOffset()) & 0xFF;
    }

    /**
     * @return on a client: the error text received (empty on success); on a server: what the
     *     callback set, or null.
     */
    public String errorMessage()
    {
        if (errorMessage != null)
        {
            return errorMessage;
        }
        // a C++ server copies its text with strncpy, so one of 32 characters or more fills the field with no NUL
        return LoginCodec.readText(frame, codec.errorMsgOffset(), LoginCodec.ERROR_MSG_SIZE);
    }

    /**
     * Server side: sets the error text sent with a rejection (at most 31 bytes are sent).
     *
     * @param message text for the client.
     * @return this view.
     */
    public LoginResponse errorMessage(final String message)
    {
        errorMessage = message;
        return this;
    }

    String errorMessageSet()
    {
        return errorMessage;
    }

    /** @return {@code serverSeqStart} as a u32 (meaningful for status 0 and 1). */
    public long serverSeqStart()
    {
        return Bits.u32(frame.getInt(LoginCodec.SEQ_START_OFFSET));
    }

    /** @return {@code serverSeqEnd} as a u32 (meaningful for status 0 and 1). */
    public long serverSeqEnd()
    {
        return Bits.u32(frame.getInt(LoginCodec.SEQ_END_OFFSET));
    }

    /** @return the server's ack from the header as a u32 (meaningful for status 0 and 1). */
    public long serverAck()
    {
        return Bits.u32(frame.getInt(LoginCodec.ACK_OFFSET));
    }

    /** @return the frame; user data is at {@link #userDataOffset()} (raw bytes, read or write in place). */
    public ByteBuffer userData()
    {
        return frame;
    }

    /** @return offset of the user data in {@link #userData()}, aligned as configured. */
    public int userDataOffset()
    {
        return codec.rspUserDataOffset();
    }

    /** @return bytes of user data ({@code loginResponseUserDataSize}). */
    public int userDataLength()
    {
        return codec.rspUserDataSize();
    }

    void reset()
    {
        errorMessage = null;
    }

    @Override
    public String toString()
    {
        return "LoginResponse{serverName=" + serverName() + ", status=" + status() + ", errorMessage=" +
            errorMessage() + '}';
    }
}
