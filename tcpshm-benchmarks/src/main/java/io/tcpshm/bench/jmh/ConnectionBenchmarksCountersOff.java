package io.tcpshm.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link ConnectionBenchmarks} in a JVM started with {@code -Dtcpshm.counters=false}, where the JIT
 * compiles the per-connection counter updates out: the same code path without the counters, so
 * the difference between the two is what the counters cost per message.
 */
@Fork(jvmArgsAppend = "-Dtcpshm.counters=false")
public class ConnectionBenchmarksCountersOff extends ConnectionBenchmarks
{
}
