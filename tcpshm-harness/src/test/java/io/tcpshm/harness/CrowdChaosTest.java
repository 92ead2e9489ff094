package io.tcpshm.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpshm.tools.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crowd chaos run: {@code tcpshm.crowd.connections} persistent TCP connections (1000 by default, 2000 with
 * {@code -Plong}) exchange numbered messages with an echo server that is SIGKILLed {@code tcpshm.crowd.kills} times
 * (2, or 20 with {@code -Plong}) and restarted; every connection must resume, and every number come back exactly once.
 */
class CrowdChaosTest
{
    @TempDir
    Path tmp;

    @Test
    void everyConnectionResumesExactlyOnceAfterEachServerKill() throws Exception
    {
        final int connections = Integer.getInteger("tcpshm.crowd.connections", 1000);
        final int kills = Integer.getInteger("tcpshm.crowd.kills", 2);
        final Path json = tmp.resolve("crowd.json");
        final int exit = Main.run("chaos-crowd", "--connections", String.valueOf(connections), "--kills",
            String.valueOf(kills), "--json", json.toString());
        final JsonNode r = new ObjectMapper().readTree(json.toFile());
        final String context = r.toPrettyString();
        assertThat(exit).as(context).isZero();
        assertThat(r.get("ok").asBoolean()).as(context).isTrue();
        assertThat(r.get("connections").asInt()).isEqualTo(connections);
        assertThat(r.get("survived").asInt()).as(context).isEqualTo(kills);
        assertThat(r.get("recoverySeconds")).hasSize(kills);
        assertThat(r.get("lost").asLong()).as(context).isZero();
        assertThat(r.get("duplicated").asLong()).as(context).isZero();
        // every connection had echoes before the first kill and after each: at least two per kill and one more
        assertThat(r.get("messages").asLong()).as(context).isGreaterThanOrEqualTo((long)connections * (kills + 1));
    }
}
