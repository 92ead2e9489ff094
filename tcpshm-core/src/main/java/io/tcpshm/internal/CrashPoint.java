package io.tcpshm.internal;

/**
 * A point between two stores of a change to a mapped file that must survive a crash at any store: an
 * index change of a PTCP queue, the zeroing of a ring. The engine passes {@link #NONE}; a test passes a
 * point that throws at the n-th call, which leaves the file exactly as a process killed there would, and
 * then checks what recovery makes of it.
 */
@FunctionalInterface
public interface CrashPoint
{
    /** No crash: what every file change of the engine uses. */
    CrashPoint NONE = () ->
    {
    };

    /** Called after a store that a crash may follow. */
    void reached();
}
