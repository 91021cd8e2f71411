#!/bin/sh
# kubeadm's HA guide check (shape kept): the apiserver on localhost answers.
# In the test's namespace nothing listens on 6443, so it fails at once.
errorExit() {
    echo "*** $*" 1>&2
    exit 1
}
curl -sfk --max-time 2 https://localhost:6443/healthz -o /dev/null || errorExit "Error GET https://localhost:6443/healthz"
