package io.tcpshm.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesTest
{
    @ParameterizedTest
    @ValueSource(strings = {"a", "client-1", "A_b.c", "...", ".a", "a.", "a b", "~!@#$%^&*()+=,;", "[]{}<>?|\"'`", "back\\slash",
        "123456789012345"})
    void accepted(final String name)
    {
        assertThat(Names.problem(name, 16)).isNull();
        Names.requireValidLocal("clientName", name, 16);
    }

    @Test
    void emptyOrNull()
    {
        assertThat(Names.problem("", 16)).isEqualTo("is empty");
        assertThat(Names.problem(null, 16)).isEqualTo("is empty");
    }

    @Test
    void dotAndDotDot()
    {
        assertThat(Names.problem(".", 16)).isEqualTo("is '.'");
        assertThat(Names.problem("..", 16)).isEqualTo("is '..'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "/", "/etc", "a/", "../x"})
    void slash(final String name)
    {
        assertThat(Names.problem(name, 16)).isEqualTo("contains '/'");
    }

    @Test
    void controlCharactersAndNonAscii()
    {
        assertThat(Names.problem("a\nb", 16)).contains("not printable ASCII").contains("0xa");
        assertThat(Names.problem("a\0", 16)).contains("not printable ASCII").contains("0x0");
        assertThat(Names.problem("\u001f", 16)).contains("0x1f");
        assertThat(Names.problem("del\u007f", 16)).contains("0x7f");
        assertThat(Names.problem("caf\u00e9", 16)).contains("not printable ASCII").contains("0xe9");
        assertThat(Names.problem("\u4e2d", 16)).contains("0x4e2d");
    }

    @Test
    void tooLongForTheNameField()
    {
        assertThat(Names.problem("x".repeat(15), 16)).isNull();
        assertThat(Names.problem("x".repeat(16), 16)).isEqualTo("is longer than nameSize - 1 = 15 bytes");
        assertThat(Names.problem("x".repeat(7), 8)).isNull();
        assertThat(Names.problem("x".repeat(8), 8)).contains("nameSize - 1 = 7");
        assertThat(Names.problem("x", 2)).isNull();
        assertThat(Names.problem("xy", 2)).isNotNull();
    }

    @Test
    void requireValidLocalNamesTheSettingAndTheProblem()
    {
        assertThatThrownBy(() -> Names.requireValidLocal("serverName", "a/b", 16))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("serverName 'a/b' contains '/'");
        assertThatThrownBy(() -> Names.requireValidLocal("clientName", "", 16))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("clientName").hasMessageContaining("is empty");
        assertThatThrownBy(() -> Names.requireValidLocal("clientName", "x".repeat(20), 16))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("clientName").hasMessageContaining("longer than nameSize - 1 = 15");
    }

    @Test
    void fileNames()
    {
        final Path dir = Path.of("/tmp/x");
        assertThat(Names.ptcpFile(dir, "client", "server")).isEqualTo(Path.of("/tmp/x/client_server.ptcp"));
        assertThat(Names.shmFile(dir, "server", "client")).isEqualTo(Path.of("/tmp/x/server_client.shm"));
        assertThat(Names.lastServerFile(dir, "client")).isEqualTo(Path.of("/tmp/x/client.lastserver"));
    }
}
