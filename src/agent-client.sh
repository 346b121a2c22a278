#!/bin/sh
# A grant's provisioner: `sh lifecycle-handler.sh <apply|revoke>`, with the grant in SAAS_PERMISSIONS_PAYLOAD and
# SAAS_PERMISSIONS_ADDRESS, the handler bundle in SAAS_PERMISSIONS_HANDLER and the Node command in
# SAAS_PERMISSIONS_NODE. It hands the grant to the run's agent (src/agent.ts) over a Unix socket with curl, starting
# the agent if this is the run's first grant, and prints and exits with the agent's answer. Without curl or /proc-less
# PID checks it is still correct: where curl is missing, or SAAS_PERMISSIONS_AGENT=off, the handler runs on its own.
op=$1
node=${SAAS_PERMISSIONS_NODE:-node}
handler=$SAAS_PERMISSIONS_HANDLER
alone() { exec "$node" "$handler" "$op"; }
[ "${SAAS_PERMISSIONS_AGENT:-on}" = off ] && alone
command -v curl >/dev/null 2>&1 || alone

# Terraform started this shell (the provisioner's interpreter); the agent of this run watches it.
tf=$PPID
start=
if [ -r "/proc/$tf/stat" ]; then
  read -r stat < "/proc/$tf/stat"
  # shellcheck disable=SC2086
  set -- ${stat##*) }
  shift 19
  start=$1
fi
uid=$(id -u)
# Only this user may enter: created 0700, refused if it is a link or someone else's.
base=${TMPDIR:-/tmp}/saas-permissions-$uid
mkdir -m 700 "$base" 2>/dev/null
{ [ -d "$base" ] && [ ! -L "$base" ] && [ -O "$base" ] && chmod 700 "$base"; } 2>/dev/null || alone
run=$base/run-$tf-$start
mkdir -m 700 "$run" 2>/dev/null
{ [ -d "$run" ] && [ ! -L "$run" ] && [ -O "$run" ] && chmod 700 "$run"; } 2>/dev/null || alone
sock=$run/agent.sock
nl='
'
tries=0
while :; do
  if [ ! -S "$sock" ]; then
    # The first grant to take the lock starts the agent; the others wait for its socket.
    if mkdir "$run/lock" 2>/dev/null; then
      "$node" "$handler" agent "$run" "$tf" < /dev/null > "$run/agent.log" 2>&1 &
    fi
    waited=0
    while [ ! -S "$sock" ]; do
      waited=$((waited + 1))
      # No agent after 10 s (it failed to start, or a stale lock): this grant runs on its own.
      [ "$waited" -gt 500 ] && alone
      sleep 0.02
    done
  fi
  answer=$(printf '%s' "$SAAS_PERMISSIONS_PAYLOAD" | curl -sS --unix-socket "$sock" \
    --data-urlencode "a=$SAAS_PERMISSIONS_ADDRESS" --data-urlencode "p@-" "http://agent/$op")
  status=$?
  # 7: the socket refused (the agent was leaving when idle): nothing was sent, so try again with a new agent.
  if [ "$status" -eq 7 ] && [ "$tries" -lt 3 ]; then
    tries=$((tries + 1))
    rm -f "$sock"
    rmdir "$run/lock" 2>/dev/null
    continue
  fi
  break
done
if [ "$status" -ne 0 ]; then
  echo "the run's agent gave no answer for $SAAS_PERMISSIONS_ADDRESS (curl exit $status): the grant's result is unknown, so it fails and is tried again on the next apply" >&2
  exit 1
fi
code=${answer%%"$nl"*}
text=${answer#*"$nl"}
case $code in
  0) printf '%s\n' "$text" ;;
  *) printf '%s\n' "$text" >&2 ;;
esac
exit "$code"
