#include "core/config/model.h"

#include <algorithm>

namespace holdfast::config {

const char* toString(AddressFamily f) {
  return f == AddressFamily::kIPv4 ? "IPv4" : "IPv6";
}

namespace {
template <typename T>
const T* byName(const std::vector<T>& items, std::string_view name) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return x.name == name; });
  return it == items.end() ? nullptr : &*it;
}
}  // namespace

const VrrpScript* Config::findScript(std::string_view n) const {
  return byName(scripts, n);
}
const VrrpInstance* Config::findInstance(std::string_view n) const {
  return byName(instances, n);
}
const Backend* Config::findBackend(std::string_view n) const {
  return byName(backends, n);
}
const BackendGroup* Config::findBackendGroup(std::string_view n) const {
  return byName(backendGroups, n);
}

const TrackFile* Config::findTrackFile(std::string_view n) const {
  return byName(trackFiles, n);
}

const TrackProcess* Config::findTrackProcess(std::string_view n) const {
  return byName(trackProcesses, n);
}

}  // namespace holdfast::config
