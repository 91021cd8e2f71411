#pragma once
// Maintenance mode on disk: STATE_DIR/maintenance.json while it is on, no file while
// it is off, so that it survives a restart (and a reboot) of the node. Written whole
// to a temporary file and renamed over the old one: a crash leaves either state,
// never half of one.

#include <expected>
#include <optional>
#include <string>

#include "core/runtime/maintenance.h"

namespace holdfast::daemon {

// STATE_DIR/maintenance.json
std::string maintenancePath(const std::string& stateDir);

// The saved state: nullopt when off (no file). A file that cannot be read or parsed
// is an error, its text naming the file and what is wrong.
std::expected<std::optional<runtime::Maintenance>, std::string> loadMaintenance(
    const std::string& path);

// Saves `m` (or removes the file for off), creating the directory (0755) if needed.
std::expected<void, std::string> saveMaintenance(const std::string& path,
                                                 const std::optional<runtime::Maintenance>& m);

}  // namespace holdfast::daemon
