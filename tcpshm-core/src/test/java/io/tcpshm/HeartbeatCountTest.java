package io.tcpshm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: a heartbeat whose write the socket took only in part, and which a later poll
 * finished ({@code sendPending}), was not counted as sent. A socket that takes 3 bytes per write
 * plays it; the counter must say 1 once the 8 bytes are out, and the bytes must be one heartbeat.
 */
class HeartbeatCountTest
{
    @TempDir
    Path tmp;

    /** A connected socket stand-in: nothing to read; takes at most {@code perWrite} bytes per write. */
    private static final class TricklingChannel extends SocketChannel
    {
        final ByteBuffer written = ByteBuffer.allocate(1024);
        final int perWrite;

        TricklingChannel(final int perWrite)
        {
            super(SelectorProvider.provider());
            this.perWrite = perWrite;
        }

        @Override
        public int write(final ByteBuffer src)
        {
            final int n = Math.min(perWrite, src.remaining());
            for (int i = 0; i < n; i++)
            {
                written.put(src.get());
            }
            return n;
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length)
        {
            long n = 0;
            for (int i = offset; i < offset + length; i++)
            {
                n += write(srcs[i]);
            }
            return n;
        }

        @Override
        public int read(final ByteBuffer dst)
        {
            return 0;
        }

        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length)
        {
            return 0;
        }

        @Override
        public SocketChannel bind(final SocketAddress local)
        {
            return this;
        }

        @Override
        public <T> SocketChannel setOption(final SocketOption<T> name, final T value)
        {
            return this;
        }

        @Override
        public <T> T getOption(final SocketOption<T> name)
        {
            return null;
        }

        @Override
        public Set<SocketOption<?>> supportedOptions()
        {
            return Set.of();
        }

        @Override
        public SocketChannel shutdownInput()
        {
            return this;
        }

        @Override
        public SocketChannel shutdownOutput()
        {
            return this;
        }

        @Override
        public java.net.Socket socket()
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isConnected()
        {
            return true;
        }

        @Override
        public boolean isConnectionPending()
        {
            return false;
        }

        @Override
        public boolean connect(final SocketAddress remote)
        {
            return true;
        }

        @Override
        public boolean finishConnect()
        {
            return true;
        }

        @Override
        public SocketAddress getRemoteAddress()
        {
            return null;
        }

        @Override
        public SocketAddress getLocalAddress()
        {
            return null;
        }

        @Override
        protected void implCloseSelectableChannel()
        {
        }

        @Override
        protected void implConfigureBlocking(final boolean block)
        {
        }
    }

    @Test
    void aHeartbeatFinishedByALaterPollIsCountedOnce() throws IOException
    {
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(tmp).heartbeatInterval(3).connectionTimeout(1_000)
            .build();
        final TcpShmConnection conn = new TcpShmConnection(config, "cli", tmp);
        assertThat(conn.files().open("srv", false, false)).isNull();
        final TricklingChannel channel = new TricklingChannel(3);
        try
        {
            assertThat(conn.openSession(channel, false, 0, 1000, "test")).isTrue();
            conn.pollTcpSession(1001); // nothing due yet
            assertThat(channel.written.position()).isZero();
            for (int poll = 0; poll < 5; poll++)
            {
                conn.pollTcpSession(1003); // due: 3 bytes, then 3, then the last 2; then nothing more is due
            }
            assertThat(channel.written.position()).as("bytes written").isEqualTo(8);
            final ByteBuffer hb = channel.written.duplicate().flip().order(ByteOrder.LITTLE_ENDIAN);
            assertThat(hb.getShort(0)).as("size").isEqualTo((short)8);
            assertThat(hb.getShort(2)).as("type").isEqualTo((short)0);
            assertThat(hb.getInt(4)).as("ack").isZero();
            assertThat(conn.stats().heartbeatsSent()).as("heartbeats counted").isEqualTo(1);
        }
        finally
        {
            conn.requestClose(DisconnectReason.USER_CLOSE, "test over", null);
            conn.session().finish();
            conn.files().release(false);
        }
    }
}
