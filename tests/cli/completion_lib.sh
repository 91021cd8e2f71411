# shellcheck shell=bash
# Drives the bash completion functions of dist/bash-completion as readline calls
# them: a fresh `bash --norc` loads the file, COMP_WORDS/COMP_CWORD/COMP_LINE/
# COMP_POINT are set from a command line (cursor at its end) split as readline
# splits it, the function that `complete -p CMD` names is called, and COMPREPLY is
# what it offered. Source it, then:
#
#   comp_setup COMP_DIR TMP   the completion files' directory; TMP (removed by the
#                             caller) gets a bash-completion user dir linking them
#   comp MODE LINE            prints what completing LINE offers, sorted, one a line;
#                             MODE plain: no bash-completion, the file is sourced;
#                             helpers: bash-completion is loaded and loads the file
#                             by the command's name (as on the first TAB), and the
#                             file uses its helpers (_init_completion, _filedir)
#   comp_expect DESC MODE LINE WORD...   fails unless LINE offers exactly WORDs
#   comp_has_helpers          bash-completion is installed
#   COMP_MODES                plain, and helpers when bash-completion is installed
#
# A failure calls comp_fail MSG, which the test defines (it must exit).

COMP_DIR=""
COMP_USER_DIR=""
COMP_BASH_COMPLETION=/usr/share/bash-completion/bash_completion
COMP_MODES=(plain)

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

# Runs in the fresh bash: $1 mode, $2 line.
# shellcheck disable=SC2016
COMP_CHILD='
mode=$1 line=$2 cmd=${2%% *}
if [[ $mode == helpers ]]; then
  source "$COMP_BASH_COMPLETION" || { echo "cannot load $COMP_BASH_COMPLETION" >&2; exit 90; }
  __load_completion "$cmd" || { echo "bash-completion found no completion for $cmd" >&2; exit 91; }
  shopt -s extdebug
  where=$(declare -F "_$cmd")
  shopt -u extdebug
  [[ $where == *" $BASH_COMPLETION_USER_DIR/completions/$cmd" ]] ||
    { echo "bash-completion loaded _$cmd from elsewhere: $where" >&2; exit 92; }
else
  source "$COMP_DIR/$cmd" || { echo "cannot source $COMP_DIR/$cmd" >&2; exit 91; }
fi
spec=$(complete -p "$cmd") || { echo "no completion registered for $cmd" >&2; exit 93; }
[[ $spec =~ -F\ ([^ ]+) ]] || { echo "not a function completion: $spec" >&2; exit 93; }
func=${BASH_REMATCH[1]}
# As readline splits: at blanks, and "=" (in COMP_WORDBREAKS) is a word of its own;
# a line ending in a blank completes an empty word.
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
"$func" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
'

comp() {
  local mode=$1 line=$2 out
  out=$(COMP_DIR=$COMP_DIR COMP_BASH_COMPLETION=$COMP_BASH_COMPLETION \
    BASH_COMPLETION_USER_DIR=$COMP_USER_DIR BASH_COMPLETION_USER_FILE=/dev/null \
    bash --norc --noprofile -c "$COMP_CHILD" comp "$mode" "$line") || return 1
  [ -z "$out" ] || LC_ALL=C sort <<<"$out"
}

comp_expect() {
  local desc=$1 mode=$2 line=$3 got want
  shift 3
  got=$(comp "$mode" "$line") || comp_fail "$desc [$mode]: completing '$line' failed"
  want=""
  [ $# -eq 0 ] || want=$(printf '%s\n' "$@" | LC_ALL=C sort)
  [ "$got" = "$want" ] ||
    comp_fail "$desc [$mode]: '$line<TAB>' offered [${got//$'\n'/ }], expected [$*]"
  echo "ok [$mode]: $desc"
}
