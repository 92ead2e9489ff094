package io.tcpshm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ConfigTest
{
    @Test
    void defaultsAreThoseOfTheProtocolTable()
    {
        final TcpShmConfig c = TcpShmConfig.defaults();
        assertThat(c.nameSize()).isEqualTo(16);
        assertThat(c.shmQueueSize()).isEqualTo(2048);
        assertThat(c.toLittleEndian()).isTrue();
        assertThat(c.byteOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(c.tcpQueueSize()).isEqualTo(2000);
        assertThat(c.tcpReceiveBufferInitialSize()).isEqualTo(2000);
        assertThat(c.tcpReceiveBufferMaxSize()).isEqualTo(8000);
        assertThat(c.tcpNoDelay()).isTrue();
        assertThat(c.connectionTimeout()).isEqualTo(10);
        assertThat(c.heartbeatInterval()).isEqualTo(3);
        assertThat(c.loginUserDataSize()).isEqualTo(1);
        assertThat(c.loginUserDataAlign()).isEqualTo(1);
        assertThat(c.loginResponseUserDataSize()).isEqualTo(1);
        assertThat(c.loginResponseUserDataAlign()).isEqualTo(1);
        assertThat(c.maxNewConnections()).isEqualTo(5);
        assertThat(c.maxShmGroups()).isEqualTo(1);
        assertThat(c.maxShmConnectionsPerGroup()).isEqualTo(4);
        assertThat(c.maxTcpGroups()).isEqualTo(1);
        assertThat(c.maxTcpConnectionsPerGroup()).isEqualTo(4);
        assertThat(c.newConnectionTimeout()).isEqualTo(3);
        // this implementation's own
        assertThat(c.shmDir()).isEqualTo(Path.of("/dev/shm"));
        assertThat(c.shmBlockCount()).isEqualTo(32);
        assertThat(c.shareFilesWithGroup()).isFalse();
        assertThat(TcpShmConfig.builder().build()).isEqualTo(c);
    }

    static Stream<Arguments> invalid()
    {
        return Stream.of(
            bad("nameSize", b -> b.nameSize(1)),
            bad("nameSize", b -> b.nameSize(0)),
            bad("nameSize", b -> b.nameSize(256)),
            bad("shmQueueSize", b -> b.shmQueueSize(0)),
            bad("shmQueueSize", b -> b.shmQueueSize(-64)),
            bad("shmQueueSize", b -> b.shmQueueSize(32)),
            bad("shmQueueSize", b -> b.shmQueueSize(100)),
            bad("shmQueueSize", b -> b.shmQueueSize(3 * 64)),
            bad("shmQueueSize", b -> b.shmQueueSize(6 * 64)),
            bad("shmQueueSize", b -> b.shmQueueSize(2048 + 64)),
            bad("tcpQueueSize", b -> b.tcpQueueSize(2001)),
            bad("tcpQueueSize", b -> b.tcpQueueSize(2004)),
            bad("tcpQueueSize", b -> b.tcpQueueSize(0)),
            bad("tcpQueueSize", b -> b.tcpQueueSize(-8)),
            bad("tcpReceiveBufferInitialSize", b -> b.tcpReceiveBufferInitialSize(2001)),
            bad("tcpReceiveBufferInitialSize", b -> b.tcpReceiveBufferInitialSize(0)),
            bad("tcpReceiveBufferMaxSize", b -> b.tcpReceiveBufferMaxSize(8001)),
            bad("tcpReceiveBufferMaxSize", b -> b.tcpReceiveBufferMaxSize(1992)),        // below init 2000
            bad("tcpReceiveBufferMaxSize", b -> b.tcpReceiveBufferInitialSize(4000).tcpReceiveBufferMaxSize(3992)),
            bad("connectionTimeout", b -> b.connectionTimeout(-1)),
            bad("heartbeatInterval", b -> b.heartbeatInterval(-1)),
            bad("newConnectionTimeout", b -> b.newConnectionTimeout(-1)),
            bad("loginUserDataAlign", b -> b.loginUserData(3, 3)),
            bad("loginUserDataAlign", b -> b.loginUserData(1, 0)),
            bad("loginUserDataAlign", b -> b.loginUserData(8, -8)),
            bad("loginUserDataSize", b -> b.loginUserData(3, 4)),
            bad("loginUserDataSize", b -> b.loginUserData(12, 8)),
            bad("loginUserDataSize", b -> b.loginUserData(0, 1)),
            bad("loginUserDataSize", b -> b.loginUserData(-1, 1)),
            bad("loginResponseUserDataAlign", b -> b.loginResponseUserData(6, 6)),
            bad("loginResponseUserDataSize", b -> b.loginResponseUserData(4, 8)),
            bad("loginResponseUserDataSize", b -> b.loginResponseUserData(0, 1)),
            bad("maxNewConnections", b -> b.maxNewConnections(0)),
            bad("maxShmGroups", b -> b.maxShmGroups(-1)),
            bad("maxTcpGroups", b -> b.maxTcpGroups(-1)),
            bad("maxShmConnectionsPerGroup", b -> b.maxShmConnectionsPerGroup(0)),
            bad("maxTcpConnectionsPerGroup", b -> b.maxTcpConnectionsPerGroup(0)),
            bad("shmDir", b -> b.shmDir(null)),
            bad("ackThresholdBytes", b -> b.ackThresholdBytes(-2)),
            bad("ackDelay", b -> b.ackDelay(-2)),
            bad("controlSocketPollPeriod", b -> b.controlSocketPollPeriod(0)),
            bad("shmRingsPerPoll", b -> b.shmRingsPerPoll(0)),
            bad("tcpReadinessThreshold", b -> b.tcpReadinessThreshold(0)),
            bad("loginTimeoutMillis", b -> b.loginTimeoutMillis(0)));
    }

    private static Arguments bad(final String setting, final Consumer<TcpShmConfig.Builder> change)
    {
        return arguments(setting, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidValuesAreRefusedNamingTheSetting(final String setting, final Consumer<TcpShmConfig.Builder> change)
    {
        final TcpShmConfig.Builder b = TcpShmConfig.builder();
        change.accept(b);
        assertThatThrownBy(b::build)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(setting + " ");
    }

    @Test
    void messagesCarryTheValueAndTheRule()
    {
        assertThatThrownBy(() -> TcpShmConfig.builder().shmQueueSize(192).build())
            .hasMessageContaining("192").hasMessageContaining("64 times a power of two");
        assertThatThrownBy(() -> TcpShmConfig.builder().tcpReceiveBufferMaxSize(1992).build())
            .hasMessageContaining("1992").hasMessageContaining("tcpReceiveBufferInitialSize (2000)");
        assertThatThrownBy(() -> TcpShmConfig.builder().loginUserData(3, 4).build())
            .hasMessageContaining("3").hasMessageContaining("multiple of its alignment 4");
    }

    @Test
    void boundaryValuesAreAccepted()
    {
        final TcpShmConfig c = TcpShmConfig.builder()
            .nameSize(2).shmQueueSize(64).tcpQueueSize(16).tcpReceiveBufferInitialSize(8).tcpReceiveBufferMaxSize(8)
            .connectionTimeout(0).heartbeatInterval(0).newConnectionTimeout(0)
            .loginUserData(16, 16).loginResponseUserData(12, 4).maxShmGroups(0).maxTcpGroups(0)
            .ackThresholdBytes(0).ackDelay(0).build();
        assertThat(c.shmBlockCount()).isEqualTo(1);
        assertThat(TcpShmConfig.builder().nameSize(255).shmQueueSize(1 << 30).build().nameSize()).isEqualTo(255);
        assertThat(TcpShmConfig.builder().loginUserData(3, 1).build().loginUserDataSize()).isEqualTo(3);
    }

    @Test
    void derivedDefaults()
    {
        final TcpShmConfig c = TcpShmConfig.builder().tcpQueueSize(4000).heartbeatInterval(9).build();
        assertThat(c.ackThresholdBytes()).isEqualTo(1000);
        assertThat(c.ackDelay()).isEqualTo(3);
        assertThat(TcpShmConfig.builder().tcpQueueSize(16).build().ackThresholdBytes()).isEqualTo(8);
        // never 0 by default: that would send a heartbeat at every poll after a pop (ProtocolEdgeTest counts them)
        for (long interval = 0; interval <= 5; interval++)
        {
            assertThat(TcpShmConfig.builder().heartbeatInterval(interval).build().ackDelay())
                .as("ackDelay for heartbeatInterval %d", interval).isEqualTo(Math.max(1, interval / 3));
        }
        assertThat(TcpShmConfig.builder().heartbeatInterval(1).ackDelay(0).build().ackDelay()).isZero();
    }

    private static TcpShmConfig everythingChanged()
    {
        return TcpShmConfig.builder()
            .nameSize(32).shmQueueSize(4096).toLittleEndian(false).tcpQueueSize(4096)
            .tcpReceiveBufferInitialSize(1024).tcpReceiveBufferMaxSize(16384).tcpNoDelay(false)
            .connectionTimeout(100).heartbeatInterval(30).loginUserData(12, 4).loginResponseUserData(16, 8)
            .maxNewConnections(7).maxShmGroups(2).maxShmConnectionsPerGroup(3).maxTcpGroups(4).maxTcpConnectionsPerGroup(5)
            .newConnectionTimeout(6).shmDir(Path.of("/tmp/shm")).ackThresholdBytes(123).ackDelay(4)
            .controlSocketPollPeriod(8).tcpReadinessThreshold(3).loginTimeoutMillis(999).shareFilesWithGroup(true).build();
    }

    @Test
    void toBuilderRoundTrips()
    {
        final TcpShmConfig c = everythingChanged();
        final TcpShmConfig copy = c.toBuilder().build();
        assertThat(copy).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(copy.toString()).isEqualTo(c.toString());
        assertThat(copy.nameSize()).isEqualTo(32);
        assertThat(copy.shmQueueSize()).isEqualTo(4096);
        assertThat(copy.toLittleEndian()).isFalse();
        assertThat(copy.byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(copy.tcpQueueSize()).isEqualTo(4096);
        assertThat(copy.tcpReceiveBufferInitialSize()).isEqualTo(1024);
        assertThat(copy.tcpReceiveBufferMaxSize()).isEqualTo(16384);
        assertThat(copy.tcpNoDelay()).isFalse();
        assertThat(copy.connectionTimeout()).isEqualTo(100);
        assertThat(copy.heartbeatInterval()).isEqualTo(30);
        assertThat(copy.loginUserDataSize()).isEqualTo(12);
        assertThat(copy.loginUserDataAlign()).isEqualTo(4);
        assertThat(copy.loginResponseUserDataSize()).isEqualTo(16);
        assertThat(copy.loginResponseUserDataAlign()).isEqualTo(8);
        assertThat(copy.maxNewConnections()).isEqualTo(7);
        assertThat(copy.maxShmGroups()).isEqualTo(2);
        assertThat(copy.maxShmConnectionsPerGroup()).isEqualTo(3);
        assertThat(copy.maxTcpGroups()).isEqualTo(4);
        assertThat(copy.maxTcpConnectionsPerGroup()).isEqualTo(5);
        assertThat(copy.newConnectionTimeout()).isEqualTo(6);
        assertThat(copy.shmDir()).isEqualTo(Path.of("/tmp/shm"));
        assertThat(copy.ackThresholdBytes()).isEqualTo(123);
        assertThat(copy.ackDelay()).isEqualTo(4);
        assertThat(copy.controlSocketPollPeriod()).isEqualTo(8);
        assertThat(copy.tcpReadinessThreshold()).isEqualTo(3);
        assertThat(copy.loginTimeoutMillis()).isEqualTo(999);
        assertThat(copy.shareFilesWithGroup()).isTrue();

        assertThat(TcpShmConfig.defaults().toBuilder().build()).isEqualTo(TcpShmConfig.defaults());
    }

    @Test
    void toBuilderDerivesAVariantWithoutChangingTheOriginal()
    {
        final TcpShmConfig c = everythingChanged();
        final TcpShmConfig.Builder b = c.toBuilder();
        final TcpShmConfig variant = b.nameSize(8).build();
        assertThat(variant.nameSize()).isEqualTo(8);
        assertThat(c.nameSize()).isEqualTo(32);
        assertThat(variant).isNotEqualTo(c);
        assertThat(variant.toBuilder().nameSize(32).build()).isEqualTo(c);
    }

    @Test
    void toBuilderKeepsDerivedDefaultsDerived()
    {
        final TcpShmConfig variant = TcpShmConfig.defaults().toBuilder().tcpQueueSize(8000).heartbeatInterval(30).build();
        assertThat(variant.ackThresholdBytes()).isEqualTo(2000);
        assertThat(variant.ackDelay()).isEqualTo(10);
    }

    @Test
    void invalidCombinationsSurfaceOnlyAtBuild()
    {
        final TcpShmConfig.Builder b = TcpShmConfig.builder().tcpReceiveBufferMaxSize(1000);
        b.tcpReceiveBufferInitialSize(1000); // fixed before build: fine
        assertThat(b.build().tcpReceiveBufferMaxSize()).isEqualTo(1000);
    }
}
