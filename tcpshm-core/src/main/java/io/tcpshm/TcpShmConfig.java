package io.tcpshm;

import io.tcpshm.internal.Bits;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Immutable settings of a {@link TcpShmClient} or {@link TcpShmServer}, built with {@link #builder()}.
 *
 * <p>The first group of settings are those of the C++ tcpshm framework (docs/PROTOCOL.md, "Configuration
 * names") with the same defaults; a Java peer and a C++ peer interoperate when these match. The
 * rest are this implementation's own and do not change the wire or file format.
 *
 * <p>Time settings ({@code connectionTimeout}, {@code heartbeatInterval}, {@code newConnectionTimeout},
 * {@code ackDelay}) are in the units of the {@code now} timestamps the user passes to the poll calls;
 * the defaults (10, 3, 3) assume seconds, as in the C++ framework. Scale all of them together if
 * your clock counts nanoseconds.
 */
public final class TcpShmConfig
{
    /** Default of {@link Builder#tcpReadinessThreshold(int)}. */
    public static final int DEFAULT_TCP_READINESS_THRESHOLD = 8;
    /** Default of {@link Builder#shmRingsPerPoll(int)}. */
    public static final int DEFAULT_SHM_RINGS_PER_POLL = 8;
    /** Default of {@link Builder#controlSocketPollPeriod(int)}. */
    public static final int DEFAULT_CONTROL_SOCKET_POLL_PERIOD = 64;

    /** A private copy of the builder's values (-1 for the derived ack settings, so that toBuilder keeps deriving). */
    private final ConfigValues v = new ConfigValues();
    private final int ackThresholdBytes;
    private final long ackDelay;

    private TcpShmConfig(final Builder b)
    {
        v.copyFrom(b);
        ackThresholdBytes = b.ackThresholdBytes >= 0 ? b.ackThresholdBytes : Math.max(8, b.tcpQueueSize / 4);
        // at least 1: a default of 0 (heartbeatInterval below 3) would send an ack-only heartbeat, a system call,
        // on every poll after a pop
        ackDelay = b.ackDelay >= 0 ? b.ackDelay : Math.max(1, b.heartbeatInterval / 3);
    }

    /**
     * @return a builder holding the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the defaults, the same as the C++ framework's.
     */
    public static TcpShmConfig defaults()
    {
        return builder().build();
    }

    /**
     * @return a builder holding this configuration's values, to derive a variant.
     */
    public Builder toBuilder()
    {
        final Builder b = new Builder();
        b.copyFrom(v);
        return b;
    }

    /** @return bytes of a name field including its NUL; names hold at most {@code nameSize - 1} bytes (C++ {@code NameSize}). */
    public int nameSize()
    {
        return v.nameSize;
    }

    /** @return bytes of one SHM ring, a power-of-two count of 64-byte blocks (C++ {@code ShmQueueSize}). */
    public int shmQueueSize()
    {
        return v.shmQueueSize;
    }

    /** @return true when TCP headers and handshake integers are little-endian (C++ {@code ToLittleEndian}). */
    public boolean toLittleEndian()
    {
        return v.toLittleEndian;
    }

    /** @return the TCP byte order as a {@link ByteOrder}; also the order of payload buffers handed to users. */
    public ByteOrder byteOrder()
    {
        return v.toLittleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /** @return bytes of the persistent TCP send queue (C++ {@code TcpQueueSize}). */
    public int tcpQueueSize()
    {
        return v.tcpQueueSize;
    }

    /** @return initial TCP receive buffer size (C++ {@code TcpRecvBufInitSize}). */
    public int tcpReceiveBufferInitialSize()
    {
        return v.tcpReceiveBufferInitialSize;
    }

    /** @return largest TCP receive buffer; a bigger message closes the connection (C++ {@code TcpRecvBufMaxSize}). */
    public int tcpReceiveBufferMaxSize()
    {
        return v.tcpReceiveBufferMaxSize;
    }

    /** @return whether TCP_NODELAY is set on sockets (C++ {@code TcpNoDelay}). */
    public boolean tcpNoDelay()
    {
        return v.tcpNoDelay;
    }

    /**
     * @return close a connection when nothing was received for longer than this (user time units; C++
     *     {@code ConnectionTimeout}).
     */
    public long connectionTimeout()
    {
        return v.connectionTimeout;
    }

    /** @return send a heartbeat when nothing was sent for this long (user time units; C++ {@code HeartBeatInverval}, sic). */
    public long heartbeatInterval()
    {
        return v.heartbeatInterval;
    }

    /** @return bytes of the login's user data (C++ {@code sizeof(LoginUserData)}). */
    public int loginUserDataSize()
    {
        return v.loginUserDataSize;
    }

    /** @return alignment of the login's user data (C++ {@code alignof(LoginUserData)}). */
    public int loginUserDataAlign()
    {
        return v.loginUserDataAlign;
    }

    /** @return bytes of the login response's user data (C++ {@code sizeof(LoginRspUserData)}). */
    public int loginResponseUserDataSize()
    {
        return v.loginResponseUserDataSize;
    }

    /** @return alignment of the login response's user data (C++ {@code alignof(LoginRspUserData)}). */
    public int loginResponseUserDataAlign()
    {
        return v.loginResponseUserDataAlign;
    }

    /** @return server: accepted sockets that have not logged in yet (C++ {@code MaxNewConnections}). */
    public int maxNewConnections()
    {
        return v.maxNewConnections;
    }

    /** @return server: number of SHM connection groups (C++ {@code MaxShmGrps}). */
    public int maxShmGroups()
    {
        return v.maxShmGroups;
    }

    /** @return server: SHM connection slots per group (C++ {@code MaxShmConnsPerGrp}). */
    public int maxShmConnectionsPerGroup()
    {
        return v.maxShmConnectionsPerGroup;
    }

    /** @return server: number of TCP connection groups (C++ {@code MaxTcpGrps}). */
    public int maxTcpGroups()
    {
        return v.maxTcpGroups;
    }

    /** @return server: TCP connection slots per group (C++ {@code MaxTcpConnsPerGrp}). */
    public int maxTcpConnectionsPerGroup()
    {
        return v.maxTcpConnectionsPerGroup;
    }

    /**
     * @return server: a socket that has not sent a full login in this time is closed (user time units; C++
     *     {@code NewConnectionTimeout}).
     */
    public long newConnectionTimeout()
    {
        return v.newConnectionTimeout;
    }

    /** @return directory of the SHM ring files ({@code /dev/shm} by default, where C++ {@code shm_open} puts them). */
    public Path shmDir()
    {
        return v.shmDir;
    }

    /**
     * @return prompt acks: bytes of popped messages whose ack has not been sent yet that trigger an
     *     ack-only heartbeat at the next poll.
     */
    public int ackThresholdBytes()
    {
        return ackThresholdBytes;
    }

    /**
     * @return prompt acks: an ack-only heartbeat goes out when popped messages are unannounced and
     *     nothing was sent for this long (user time units).
     */
    public long ackDelay()
    {
        return ackDelay;
    }

    /**
     * @return server: {@code pollCtl} makes its system calls (accept, login reads, SHM links) on one
     *     call out of this many; the other calls touch memory only.
     */
    public int controlSocketPollPeriod()
    {
        return v.controlSocketPollPeriod;
    }

    /** @return server: live connections from which a TCP group reads only the sockets a selector reports. */
    public int tcpReadinessThreshold()
    {
        return v.tcpReadinessThreshold;
    }

    /** @return server: rings an SHM group checks per poll besides the lately active ones (all, up to this many). */
    public int shmRingsPerPoll()
    {
        return v.shmRingsPerPoll;
    }

    /** @return client: milliseconds {@code connect} waits for the TCP connection and for the login response. */
    public int loginTimeoutMillis()
    {
        return v.loginTimeoutMillis;
    }

    /** @return whether new files and the ptcp directory are created group-readable/writable (else owner only). */
    public boolean shareFilesWithGroup()
    {
        return v.shareFilesWithGroup;
    }

    /**
     * @return whether the client or server publishes its connections' counters in
     *     {@code <ptcpDir>/<name>.counters} for {@code tcpshm stat} (off by default).
     */
    public boolean publishCounters()
    {
        return v.publishCounters;
    }

    /**
     * @return whether the client or server registers a {@link ConnectionMXBean} per connection in the platform
     *     MBean server, for JConsole, VisualVM or a JMX exporter (off by default).
     */
    public boolean registerMXBeans()
    {
        return v.registerMXBeans;
    }

    /**
     * @return durability of the PTCP queue file across a power loss: -1 (the default, as in C++)
     *     leaves writing to the operating system, which keeps a crashed process's pushes but not a
     *     machine that loses power; 0 forces the file to storage on every push, before the message
     *     is written to the socket; N &gt; 0 forces it at most every N user time units, from the polls.
     *     A force also persists {@code myAck}: messages popped after the last force may be delivered
     *     again after a power loss.
     */
    public long ptcpForceInterval()
    {
        return v.ptcpForceInterval;
    }

    /**
     * @return SHM: close a connection whose peer has left messages unconsumed in this side's ring for
     *     this long (user time units) while its heartbeats keep arriving: a peer that does not map the
     *     same rings (another host, container or {@code shmDir}), or is stuck. -1 (the default) never.
     *     Two Java peers detect rings that are not shared without it (docs/PROTOCOL.md, "The TCP link of
     *     an SHM connection"); with a C++ peer this is the check to opt into.
     */
    public long shmConsumeTimeout()
    {
        return v.shmConsumeTimeout;
    }

    /** @return blocks of 64 bytes in one SHM ring. */
    public int shmBlockCount()
    {
        return v.shmQueueSize / 64;
    }

    @Override
    public String toString()
    {
        return v.describe(ackThresholdBytes, ackDelay);
    }

    /**
     * Mutable builder; {@link #build()} validates every value and throws an
     * {@link IllegalArgumentException} that names the offending setting.
     */
    public static final class Builder extends ConfigValues
    {
        private Builder()
        {
        }

        /**
         * @param v bytes of a name field including the NUL (default 16).
         * @return this
         */
        public Builder nameSize(final int v)
        {
            nameSize = v;
            return this;
        }

        /**
         * @param v bytes of an SHM ring: 64 times a power of two (default 2048).
         * @return this
         */
        public Builder shmQueueSize(final int v)
        {
            shmQueueSize = v;
            return this;
        }

        /**
         * @param v little-endian TCP headers (default true).
         * @return this
         */
        public Builder toLittleEndian(final boolean v)
        {
            toLittleEndian = v;
            return this;
        }

        /**
         * @param v bytes of the persistent TCP send queue, multiple of 8 (default 2000).
         * @return this
         */
        public Builder tcpQueueSize(final int v)
        {
            tcpQueueSize = v;
            return this;
        }

        /**
         * @param v initial TCP receive buffer, multiple of 8 (default 2000).
         * @return this
         */
        public Builder tcpReceiveBufferInitialSize(final int v)
        {
            tcpReceiveBufferInitialSize = v;
            return this;
        }

        /**
         * @param v largest TCP receive buffer, multiple of 8 (default 8000).
         * @return this
         */
        public Builder tcpReceiveBufferMaxSize(final int v)
        {
            tcpReceiveBufferMaxSize = v;
            return this;
        }

        /**
         * @param v set TCP_NODELAY (default true).
         * @return this
         */
        public Builder tcpNoDelay(final boolean v)
        {
            tcpNoDelay = v;
            return this;
        }

        /**
         * @param v receive silence that closes a connection, user time units (default 10).
         * @return this
         */
        public Builder connectionTimeout(final long v)
        {
            connectionTimeout = v;
            return this;
        }

        /**
         * @param v send silence after which a heartbeat goes out, user time units (default 3).
         * @return this
         */
        public Builder heartbeatInterval(final long v)
        {
            heartbeatInterval = v;
            return this;
        }

        /**
         * @param size bytes of the login user data (default 1).
         * @param align its alignment, a power of two (default 1).
         * @return this
         */
        public Builder loginUserData(final int size, final int align)
        {
            loginUserDataSize = size;
            loginUserDataAlign = align;
            return this;
        }

        /**
         * @param size bytes of the login response user data (default 1).
         * @param align its alignment, a power of two (default 1).
         * @return this
         */
        public Builder loginResponseUserData(final int size, final int align)
        {
            loginResponseUserDataSize = size;
            loginResponseUserDataAlign = align;
            return this;
        }

        /**
         * @param v server: sockets accepted but not logged in (default 5).
         * @return this
         */
        public Builder maxNewConnections(final int v)
        {
            maxNewConnections = v;
            return this;
        }

        /**
         * @param v server: SHM groups (default 1).
         * @return this
         */
        public Builder maxShmGroups(final int v)
        {
            maxShmGroups = v;
            return this;
        }

        /**
         * @param v server: SHM slots per group (default 4).
         * @return this
         */
        public Builder maxShmConnectionsPerGroup(final int v)
        {
            maxShmConnectionsPerGroup = v;
            return this;
        }

        /**
         * @param v server: TCP groups (default 1).
         * @return this
         */
        public Builder maxTcpGroups(final int v)
        {
            maxTcpGroups = v;
            return this;
        }

        /**
         * @param v server: TCP slots per group (default 4).
         * @return this
         */
        public Builder maxTcpConnectionsPerGroup(final int v)
        {
            maxTcpConnectionsPerGroup = v;
            return this;
        }

        /**
         * @param v server: time allowed for a full login after accept, user time units (default 3).
         * @return this
         */
        public Builder newConnectionTimeout(final long v)
        {
            newConnectionTimeout = v;
            return this;
        }

        /**
         * @param v directory of the SHM ring files (default {@code /dev/shm}).
         * @return this
         */
        public Builder shmDir(final Path v)
        {
            shmDir = v;
            return this;
        }

        /**
         * @param v prompt-ack byte threshold (default: a quarter of {@code tcpQueueSize}, the peer's
         *     queue size when both sides share settings).
         * @return this
         */
        public Builder ackThresholdBytes(final int v)
        {
            ackThresholdBytes = v;
            return this;
        }

        /**
         * @param v prompt-ack delay, user time units (default {@code max(1, heartbeatInterval / 3)}); 0 sends
         *     an ack-only heartbeat at every poll that follows a pop.
         * @return this
         */
        public Builder ackDelay(final long v)
        {
            ackDelay = v;
            return this;
        }

        /**
         * @param v {@code pollCtl} calls (and client {@code pollTcp} calls in SHM mode) per round of system
         *     calls (default 64).
         * @return this
         */
        public Builder controlSocketPollPeriod(final int v)
        {
            controlSocketPollPeriod = v;
            return this;
        }

        /**
         * @param v live connections from which a TCP group polls by readiness; 1 always, {@code Integer.MAX_VALUE}
         *     never (default {@value TcpShmConfig#DEFAULT_TCP_READINESS_THRESHOLD}, measured: README, "Thousands of
         *     connections"); below half of it the group reads every socket.
         * @return this
         */
        public Builder tcpReadinessThreshold(final int v)
        {
            tcpReadinessThreshold = v;
            return this;
        }

        /**
         * @param v rings an SHM group checks per poll beyond the active ones; {@code Integer.MAX_VALUE}: every ring
         *     (default {@value TcpShmConfig#DEFAULT_SHM_RINGS_PER_POLL}, measured: README, "Thousands of connections").
         * @return this
         */
        public Builder shmRingsPerPoll(final int v)
        {
            shmRingsPerPoll = v;
            return this;
        }

        /**
         * @param v client: milliseconds to wait for connect and for the login response (default 10000).
         * @return this
         */
        public Builder loginTimeoutMillis(final int v)
        {
            loginTimeoutMillis = v;
            return this;
        }

        /**
         * @param v create files and directories group-readable/writable (default false: owner only).
         * @return this
         */
        public Builder shareFilesWithGroup(final boolean v)
        {
            shareFilesWithGroup = v;
            return this;
        }

        /**
         * @param v publish the connections' counters in {@code <ptcpDir>/<name>.counters} (default false).
         * @return this
         */
        public Builder publishCounters(final boolean v)
        {
            publishCounters = v;
            return this;
        }

        /**
         * @param v register a {@link ConnectionMXBean} per connection (default false).
         * @return this
         */
        public Builder registerMXBeans(final boolean v)
        {
            registerMXBeans = v;
            return this;
        }

        /**
         * @param v PTCP durability: -1 none (default), 0 force on every push, N force at most every N user
         *     time units (see {@link TcpShmConfig#ptcpForceInterval()})
         * @return this
         */
        public Builder ptcpForceInterval(final long v)
        {
            ptcpForceInterval = v;
            return this;
        }

        /**
         * @param v SHM: close a connection whose peer leaves this side's ring unconsumed for this long, or
         *     -1 (the default) never (see {@link TcpShmConfig#shmConsumeTimeout()})
         * @return this
         */
        public Builder shmConsumeTimeout(final long v)
        {
            shmConsumeTimeout = v;
            return this;
        }

        /**
         * @return the validated configuration.
         * @throws IllegalArgumentException naming the first invalid setting.
         */
        public TcpShmConfig build()
        {
            validate();
            final TcpShmConfig config = new TcpShmConfig(this);
            final int loginFrame = io.tcpshm.internal.LoginCodec.loginFrameSize(config);
            final int rspFrame = io.tcpshm.internal.LoginCodec.rspFrameSize(config);
            require(loginFrame <= Bits.MAX_MSG_SIZE, "loginUserDataSize", loginUserDataSize,
                "makes a login frame of " + loginFrame + " bytes, more than 65535");
            require(rspFrame <= Bits.MAX_MSG_SIZE, "loginResponseUserDataSize", loginResponseUserDataSize,
                "makes a login response frame of " + rspFrame + " bytes, more than 65535");
            return config;
        }
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof TcpShmConfig && toString().equals(o.toString());
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(toString());
    }
}
