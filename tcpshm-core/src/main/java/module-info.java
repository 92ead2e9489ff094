/**
 * tcpshm: persistent, connection-oriented messaging over TCP or shared memory, wire- and file-compatible
 * with the C++ tcpshm framework.
 * <p>
 * Exported: {@code io.tcpshm}, the API (client, server, connection, handlers, configuration);
 * {@code io.tcpshm.files}, the file layouts and read-only views that operating tools use; and
 * {@code io.tcpshm.runner}, optional polling threads with idle strategies. The engine,
 * {@code io.tcpshm.internal}, is not exported.
 * <p>
 * {@code jdk.unsupported} is read for {@code sun.misc.Unsafe.invokeCleaner}, with which JDK 17 to 21 unmap a
 * queue file or ring when a connection lets it go (JDK 22 and later use an {@code Arena} instead); it is
 * required so that the module resolves it on the module path too. {@code jdk.jfr}: the flight recorder
 * events of logins, rejects, disconnects, sequence mismatches and file errors. {@code java.management}: the
 * connections' MXBeans, when the configuration asks for them.
 */
module io.tcpshm
{
    requires jdk.unsupported;
    requires jdk.jfr;
    requires java.management;

    exports io.tcpshm;
    exports io.tcpshm.files;
    exports io.tcpshm.runner;
}
