#pragma once
// The one entry point from text to a validated Config: read (with includes), parse,
// type, validate. All diagnostics are collected; `config` is set only when there is
// no error (warnings do not stop a config from loading).

#include <optional>
#include <string>
#include <string_view>

#include "core/config/diagnostics.h"
#include "core/config/model.h"

namespace holdfast::config {

struct LoadResult {
  std::optional<Config> config;
  Diagnostics diagnostics;
};

struct LoadOptions {
  // The config id that `@ID` lines are compared with and ${_INSTANCE} holds
  // (holdfastd -i/--config-id). Unset: hostConfigId(). It may be set to "".
  std::optional<std::string> configId;
  // holdfastd -t: what depends on this machine (a tracked script's program and
  // user) is a note, not a tolerated mistake, since configs are often checked on
  // another machine than the one that runs them.
  bool configTest = false;
};

// keepalived's default config id: the host's node name (uname) up to its first '.'.
std::string hostConfigId();

LoadResult loadFile(const std::string& path, const LoadOptions& options = {});
// `name` stands for the file name in messages; includes resolve from the current
// directory.
LoadResult loadText(std::string_view text, const std::string& name,
                    const LoadOptions& options = {});

}  // namespace holdfast::config
