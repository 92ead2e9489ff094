package io.tcpshm;

import io.tcpshm.internal.LoginCodec;

import java.nio.ByteBuffer;

/**
 * Test-only access to the package-private constructors of the login views, so the conformance
 * tests decode captured frames through the same classes the library hands to its callbacks.
 */
public final class ConformanceViews
{
    private ConformanceViews()
    {
    }

    /**
     * @param codec the layout of the frame's configuration.
     * @param frame a login frame at offset 0, in the TCP byte order.
     * @return the view the server passes to {@code onNewConnection}.
     */
    public static LoginRequest loginRequest(final LoginCodec codec, final ByteBuffer frame)
    {
        return new LoginRequest(codec, frame);
    }

    /**
     * @param codec the layout of the frame's configuration.
     * @param frame a login response frame at offset 0, in the TCP byte order.
     * @return the view the client passes to its callbacks.
     */
    public static LoginResponse loginResponse(final LoginCodec codec, final ByteBuffer frame)
    {
        return new LoginResponse(codec, frame);
    }
}
