package io.tcpshm;

import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connections' MXBeans: none by default; with {@code registerMXBeans} a client's and each server slot's,
 * whose attributes follow the traffic as JConsole would read them (through the MBean server), gone at the stop;
 * a second client of a name already registered reports it and works all the same.
 */
class MXBeanTest
{
    @TempDir
    Path tmp;

    @RegisterExtension
    final Closer closer = new Closer();

    private final AtomicLong clock = new AtomicLong(TestConfigs.T0);
    private final MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();

    private Set<ObjectName> beans(final String local) throws Exception
    {
        return mbeans.queryNames(new ObjectName("io.tcpshm:type=Connection,local=" + ObjectName.quote(local) + ",*"), null);
    }

    @Test
    void noBeansByDefault() throws Exception
    {
        final TcpShmConfig config = TestConfigs.noTimeouts(tmp.resolve("shm")).build();
        final TestServer server = closer.keep(new TestServer("plain-srv", tmp.resolve("server"), config, clock));
        final TestClient client = closer.keep(new TestClient("plain-cli", tmp.resolve("client"), config, clock));
        assertThat(client.connect(false, server.port())).isTrue();
        assertThat(beans("plain-srv")).isEmpty();
        assertThat(beans("plain-cli")).isEmpty();
    }

    @Test
    void beansShowEachConnectionsCountersAndGoAtTheStop() throws Exception
    {
        final TcpShmConfig config = TestConfigs.noTimeouts(tmp.resolve("shm")).registerMXBeans(true).maxTcpGroups(1)
            .maxTcpConnectionsPerGroup(2).maxShmGroups(1).maxShmConnectionsPerGroup(1).build();
        final TestServer server = closer.keep(new TestServer("jmx-srv", tmp.resolve("server"), config, clock));
        final TestClient client = closer.keep(new TestClient("jmx-cli", tmp.resolve("client"), config, clock));
        assertThat(beans("jmx-srv")).as("a bean per slot").containsExactlyInAnyOrder(
            new ObjectName("io.tcpshm:type=Connection,side=server,local=\"jmx-srv\",slot=tcp-0-0"),
            new ObjectName("io.tcpshm:type=Connection,side=server,local=\"jmx-srv\",slot=tcp-0-1"),
            new ObjectName("io.tcpshm:type=Connection,side=server,local=\"jmx-srv\",slot=shm-0-0"));
        final ObjectName clientBean = new ObjectName("io.tcpshm:type=Connection,side=client,local=\"jmx-cli\",slot=0");
        assertThat(beans("jmx-cli")).containsExactly(clientBean);
        assertThat(mbeans.getAttribute(clientBean, "LoggedOn")).isEqualTo(false);
        assertThat(mbeans.getAttribute(clientBean, "RemoteName")).isEqualTo("");

        assertThat(client.connect(false, server.port())).isTrue();
        client.echoMore(10);
        assertThat(mbeans.getAttribute(clientBean, "LoggedOn")).isEqualTo(true);
        assertThat(mbeans.getAttribute(clientBean, "RemoteName")).isEqualTo("jmx-srv");
        assertThat(mbeans.getAttribute(clientBean, "MessagesSent")).isEqualTo(10L);
        assertThat(mbeans.getAttribute(clientBean, "MessagesReceived")).isEqualTo(10L);
        assertThat(mbeans.getAttribute(clientBean, "Logins")).isEqualTo(1L);
        final ObjectName slot = new ObjectName("io.tcpshm:type=Connection,side=server,local=\"jmx-srv\",slot=tcp-0-0");
        assertThat(mbeans.getAttribute(slot, "RemoteName")).isEqualTo("jmx-cli");
        assertThat((String)mbeans.getAttribute(slot, "RemoteAddress")).startsWith("127.0.0.1:");
        assertThat(mbeans.getAttribute(slot, "MessagesReceived")).isEqualTo(10L);
        assertThat(mbeans.getAttribute(slot, "Shm")).isEqualTo(false);

        client.close();
        closer.forget(client);
        assertThat(beans("jmx-cli")).as("unregistered at the stop").isEmpty();
        server.close();
        closer.forget(server);
        assertThat(beans("jmx-srv")).isEmpty();
    }

    @Test
    void aNameRegisteredTwiceIsReportedAndTheClientStillWorks() throws Exception
    {
        final TcpShmConfig config = TestConfigs.noTimeouts(tmp.resolve("shm")).registerMXBeans(true).build();
        final TestServer server = closer.keep(new TestServer("twin-srv", tmp.resolve("server"), config, clock));
        final TestClient first = closer.keep(new TestClient("twin", tmp.resolve("first"), config, clock));
        final TestClient second = closer.keep(new TestClient("twin", tmp.resolve("second"), config, clock));
        assertThat(second.events.all()).singleElement().asString()
            .startsWith("systemError JMX: cannot register the MXBean of client twin connection 0");
        assertThat(second.connect(false, server.port())).isTrue();
        second.echoMore(3);
        second.close();
        closer.forget(second);
        assertThat(beans("twin")).as("the first client's bean stays").hasSize(1);
        first.close();
        closer.forget(first);
        assertThat(beans("twin")).isEmpty();
    }
}
