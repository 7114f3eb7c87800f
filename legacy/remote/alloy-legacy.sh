#!/bin/sh
# The NAS side of legacy-deploy, in one POSIX sh file (dash, busybox ash, bash). legacy-deploy ships it with
# every exec as `exec sh -c "<this file>" alloy-legacy ARGS...`: the script text never changes, and every value
# (paths, image, owner, docker run arguments) arrives as a positional argument, never as script text.
#
#   ARGS = DOCKER ROOT HTTP_PORT STOP_AFTER  STEP ARGC ARG... [STEP ARGC ARG...]...
#
# DOCKER is the docker binary, ROOT the configured rootDir (every path below is derived from it, the same names
# as legacy/deploy/layout.ts), HTTP_PORT Alloy's port on the host network. Each STEP is the name of a step_*
# function below, given exactly its ARGC arguments. The dispatcher runs the steps in order, framing each one's
# output with `@@step NAME` and `@@done NAME STATUS`, and stops at the first that fails (its status is the exec's
# exit status). STOP_AFTER is a test-only switch: when not empty, after that many steps the dispatcher cuts its
# own SSH connection (kills its sshd session process), as a dropped link would.
#
# Markers legacy-deploy reads: `@@locked`, `@@took-over`, `@@saved-previous` (the config before this change is
# kept, so restoring it is safe), `@@swapped`, `@@set-aside`, `@@created`, `@@started`, `@@status=CODE`.

umask 022

LOCKED_EXIT=75

# ---- helpers ------------------------------------------------------------------------------------------------

die() {
  printf '%s\n' "$*" >&2
  return 1
}

# wget_cmd: sets $wget to the wget to use: GNU wget with a timeout, else wget, else busybox's (busybox wget 1.35
# crashes on -T, so only GNU wget gets one).
wget_cmd() {
  if wget --version >/dev/null 2>&1; then
    wget='wget --timeout=10'
  elif command -v wget >/dev/null 2>&1; then
    wget=wget
  else
    wget='busybox wget'
  fi
}

# http_status METHOD URL: prints the HTTP status of a request to Alloy on this host (000 when nothing answers).
# DSM has curl; without it, wget (GNU or busybox) answers with the status line that -S prints.
http_status() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X "$1" "$2"
    return 0
  fi
  wget_cmd
  if [ "$1" = POST ]; then set -- "$2" --post-data=; else set -- "$2"; fi
  # shellcheck disable=SC2086 # $wget is a command and its options
  code=$($wget -S -O /dev/null "$@" 2>&1 | sed -n 's/^ *HTTP\/[0-9.]* \([0-9]*\).*/\1/p' | tail -n 1)
  printf '%s' "${code:-000}"
}

# http_body URL: the body of GET URL (empty when nothing answers).
http_body() {
  if command -v curl >/dev/null 2>&1; then
    curl -s --max-time 10 "$1"
  else
    wget_cmd
    # shellcheck disable=SC2086 # $wget is a command and its options
    $wget -q -O - "$1" 2>/dev/null
  fi
}

# proc_start PID: sets $started to the process's start time (field 22 of /proc/PID/stat), empty when it is gone
# or has ended and waits to be reaped (state Z or X: a killed SSH session whose parent is slow to reap it).
proc_start() {
  started=
  [ -r "/proc/$1/stat" ] || return 0
  read -r s <"/proc/$1/stat"
  s=${s##*") "}
  # shellcheck disable=SC2086 # split into the stat fields on purpose
  set -- $s
  case "$1" in Z | X) return 0 ;; esac
  started=${20}
}

# key_value FILE KEY: sets $v to the value of a `KEY=value` line of FILE.
key_value() {
  v=
  while IFS='=' read -r k rest; do
    [ "$k" = "$2" ] && v=$rest
  done 2>/dev/null <"$1"
}

# lock_state: prints the lock's owner file and whether its SSH session still runs (alive=yes|no|unknown).
lock_state() {
  [ -d "$LOCK" ] || return 0
  echo "now=$(date +%s)"
  echo "mtime=$(date -r "$LOCK" +%s)"
  cat "$LOCK/owner" 2>/dev/null
  key_value "$LOCK/owner" session
  session=$v
  key_value "$LOCK/owner" sessionStart
  if [ -z "$session" ]; then
    echo "alive=unknown"
  else
    proc_start "$session"
    if [ -n "$started" ] && [ "$started" = "$v" ]; then echo "alive=yes"; else echo "alive=no"; fi
  fi
}

# each_file DIR: prints the regular files directly in DIR (hidden ones too), one path a line.
each_file() {
  for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [ -f "$f" ] && printf '%s\n' "$f"
  done
  return 0
}

# sync_files FROM TO: makes folder TO hold exactly the files of FROM, each put in place with rename(2) (atomic:
# Alloy never reads half a file), by `mv` when FROM is given up (MODE=move) or a copy beside it (MODE=copy).
sync_files() {
  from=$1 to=$2 mode=$3
  each_file "$to" | while IFS= read -r f; do
    [ -e "$from/${f##*/}" ] || rm -f "$f" || exit 1
  done || return 1
  each_file "$from" | while IFS= read -r f; do
    n=${f##*/}
    if [ "$mode" = move ]; then
      mv -f "$f" "$to/$n" || exit 1
    else
      cp -p "$f" "$to/.incoming.$n" && mv -f "$to/.incoming.$n" "$to/$n" || exit 1
    fi
  done
}

# swap: keeps the running config in PREV, then moves the staged files into CFG. CFG itself stays: a bind mount
# pins its inode, so a folder renamed in would be invisible to the running container.
swap() {
  [ -d "$STAGING" ] || die "nothing staged in $STAGING" || return 1
  rm -rf "$PREV" && mkdir "$PREV" && sync_files "$CFG" "$PREV" copy || die "could not keep the current config in $PREV" || return 1
  echo "@@saved-previous"
  sync_files "$STAGING" "$CFG" move || die "could not move the staged files into $CFG" || return 1
  echo "@@swapped"
}

reload_request() {
  status=$(http_status POST "http://127.0.0.1:$HTTP_PORT/-/reload")
  echo "@@status=$status"
  [ "$status" = 200 ]
}

# ---- steps ----------------------------------------------------------------------------------------------------

# observe IMAGE: everything a plan compares, in @@sections. Read-only.
step_observe() {
  echo "@@dirs"
  for d in root:"$ROOT" config:"$CFG" data:"$DATA" previous-config:"$PREV" old-config:"$ROOT/alloy-config" old-data:"$ROOT/alloy-data"; do
    [ -d "${d#*:}" ] && echo "${d%%:*}"
  done
  echo "@@files"
  # The files as they are, hashed (not a manifest of what was once written: an edit by hand shows).
  each_file "$CFG" | while IFS= read -r f; do sha256sum "$f"; done
  echo "@@lock"
  lock_state
  echo "@@inspect"
  # --type container: without it docker looks a missing name up as image, network, volume... (slow on podman)
  "$DOCKER" inspect --type container alloy-legacy alloy-legacy-previous alloy 2>/dev/null
  echo "@@image"
  "$DOCKER" image inspect --format '{{.Id}}' "$1" 2>/dev/null
  echo "@@clock"
  date +%s
  echo "@@ready"
  http_status GET "http://127.0.0.1:$HTTP_PORT/-/ready"
  echo
  echo "@@metrics"
  http_body "http://127.0.0.1:$HTTP_PORT/metrics" | grep '^alloy_config_' 2>/dev/null
  echo "@@end"
  return 0
}

# lock OWNER PID TIME FORCE: mkdir is atomic, so of two runs exactly one takes the lock. A lock whose SSH
# session has ended is taken over (mkdir of LOCK/takeover decides between two runs that both found it stale);
# FORCE=force removes any lock (--force-unlock). A live lock: its owner file is printed, exit 75.
step_lock() {
  if [ "$4" = force ] && [ -d "$LOCK" ]; then
    echo "@@removed-lock"
    lock_state
    rm -rf "$LOCK"
  fi
  if ! mkdir "$LOCK" 2>/dev/null; then
    [ -d "$LOCK" ] || die "cannot create $LOCK" || return 1
    state=$(lock_state)
    case "$state" in
      *alive=no*)
        mkdir "$LOCK/takeover" 2>/dev/null || { printf '%s\n' "$state"; return $LOCKED_EXIT; }
        echo "@@took-over"
        printf '%s\n' "$state"
        rm -rf "$LOCK"
        mkdir "$LOCK" 2>/dev/null || { lock_state; return $LOCKED_EXIT; }
        ;;
      *)
        printf '%s\n' "$state"
        return $LOCKED_EXIT
        ;;
    esac
  fi
  proc_start "$PPID"
  (
    umask 077
    printf 'owner=%s\npid=%s\ntime=%s\nsession=%s\nsessionStart=%s\n' "$1" "$2" "$3" "$PPID" "$started" >"$LOCK/owner"
  ) || die "cannot write $LOCK/owner" || return 1
  echo "@@locked"
}

# release: removes the lock if this SSH session holds it (all execs of one connection share $PPID).
step_release() {
  key_value "$LOCK/owner" session
  [ "$v" = "$PPID" ] && rm -rf "$LOCK"
  return 0
}

# pull IMAGE
step_pull() {
  "$DOCKER" pull "$1"
}

# make_dirs: the mounted config and data folders (ROOT itself is never created: on DSM it is a shared folder).
step_make_dirs() {
  [ -d "$ROOT" ] || die "$ROOT does not exist" || return 1
  mkdir -p "$CFG" "$DATA"
}

# stage: receives the whole desired config as a tar on stdin (entries `staging/<file>`) into LOCK/staging.
step_stage() {
  [ -d "$LOCK" ] || die "stage: the lock $LOCK is not held" || return 1
  rm -rf "$STAGING" && tar -x -f - -C "$LOCK" && [ -d "$STAGING" ]
}

# validate IMAGE FLAG...: `alloy validate` of the staged folder with the image that will run it: read-only mount,
# no network, removed afterwards. Its exit status comes from `docker wait` (podman 4.3's `run --rm` returns 0
# whatever the container's status); its diagnostics are printed.
step_validate() {
  image=$1
  shift
  name=alloy-legacy-validate
  "$DOCKER" rm -f "$name" >/dev/null 2>&1
  "$DOCKER" run -d --name "$name" --network none -v "$STAGING:/etc/alloy:ro" "$image" validate "$@" /etc/alloy >/dev/null ||
    die "could not start the validation container from $image" || return 1
  code=$("$DOCKER" wait "$name")
  "$DOCKER" logs "$name" 2>&1
  "$DOCKER" rm -f "$name" >/dev/null 2>&1
  echo "@@status=$code"
  [ "$code" = 0 ]
}

# set_aside: the running container, renamed and stopped (same host port), until its replacement proves itself.
step_set_aside() {
  "$DOCKER" rename alloy-legacy alloy-legacy-previous || return 1
  echo "@@set-aside"
  "$DOCKER" stop alloy-legacy-previous >/dev/null
}

# swap_and_reload: the staged files in, then POST /-/reload. A rejected reload puts the previous files back at
# once (on the NAS, so a dropped link cannot leave the rejected files for the next restart to load).
step_swap_and_reload() {
  swap || return 1
  if reload_request; then return 0; fi
  sync_files "$PREV" "$CFG" copy && echo "@@restored-config"
  return 1
}

# reload: POST /-/reload of the files in place (they were swapped in by a run that ended before reloading).
step_reload() {
  reload_request
}

# swap_and_create RUN_ARG...: the staged files in, then `docker run RUN_ARG...` (the new alloy-legacy).
step_swap_and_create() {
  swap || return 1
  "$DOCKER" run "$@" >/dev/null || return 1
  echo "@@created"
}

# swap_and_start: the staged files in, then start the existing (stopped) alloy-legacy.
step_swap_and_start() {
  swap || return 1
  "$DOCKER" start alloy-legacy >/dev/null || return 1
  echo "@@started"
}

# restore_config: CFG holds exactly the files kept in PREV again.
step_restore_config() {
  [ -d "$PREV" ] || die "no previous config in $PREV" || return 1
  sync_files "$PREV" "$CFG" copy
}

# restore_previous: the container kept aside is alloy-legacy again and runs (a new one in its place goes).
step_restore_previous() {
  "$DOCKER" inspect --type container alloy-legacy-previous >/dev/null 2>&1 || die "no alloy-legacy-previous to restore" || return 1
  "$DOCKER" rm -f alloy-legacy >/dev/null 2>&1
  "$DOCKER" rename alloy-legacy-previous alloy-legacy && "$DOCKER" start alloy-legacy >/dev/null
}

# wait_ready SECONDS: polls GET /-/ready until 200, at most SECONDS.
step_wait_ready() {
  end=$(($(date +%s) + $1))
  while :; do
    code=$(http_status GET "http://127.0.0.1:$HTTP_PORT/-/ready")
    [ "$code" = 200 ] && { echo ready; return 0; }
    [ "$(date +%s)" -ge "$end" ] && { echo "not ready: last answer ${code:-none}"; return 1; }
    sleep 0.25
  done
}

# verify_hash SHA256 SECONDS: Alloy's /metrics must report alloy_config_hash{...,sha256="SHA256"} 1 and a successful
# last load: the proof that it runs the config just written, not only that it answers.
step_verify_hash() {
  end=$(($(date +%s) + $2))
  while :; do
    metrics=$(http_body "http://127.0.0.1:$HTTP_PORT/metrics")
    # other labels may come with sha256 (cluster_name since Alloy v1.x, sorted before it)
    running=$(printf '%s\n' "$metrics" | sed -n 's/^alloy_config_hash{.*sha256="\([0-9a-f]*\)".*} 1$/\1/p' | tail -n 1)
    loaded=$(printf '%s\n' "$metrics" | sed -n 's/^alloy_config_last_load_successful \([0-9.]*\)$/\1/p' | tail -n 1)
    [ "$running" = "$1" ] && [ "$loaded" = 1 ] && { echo "running $running"; return 0; }
    [ "$(date +%s)" -ge "$end" ] && { echo "running ${running:-unknown}, last load successful ${loaded:-unknown}"; return 1; }
    sleep 0.25
  done
}

# remove_container NAME
step_remove_container() {
  "$DOCKER" rm -f "$1" >/dev/null
}

# stop_container NAME (Alloy flushes its WAL on SIGTERM)
step_stop_container() {
  "$DOCKER" stop "$1" >/dev/null
}

# start_container NAME
step_start_container() {
  "$DOCKER" start "$1" >/dev/null
}

# create_container CREATE_ARG...: `docker create CREATE_ARG...` (rename: alloy-legacy from the old alloy's settings)
step_create_container() {
  "$DOCKER" create "$@" >/dev/null
}

# logs NAME: its last 20 log lines (nothing when there is no such container).
step_logs() {
  "$DOCKER" logs --tail 20 "$1" 2>&1 || true
}

# move_dir FROM TO: a same-filesystem rename of a whole folder; refuses to overwrite or to copy across devices.
step_move_dir() {
  [ ! -e "$2" ] || die "$2 already exists" || return 1
  parent=${2%/*}
  [ "$(stat -c %d "$1")" = "$(stat -c %d "${parent:-/}")" ] ||
    die "$1 is on another filesystem than ${parent:-/}: not moving it (that would copy and delete)" || return 1
  mv "$1" "$2"
}

# ---- dispatcher -----------------------------------------------------------------------------------------------

# call_step NAME ARGC ARG...: runs step_NAME with exactly its ARGC arguments. eval sees only "${1}", "${2}"...
# (numbers this function writes), never a value. The dispatcher's own variables start with _ (the steps share
# the script's globals).
call_step() {
  _call=step_$1
  _n=$2
  shift 2
  _i=1
  while [ "$_i" -le "$_n" ]; do
    _call="$_call \"\${$_i}\""
    _i=$((_i + 1))
  done
  eval "$_call"
}

main() {
  [ "$#" -ge 4 ] || die "usage: alloy-legacy DOCKER ROOT HTTP_PORT STOP_AFTER STEP ARGC ARG..." || exit 64
  DOCKER=$1 ROOT=$2 HTTP_PORT=$3 _stop_after=$4
  shift 4
  CFG=$ROOT/alloy-legacy-config
  PREV=$ROOT/alloy-legacy-config.previous
  DATA=$ROOT/alloy-legacy-data
  LOCK=$ROOT/.alloy-legacy.lock
  STAGING=$LOCK/staging
  _done=0
  while [ "$#" -gt 0 ]; do
    [ "$#" -ge 2 ] || die "step $1: no argument count" || exit 64
    _step=$1 _argc=$2
    shift 2
    case "$_step" in
      observe | lock | release | pull | make_dirs | stage | validate | set_aside | swap_and_reload | reload | \
        swap_and_create | swap_and_start | restore_config | restore_previous | wait_ready | verify_hash | \
        remove_container | stop_container | start_container | create_container | logs | move_dir) ;;
      *) die "unknown step: $_step" || exit 64 ;;
    esac
    case "$_argc" in '' | *[!0-9]*) die "step $_step: bad argument count $_argc" || exit 64 ;; esac
    [ "$#" -ge "$_argc" ] || die "step $_step: $_argc arguments expected, $# given" || exit 64
    echo "@@step $_step"
    call_step "$_step" "$_argc" "$@"
    _status=$?
    echo "@@done $_step $_status"
    [ "$_status" -eq 0 ] || exit "$_status"
    shift "$_argc"
    _done=$((_done + 1))
    if [ -n "$_stop_after" ] && [ "$_done" -ge "$_stop_after" ]; then
      kill -KILL "$PPID"
      exit 99
    fi
  done
}

main "$@"
