package io.tcpshm.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link ConnectionBenchmarks} with {@code registerMXBeans} set on both sides: the platform MBean server is
 * started and the connections' MXBeans are registered, while the measured code is the same. Against the
 * plain class, the difference is what registering the MXBeans costs the hot path (a single thread, so the
 * ratio does not move with where two processes land, as a ping-pong's does).
 */
@Fork(jvmArgsAppend = "-D" + ConnectionBenchmarks.MXBEANS_PROPERTY + "=true")
public class ConnectionBenchmarksMXBeans extends ConnectionBenchmarks
{
}
