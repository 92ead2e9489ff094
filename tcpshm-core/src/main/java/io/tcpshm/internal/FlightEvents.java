package io.tcpshm.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JDK Flight Recorder events of a connection's life: logins, rejected logins, disconnects with their
 * reason, sequence number mismatches and file errors; never one per message. They appear under
 * "tcpshm" in {@code jfr print --categories tcpshm} and in Mission Control, enabled by default
 * settings, and cost nothing when no recording runs (the JIT removes an event that is not enabled).
 *
 * <p>Each event names the side that reports it ({@code client} or {@code server}), its own name and
 * the peer's name as the login gave it (null when the peer's name was not valid).
 */
public final class FlightEvents
{
    /** The side a client reports from. */
    public static final String CLIENT = "client";
    /** The side a server reports from. */
    public static final String SERVER = "server";

    private FlightEvents()
    {
    }

    /** Fields every tcpshm event has. */
    @Category("tcpshm")
    abstract static class ConnectionEvent extends Event
    {
        @Label("Side")
        @Description("client or server: which side reported the event")
        String side;

        @Label("Local Name")
        String localName;

        @Label("Remote Name")
        @Description("the peer's name as its login gave it; null when it was not a valid name")
        String remoteName;

        final void names(final String side, final String local, final String remote)
        {
            this.side = side;
            this.localName = local;
            this.remoteName = remote;
        }
    }

    /** A login that succeeded. */
    @Name("io.tcpshm.Login")
    @Label("tcpshm Login")
    @Description("A client logged on: a persistent connection's session began")
    static final class Login extends ConnectionEvent
    {
        @Label("SHM")
        @Description("true: messages go through shared-memory rings; false: over TCP")
        boolean shm;

        @Label("Remote Address")
        String remoteAddress;
    }

    /** A login the server refused with an error status. */
    @Name("io.tcpshm.LoginReject")
    @Label("tcpshm Login Reject")
    @Description("A login was refused (the error text of the login response)")
    static final class LoginReject extends ConnectionEvent
    {
        @Label("Status")
        int status;

        @Label("Error")
        String error;
    }

    /** The end of a session. */
    @Name("io.tcpshm.Disconnect")
    @Label("tcpshm Disconnect")
    @Description("A session ended; the persistent connection stays, to be resumed by the next login")
    static final class Disconnect extends ConnectionEvent
    {
        @Label("Reason")
        String reason;

        @Label("Detail")
        String detail;
    }

    /** A login whose sequence numbers did not match the other side's. */
    @Name("io.tcpshm.SequenceMismatch")
    @Label("tcpshm Sequence Number Mismatch")
    @Description("A login failed because one side's acknowledged sequence is outside the other's queue")
    static final class SequenceMismatch extends ConnectionEvent
    {
        @Label("Local Ack")
        long localAck;

        @Label("Local Seq Start")
        long localSeqStart;

        @Label("Local Seq End")
        long localSeqEnd;

        @Label("Remote Ack")
        long remoteAck;

        @Label("Remote Seq Start")
        long remoteSeqStart;

        @Label("Remote Seq End")
        long remoteSeqEnd;
    }

    /** A connection's file could not be opened, was corrupt, or faulted (a full file system). */
    @Name("io.tcpshm.FileError")
    @Label("tcpshm File Error")
    @Description("A queue, ring or last-server file could not be used")
    static final class FileError extends ConnectionEvent
    {
        @Label("Message")
        String message;
    }

    /**
     * @param side          {@link #CLIENT} or {@link #SERVER}.
     * @param local         this side's name.
     * @param remote        the peer's name.
     * @param shm           whether the session uses SHM rings.
     * @param remoteAddress the peer's address, or null.
     */
    public static void login(final String side, final String local, final String remote, final boolean shm,
        final String remoteAddress)
    {
        final Login e = new Login();
        if (e.shouldCommit())
        {
            e.names(side, local, remote);
            e.shm = shm;
            e.remoteAddress = remoteAddress;
            e.commit();
        }
    }

    /**
     * @param side   {@link #CLIENT} or {@link #SERVER}.
     * @param local  this side's name.
     * @param remote the peer's name, or null when it was not valid.
     * @param status the response's status byte.
     * @param error  the response's error text.
     */
    public static void loginReject(final String side, final String local, final String remote, final int status,
        final String error)
    {
        final LoginReject e = new LoginReject();
        if (e.shouldCommit())
        {
            e.names(side, local, remote);
            e.status = status;
            e.error = error;
            e.commit();
        }
    }

    /**
     * @param side   {@link #CLIENT} or {@link #SERVER}.
     * @param local  this side's name.
     * @param remote the peer's name.
     * @param reason the reason's name ({@code DisconnectReason}).
     * @param detail its detail text, or null.
     */
    public static void disconnect(final String side, final String local, final String remote, final String reason,
        final String detail)
    {
        final Disconnect e = new Disconnect();
        if (e.shouldCommit())
        {
            e.names(side, local, remote);
            e.reason = reason;
            e.detail = detail;
            e.commit();
        }
    }

    /**
     * Sequence numbers as the callback {@code onSeqNumberMismatch} reports them (unsigned 32-bit values).
     *
     * @param side           {@link #CLIENT} or {@link #SERVER}.
     * @param local          this side's name.
     * @param remote         the peer's name.
     * @param localAck       this side's ack.
     * @param localSeqStart  first sequence number in this side's queue.
     * @param localSeqEnd    one past the last.
     * @param remoteAck      the peer's ack.
     * @param remoteSeqStart first sequence number in the peer's queue.
     * @param remoteSeqEnd   one past the last.
     */
    public static void sequenceMismatch(final String side, final String local, final String remote,
        final long localAck, final long localSeqStart, final long localSeqEnd, final long remoteAck,
        final long remoteSeqStart, final long remoteSeqEnd)
    {
        final SequenceMismatch e = new SequenceMismatch();
        if (e.shouldCommit())
        {
            e.names(side, local, remote);
            e.localAck = localAck;
            e.localSeqStart = localSeqStart;
            e.localSeqEnd = localSeqEnd;
            e.remoteAck = remoteAck;
            e.remoteSeqStart = remoteSeqStart;
            e.remoteSeqEnd = remoteSeqEnd;
            e.commit();
        }
    }

    /**
     * @param side    {@link #CLIENT} or {@link #SERVER}.
     * @param local   this side's name.
     * @param remote  the peer's name, or null when the file is not a connection's (the last-server file).
     * @param message what went wrong, as the callback reports it.
     */
    public static void fileError(final String side, final String local, final String remote, final String message)
    {
        final FileError e = new FileError();
        if (e.shouldCommit())
        {
            e.names(side, local, remote);
            e.message = message;
            e.commit();
        }
    }
}
