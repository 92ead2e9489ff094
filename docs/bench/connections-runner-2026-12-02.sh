#!/bin/bash
# One pair of a connections measurement by hand (the bench's connections rows do the same with ConnectionRows):
# a tcpshm-pingpong server, N idle clients from one helper process, then the measured ping-pong client.
# usage: connections-runner-2026-12-02.sh READINESS RINGS_PER_POLL SHM(true|false) N
# JAR defaults to tcpshm-launcher/target/tcpshm.jar. Prints the client's percentiles (us) and the server's CPU per poll.
R=$1; RINGS=$2; SHM=$3; N=$4
J=${JAR:-tcpshm-launcher/target/tcpshm.jar}
D=$(mktemp -d); S=$(mktemp -d /dev/shm/tcpshm-conn.XXXX)
COMMON="shm=$SHM payload=16 readiness=$R ringsPerPoll=$RINGS conns=$N dir=$D shmDir=$S name=x"
java -Xms256m -Xmx256m -XX:+UseSerialGC -cp $J io.tcpshm.bench.BenchNode tcpshm-pingpong server $COMMON ctlEvery=256 stats=$D/stats > $D/server.out 2>&1 &
SP=$!
for i in $(seq 50); do grep -q READY $D/server.out 2>/dev/null && break; sleep 0.1; done
PORT=$(awk '/READY/{print $2}' $D/server.out)
if [ "$N" -gt 0 ]; then
  java -Xms1g -Xmx1g -XX:+UseSerialGC -cp $J io.tcpshm.bench.BenchNode tcpshm-pingpong idle $COMMON port=$PORT > $D/idle.out 2>&1 &
  IP=$!
  for i in $(seq 3000); do grep -q READY $D/idle.out 2>/dev/null && break; kill -0 $IP 2>/dev/null || break; sleep 0.1; done
fi
java -Xms256m -Xmx256m -XX:+UseSerialGC -cp $J io.tcpshm.bench.BenchNode tcpshm-pingpong client $COMMON port=$PORT warmupMs=1000 measureMs=3000 result=$D/r.json > $D/client.out 2>&1
kill -9 $SP $IP 2>/dev/null; wait 2>/dev/null
python3 -c "
import json
r=json.load(open('$D/r.json'))
st=[list(map(int,l.split())) for l in open('$D/stats')]
a,b=st[-4],st[-1]
print('readiness=$R ringsPerPoll=$RINGS shm=$SHM N=$N', {k:round(v/1000,2) for k,v in r.items() if k in ('p50Ns','p90Ns','p99Ns','p999Ns')}, 'cpu ns/iter %.0f'%((b[2]-a[2])/(b[1]-a[1])))"
rm -rf $D $S
