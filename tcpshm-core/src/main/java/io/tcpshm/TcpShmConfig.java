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
 * <p>Time settings ({@code connectionTimeout}, {@code heartBeatInterval}, {@code newConnectionTimeout},
 * {@code ackDelay}) are in the units of the {@code now} timestamps the user passes to the poll calls;
 * the defaults (10, 3, 3) assume seconds, as in the C++ framework. Scale all of them together if
 * your clock counts nanoseconds.
 */
public final class TcpShmConfig
{
    /** Default of {@link Builder#ctlSocketPollPeriod(int)}. */
    public static final int DEFAULT_CTL_SOCKET_POLL_PERIOD = 64;

    private final int nameSize;
    private final int shmQueueSize;
    private final boolean toLittleEndian;
    private final int tcpQueueSize;
    private final int tcpRecvBufInitSize;
    private final int tcpRecvBufMaxSize;
    private final boolean tcpNoDelay;
    private final long connectionTimeout;
    private final long heartBeatInterval;
    private final int loginUserDataSize;
    private final int loginUserDataAlign;
    private final int loginRspUserDataSize;
    private final int loginRspUserDataAlign;
    private final int maxNewConnections;
    private final int maxShmGrps;
    private final int maxShmConnsPerGrp;
    private final int maxTcpGrps;
    private final int maxTcpConnsPerGrp;
    private final long newConnectionTimeout;
    private final Path shmDir;
    private final int ackThresholdBytes;
    private final long ackDelay;
    /** As given to the builder (-1: derived), so that {@link #toBuilder()} keeps deriving. */
    private final int ackThresholdBytesSetting;
    private final long ackDelaySetting;
    private final int ctlSocketPollPeriod;
    private final int loginTimeoutMillis;
    private final boolean shareFilesWithGroup;
    private final boolean publishCounters;
    private final long ptcpForceInterval;
    private final long shmConsumeTimeout;

    private TcpShmConfig(final Builder b)
    {
        nameSize = b.nameSize;
        shmQueueSize = b.shmQueueSize;
        toLittleEndian = b.toLittleEndian;
        tcpQueueSize = b.tcpQueueSize;
        tcpRecvBufInitSize = b.tcpRecvBufInitSize;
        tcpRecvBufMaxSize = b.tcpRecvBufMaxSize;
        tcpNoDelay = b.tcpNoDelay;
        connectionTimeout = b.connectionTimeout;
        heartBeatInterval = b.heartBeatInterval;
        loginUserDataSize = b.loginUserDataSize;
        loginUserDataAlign = b.loginUserDataAlign;
        loginRspUserDataSize = b.loginRspUserDataSize;
        loginRspUserDataAlign = b.loginRspUserDataAlign;
        maxNewConnections = b.maxNewConnections;
        maxShmGrps = b.maxShmGrps;
        maxShmConnsPerGrp = b.maxShmConnsPerGrp;
        maxTcpGrps = b.maxTcpGrps;
        maxTcpConnsPerGrp = b.maxTcpConnsPerGrp;
        newConnectionTimeout = b.newConnectionTimeout;
        shmDir = b.shmDir;
        ackThresholdBytes = b.ackThresholdBytes >= 0 ? b.ackThresholdBytes : Math.max(8, b.tcpQueueSize / 4);
        // at least 1: a default of 0 (heartBeatInterval below 3) would send an ack-only heartbeat, a system call,
        // on every poll after a pop
        ackDelay = b.ackDelay >= 0 ? b.ackDelay : Math.max(1, b.heartBeatInterval / 3);
        ackThresholdBytesSetting = b.ackThresholdBytes;
        ackDelaySetting = b.ackDelay;
        ctlSocketPollPeriod = b.ctlSocketPollPeriod;
        loginTimeoutMillis = b.loginTimeoutMillis;
        shareFilesWithGroup = b.shareFilesWithGroup;
        publishCounters = b.publishCounters;
        ptcpForceInterval = b.ptcpForceInterval;
        shmConsumeTimeout = b.shmConsumeTimeout;
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
        b.nameSize = nameSize;
        b.shmQueueSize = shmQueueSize;
        b.toLittleEndian = toLittleEndian;
        b.tcpQueueSize = tcpQueueSize;
        b.tcpRecvBufInitSize = tcpRecvBufInitSize;
        b.tcpRecvBufMaxSize = tcpRecvBufMaxSize;
        b.tcpNoDelay = tcpNoDelay;
        b.connectionTimeout = connectionTimeout;
        b.heartBeatInterval = heartBeatInterval;
        b.loginUserDataSize = loginUserDataSize;
        b.loginUserDataAlign = loginUserDataAlign;
        b.loginRspUserDataSize = loginRspUserDataSize;
        b.loginRspUserDataAlign = loginRspUserDataAlign;
        b.maxNewConnections = maxNewConnections;
        b.maxShmGrps = maxShmGrps;
        b.maxShmConnsPerGrp = maxShmConnsPerGrp;
        b.maxTcpGrps = maxTcpGrps;
        b.maxTcpConnsPerGrp = maxTcpConnsPerGrp;
        b.newConnectionTimeout = newConnectionTimeout;
        b.shmDir = shmDir;
        b.ackThresholdBytes = ackThresholdBytesSetting;
        b.ackDelay = ackDelaySetting;
        b.ctlSocketPollPeriod = ctlSocketPollPeriod;
        b.loginTimeoutMillis = loginTimeoutMillis;
        b.shareFilesWithGroup = shareFilesWithGroup;
        b.publishCounters = publishCounters;
        b.ptcpForceInterval = ptcpForceInterval;
        b.shmConsumeTimeout = shmConsumeTimeout;
        return b;
    }

    /** @return bytes of a name field including its NUL; names hold at most {@code nameSize - 1} bytes. */
    public int nameSize()
    {
        return nameSize;
    }

    /** @return bytes of one SHM ring (a power-of-two count of 64-byte blocks). */
    public int shmQueueSize()
    {
        return shmQueueSize;
    }

    /** @return true when TCP headers and handshake integers are little-endian. */
    public boolean toLittleEndian()
    {
        return toLittleEndian;
    }

    /** @return the TCP byte order as a {@link ByteOrder}; also the order of payload buffers handed to users. */
    public ByteOrder byteOrder()
    {
        return toLittleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /** @return bytes of the persistent TCP send queue. */
    public int tcpQueueSize()
    {
        return tcpQueueSize;
    }

    /** @return initial TCP receive buffer size. */
    public int tcpRecvBufInitSize()
    {
        return tcpRecvBufInitSize;
    }

    /** @return largest TCP receive buffer; a bigger message closes the connection. */
    public int tcpRecvBufMaxSize()
    {
        return tcpRecvBufMaxSize;
    }

    /** @return whether TCP_NODELAY is set on sockets. */
    public boolean tcpNoDelay()
    {
        return tcpNoDelay;
    }

    /** @return close a connection when nothing was received for longer than this (user time units). */
    public long connectionTimeout()
    {
        return connectionTimeout;
    }

    /** @return send a heartbeat when nothing was sent for this long (user time units). */
    public long heartBeatInterval()
    {
        return heartBeatInterval;
    }

    /** @return bytes of the login's user data (C++ {@code sizeof(LoginUserData)}). */
    public int loginUserDataSize()
    {
        return loginUserDataSize;
    }

    /** @return alignment of the login's user data (C++ {@code alignof(LoginUserData)}). */
    public int loginUserDataAlign()
    {
        return loginUserDataAlign;
    }

    /** @return bytes of the login response's user data. */
    public int loginRspUserDataSize()
    {
        return loginRspUserDataSize;
    }

    /** @return alignment of the login response's user data. */
    public int loginRspUserDataAlign()
    {
        return loginRspUserDataAlign;
    }

    /** @return server: accepted sockets that have not logged in yet. */
    public int maxNewConnections()
    {
        return maxNewConnections;
    }

    /** @return server: number of SHM connection groups. */
    public int maxShmGrps()
    {
        return maxShmGrps;
    }

    /** @return server: SHM connection slots per group. */
    public int maxShmConnsPerGrp()
    {
        return maxShmConnsPerGrp;
    }

    /** @return server: number of TCP connection groups. */
    public int maxTcpGrps()
    {
        return maxTcpGrps;
    }

    /** @return server: TCP connection slots per group. */
    public int maxTcpConnsPerGrp()
    {
        return maxTcpConnsPerGrp;
    }

    /** @return server: a socket that has not sent a full login in this time is closed (user time units). */
    public long newConnectionTimeout()
    {
        return newConnectionTimeout;
    }

    /** @return directory of the SHM ring files ({@code /dev/shm} by default, where C++ {@code shm_open} puts them). */
    public Path shmDir()
    {
        return shmDir;
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
    public int ctlSocketPollPeriod()
    {
        return ctlSocketPollPeriod;
    }

    /** @return client: milliseconds {@code connect} waits for the TCP connection and for the login response. */
    public int loginTimeoutMillis()
    {
        return loginTimeoutMillis;
    }

    /** @return whether new files and the ptcp directory are created group-readable/writable (else owner only). */
    public boolean shareFilesWithGroup()
    {
        return shareFilesWithGroup;
    }

    /**
     * @return whether the client or server publishes its connections' counters in
     *     {@code <ptcpDir>/<name>.counters} for {@code tcpshm stat} (off by default).
     */
    public boolean publishCounters()
    {
        return publishCounters;
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
        return ptcpForceInterval;
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
        return shmConsumeTimeout;
    }

    /** @return blocks of 64 bytes in one SHM ring. */
    public int shmBlockCount()
    {
        return shmQueueSize / 64;
    }

    @Override
    public String toString()
    {
        return "TcpShmConfig{nameSize=" + nameSize + ", shmQueueSize=" + shmQueueSize +
            ", toLittleEndian=" + toLittleEndian + ", tcpQueueSize=" + tcpQueueSize +
            ", tcpRecvBufInitSize=" + tcpRecvBufInitSize + ", tcpRecvBufMaxSize=" + tcpRecvBufMaxSize +
            ", tcpNoDelay=" + tcpNoDelay + ", connectionTimeout=" + connectionTimeout +
            ", heartBeatInterval=" + heartBeatInterval + ", loginUserDataSize=" + loginUserDataSize +
            ", loginUserDataAlign=" + loginUserDataAlign + ", loginRspUserDataSize=" + loginRspUserDataSize +
            ", loginRspUserDataAlign=" + loginRspUserDataAlign + ", maxNewConnections=" + maxNewConnections +
            ", maxShmGrps=" + maxShmGrps + ", maxShmConnsPerGrp=" + maxShmConnsPerGrp +
            ", maxTcpGrps=" + maxTcpGrps + ", maxTcpConnsPerGrp=" + maxTcpConnsPerGrp +
            ", newConnectionTimeout=" + newConnectionTimeout + ", shmDir=" + shmDir +
            ", ackThresholdBytes=" + ackThresholdBytes + ", ackDelay=" + ackDelay +
            ", ctlSocketPollPeriod=" + ctlSocketPollPeriod + ", loginTimeoutMillis=" + loginTimeoutMillis +
            ", shareFilesWithGroup=" + shareFilesWithGroup + ", publishCounters=" + publishCounters +
            ", ptcpForceInterval=" + ptcpForceInterval + ", shmConsumeTimeout=" + shmConsumeTimeout + '}';
    }

    /**
     * Mutable builder; {@link #build()} validates every value and throws an
     * {@link IllegalArgumentException} that names the offending setting.
     */
    public static final class Builder
    {
        private int nameSize = 16;
        private int shmQueueSize = 2048;
        private boolean toLittleEndian = true;
        private int tcpQueueSize = 2000;
        private int tcpRecvBufInitSize = 2000;
        private int tcpRecvBufMaxSize = 8000;
        private boolean tcpNoDelay = true;
        private long connectionTimeout = 10;
        private long heartBeatInterval = 3;
        private int loginUserDataSize = 1;
        private int loginUserDataAlign = 1;
        private int loginRspUserDataSize = 1;
        private int loginRspUserDataAlign = 1;
        private int maxNewConnections = 5;
        private int maxShmGrps = 1;
        private int maxShmConnsPerGrp = 4;
        private int maxTcpGrps = 1;
        private int maxTcpConnsPerGrp = 4;
        private long newConnectionTimeout = 3;
        private Path shmDir = Path.of("/dev/shm");
        private int ackThresholdBytes = -1;
        private long ackDelay = -1;
        private int ctlSocketPollPeriod = DEFAULT_CTL_SOCKET_POLL_PERIOD;
        private int loginTimeoutMillis = 10_000;
        private boolean shareFilesWithGroup;
        private boolean publishCounters;
        private long ptcpForceInterval = -1;
        private long shmConsumeTimeout = -1;

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
        public Builder tcpRecvBufInitSize(final int v)
        {
            tcpRecvBufInitSize = v;
            return this;
        }

        /**
         * @param v largest TCP receive buffer, multiple of 8 (default 8000).
         * @return this
         */
        public Builder tcpRecvBufMaxSize(final int v)
        {
            tcpRecvBufMaxSize = v;
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
        public Builder heartBeatInterval(final long v)
        {
            heartBeatInterval = v;
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
        public Builder loginRspUserData(final int size, final int align)
        {
            loginRspUserDataSize = size;
            loginRspUserDataAlign = align;
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
        public Builder maxShmGrps(final int v)
        {
            maxShmGrps = v;
            return this;
        }

        /**
         * @param v server: SHM slots per group (default 4).
         * @return this
         */
        public Builder maxShmConnsPerGrp(final int v)
        {
            maxShmConnsPerGrp = v;
            return this;
        }

        /**
         * @param v server: TCP groups (default 1).
         * @return this
         */
        public Builder maxTcpGrps(final int v)
        {
            maxTcpGrps = v;
            return this;
        }

        /**
         * @param v server: TCP slots per group (default 4).
         * @return this
         */
        public Builder maxTcpConnsPerGrp(final int v)
        {
            maxTcpConnsPerGrp = v;
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
         * @param v prompt-ack delay, user time units (default {@code max(1, heartBeatInterval / 3)}); 0 sends
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
        public Builder ctlSocketPollPeriod(final int v)
        {
            ctlSocketPollPeriod = v;
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
            require(nameSize >= 2 && nameSize <= 255, "nameSize", nameSize, "must be 2..255 (it includes the NUL)");
            require(shmQueueSize >= 64 && shmQueueSize % 64 == 0 && Bits.isPowerOfTwo(shmQueueSize / 64),
                "shmQueueSize", shmQueueSize, "must be 64 times a power of two");
            require(shmQueueSize <= (1 << 30), "shmQueueSize", shmQueueSize, "must be at most 2^30");
            require(tcpQueueSize >= 16 && tcpQueueSize % 8 == 0 && tcpQueueSize <= (1 << 30),
                "tcpQueueSize", tcpQueueSize, "must be a multiple of 8, 16..2^30");
            require(tcpRecvBufInitSize >= 8 && tcpRecvBufInitSize % 8 == 0,
                "tcpRecvBufInitSize", tcpRecvBufInitSize, "must be a positive multiple of 8");
            require(tcpRecvBufMaxSize % 8 == 0 && tcpRecvBufMaxSize >= tcpRecvBufInitSize && tcpRecvBufMaxSize <= (1 << 30),
                "tcpRecvBufMaxSize", tcpRecvBufMaxSize, "must be a multiple of 8, at least tcpRecvBufInitSize (" +
                tcpRecvBufInitSize + ")");
            require(connectionTimeout >= 0, "connectionTimeout", connectionTimeout, "must not be negative");
            require(heartBeatInterval >= 0, "heartBeatInterval", heartBeatInterval, "must not be negative");
            require(newConnectionTimeout >= 0, "newConnectionTimeout", newConnectionTimeout, "must not be negative");
            requireUserData("loginUserData", loginUserDataSize, loginUserDataAlign);
            requireUserData("loginRspUserData", loginRspUserDataSize, loginRspUserDataAlign);
            require(maxNewConnections >= 1, "maxNewConnections", maxNewConnections, "must be at least 1");
            require(maxShmGrps >= 0 && maxShmGrps <= 1024, "maxShmGrps", maxShmGrps, "must be 0..1024");
            require(maxTcpGrps >= 0 && maxTcpGrps <= 1024, "maxTcpGrps", maxTcpGrps, "must be 0..1024");
            require(maxShmConnsPerGrp >= 1 && maxShmConnsPerGrp <= 65536,
                "maxShmConnsPerGrp", maxShmConnsPerGrp, "must be 1..65536");
            require(maxTcpConnsPerGrp >= 1 && maxTcpConnsPerGrp <= 65536,
                "maxTcpConnsPerGrp", maxTcpConnsPerGrp, "must be 1..65536");
            if (shmDir == null)
            {
                throw new IllegalArgumentException("shmDir must not be null");
            }
            require(ackThresholdBytes >= -1, "ackThresholdBytes", ackThresholdBytes, "must not be negative");
            require(ackDelay >= -1, "ackDelay", ackDelay, "must not be negative");
            require(ctlSocketPollPeriod >= 1, "ctlSocketPollPeriod", ctlSocketPollPeriod, "must be at least 1");
            require(loginTimeoutMillis >= 1, "loginTimeoutMillis", loginTimeoutMillis, "must be at least 1");
            require(shmConsumeTimeout >= -1, "shmConsumeTimeout", shmConsumeTimeout, "must be -1 (never) or a timeout");
            require(ptcpForceInterval >= -1, "ptcpForceInterval", ptcpForceInterval,
                "must be -1 (never), 0 (every push) or a positive interval");
            final TcpShmConfig config = new TcpShmConfig(this);
            final int loginFrame = io.tcpshm.internal.LoginCodec.loginFrameSize(config);
            final int rspFrame = io.tcpshm.internal.LoginCodec.rspFrameSize(config);
            require(loginFrame <= Bits.MAX_MSG_SIZE, "loginUserDataSize", loginUserDataSize,
                "makes a login frame of " + loginFrame + " bytes, more than 65535");
            require(rspFrame <= Bits.MAX_MSG_SIZE, "loginRspUserDataSize", loginRspUserDataSize,
                "makes a login response frame of " + rspFrame + " bytes, more than 65535");
            return config;
        }

        private static void requireUserData(final String name, final int size, final int align)
        {
            require(Bits.isPowerOfTwo(align) && align <= 4096, name + "Align", align, "must be a power of two up to 4096");
            require(size >= 1 && size % align == 0 && size <= 60000, name + "Size", size,
                "must be 1..60000 and a multiple of its alignment " + align + " (as C++ sizeof is)");
        }

        private static void require(final boolean ok, final String setting, final Object value, final String rule)
        {
            if (!ok)
            {
                throw new IllegalArgumentException(setting + " = " + value + ": " + rule);
            }
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
