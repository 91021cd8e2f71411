#include "netio/cpu_affinity.h"

#include <pthread.h>
#include <sched.h>

#include <cstring>

namespace holdfast::netio {

std::optional<std::string> pinThisThread(const std::vector<int>& cpus) {
  if (cpus.empty()) return std::nullopt;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) {
    if (c < 0 || c >= CPU_SETSIZE) return "CPU " + std::to_string(c) + " does not exist";
    CPU_SET(c, &set);
  }
  if (int rc = ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set); rc != 0) {
    return std::string(std::strerror(rc));
  }
  return std::nullopt;
}

std::string formatCpus(const std::vector<int>& cpus) {
  std::string out;
  for (int c : cpus) out += (out.empty() ? "" : ",") + std::to_string(c);
  return out;
}

}  // namespace holdfast::netio
