#include "netio/nft_filter.h"

#include <nftables/libnftables.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "netio/nftables_library.h"

namespace holdfast::netio {
namespace {

std::string verdict(const NftFilterSpec& s, const char* v) {
  return s.counters ? std::string("counter ") + v : std::string(v);
}

std::string hooked(const char* hook, int priority) {
  return "{ type filter hook " + std::string(hook) + " priority " + std::to_string(priority) +
         "; policy accept; }";
}

template <class T, class F>
std::string joined(const std::vector<T>& items, F text) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + text(i);
  return out;
}

void elements(std::ostream& o, const std::string& family, const std::string& table, const char* set,
              const std::string& list) {
  if (!list.empty())
    o << "add element " << family << " " << table << " " << set << " { " << list << " }\n";
}

void elements4(std::ostream& o, const NftFilterSpec& s) {
  elements(o, "ip", s.table, "vips", joined(s.vips4, [](const IpAddress& a) { return a.str(); }));
}

void elements6(std::ostream& o, const NftFilterSpec& s) {
  elements(o, "ip6", s.table, "vips", joined(s.vips6, [](const IpAddress& a) { return a.str(); }));
  if (s.ipv6LinkLocal) {
    elements(o, "ip6", s.table, "vips_link_local",
             joined(s.linkLocal, [](const std::pair<IpAddress, int>& p) {
               return p.first.str() + " . " + std::to_string(p.second);
             }));
  }
}

// keepalived's order of creation, which is the order `nft list` shows.
void table4(std::ostream& o, const NftFilterSpec& s) {
  const std::string t = "ip " + s.table;
  o << "add table " << t << "\n"
    << "add set " << t << " vips { type ipv4_addr; }\n"
    << "add chain " << t << " out " << hooked("output", s.priority) << "\n"
    << "add chain " << t << " in " << hooked("input", s.priority) << "\n"
    << "add rule " << t << " out ip saddr @vips " << verdict(s, "drop") << "\n"
    << "add rule " << t << " in ip daddr @vips " << verdict(s, "drop") << "\n";
  elements4(o, s);
}

void table6(std::ostream& o, const NftFilterSpec& s) {
  const std::string t = "ip6 " + s.table;
  o << "add table " << t << "\n"
    << "add set " << t << " vips { type ipv6_addr; }\n"
    << "add set " << t
    << " neighbor-discovery { type icmpv6_type; flags constant; elements = { "
       "nd-neighbor-solicit, nd-neighbor-advert }; }\n";
  if (s.ipv6LinkLocal)
    o << "add set " << t << " vips_link_local { type ipv6_addr . iface_index; }\n";
  o << "add chain " << t << " out " << hooked("output", s.priority) << "\n"
    << "add chain " << t << " in " << hooked("input", s.priority) << "\n"
    << "add chain " << t << " in_link_local\n"
    << "add chain " << t << " out_link_local\n";
  // Neighbour discovery for a VIP must pass, or the VIP could not even be resolved
  // (RFC 5798 6.4.3 drops what is addressed to it, not what keeps it reachable).
  for (auto [chain, dir, ll] :
       {std::tuple{"out", "saddr", "out_link_local"}, std::tuple{"in", "daddr", "in_link_local"}}) {
    o << "add rule " << t << " " << chain << " icmpv6 type @neighbor-discovery "
      << verdict(s, "accept") << "\n"
      << "add rule " << t << " " << chain << " ip6 " << dir << " fe80::/10 " << verdict(s, "goto ")
      << ll << "\n"
      << "add rule " << t << " " << chain << " ip6 " << dir << " @vips " << verdict(s, "drop")
      << "\n";
  }
  if (s.ipv6LinkLocal) {
    o << "add rule " << t << " in_link_local ip6 daddr . iif @vips_link_local "
      << verdict(s, "drop") << "\n"
      << "add rule " << t << " out_link_local ip6 saddr . oif @vips_link_local "
      << verdict(s, "drop") << "\n";
  }
  elements6(o, s);
}

}  // namespace

std::string nftRemoveCommands(const std::string& table) {
  // Declaring a table first makes deleting it succeed when it is not there.
  std::ostringstream o;
  for (const char* family : {"ip", "ip6"}) {
    o << "add table " << family << " " << table << "\n"
      << "delete table " << family << " " << table << "\n";
  }
  return o.str();
}

std::string nftReplaceCommands(const NftFilterSpec& spec) {
  std::ostringstream o;
  o << nftRemoveCommands(spec.table);
  if (spec.ipv4) table4(o, spec);
  if (spec.ipv6) table6(o, spec);
  return o.str();
}

std::string nftElementCommands(const NftFilterSpec& spec) {
  std::ostringstream o;
  if (spec.ipv4) {
    o << "flush set ip " << spec.table << " vips\n";
    elements4(o, spec);
  }
  if (spec.ipv6) {
    o << "flush set ip6 " << spec.table << " vips\n";
    if (spec.ipv6LinkLocal) o << "flush set ip6 " << spec.table << " vips_link_local\n";
    elements6(o, spec);
  }
  return o.str();
}

NftRunner::~NftRunner() {
  if (ctx_) nft_ctx_free(ctx_);
}

std::expected<void, std::string> NftRunner::run(const std::string& commands) {
  if (!ctx_) {
    // The first table programmed loads libnftables (nftables_library.h).
    if (auto loaded = loadNftables(); !loaded) return std::unexpected(loaded.error());
    ctx_ = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx_) return std::unexpected("libnftables: cannot create a context (out of memory)");
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
  }
  const int rc = nft_run_cmd_from_buffer(ctx_, commands.c_str());
  std::string err = nft_ctx_get_error_buffer(ctx_) ? nft_ctx_get_error_buffer(ctx_) : "";
  // Reading a buffer resets it; the output buffer is read so that it does not grow.
  (void)nft_ctx_get_output_buffer(ctx_);
  if (rc == 0) return {};
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  for (auto& c : err) {
    if (c == '\n') c = ' ';
  }
  return std::unexpected("nftables: " + (err.empty() ? std::string("transaction refused") : err));
}

NftVipFilter::NftVipFilter(std::string record) : record_(std::move(record)) {
  if (record_.empty()) return;
  const auto dir = std::filesystem::path(record_).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (::access(dir.c_str(), W_OK) != 0) {
    record_.clear();  // cannot keep one: remove at every start, as without
    return;
  }
  std::ifstream in(record_);
  mayExist_ = static_cast<bool>(std::getline(in, recorded_)) && !recorded_.empty();
  leftover_ = recorded_;
}

void NftVipFilter::keepRecord(const std::string& table) {
  mayExist_ = true;
  if (record_.empty() || recorded_ == table) return;
  // Written whole or not at all: to a temporary file, then renamed.
  const std::string tmp = record_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << table << "\n";
    if (!out.flush()) return;
  }
  if (std::rename(tmp.c_str(), record_.c_str()) == 0) recorded_ = table;
}

void NftVipFilter::dropRecord() {
  mayExist_ = false;
  if (record_.empty()) return;
  if (std::remove(record_.c_str()) == 0 || errno == ENOENT) recorded_.clear();
}

std::expected<void, std::string> NftVipFilter::apply(const NftFilterSpec& spec) {
  if (applied_ && *applied_ == spec) return {};
  if (!spec.any() && !mayExist_) {
    // Neither this run nor one before it left a table: nothing to remove.
    applied_ = std::make_unique<NftFilterSpec>(spec);
    return {};
  }
  std::string commands;
  if (!spec.any()) {
    commands = nftRemoveCommands(spec.table);
    if (applied_ && applied_->table != spec.table) commands += nftRemoveCommands(applied_->table);
  } else if (applied_ && applied_->sameShape(spec)) {
    commands = nftElementCommands(spec);
  } else {
    commands = nftReplaceCommands(spec);
    if (applied_ && applied_->table != spec.table) commands += nftRemoveCommands(applied_->table);
  }
  // A table a run that did not stop left under another name goes too, once.
  if (!leftover_.empty() && leftover_ != spec.table) commands += nftRemoveCommands(leftover_);
  if (spec.any()) keepRecord(spec.table);
  auto r = runner_.run(commands);
  if (!r && applied_ && applied_->sameShape(spec)) {
    // The table was changed behind our back (deleted by hand): build it again.
    r = runner_.run(nftReplaceCommands(spec));
  }
  if (!r) {
    applied_.reset();  // unknown: the next apply replaces everything
    return r;
  }
  applied_ = std::make_unique<NftFilterSpec>(spec);
  installed_ = spec.any() ? spec.table : "";
  leftover_.clear();
  if (!spec.any()) dropRecord();
  return {};
}

std::expected<void, std::string> NftVipFilter::remove() {
  applied_.reset();
  if (installed_.empty()) return {};
  auto r = runner_.run(nftRemoveCommands(installed_));
  if (r) {
    installed_.clear();
    dropRecord();
  }
  return r;
}

}  // namespace holdfast::netio
