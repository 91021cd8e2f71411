#pragma once
// From the config model to what a running VRRP instance needs, resolving what only
// the kernel knows (the interface's primary address and link-local address).

#include <expected>
#include <string>

#include "core/config/model.h"
#include "netio/interface_info.h"
#include "vrrp/instance.h"

namespace holdfast::runtime {

netio::IpAddress toNetio(const config::IpAddress& a);

std::expected<vrrp::InstanceSettings, std::string> makeInstanceSettings(
    const config::VrrpInstance& vi, const config::GlobalDefs& global,
    const netio::InterfaceInfo& interface);

}  // namespace holdfast::runtime
