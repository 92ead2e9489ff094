package io.tcpshm.hostile;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets the tries of the hostile properties from the system property {@code tcpshm.fuzz.tries}
 * (default {@value #DEFAULT_TRIES}): each property annotated {@link Share} runs that percentage of
 * it (at least 10); the shares of all hostile properties add up to 100. The long profile:
 * {@code ./mvnw test -pl tcpshm-core -Dtest='io.tcpshm.hostile.*Test' -Dtcpshm.fuzz.tries=1000000}.
 */
final class FuzzTries implements AroundPropertyHook
{
    static final int DEFAULT_TRIES = 2000;

    /** Percentage of {@code tcpshm.fuzz.tries} a property runs. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Share
    {
        int value();
    }

    static int total()
    {
        final String v = System.getProperty("tcpshm.fuzz.tries");
        if (v == null || v.isBlank() || v.startsWith("$"))
        {
            return DEFAULT_TRIES;
        }
        return Integer.parseInt(v.trim());
    }

    @Override
    public PropertyExecutionResult aroundProperty(final PropertyLifecycleContext context, final PropertyExecutor property)
    {
        context.findAnnotation(Share.class).ifPresent(share ->
            context.attributes().setTries((int)Math.max(10, (long)total() * share.value() / 100)));
        return property.execute();
    }

    @Override
    public PropagationMode propagateTo()
    {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public int aroundPropertyProximity()
    {
        return -50; // outside jqwik's own defaults hook, so that it sees the tries set here
    }
}
