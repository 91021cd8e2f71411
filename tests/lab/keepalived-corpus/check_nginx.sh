#!/bin/sh
# The nginx+keepalived guides' check: nginx answers on port 80 (nothing does in the
# test's namespace: it fails at once).
curl -s -o /dev/null --max-time 1 http://127.0.0.1:80/ || exit 1
exit 0
