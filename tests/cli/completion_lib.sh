# shellcheck shell=bash
# Drives the bash completion functions of dist/bash-completion as readline calls
# them: a fresh `bash --norc` loads the files, COMP_WORDS/COMP_CWORD/COMP_LINE/
# COMP_POINT are set from a command line (cursor at its end) split as readline
# splits it, the function that `complete -p CMD` names is called, and COMPREPLY is
# what it offered. One such bash per mode serves every line (each completed in a
# subshell of its own, as a fresh start). Source it, then:
#
#   comp_setup COMP_DIR TMP   the completion files' directory; TMP (removed by the
#                             caller) gets a bash-completion user dir linking them
#   comp MODE LINE            sets COMP_GOT to what completing LINE offers, sorted,
#                             one a line; MODE plain: no bash-completion, the files
#                             are sourced; helpers: bash-completion is loaded and
#                             loads each file by its command's name (as on the first
#                             TAB), and the files use its helpers (_init_completion,
#                             _filedir)
#   comp_expect DESC MODE LINE WORD...   fails unless LINE offers exactly WORDs
#   comp_done                 ends the bash that served the lines
#   comp_has_helpers          bash-completion is installed
#   COMP_MODES                plain, and helpers when bash-completion is installed
#   COMP_RUN                  a command the fresh bash runs under (ip netns exec NS)
#
# A failure calls comp_fail MSG, which the test defines (it must exit).

COMP_DIR=""
COMP_USER_DIR=""
COMP_BASH_COMPLETION=/usr/share/bash-completion/bash_completion
COMP_MODES=(plain)
COMP_RUN=()
COMP_GOT=""
COMP_SERVING=""

comp_has_helpers() { [ -r "$COMP_BASH_COMPLETION" ]; }

comp_setup() {
  COMP_DIR=$1
  COMP_USER_DIR=$2/bash-completion
  mkdir -p "$COMP_USER_DIR/completions"
  ln -sf "$COMP_DIR/holdfastctl" "$COMP_DIR/holdfastd" "$COMP_USER_DIR/completions/"
  COMP_MODES=(plain)
  comp_has_helpers && COMP_MODES+=(helpers)
  return 0
}

# The fresh bash: $1 the mode; then a line to complete per input line, answered
# with the offers, one a line, and a line "@end@" (or "@error@ WHY" and "@end@").
# shellcheck disable=SC2016
COMP_CHILD='
mode=$1
for cmd in holdfastctl holdfastd; do
  if [[ $mode == helpers ]]; then
    [[ $cmd == holdfastd ]] || source "$COMP_BASH_COMPLETION" ||
      { echo "@error@ cannot load $COMP_BASH_COMPLETION"; exit 90; }
    __load_completion "$cmd" || { echo "@error@ bash-completion found no completion for $cmd"; exit 91; }
    shopt -s extdebug
    where=$(declare -F "_$cmd")
    shopt -u extdebug
    [[ $where == *" $BASH_COMPLETION_USER_DIR/completions/$cmd" ]] ||
      { echo "@error@ bash-completion loaded _$cmd from elsewhere: $where"; exit 92; }
  else
    source "$COMP_DIR/$cmd" || { echo "@error@ cannot source $COMP_DIR/$cmd"; exit 91; }
  fi
done
declare -A funcs
for cmd in holdfastctl holdfastd; do
  spec=$(complete -p "$cmd") || { echo "@error@ no completion registered for $cmd"; exit 93; }
  [[ $spec =~ -F\ ([^ ]+) ]] || { echo "@error@ not a function completion: $spec"; exit 93; }
  funcs[$cmd]=${BASH_REMATCH[1]}
done
while IFS= read -r line; do
  (
    cmd=${line%% *}
    func=${funcs[$cmd]-}
    [[ -n $func ]] || { echo "@error@ no completion function registered for $cmd"; exit 1; }
    # As readline splits: at blanks, and "=" (in COMP_WORDBREAKS) is a word of its
    # own; a line ending in a blank completes an empty word.
    COMP_WORDS=()
    read -ra toks <<<"$line"
    for t in "${toks[@]}"; do
      while [[ $t == *=* ]]; do
        [[ -n ${t%%=*} ]] && COMP_WORDS+=("${t%%=*}")
        COMP_WORDS+=("=")
        t=${t#*=}
      done
      [[ -n $t ]] && COMP_WORDS+=("$t")
    done
    [[ $line == *[[:blank:]] ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    "$func" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" </dev/null
    ((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
  )
  echo "@end@"
done
'

comp_done() {
  if [ -n "$COMP_SERVING" ]; then
    exec {COMP_IN}>&- {COMP_OUT}<&-
    wait "$COMP_PID" 2>/dev/null
  fi
  COMP_SERVING=""
}

comp() {
  local mode=$1 line=$2 out="" l
  if [ "$COMP_SERVING" != "$mode" ]; then
    comp_done
    coproc COMP_SERVER {
      COMP_DIR=$COMP_DIR COMP_BASH_COMPLETION=$COMP_BASH_COMPLETION \
        BASH_COMPLETION_USER_DIR=$COMP_USER_DIR BASH_COMPLETION_USER_FILE=/dev/null \
        "${COMP_RUN[@]}" bash --norc --noprofile -c "$COMP_CHILD" comp "$mode"
    }
    COMP_PID=$COMP_SERVER_PID
    # Plain descriptors: a coprocess's own are closed in subshells.
    exec {COMP_IN}>&"${COMP_SERVER[1]}" {COMP_OUT}<&"${COMP_SERVER[0]}"
    eval "exec ${COMP_SERVER[1]}>&- ${COMP_SERVER[0]}<&-"
    COMP_SERVING=$mode
  fi
  printf '%s\n' "$line" >&"$COMP_IN" || comp_fail "[$mode] the completing bash is gone"
  while :; do
    IFS= read -r -t 30 l <&"$COMP_OUT" || comp_fail "[$mode] no answer for '$line' in 30 s"
    case $l in
      @end@) break ;;
      @error@*) comp_fail "[$mode] completing '$line': ${l#@error@ }" ;;
    esac
    out+=$l$'\n'
  done
  local got=()
  [ -z "$out" ] || mapfile -t got <<<"${out%$'\n'}"
  comp_sort "${got[@]}"
  return 0
}

# comp_sort WORD...: sets COMP_GOT to the words sorted, one a line (no process:
# a test completes a hundred lines).
comp_sort() {
  local sorted=() w i j
  for w in "$@"; do
    sorted+=("$w")
    for ((i = ${#sorted[@]} - 1; i > 0; i--)); do
      j=$((i - 1))
      [[ ${sorted[j]} > ${sorted[i]} ]] || break
      w=${sorted[j]} sorted[j]=${sorted[i]} sorted[i]=$w
    done
  done
  COMP_GOT=""
  for w in "${sorted[@]}"; do COMP_GOT+=$w$'\n'; done
  COMP_GOT=${COMP_GOT%$'\n'}
}

comp_expect() {
  local desc=$1 mode=$2 line=$3 want
  shift 3
  comp_sort "$@"
  want=$COMP_GOT
  comp "$mode" "$line"
  [ "$COMP_GOT" = "$want" ] ||
    comp_fail "$desc [$mode]: '$line<TAB>' offered [${COMP_GOT//$'\n'/ }], expected [$*]"
  echo "ok [$mode]: $desc"
}
