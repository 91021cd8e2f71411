#include "core/runtime/file_tracker.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "core/log/logger.h"

namespace holdfast::runtime {

std::optional<long long> parseTrackFileValue(std::string_view content) {
  // keepalived reads at most 127 bytes and hands them to strtol(buf, NULL, 0): leading
  // blanks and a sign are taken, then as many digits as fit the base; no digits is 0.
  std::string buf(content.substr(0, 127));
  errno = 0;
  const long long v = std::strtoll(buf.c_str(), nullptr, 0);
  // keepalived accepts INT32_MIN .. INT32_MAX + 1 (sic).
  if (errno != 0 || v < INT32_MIN || v > static_cast<long long>(INT32_MAX) + 1) return std::nullopt;
  return v;
}

FileTracker::FileTracker(Kernel& kernel, std::map<std::string, TrackedFile>& states,
                         Changed changed)
    : kernel_(kernel), states_(states), changed_(std::move(changed)) {}

void FileTracker::sync(const std::vector<config::TrackFile>& wanted) {
  std::erase_if(entries_, [&](const auto& e) {
    const bool keep =
        std::any_of(wanted.begin(), wanted.end(), [&](const auto& f) { return f == e.second.cfg; });
    if (!keep) states_.erase(e.first);
    return !keep;
  });
  for (const config::TrackFile& f : wanted) {
    if (entries_.contains(f.name)) continue;
    TrackedFile& state = states_[f.name];
    state = TrackedFile{f.weight, f.reverse, 0, "", true};
    auto file = kernel_.watchFile(f.path, [this, name = f.name] {
      if (read(name)) changed_(name);
    });
    if (!file) {
      // keepalived drops a track file whose directory does not exist from tracking.
      log::error("track_file " + f.name + " (" + f.where.fileLine() + "): " + file.error() +
                 "; not tracked, as keepalived does");
      state.detail = "not watched: " + file.error();
      state.watched = false;
      continue;
    }
    entries_[f.name] = Entry{f, std::move(*file)};
    read(f.name);
  }
}

void FileTracker::initialise(const std::vector<config::TrackFile>& all, bool reload) {
  for (const config::TrackFile& f : all) {
    if (!f.init) continue;
    auto file = kernel_.watchFile(f.path, {});
    if (!file) {
      log::error("track_file " + f.name + ": init_file: " + file.error());
      continue;
    }
    auto now = (*file)->read();
    const bool exists = !now || now->has_value();
    if (exists && (!f.overwrite || reload)) continue;
    if (auto w = (*file)->write(std::to_string(f.initValue) + "\n"); !w) {
      log::error("track_file " + f.name + ": init_file: " + w.error());
    }
  }
}

bool FileTracker::read(const std::string& name) {
  auto e = entries_.find(name);
  if (e == entries_.end()) return false;
  TrackedFile& state = states_[name];
  const TrackedFile before = state;
  auto content = e->second.file->read();
  if (!content) {
    state.value = 0;
    state.detail = "unreadable: " + content.error();
  } else if (!content->has_value()) {
    state.value = 0;
    state.detail = "missing";
  } else if (auto v = parseTrackFileValue(**content)) {
    state.value = *v;
    state.detail.clear();
  } else {
    log::warning("track_file " + name + ": invalid number in " + e->second.cfg.path +
                 "; ignored (the last value stays), as keepalived does");
  }
  if (state.value != before.value || state.detail != before.detail) {
    log::info("track_file " + name + ": value " + std::to_string(state.value) +
              (state.detail.empty() ? "" : " (" + state.detail + ")"));
    return true;
  }
  return false;
}

}  // namespace holdfast::runtime
