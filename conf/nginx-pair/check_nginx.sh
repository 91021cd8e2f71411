#!/bin/sh
# The check script the guides pair with keepalived: fail while nginx is not running.
# With holdfast, a native `check http` on the local nginx replaces it (see
# conf/holdfast-native.conf).
killall -0 nginx 2>/dev/null || exit 1
exit 0
