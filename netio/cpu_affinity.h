#pragma once
// Pins the calling thread to a set of CPUs (vrrp_cpu_affinity,
// checker_cpu_affinity): keepalived pins its VRRP and checker processes;
// holdfastd pins the threads that do the same jobs.

#include <optional>
#include <string>
#include <vector>

namespace holdfast::netio {

// nullopt when pinned (or `cpus` is empty: nothing to do); otherwise why not.
std::optional<std::string> pinThisThread(const std::vector<int>& cpus);

// "0,2": the list as logged.
std::string formatCpus(const std::vector<int>& cpus);

}  // namespace holdfast::netio
