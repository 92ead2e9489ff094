package io.tcpshm.testing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloserTest
{
    @Test
    void closesNewestFirstTriesEveryOneAndThrowsTheFirstFailure()
    {
        final List<String> closed = new ArrayList<>();
        final Closer closer = new Closer();
        closer.keep(() -> closed.add("a"));
        closer.keep(() ->
        {
            closed.add("b");
            throw new IllegalStateException("b failed");
        });
        closer.keep(() ->
        {
            closed.add("assertion");
            throw new AssertionError("server thread failed");
        });
        final AutoCloseable forgotten = closer.keep(() -> closed.add("forgotten"));
        closer.keep(() -> closed.add("c"));
        closer.forget(forgotten);
        assertThatThrownBy(closer::closeAll).isInstanceOf(AssertionError.class).hasMessage("server thread failed")
            .satisfies(t -> assertThat(t.getSuppressed()).singleElement().hasFieldOrPropertyWithValue("message", "b failed"));
        assertThat(closed).containsExactly("c", "assertion", "b", "a");
    }

    @Test
    void closeNowClosesOnceAndNotAgainAtTheEnd() throws Exception
    {
        final List<String> closed = new ArrayList<>();
        final Closer closer = new Closer();
        final AutoCloseable a = closer.keep(() -> closed.add("a"));
        closer.closeNow(a);
        closer.closeAll();
        closer.closeAll();
        assertThat(closed).containsExactly("a");
    }
}
