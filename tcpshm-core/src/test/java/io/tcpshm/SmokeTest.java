package io.tcpshm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest
{
    @Test
    void defaultsMatchTheCppFramework()
    {
        final TcpShmConfig c = TcpShmConfig.defaults();
        assertThat(c.nameSize()).isEqualTo(16);
        assertThat(c.tcpQueueSize()).isEqualTo(2000);
        assertThat(c.shmQueueSize()).isEqualTo(2048);
    }
}
