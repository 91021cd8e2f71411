#pragma once
// use_vmac, the pure part: the VRRP virtual MAC of an instance, keepalived's
// default name for its macvlan link, and the MAC argument of use_vmac. Used by the
// config's completion (validate_vmac.cc) and by the runtime (core/runtime/vmac.cc).

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <string_view>

#include "core/config/model.h"

namespace holdfast::config {

using Mac = std::array<uint8_t, 6>;

// RFC 5798 7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6.
Mac vrrpMac(int vrid, AddressFamily family);
// The MAC of `vi`'s VMAC: the one use_vmac names, else vrrpMac.
Mac vmacMacOf(const VrrpInstance& vi);
std::string macText(const Mac& m);

// keepalived's use_vmac MAC argument (vrrp_vmac_handler): six hex octets, or five
// followed by the VRID; not multicast, not an RFC 5798 address. The error says why.
std::expected<Mac, std::string> parseVmacMac(std::string_view text, int vrid);

// keepalived's create_vmac_name: PREFIX.VRID cut to 15 characters; if `taken`, for
// IPv6 PREFIX6.VRID, then PREFIX1.VRID, PREFIX2.VRID, ... (IPv6 skips 6), the prefix
// shortened so that the name fits. Gives up (returns "") after 100 tries.
std::string defaultVmacName(std::string_view prefix, int vrid, AddressFamily family,
                            const std::function<bool(const std::string&)>& taken);

}  // namespace holdfast::config
