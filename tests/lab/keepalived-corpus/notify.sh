#!/bin/sh
# Notify script of the keepalived corpus: appends its arguments (after the first,
# the file to write) to that file in the test's output folder. Side effects stay
# there: the test compares what keepalived and holdfastd had it write.
out=$1
shift
echo "$*" >>"$out"
