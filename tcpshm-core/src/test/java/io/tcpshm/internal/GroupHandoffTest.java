package io.tcpshm.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-threaded rules of the group hand-off (the two-thread behaviour is the jcstress test
 * {@code GroupHandoffRelogin}): a member is polled once joined, stays the group's until the group
 * has polled after its removal, and can join again.
 */
class GroupHandoffTest
{
    private final GroupHandoff<String> handoff = new GroupHandoff<>(new String[] {"a", "b", "c"});

    private String liveList()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0, n = handoff.liveCount(); i < n; i++)
        {
            sb.append(handoff.live(i));
        }
        return sb.toString();
    }

    @Test
    void membersArePolledOnceJoinedInSlotOrder()
    {
        assertThat(handoff.size()).isEqualTo(3);
        assertThat(liveList()).isEmpty();
        handoff.join(2);
        handoff.join(0);
        assertThat(liveList()).isEqualTo("ac");
        assertThat(handoff.member(1)).isEqualTo("b");
    }

    @Test
    void aRemovedMemberIsReleasedOnlyAfterTheGroupPolled()
    {
        handoff.join(0);
        handoff.join(1);
        assertThat(liveList()).isEqualTo("ab");
        final int leave = handoff.leave(0);
        assertThat(handoff.released(leave)).as("the group has not polled since").isFalse();
        assertThat(liveList()).isEqualTo("b");
        assertThat(handoff.released(leave)).isTrue();
        handoff.join(0);
        assertThat(liveList()).isEqualTo("ab");
        assertThat(handoff.released(leave)).as("a later version still covers the earlier removal").isTrue();
    }

    @Test
    void twoRemovalsBeforeAPollAreReleasedTogether()
    {
        handoff.join(0);
        handoff.join(1);
        handoff.join(2);
        assertThat(liveList()).isEqualTo("abc");
        final int first = handoff.leave(2);
        final int second = handoff.leave(0);
        assertThat(handoff.released(first)).isFalse();
        assertThat(liveList()).isEqualTo("b");
        assertThat(handoff.released(first)).isTrue();
        assertThat(handoff.released(second)).isTrue();
        // the list shrank: the slots past its end no longer hold members
        assertThat(handoff.liveCount()).isEqualTo(1);
        assertThat(handoff.live(1)).isNull();
        assertThat(handoff.live(2)).isNull();
    }
}
