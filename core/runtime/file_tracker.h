#pragma once
// The track_file blocks some instance tracks, read whenever they change
// (Kernel::watchFile: inotify on the directory, no polling), into
// TrackedStates::files. keepalived 2.2.7's reading (trackers/track_file.c): a number
// in text (strtol, base 0: "0x10" and "010" are hex and octal) from the first 127
// bytes; a missing, unreadable, empty or non-numeric file counts as 0; a number
// outside the 32-bit range is ignored (the last value stays). Runs on the VRRP loop.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/model.h"
#include "core/runtime/health_policy.h"
#include "core/runtime/kernel.h"

namespace holdfast::runtime {

// keepalived's value of a track file's content; nullopt: out of range, ignored.
std::optional<long long> parseTrackFileValue(std::string_view content);

class FileTracker {
 public:
  using Changed = std::function<void(const std::string& name)>;
  FileTracker(Kernel& kernel, std::map<std::string, TrackedFile>& states, Changed changed);

  // init_file of every block, tracked or not, as keepalived applies it when it reads
  // its config: the file is created with its value when missing, or overwritten when
  // `overwrite` is set and `reload` is false.
  void initialise(const std::vector<config::TrackFile>& all, bool reload);
  // Watches exactly `wanted` from now on: new blocks are watched and read, changed
  // ones watched again, gone ones forgotten. Calls nothing back: the caller scores.
  void sync(const std::vector<config::TrackFile>& wanted);

 private:
  struct Entry {
    config::TrackFile cfg;
    std::unique_ptr<WatchedFile> file;
  };
  // Reads `name` into its state; true if the state changed.
  bool read(const std::string& name);

  Kernel& kernel_;
  std::map<std::string, TrackedFile>& states_;
  Changed changed_;
  std::map<std::string, Entry> entries_;
};

}  // namespace holdfast::runtime
