package io.tcpshm.samples;

import io.tcpshm.TcpShmConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Every {@link TcpShmConfig} setting as a command-line option, so that a sample can be matched to
 * a C++ peer's configuration. Unset options keep the library's defaults (the C++ framework's).
 * Times are in seconds: the samples pass seconds as {@code now}.
 */
public final class ConfigOptions
{
    @Option(names = "--name-size", paramLabel = "BYTES", description = "Name field size incl. NUL (default 16).")
    Integer nameSize;

    @Option(names = "--shm-queue-size", paramLabel = "BYTES", description = "SHM ring bytes, 64 x power of 2 (default 2048).")
    Integer shmQueueSize;

    @Option(names = "--big-endian", description = "Big-endian TCP headers (toLittleEndian = false).")
    boolean bigEndian;

    @Option(names = "--tcp-queue-size", paramLabel = "BYTES", description = "Persistent TCP send queue bytes (default 2000).")
    Integer tcpQueueSize;

    @Option(names = "--tcp-recv-buf-init-size", paramLabel = "BYTES", description = "Initial TCP receive buffer (default 2000).")
    Integer tcpReceiveBufferInitialSize;

    @Option(names = "--tcp-recv-buf-max-size", paramLabel = "BYTES", description = "Largest TCP receive buffer (default 8000).")
    Integer tcpReceiveBufferMaxSize;

    @Option(names = "--no-tcp-nodelay", description = "Leave Nagle's algorithm on.")
    boolean noTcpNoDelay;

    @Option(names = "--connection-timeout", paramLabel = "SECONDS", description = "Receive silence that closes (default 10).")
    Long connectionTimeout;

    @Option(names = "--heartbeat-interval", paramLabel = "SECONDS", description = "Send silence before a heartbeat (default 3).")
    Long heartbeatInterval;

    @Option(names = "--login-user-data", paramLabel = "SIZE,ALIGN", split = ",",
        description = "Login user data size and alignment (default 1,1).")
    int[] loginUserData;

    @Option(names = "--login-rsp-user-data", paramLabel = "SIZE,ALIGN", split = ",",
        description = "Login response user data size and alignment (default 1,1).")
    int[] loginResponseUserData;

    @Option(names = "--max-new-connections", paramLabel = "N", description = "Server: sockets not logged in yet (default 5).")
    Integer maxNewConnections;

    @Option(names = "--shm-groups", paramLabel = "N", description = "Server: SHM groups (default 1).")
    Integer maxShmGroups;

    @Option(names = "--shm-conns-per-group", paramLabel = "N", description = "Server: SHM slots per group (default 4).")
    Integer maxShmConnectionsPerGroup;

    @Option(names = "--tcp-groups", paramLabel = "N", description = "Server: TCP groups (default 1).")
    Integer maxTcpGroups;

    @Option(names = "--tcp-conns-per-group", paramLabel = "N", description = "Server: TCP slots per group (default 4).")
    Integer maxTcpConnectionsPerGroup;

    @Option(names = "--new-connection-timeout", paramLabel = "SECONDS", description = "Server: time to log in (default 3).")
    Long newConnectionTimeout;

    @Option(names = "--shm-dir", paramLabel = "DIR", description = "Directory of the SHM rings (default /dev/shm).")
    Path shmDir;

    @Option(names = "--ack-threshold-bytes", paramLabel = "BYTES",
        description = "Prompt acks: popped bytes that trigger an ack (default tcpQueueSize / 4).")
    Integer ackThresholdBytes;

    @Option(names = "--ack-delay", paramLabel = "SECONDS", description = "Prompt acks: delay (default heartbeat / 3).")
    Long ackDelay;

    @Option(names = "--ctl-socket-poll-period", paramLabel = "CALLS",
        description = "Server: pollCtl calls per round of system calls (default 64).")
    Integer controlSocketPollPeriod;

    @Option(names = "--tcp-readiness-threshold", paramLabel = "N",
        description = "Server: live connections from which a TCP group reads only the sockets a selector reports (default 8).")
    Integer tcpReadinessThreshold;

    @Option(names = "--shm-rings-per-poll", paramLabel = "N",
        description = "Server: SHM rings checked per poll beyond the lately active ones (default 8).")
    Integer shmRingsPerPoll;

    @Option(names = "--share-files-with-group", description = "Create files group-readable/writable.")
    boolean shareFilesWithGroup;

    @Option(names = "--publish-counters", description = "Publish live counters in <ptcp-dir>/<name>.counters (tcpshm stat).")
    boolean publishCounters;

    /**
     * @return the configuration these options describe.
     * @throws IllegalArgumentException naming the setting when a value is invalid.
     */
    public TcpShmConfig toConfig()
    {
        final TcpShmConfig.Builder b = TcpShmConfig.builder();
        if (nameSize != null)
        {
            b.nameSize(nameSize);
        }
        if (shmQueueSize != null)
        {
            b.shmQueueSize(shmQueueSize);
        }
        b.toLittleEndian(!bigEndian);
        if (tcpQueueSize != null)
        {
            b.tcpQueueSize(tcpQueueSize);
        }
        if (tcpReceiveBufferInitialSize != null)
        {
            b.tcpReceiveBufferInitialSize(tcpReceiveBufferInitialSize);
        }
        if (tcpReceiveBufferMaxSize != null)
        {
            b.tcpReceiveBufferMaxSize(tcpReceiveBufferMaxSize);
        }
        b.tcpNoDelay(!noTcpNoDelay);
        if (connectionTimeout != null)
        {
            b.connectionTimeout(connectionTimeout);
        }
        if (heartbeatInterval != null)
        {
            b.heartbeatInterval(heartbeatInterval);
        }
        if (loginUserData != null)
        {
            requirePair("--login-user-data", loginUserData);
            b.loginUserData(loginUserData[0], loginUserData[1]);
        }
        if (loginResponseUserData != null)
        {
            requirePair("--login-rsp-user-data", loginResponseUserData);
            b.loginResponseUserData(loginResponseUserData[0], loginResponseUserData[1]);
        }
        if (maxNewConnections != null)
        {
            b.maxNewConnections(maxNewConnections);
        }
        if (tcpReadinessThreshold != null)
        {
            b.tcpReadinessThreshold(tcpReadinessThreshold);
        }
        if (shmRingsPerPoll != null)
        {
            b.shmRingsPerPoll(shmRingsPerPoll);
        }
        if (maxShmGroups != null)
        {
            b.maxShmGroups(maxShmGroups);
        }
        if (maxShmConnectionsPerGroup != null)
        {
            b.maxShmConnectionsPerGroup(maxShmConnectionsPerGroup);
        }
        if (maxTcpGroups != null)
        {
            b.maxTcpGroups(maxTcpGroups);
        }
        if (maxTcpConnectionsPerGroup != null)
        {
            b.maxTcpConnectionsPerGroup(maxTcpConnectionsPerGroup);
        }
        if (newConnectionTimeout != null)
        {
            b.newConnectionTimeout(newConnectionTimeout);
        }
        if (shmDir != null)
        {
            b.shmDir(shmDir);
        }
        if (ackThresholdBytes != null)
        {
            b.ackThresholdBytes(ackThresholdBytes);
        }
        if (ackDelay != null)
        {
            b.ackDelay(ackDelay);
        }
        if (controlSocketPollPeriod != null)
        {
            b.controlSocketPollPeriod(controlSocketPollPeriod);
        }
        b.shareFilesWithGroup(shareFilesWithGroup);
        b.publishCounters(publishCounters);
        return b.build();
    }

    private static void requirePair(final String option, final int[] values)
    {
        if (values.length != 2)
        {
            throw new IllegalArgumentException(option + " takes SIZE,ALIGN, e.g. 8,8");
        }
    }
}
