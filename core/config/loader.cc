#include "core/config/loader.h"

#include <sys/utsname.h>

#include "core/config/build_context.h"
#include "core/config/build_routes.h"
#include "core/config/build_track.h"
#include "core/config/parser.h"
#include "core/config/source_reader.h"

namespace holdfast::config {
namespace {

LoadResult build(SourceText source, Diagnostics diags, const LoadOptions& options) {
  std::vector<Node> root = parse(source.tokens, diags);
  Config cfg;
  cfg.files = std::move(source.files);
  detail::BuildContext ctx(diags);
  ctx.setConfigTest(options.configTest);

  // global_defs first: instances take their default version from it, wherever it is.
  for (const Node& n : root) {
    if (n.keyword.text == "global_defs") detail::buildGlobalDefs(ctx, n, cfg.global);
  }
  for (const Node& n : root) {
    const std::string& k = n.keyword.text;
    if (k == "vrrp_script") {
      detail::buildVrrpScript(ctx, n, cfg.scripts.emplace_back());
    } else if (k == "vrrp_instance") {
      detail::buildVrrpInstance(ctx, n, cfg.global, cfg.instances.emplace_back());
    } else if (k == "vrrp_sync_group") {
      detail::buildSyncGroup(ctx, n, cfg.syncGroups.emplace_back());
    } else if (k == "backend") {
      detail::buildBackend(ctx, n, cfg.backends.emplace_back());
    } else if (k == "backend_group") {
      detail::buildBackendGroup(ctx, n, cfg.backendGroups.emplace_back());
    } else if (k == "garp_group") {
      detail::buildGarpGroup(ctx, n, cfg.garpGroups.emplace_back());
    } else if (k == "static_ipaddress") {
      auto list = detail::buildStaticAddresses(ctx, n);
      cfg.staticAddresses.insert(cfg.staticAddresses.end(), list.begin(), list.end());
    } else if (k == "static_routes") {
      auto list = detail::buildRouteList(ctx, n, true);
      cfg.staticRoutes.insert(cfg.staticRoutes.end(), list.begin(), list.end());
    } else if (k == "static_rules") {
      auto list = detail::buildRuleList(ctx, n, true, ctx.rulePriorities);
      cfg.staticRules.insert(cfg.staticRules.end(), list.begin(), list.end());
    } else if (k == "track_file" || k == "vrrp_track_file") {
      detail::buildTrackFile(ctx, n, cfg.trackFiles.emplace_back());
    } else if (k == "vrrp_track_process") {
      detail::buildTrackProcess(ctx, n, cfg.trackProcesses.emplace_back());
    }
  }
  detail::validate(ctx, cfg);
  if (cfg.instances.empty() && cfg.backends.empty() && !diags.hasErrors()) {
    diags.warning(
        SourceLocation{std::make_shared<std::string>(cfg.files.empty() ? "" : cfg.files[0])},
        "no vrrp_instance or backend: holdfastd has nothing to do");
  }
  diags.sortBySource(cfg.files);

  LoadResult result{std::nullopt, std::move(diags)};
  if (!result.diagnostics.hasErrors()) result.config = std::move(cfg);
  return result;
}

}  // namespace

std::string hostConfigId() {
  struct utsname u {};
  if (::uname(&u) != 0) return {};
  std::string node = u.nodename;
  return node.substr(0, node.find('.'));
}

LoadResult loadFile(const std::string& path, const LoadOptions& options) {
  Diagnostics diags;
  SourceReader reader(diags, options.configId.value_or(hostConfigId()));
  SourceText source = reader.readFile(path);
  return build(std::move(source), std::move(diags), options);
}

LoadResult loadText(std::string_view text, const std::string& name, const LoadOptions& options) {
  Diagnostics diags;
  SourceReader reader(diags, options.configId.value_or(hostConfigId()));
  SourceText source = reader.readText(text, name);
  return build(std::move(source), std::move(diags), options);
}

}  // namespace holdfast::config
