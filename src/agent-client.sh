#!/bin/sh
# A grant's provisioner: `sh lifecycle-handler.sh <apply|revoke>`, with the grant in SAAS_PERMISSIONS_PAYLOAD and
# SAAS_PERMISSIONS_ADDRESS, the handler bundle in SAAS_PERMISSIONS_HANDLER and the Node command in
# SAAS_PERMISSIONS_NODE. It hands the grant to the run's agent (src/agent.ts) over a Unix socket with curl, starting
# the agent if this is the run's first grant; the agent's answer is printed and its failure is this exit status.
# Where curl is missing or too old, or SAAS_PERMISSIONS_AGENT=off, the Node handler runs the grant on its own.
# Every step here is a shell builtin except curl: a process start is what the agent is there to save.
op=$1
node=${SAAS_PERMISSIONS_NODE:-node}
handler=$SAAS_PERMISSIONS_HANDLER
alone() { exec "$node" "$handler" "$op"; }
[ "${SAAS_PERMISSIONS_AGENT:-on}" = off ] && alone
command -v curl >/dev/null 2>&1 || alone

# Terraform started this shell (the provisioner's interpreter); the run's agent watches that process. Its start time
# names the run too, so a later process given the same PID never reaches this run's agent.
tf=$PPID
start=0
if [ -r "/proc/$tf/stat" ]; then
  read -r stat < "/proc/$tf/stat"
  # shellcheck disable=SC2086
  set -- ${stat##*) }
  shift 19
  start=$1
fi
# Only this user may enter: created 0700; refused (the handler runs alone) if it is a link or someone else's. In a
# sticky temporary folder nobody else can rename or remove it.
run=${TMPDIR:-/tmp}/saas-permissions-run-$tf-$start
[ -d "$run" ] || mkdir -m 700 "$run" 2>/dev/null
{ [ -d "$run" ] && [ ! -L "$run" ] && [ -O "$run" ]; } || alone
sock=$run/agent.sock
tries=0
while :; do
  if [ ! -S "$sock" ]; then
    # The first grant to take the lock starts the agent; the others wait for its socket.
    if mkdir "$run/lock" 2>/dev/null; then
      "$node" "$handler" agent "$run" "$tf" < /dev/null > /dev/null 2>&1 &
    fi
    waited=0
    while [ ! -S "$sock" ]; do
      waited=$((waited + 1))
      # No agent after 10 s (it failed to start): this grant runs on its own.
      [ "$waited" -gt 500 ] && alone
      sleep 0.02
    done
  fi
  # The agent answers 200 with the grant's line, or 422 with its redacted message (curl exit 22).
  curl -s --fail-with-body --unix-socket "$sock" --data-urlencode "a=$SAAS_PERMISSIONS_ADDRESS" --data-urlencode "p@-" "http://agent/$op" <<PAYLOAD
$SAAS_PERMISSIONS_PAYLOAD
PAYLOAD
  status=$?
  case $status in
    0) exit 0 ;;
    22) exit 1 ;;
    # curl could not start or does not know an option: nothing was sent.
    2) alone ;;
    # The socket refused (the agent was leaving when idle, or was killed): nothing was sent, so start another.
    7) [ "$tries" -ge 3 ] && break
      tries=$((tries + 1))
      rm -f "$sock"
      rmdir "$run/lock" 2>/dev/null ;;
    *) break ;;
  esac
done
echo "the run's agent gave no answer for $SAAS_PERMISSIONS_ADDRESS (curl exit $status): the grant's result is unknown, so it fails and is tried again on the next apply" >&2
exit 1
