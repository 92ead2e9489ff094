package io.tcpshm;

import io.tcpshm.internal.Bits;

import java.nio.file.Path;

/**
 * The values of every setting, with the defaults: what {@link TcpShmConfig.Builder} collects and
 * {@link TcpShmConfig} keeps a private copy of, and the rules {@code build()} checks.
 */
class ConfigValues
{
    int nameSize = 16;
    int shmQueueSize = 2048;
    boolean toLittleEndian = true;
    int tcpQueueSize = 2000;
    int tcpReceiveBufferInitialSize = 2000;
    int tcpReceiveBufferMaxSize = 8000;
    boolean tcpNoDelay = true;
    long connectionTimeout = 10;
    long heartbeatInterval = 3;
    int loginUserDataSize = 1;
    int loginUserDataAlign = 1;
    int loginResponseUserDataSize = 1;
    int loginResponseUserDataAlign = 1;
    int maxNewConnections = 5;
    int maxShmGroups = 1;
    int maxShmConnectionsPerGroup = 4;
    int maxTcpGroups = 1;
    int maxTcpConnectionsPerGroup = 4;
    long newConnectionTimeout = 3;
    Path shmDir = Path.of("/dev/shm");
    int ackThresholdBytes = -1;
    long ackDelay = -1;
    int controlSocketPollPeriod = TcpShmConfig.DEFAULT_CONTROL_SOCKET_POLL_PERIOD;
    int tcpReadinessThreshold = TcpShmConfig.DEFAULT_TCP_READINESS_THRESHOLD;
    int shmRingsPerPoll = TcpShmConfig.DEFAULT_SHM_RINGS_PER_POLL;
    int loginTimeoutMillis = 10_000;
    boolean shareFilesWithGroup;
    boolean publishCounters;
    boolean registerMXBeans;
    long ptcpForceInterval = -1;
    long shmConsumeTimeout = -1;

    /** Copies every value of {@code other}. */
    final void copyFrom(final ConfigValues other)
    {
        nameSize = other.nameSize;
        shmQueueSize = other.shmQueueSize;
        toLittleEndian = other.toLittleEndian;
        tcpQueueSize = other.tcpQueueSize;
        tcpReceiveBufferInitialSize = other.tcpReceiveBufferInitialSize;
        tcpReceiveBufferMaxSize = other.tcpReceiveBufferMaxSize;
        tcpNoDelay = other.tcpNoDelay;
        connectionTimeout = other.connectionTimeout;
        heartbeatInterval = other.heartbeatInterval;
        loginUserDataSize = other.loginUserDataSize;
        loginUserDataAlign = other.loginUserDataAlign;
        loginResponseUserDataSize = other.loginResponseUserDataSize;
        loginResponseUserDataAlign = other.loginResponseUserDataAlign;
        maxNewConnections = other.maxNewConnections;
        maxShmGroups = other.maxShmGroups;
        maxShmConnectionsPerGroup = other.maxShmConnectionsPerGroup;
        maxTcpGroups = other.maxTcpGroups;
        maxTcpConnectionsPerGroup = other.maxTcpConnectionsPerGroup;
        newConnectionTimeout = other.newConnectionTimeout;
        shmDir = other.shmDir;
        ackThresholdBytes = other.ackThresholdBytes;
        ackDelay = other.ackDelay;
        controlSocketPollPeriod = other.controlSocketPollPeriod;
        tcpReadinessThreshold = other.tcpReadinessThreshold;
        shmRingsPerPoll = other.shmRingsPerPoll;
        loginTimeoutMillis = other.loginTimeoutMillis;
        shareFilesWithGroup = other.shareFilesWithGroup;
        publishCounters = other.publishCounters;
        registerMXBeans = other.registerMXBeans;
        ptcpForceInterval = other.ptcpForceInterval;
        shmConsumeTimeout = other.shmConsumeTimeout;
    }

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException naming the first invalid setting.
     */
    final void validate()
    {
        require(nameSize >= 2 && nameSize <= 255, "nameSize", nameSize, "must be 2..255 (it includes the NUL)");
        require(shmQueueSize >= 64 && shmQueueSize % 64 == 0 && Bits.isPowerOfTwo(shmQueueSize / 64),
            "shmQueueSize", shmQueueSize, "must be 64 times a power of two");
        require(shmQueueSize <= (1 << 30), "shmQueueSize", shmQueueSize, "must be at most 2^30");
        require(tcpQueueSize >= 16 && tcpQueueSize % 8 == 0 && tcpQueueSize <= (1 << 30),
            "tcpQueueSize", tcpQueueSize, "must be a multiple of 8, 16..2^30");
        require(tcpReceiveBufferInitialSize >= 8 && tcpReceiveBufferInitialSize % 8 == 0,
            "tcpReceiveBufferInitialSize", tcpReceiveBufferInitialSize, "must be a positive multiple of 8");
        require(tcpReceiveBufferMaxSize % 8 == 0 && tcpReceiveBufferMaxSize >= tcpReceiveBufferInitialSize && tcpReceiveBufferMaxSize <= (1 << 30),
            "tcpReceiveBufferMaxSize", tcpReceiveBufferMaxSize, "must be a multiple of 8, at least tcpReceiveBufferInitialSize (" +
            tcpReceiveBufferInitialSize + ")");
        require(connectionTimeout >= 0, "connectionTimeout", connectionTimeout, "must not be negative");
        require(heartbeatInterval >= 0, "heartbeatInterval", heartbeatInterval, "must not be negative");
        require(newConnectionTimeout >= 0, "newConnectionTimeout", newConnectionTimeout, "must not be negative");
        requireUserData("loginUserData", loginUserDataSize, loginUserDataAlign);
        requireUserData("loginResponseUserData", loginResponseUserDataSize, loginResponseUserDataAlign);
        require(maxNewConnections >= 1, "maxNewConnections", maxNewConnections, "must be at least 1");
        require(maxShmGroups >= 0 && maxShmGroups <= 1024, "maxShmGroups", maxShmGroups, "must be 0..1024");
        require(maxTcpGroups >= 0 && maxTcpGroups <= 1024, "maxTcpGroups", maxTcpGroups, "must be 0..1024");
        require(maxShmConnectionsPerGroup >= 1 && maxShmConnectionsPerGroup <= 65536,
            "maxShmConnectionsPerGroup", maxShmConnectionsPerGroup, "must be 1..65536");
        require(maxTcpConnectionsPerGroup >= 1 && maxTcpConnectionsPerGroup <= 65536,
            "maxTcpConnectionsPerGroup", maxTcpConnectionsPerGroup, "must be 1..65536");
        if (shmDir == null)
        {
            throw new IllegalArgumentException("shmDir must not be null");
        }
        require(ackThresholdBytes >= -1, "ackThresholdBytes", ackThresholdBytes, "must not be negative");
        require(ackDelay >= -1, "ackDelay", ackDelay, "must not be negative");
        require(controlSocketPollPeriod >= 1, "controlSocketPollPeriod", controlSocketPollPeriod, "must be at least 1");
        require(tcpReadinessThreshold >= 1, "tcpReadinessThreshold", tcpReadinessThreshold, "must be at least 1");
        require(shmRingsPerPoll >= 1, "shmRingsPerPoll", shmRingsPerPoll, "must be at least 1");
        require(loginTimeoutMillis >= 1, "loginTimeoutMillis", loginTimeoutMillis, "must be at least 1");
        require(shmConsumeTimeout >= -1, "shmConsumeTimeout", shmConsumeTimeout, "must be -1 (never) or a timeout");
        require(ptcpForceInterval >= -1, "ptcpForceInterval", ptcpForceInterval,
            "must be -1 (never), 0 (every push) or a positive interval");
    }

    static void requireUserData(final String name, final int size, final int align)
    {
        require(Bits.isPowerOfTwo(align) && align <= 4096, name + "Align", align, "must be a power of two up to 4096");
        require(size >= 1 && size % align == 0 && size <= 60000, name + "Size", size,
            "must be 1..60000 and a multiple of its alignment " + align + " (as C++ sizeof is)");
    }

    static void require(final boolean ok, final String setting, final Object value, final String rule)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(setting + " = " + value + ": " + rule);
        }
    }

    /**
     * @param derivedAckThresholdBytes {@code ackThresholdBytes} as derived when not set.
     * @param derivedAckDelay          {@code ackDelay} as derived when not set.
     * @return every value, for {@code toString} and {@code equals}.
     */
    final String describe(final int derivedAckThresholdBytes, final long derivedAckDelay)
    {
                return "TcpShmConfig{nameSize=" + nameSize + ", shmQueueSize=" + shmQueueSize +
            ", toLittleEndian=" + toLittleEndian + ", tcpQueueSize=" + tcpQueueSize +
            ", tcpReceiveBufferInitialSize=" + tcpReceiveBufferInitialSize + ", tcpReceiveBufferMaxSize=" + tcpReceiveBufferMaxSize +
            ", tcpNoDelay=" + tcpNoDelay + ", connectionTimeout=" + connectionTimeout +
            ", heartbeatInterval=" + heartbeatInterval + ", loginUserDataSize=" + loginUserDataSize +
            ", loginUserDataAlign=" + loginUserDataAlign + ", loginResponseUserDataSize=" + loginResponseUserDataSize +
            ", loginResponseUserDataAlign=" + loginResponseUserDataAlign + ", maxNewConnections=" + maxNewConnections +
            ", maxShmGroups=" + maxShmGroups + ", maxShmConnectionsPerGroup=" + maxShmConnectionsPerGroup +
            ", maxTcpGroups=" + maxTcpGroups + ", maxTcpConnectionsPerGroup=" + maxTcpConnectionsPerGroup +
            ", newConnectionTimeout=" + newConnectionTimeout + ", shmDir=" + shmDir +
            ", ackThresholdBytes=" + derivedAckThresholdBytes + ", ackDelay=" + derivedAckDelay +
            ", controlSocketPollPeriod=" + controlSocketPollPeriod + ", tcpReadinessThreshold=" + tcpReadinessThreshold + ", shmRingsPerPoll=" + shmRingsPerPoll + ", loginTimeoutMillis=" + loginTimeoutMillis +
            ", shareFilesWithGroup=" + shareFilesWithGroup + ", publishCounters=" + publishCounters + ", registerMXBeans=" + registerMXBeans +
            ", ptcpForceInterval=" + ptcpForceInterval + ", shmConsumeTimeout=" + shmConsumeTimeout + '}';
    }
}
