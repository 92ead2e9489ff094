package io.tcpshm.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link ConnectionBenchmarks} in a JVM whose platform MBean server is started, with no tcpshm bean in it:
 * between the plain class and {@link ConnectionBenchmarksMXBeans}, it tells a cost of the JVM's management
 * classes being loaded from a cost of the connections' beans.
 */
@Fork(jvmArgsAppend = "-D" + ConnectionBenchmarks.MBEAN_SERVER_PROPERTY + "=true")
public class ConnectionBenchmarksMBeanServer extends ConnectionBenchmarks
{
}
