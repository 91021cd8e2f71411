#include "core/config/validate_vmac.h"

#include "core/config/vmac.h"

namespace holdfast::config::detail {

namespace {
// keepalived's dev_name_valid: 1-15 bytes, no '/', ':' or blanks.
bool validName(const std::string& s) {
  return !s.empty() && s.size() <= 15 && s.find_first_of("/: \t\n") == std::string::npos;
}
}  // namespace

void buildUseVmac(BuildContext& ctx, const Node& c, VrrpInstance& vi) {
  vi.useVmac = true;
  for (const Token& a : c.args) {
    if (a.text.find(':') != std::string::npos) {
      if (!vi.vmacMacText.empty()) {
        ctx.mistake(a.where, "use_vmac: the VMAC address is given already");
        continue;
      }
      vi.vmacMacText = a.text;
      continue;
    }
    if (!vi.vmacName.empty()) {
      ctx.mistake(a.where, "use_vmac: the VMAC interface name is given already");
      continue;
    }
    if (!validName(a.text)) {
      ctx.mistake(
          a.where,
          "use_vmac: VMAC interface name '" + a.text + "' is too long or has invalid characters",
          "ignored (keepalived's default name is used), as keepalived does");
      continue;
    }
    vi.vmacName = a.text;
  }
}

void completeVmac(Diagnostics& d, VrrpInstance& vi, const std::string& who, const Config& cfg) {
  const SourceLocation& at = vi.locations.at("use_vmac", vi.where);
  if (vi.useVmac && !vi.vmacMacText.empty()) {
    if (auto mac = parseVmacMac(vi.vmacMacText, vi.virtualRouterId)) {
      vi.vmacMac = *mac;
    } else {
      d.warning(at, who + ": use_vmac: " + mac.error() + "; ignored, as keepalived does");
    }
  }
  if (vi.useVmac && !vi.vmacName.empty()) {
    // keepalived: another instance using the name makes this one ignore it.
    for (const VrrpInstance& o : cfg.instances) {
      if (&o == &vi) break;
      if (o.useVmac && o.vmacName == vi.vmacName) {
        d.warning(at, who + ": vrrp_instance '" + o.name + "' uses VMAC " + vi.vmacName +
                          " already; the name is ignored (keepalived's default name is used), "
                          "as keepalived does");
        vi.vmacName.clear();
        break;
      }
    }
  }
  if (vi.vmacXmitBase && !vi.useVmac) {
    d.warning(vi.locations.at("vmac_xmit_base", vi.where),
              who + ": vmac_xmit_base is only valid with use_vmac; ignored, as keepalived does");
    vi.vmacXmitBase = false;
  }
  if (vi.useVmac && !vi.unicastPeers.empty() && !vi.vmacXmitBase) {
    d.warning(at, who +
                      ": unicast with use_vmac requires vmac_xmit_base; set, as keepalived "
                      "does");
    vi.vmacXmitBase = true;
  }
  if (vi.useVmac && vi.strict && vi.vmacXmitBase) {
    d.warning(vi.locations.at("vmac_xmit_base", vi.where),
              who +
                  ": vmac_xmit_base is incompatible with vrrp_strict; reset, as keepalived "
                  "does");
    vi.vmacXmitBase = false;
  }
}

}  // namespace holdfast::config::detail
