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
# A pseudo-step `on_interrupt ARGC MODE [STEP ARGC ARG...]...` (not framed, not run) says what to do when the run is
# interrupted at the step boundaries after it: MODE `undo` runs those undo steps, then the release, and ends the
# exec with status 130; MODE `finish` carries on (the change is proven, what is left only tidies up). The run is
# interrupted when its SSH session has ended (Ctrl-C without a goodbye, a dropped link), when a second exec of
# that session ran the `interrupt` step (legacy-deploy's Ctrl-C), or on SIGINT/SIGTERM. wait_ready and verify_hash
# stop early (status 130) when interrupted under an `undo` program: they only watch.
#
# Every exec that acts under the lock registers itself in LOCK/actor (pid and start time): the lock is live while
# its SSH session or that process lives, so a run whose session ended but whose script still acts (an interrupted
# run rolling back) is never taken over. The markers and exit statuses legacy-deploy reads are the table
# `remoteProtocol` in legacy/remote/script.ts.

umask 022

LOCKED_EXIT=75
INTERRUPTED_EXIT=130

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

# process_alive PID START: true when process PID runs and started at START (a pid reused since is another process).
process_alive() {
  [ -n "$1" ] && [ -n "$2" ] || return 1
  proc_start "$1"
  [ -n "$started" ] && [ "$started" = "$2" ]
}

# lock_state: prints the lock's owner record and whether it is live (alive=yes|no): its SSH session still runs,
# or the process acting under it (LOCK/actor) does. A lock without a complete owner record was never taken by a
# live run (a run writes its record before the lock folder appears, see take_lock): incomplete=yes, alive=no.
lock_state() {
  [ -d "$LOCK" ] || return 0
  echo "now=$(date +%s)"
  echo "mtime=$(date -r "$LOCK" +%s)"
  cat "$LOCK/owner" 2>/dev/null
  key_value "$LOCK/owner" session
  session=$v
  key_value "$LOCK/owner" sessionStart
  if [ -z "$session" ] || [ -z "$v" ]; then
    echo "incomplete=yes"
    echo "alive=no"
    return 0
  fi
  session_alive=no
  process_alive "$session" "$v" && session_alive=yes
  key_value "$LOCK/actor" pid
  actor=$v
  key_value "$LOCK/actor" start
  actor_alive=no
  process_alive "$actor" "$v" && actor_alive=yes
  echo "sessionAlive=$session_alive"
  [ -n "$actor" ] && echo "actor=$actor" && echo "actorAlive=$actor_alive"
  if [ "$session_alive" = yes ] || [ "$actor_alive" = yes ]; then echo "alive=yes"; else echo "alive=no"; fi
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

# swap: keeps the running config in PREV (0700: only the SSH user reads it; its files keep their 0644 so that a
# restore gives Alloy readable files), then moves the staged files into CFG. CFG itself stays: a bind mount pins
# its inode, so a folder renamed in would be invisible to the running container.
swap() {
  [ -d "$STAGING" ] || die "nothing staged in $STAGING" || return 1
  rm -rf "$PREV" && mkdir -m 700 "$PREV" && sync_files "$CFG" "$PREV" copy || die "could not keep the current config in $PREV" || return 1
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
  # --type container: without it docker looks a missing name up as image, network, volume... (slow on podman).
  # Its stdout is printed, its stderr kept: docker prints `[]` even when no engine answered, so the engine
  # answered only when every complaint is about a missing container (a wrong dockerPath: "not found", 127).
  { inspect_err=$("$DOCKER" inspect --type container alloy-legacy alloy-legacy-previous alloy 2>&1 1>&3 3>&-); } 3>&1
  inspect_status=$?
  echo "@@engine"
  if [ "$inspect_status" -ge 126 ] || printf '%s\n' "$inspect_err" | grep -qiv -e '^$' -e 'no such container' -e 'no such object'; then
    printf '%s\n' "$inspect_err" | grep -v '^$' | tail -n 2
    echo "exit status $inspect_status"
  else
    echo "answered"
  fi
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

# disk_full: rootDir's filesystem has no space left (dash's printf says only "I/O error" on ENOSPC).
disk_full() {
  # shellcheck disable=SC2046 # split df's last line into its fields on purpose
  set -- $(df -Pk "$ROOT" 2>/dev/null | tail -n 1)
  [ "${4:-1}" = 0 ]
}

# take_lock OWNER PID TIME: the lock folder appears with its complete owner record in it, by rename(2) of a folder
# prepared beside it (0700: staging inside it is nobody else's to read). When LOCK exists, mv puts the folder
# inside it instead: that is a lost race, undone. Returns 0 when taken, 2 when the lock exists, 1 on an error.
take_lock() {
  tmp=$ROOT/.alloy-legacy.lock.new.$$
  rm -rf "$tmp"
  proc_start "$PPID"
  if ! err=$({ umask 077 && mkdir "$tmp" &&
    printf 'owner=%s\npid=%s\ntime=%s\nsession=%s\nsessionStart=%s\n' "$1" "$2" "$3" "$PPID" "$started" >"$tmp/owner"; } 2>&1); then
    rm -rf "$tmp"
    disk_full && err="No space left on device ($err)"
    die "cannot write the lock's owner record in $tmp: ${err:-write failed}"
    return 1
  fi
  [ -e "$LOCK" ] && { rm -rf "$tmp"; return 2; }
  mv "$tmp" "$LOCK" 2>/dev/null
  if [ -e "$LOCK/${tmp##*/}" ]; then
    rm -rf "${LOCK:?}/${tmp##*/}"
    return 2
  fi
  [ -d "$tmp" ] && { rm -rf "$tmp"; return 2; }
  return 0
}

# lock OWNER PID TIME FORCE WAIT: of two runs exactly one takes the lock (take_lock). A lock that is not live
# (lock_state) is taken over (mkdir of LOCK/takeover decides between two runs that both found it stale, and its
# record must be unchanged meanwhile); FORCE=force removes any lock (--force-unlock). A lock whose SSH session has
# ended but whose actor still acts (an interrupted run rolling back) is waited for, at most WAIT seconds. A live
# lock: its owner record is printed, exit 75.
step_lock() {
  if [ "$4" = force ] && [ -d "$LOCK" ]; then
    echo "@@removed-lock"
    lock_state
    rm -rf "$LOCK"
  fi
  end=$(($(date +%s) + ${5:-0}))
  while :; do
    take_lock "$1" "$2" "$3"
    case $? in
      0) break ;;
      1) return 1 ;;
    esac
    state=$(lock_state)
    case "$state" in
      '') continue ;;
      *alive=no*)
        record=$(cat "$LOCK/owner" 2>/dev/null)
        mkdir "$LOCK/takeover" 2>/dev/null || { printf '%s\n' "$state"; return $LOCKED_EXIT; }
        [ "$(cat "$LOCK/owner" 2>/dev/null)" = "$record" ] || { printf '%s\n' "$state"; return $LOCKED_EXIT; }
        echo "@@took-over"
        printf '%s\n' "$state"
        rm -rf "$LOCK"
        ;;
      *sessionAlive=no*actorAlive=yes*)
        [ "$(date +%s)" -lt "$end" ] || { printf '%s\n' "$state"; return $LOCKED_EXIT; }
        sleep 1
        ;;
      *)
        printf '%s\n' "$state"
        return $LOCKED_EXIT
        ;;
    esac
  done
  echo "@@locked"
}

# release: removes the lock if this SSH session holds it (all execs of one connection share $PPID).
step_release() {
  key_value "$LOCK/owner" session
  [ "$v" = "$PPID" ] && rm -rf "$LOCK"
  return 0
}

# interrupt: asks the run of this SSH session that acts under the lock to stop at its next step boundary and run
# its undo program (legacy-deploy's Ctrl-C; a second exec on the same connection). Prints the actor's pid.
step_interrupt() {
  key_value "$LOCK/owner" session
  [ "$v" = "$PPID" ] || die "the lock $LOCK is not held by this SSH session" || return 1
  : >"$LOCK/interrupt" || return 1
  key_value "$LOCK/actor" pid
  echo "@@actor=$v"
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
    stop_waiting && { echo "interrupted: last answer ${code:-none}"; return $INTERRUPTED_EXIT; }
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
    stop_waiting && { echo "interrupted: running ${running:-unknown}"; return $INTERRUPTED_EXIT; }
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

# act: registers this exec as the process acting under the lock (LOCK/actor, written whole by rename), when its
# SSH session holds it: from now on the lock is live while this script runs, even once that session has ended.
act() {
  _acting=1
  key_value "$LOCK/owner" session
  [ "$v" = "$PPID" ] || return 0
  proc_start "$$"
  printf 'pid=%s\nstart=%s\n' "$$" "$started" >"$LOCK/actor.new" && mv -f "$LOCK/actor.new" "$LOCK/actor"
}

# interrupted: the run is to stop at its next step boundary: a signal came, legacy-deploy asked (LOCK/interrupt),
# or the SSH session that started this exec has ended.
interrupted() {
  [ -n "$_signalled" ] && return 0
  [ -e "$LOCK/interrupt" ] && return 0
  proc_start "$PPID"
  [ "$started" != "$_session_start" ]
}

# stop_waiting: true when a waiting step should give up early: interrupted under an `undo` program.
stop_waiting() {
  [ "$_on_interrupt" = undo ] && interrupted
}

# run_calls FIRST COUNT: runs COUNT framed step calls (STEP ARGC ARG...) that start at main's positional argument
# FIRST, stopping at the first failure (its status). Sets _next to the position after them. The calls are built
# with eval from numbers only ("${12}"), never from a value.
run_calls() {
  _next=$1
  _left=$2
  shift 2
  while [ "$_left" -gt 0 ]; do
    _left=$((_left - 1))
    _rc_step='' _rc_argc=''
    eval "_rc_step=\${$_next}"
    eval "_rc_argc=\${$((_next + 1))}"
    _call=step_$_rc_step
    _i=$((_next + 2))
    _next=$((_i + _rc_argc))
    while [ "$_i" -lt "$_next" ]; do
      _call="$_call \"\${$_i}\""
      _i=$((_i + 1))
    done
    echo "@@step $_rc_step"
    eval "$_call"
    _rc_status=$?
    # a full disk is said as such: GNU tar says "Wrote only N of M bytes", dash's printf "I/O error"
    [ "$_rc_status" -eq 0 ] || ! disk_full || echo "No space left on device in $ROOT" >&2
    echo "@@done $_rc_step $_rc_status"
    [ "$_rc_status" -eq 0 ] || return "$_rc_status"
  done
  return 0
}

# check_call POSITION: the call (STEP ARGC ARG...) at main's positional argument POSITION is a known step with all
# its arguments; sets _step, _argc and _args (the position of its first argument).
check_call() {
  _p=$1
  shift
  _step='' _argc=''
  [ "$#" -ge "$((_p + 1))" ] || die "step at argument $_p: no argument count" || exit 64
  eval "_step=\${$_p}"
  eval "_argc=\${$((_p + 1))}"
  case "$_step" in
    observe | lock | release | interrupt | pull | make_dirs | stage | validate | set_aside | swap_and_reload | \
      reload | swap_and_create | swap_and_start | restore_config | restore_previous | wait_ready | verify_hash | \
      remove_container | stop_container | start_container | create_container | logs | move_dir | on_interrupt) ;;
    *) die "unknown step: $_step" || exit 64 ;;
  esac
  case "$_argc" in '' | *[!0-9]*) die "step $_step: bad argument count $_argc" || exit 64 ;; esac
  _args=$((_p + 2))
  [ "$#" -ge "$((_args + _argc - 1))" ] || die "step $_step: $_argc arguments expected, $(($# - _args + 1)) given" || exit 64
}

# undo_and_stop: the interrupted run's end under an `undo` program: its undo steps, then the release, framed like
# any step after an `@@interrupted STEP` line (the step it stopped before); exits 130, or with the status of the
# undo step that failed (the lock then stays, stale once this script has ended).
undo_and_stop() {
  echo "@@interrupted $1"
  shift
  _on_interrupt=
  run_calls "$_undo_at" "$_undo_calls" "$@" || exit $?
  echo "@@step release"
  step_release
  echo "@@done release 0"
  exit $INTERRUPTED_EXIT
}

main() {
  [ "$#" -ge 4 ] || die "usage: alloy-legacy DOCKER ROOT HTTP_PORT STOP_AFTER STEP ARGC ARG..." || exit 64
  DOCKER=$1 ROOT=$2 HTTP_PORT=$3 _stop_after=$4
  CFG=$ROOT/alloy-legacy-config
  PREV=$ROOT/alloy-legacy-config.previous
  DATA=$ROOT/alloy-legacy-data
  LOCK=$ROOT/.alloy-legacy.lock
  STAGING=$LOCK/staging
  # The SSH session may end under this script (Ctrl-C, a dropped link): writing to it must not kill the script
  # half-way through a step; it stops at a step boundary instead (interrupted).
  trap '' HUP PIPE
  trap '_signalled=1' INT TERM
  proc_start "$PPID"
  _session_start=$started
  _on_interrupt='' _acting=''
  _done=0
  _pos=5
  while [ "$_pos" -le "$#" ]; do
    check_call "$_pos" "$@"
    if [ "$_step" = on_interrupt ]; then
      eval "_on_interrupt=\${$_args}"
      _undo_at=$((_args + 1))
      # the undo program's calls: count them from their argument counts
      _undo_calls=0
      _q=$_undo_at
      while [ "$_q" -lt "$((_args + _argc))" ]; do
        _qa=''
        eval "_qa=\${$((_q + 1))}"
        _q=$((_q + 2 + _qa))
        _undo_calls=$((_undo_calls + 1))
      done
      _pos=$((_args + _argc))
      continue
    fi
    if [ "$_on_interrupt" = undo ] && interrupted; then undo_and_stop "$_step" "$@"; fi
    case "$_step" in observe | lock | release | interrupt | logs) ;; *) [ -n "$_acting" ] || act ;; esac
    run_calls "$_pos" 1 "$@"
    _status=$?
    if [ "$_status" -eq "$INTERRUPTED_EXIT" ] && [ "$_on_interrupt" = undo ]; then undo_and_stop "$_step" "$@"; fi
    [ "$_status" -eq 0 ] || exit "$_status"
    _pos=$_next
    _done=$((_done + 1))
    if [ -n "$_stop_after" ] && [ "$_done" -ge "$_stop_after" ]; then
      kill -KILL "$PPID"
      exit 99
    fi
  done
}

main "$@"
