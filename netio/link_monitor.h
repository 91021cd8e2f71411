#pragma once
// Watches rtnetlink for link state changes, address removals and route and rule
// deletions, so that an instance whose interface goes down enters FAULT, and a VIP,
// route or rule removed by hand from a master is noticed. Non-blocking; the caller
// polls fd() and calls drain().

#include <expected>
#include <string>
#include <vector>

#include "netio/ip_address.h"

namespace holdfast::netio {

struct LinkEvent {
  // kRoutesRemoved / kRulesRemoved: one or more routes (rules) left the kernel since
  // the last drain, whichever they were (one event per drain, however many).
  enum class Kind {
    kLinkChanged,
    kAddressAdded,
    kAddressRemoved,
    kRoutesRemoved,
    kRulesRemoved
  } kind;
  int ifindex = 0;
  bool usable = false;  // kLinkChanged: administratively up and with carrier
  IpAddress address;    // kAddressAdded, kAddressRemoved
};

class LinkMonitor {
 public:
  static std::expected<LinkMonitor, std::string> open();
  LinkMonitor(LinkMonitor&& o) noexcept;
  LinkMonitor& operator=(LinkMonitor&&) = delete;
  ~LinkMonitor();

  int fd() const { return fd_; }
  // Every event queued now. A truncated or malformed message is skipped.
  std::vector<LinkEvent> drain();

 private:
  explicit LinkMonitor(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace holdfast::netio
