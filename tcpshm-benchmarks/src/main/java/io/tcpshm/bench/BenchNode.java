package io.tcpshm.bench;

/**
 * One side of one benchmark, run as its own process by {@link BenchCommand}:
 * {@code BenchNode SCENARIO ROLE key=value...}. A serving role prints {@code READY} (and its port)
 * on stdout once it can be reached, then runs until killed; a driving role measures and writes
 * its {@link BenchResult} as JSON to {@code result=FILE}, then exits.
 *
 * <p>Each side polls from one thread, busy-spinning. Every scenario moves the same bytes: a
 * payload of {@code payload} bytes, echoed back for ping-pong.
 *
 * <p>This class only reads the command line and hands it to the peer that plays the role: the
 * tcpshm peers ({@link TcpShmServerPeer}, {@link TcpShmPingPeer}, {@link TcpShmStreamPeer}), the raw
 * floors ({@link RawShmPingPong}, {@link RawTcpPingPong}, {@link RawShmStream}), the bare rings
 * ({@link BareRingPingPong}) and the Aeron IPC
 * peer ({@link AeronPingPong}).
 */
public final class BenchNode
{
    private BenchNode()
    {
    }

    /**
     * @param args scenario, role, then key=value options.
     * @throws Exception on any failure (the orchestrator reports the process's output).
     */
    public static void main(final String[] args) throws Exception
    {
        final NodeOptions options = new NodeOptions(args);
        final String scenario = args[0];
        final String role = args[1];
        switch (scenario + "/" + role)
        {
            case "tcpshm-pingpong/server" -> TcpShmServerPeer.run(options, false);
            case "tcpshm-pingpong/client" -> TcpShmPingPeer.run(options);
            case "tcpshm-pingpong/idle" -> IdleClientsPeer.run(options);
            case "tcpshm-stream/server" -> TcpShmServerPeer.run(options, true);
            case "tcpshm-stream/client" -> TcpShmStreamPeer.run(options);
            case "raw-shm-pingpong/server" -> RawShmPingPong.pong(options);
            case "raw-shm-pingpong/client" -> RawShmPingPong.ping(options);
            case "bare-ring-pingpong/server" -> BareRingPingPong.pong(options);
            case "bare-ring-pingpong/client" -> BareRingPingPong.ping(options);
            case "raw-tcp-pingpong/server" -> RawTcpPingPong.pong(options);
            case "raw-tcp-pingpong/client" -> RawTcpPingPong.ping(options);
            case "aeron-pingpong/server" -> AeronPingPong.pong(options);
            case "aeron-pingpong/client" -> AeronPingPong.ping(options);
            case "raw-shm-stream/server" -> RawShmStream.consume(options);
            case "raw-shm-stream/client" -> RawShmStream.produce(options);
            default -> throw new IllegalArgumentException("unknown scenario/role " + scenario + "/" + role);
        }
        System.exit(0);
    }
}
