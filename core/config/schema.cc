#include "core/config/schema.h"

#include <algorithm>
#include <array>

namespace holdfast::config {

const KeywordSpec* BlockSpec::find(std::string_view name) const {
  auto it = std::find_if(keywords.begin(), keywords.end(),
                         [&](const KeywordSpec& k) { return k.name == name; });
  return it == keywords.end() ? nullptr : &*it;
}

const KeywordSpec* BlockSpec::findModifier(std::string_view name) const {
  auto it = std::find_if(itemModifiers.begin(), itemModifiers.end(),
                         [&](const KeywordSpec& k) { return k.name == name; });
  return it == itemModifiers.end() ? nullptr : &*it;
}

bool BlockSpec::isUnimplemented(std::string_view name) const {
  return std::find(unimplemented.begin(), unimplemented.end(), name) != unimplemented.end();
}

namespace {

constexpr int U = kUnbounded;

// ---- lists -------------------------------------------------------------------------

constexpr std::array<KeywordSpec, 0> kNoModifiers{};
constexpr std::array<std::string_view, 0> kNothing{};

constexpr BlockSpec kNameList{"list", {}, true, kNoModifiers, kNothing};

constexpr std::array kAddressModifiers{
    KeywordSpec{"dev", 1, 1, "an interface name"},
    KeywordSpec{"label", 1, 1, "an address label such as eth0:0"},
    KeywordSpec{"brd", 1, 1, "a broadcast address"},
    KeywordSpec{"broadcast", 1, 1, "a broadcast address"},
    KeywordSpec{"scope", 1, 1, "global, site, link, host or nowhere"},
    KeywordSpec{"no_track", 0, 0, ""},
};
constexpr std::array<std::string_view, 1> kAddressUnimplemented{"preferred_lft"};
constexpr BlockSpec kAddressList{
    "virtual_ipaddress", {}, true, kAddressModifiers, kAddressUnimplemented};

constexpr std::array kTrackModifiers{
    KeywordSpec{"weight", 1, 1, "a weight -253..253"},
    KeywordSpec{"reverse", 0, 0, ""},
};
constexpr BlockSpec kTrackList{"track list", {}, true, kTrackModifiers, kNothing};

constexpr std::array kPeerModifiers{
    KeywordSpec{"min_ttl", 1, 1, "a TTL 0-255"},
    KeywordSpec{"max_ttl", 1, 1, "a TTL 0-255"},
};
constexpr BlockSpec kPeerList{"unicast_peer", {}, true, kPeerModifiers, kNothing};

// ---- global_defs ---------------------------------------------------------------------

constexpr std::array kGlobalKeywords{
    KeywordSpec{"router_id", 1, 1, "a name"},
    KeywordSpec{"notification_email", 0, 0, "", &kNameList},
    KeywordSpec{"notification_email_from", 1, 1, "an e-mail address"},
    KeywordSpec{"smtp_server", 1, 2, "an address and optional port"},
    KeywordSpec{"smtp_connect_timeout", 1, 1, "a duration"},
    KeywordSpec{"script_user", 1, 2, "a user name and optional group"},
    KeywordSpec{"enable_script_security", 0, 0, ""},
    KeywordSpec{"vrrp_version", 1, 1, "2 or 3"},
    KeywordSpec{"vrrp_skip_check_adv_addr", 0, 0, ""},
    KeywordSpec{"vrrp_strict", 0, 0, ""},
    KeywordSpec{"vrrp_garp_interval", 1, 1, "a duration"},
    KeywordSpec{"vrrp_gna_interval", 1, 1, "a duration"},
    KeywordSpec{"vrrp_garp_master_delay", 1, 1, "a duration"},
    KeywordSpec{"vrrp_garp_master_repeat", 1, 1, "a count"},
    KeywordSpec{"vrrp_garp_master_refresh", 1, 1, "a duration"},
    KeywordSpec{"vrrp_garp_master_refresh_repeat", 1, 1, "a count"},
    KeywordSpec{"vrrp_mcast_group4", 1, 1, "an IPv4 multicast address"},
    KeywordSpec{"vrrp_mcast_group6", 1, 1, "an IPv6 multicast address"},
    KeywordSpec{"checker_threads", 1, 1, "a count 0-64 (0: automatic)"},
    KeywordSpec{"vrrp_rt_priority", 1, 1, "a real-time priority 1-99, or 0 for none"},
    KeywordSpec{"metrics_listen", 1, 1, "ADDR:PORT for Prometheus metrics"},
    KeywordSpec{"lock_memory", 1, 1, "on or off"},
};
constexpr std::array<std::string_view, 46> kGlobalUnimplemented{"enable_snmp_vrrp",
                                                                "enable_snmp_checker",
                                                                "enable_snmp_rfc",
                                                                "enable_snmp_rfcv2",
                                                                "enable_snmp_rfcv3",
                                                                "enable_snmp_keepalived",
                                                                "enable_traps",
                                                                "snmp_socket",
                                                                "enable_dbus",
                                                                "dbus_service_name",
                                                                "lvs_id",
                                                                "lvs_sync_daemon",
                                                                "lvs_timeouts",
                                                                "lvs_flush",
                                                                "lvs_flush_onstop",
                                                                "checker_process_name",
                                                                "vrrp_process_name",
                                                                "bfd_process_name",
                                                                "process_names",
                                                                "dynamic_interfaces",
                                                                "vrrp_no_swap",
                                                                "checker_no_swap",
                                                                "vrrp_priority",
                                                                "checker_priority",
                                                                "vrrp_iptables",
                                                                "vrrp_ipsets",
                                                                "nftables",
                                                                "nftables_priority",
                                                                "vrrp_check_unicast_src",
                                                                "vrrp_lower_prio_no_advert",
                                                                "vrrp_higher_prio_send_advert",
                                                                "vrrp_min_garp",
                                                                "vrrp_garp_lower_prio_delay",
                                                                "vrrp_garp_lower_prio_repeat",
                                                                "vrrp_startup_delay",
                                                                "vrrp_notify_fifo",
                                                                "notify_fifo",
                                                                "script_timeout_fifo",
                                                                "default_interface",
                                                                "net_namespace",
                                                                "instance",
                                                                "use_pid_dir",
                                                                "linkbeat_use_polling",
                                                                "umask",
                                                                "max_auto_priority",
                                                                "vrrp_netlink_cmd_rcv_bufs"};

constexpr BlockSpec kGlobalDefs{"global_defs", kGlobalKeywords, false, {}, kGlobalUnimplemented};

// ---- vrrp_script ---------------------------------------------------------------------

constexpr std::array kScriptKeywords{
    KeywordSpec{"script", 1, U, "a command (quote it if it has blanks)"},
    KeywordSpec{"interval", 1, 1, "a duration"},
    KeywordSpec{"timeout", 1, 1, "a duration"},
    KeywordSpec{"weight", 1, 2, "a weight -253..253, optionally followed by 'reverse'"},
    KeywordSpec{"rise", 1, 1, "a count"},
    KeywordSpec{"fall", 1, 1, "a count"},
    KeywordSpec{"user", 1, 2, "a user name and optional group"},
    KeywordSpec{"init_fail", 0, 0, ""},
};
constexpr BlockSpec kVrrpScript{"vrrp_script", kScriptKeywords, false, {}, kNothing};

// ---- vrrp_instance -------------------------------------------------------------------

constexpr std::array kAuthKeywords{
    KeywordSpec{"auth_type", 1, 1, "PASS or AH"},
    KeywordSpec{"auth_pass", 1, 1, "a password"},
};
constexpr BlockSpec kAuthentication{"authentication", kAuthKeywords, false, {}, kNothing};

constexpr std::array kInstanceKeywords{
    KeywordSpec{"state", 1, 1, "MASTER or BACKUP"},
    KeywordSpec{"interface", 1, 1, "an interface name"},
    KeywordSpec{"virtual_router_id", 1, 1, "a number 1-255"},
    KeywordSpec{"priority", 1, 1, "a number 1-255"},
    KeywordSpec{"advert_int", 1, 1, "a duration"},
    KeywordSpec{"version", 1, 1, "2 or 3"},
    KeywordSpec{"authentication", 0, 0, "", &kAuthentication},
    KeywordSpec{"virtual_ipaddress", 0, 0, "", &kAddressList},
    KeywordSpec{"virtual_ipaddress_excluded", 0, 0, "", &kAddressList},
    KeywordSpec{"track_script", 0, 0, "", &kTrackList},
    KeywordSpec{"track_interface", 0, 0, "", &kTrackList},
    KeywordSpec{"track_backend", 0, 0, "", &kTrackList},
    KeywordSpec{"nopreempt", 0, 0, ""},
    KeywordSpec{"preempt", 0, 0, ""},
    KeywordSpec{"preempt_delay", 1, 1, "a duration"},
    KeywordSpec{"mcast_src_ip", 1, 1, "an address"},
    KeywordSpec{"unicast_src_ip", 1, 1, "an address"},
    KeywordSpec{"unicast_peer", 0, 0, "", &kPeerList},
    KeywordSpec{"notify_master", 1, U, "a command"},
    KeywordSpec{"notify_backup", 1, U, "a command"},
    KeywordSpec{"notify_fault", 1, U, "a command"},
    KeywordSpec{"notify_stop", 1, U, "a command"},
    KeywordSpec{"notify", 1, U, "a command"},
    KeywordSpec{"smtp_alert", 0, 1, "optionally 'true' or 'false'"},
    KeywordSpec{"garp_master_delay", 1, 1, "a duration"},
    KeywordSpec{"garp_master_repeat", 1, 1, "a count"},
    KeywordSpec{"garp_master_refresh", 1, 1, "a duration"},
    KeywordSpec{"garp_master_refresh_repeat", 1, 1, "a count"},
    KeywordSpec{"garp_interval", 1, 1, "a duration"},
    KeywordSpec{"gna_interval", 1, 1, "a duration"},
    KeywordSpec{"accept", 0, 0, ""},
    KeywordSpec{"no_accept", 0, 0, ""},
    KeywordSpec{"use_vmac", 0, 1, "an optional interface name"},
    KeywordSpec{"checksum", 1, 1, "pseudo-header or message (IPv4 VRRPv3)"},
    KeywordSpec{"strict_preempt", 0, 0, ""},
};
constexpr std::array<std::string_view, 24> kInstanceUnimplemented{"dont_track_primary",
                                                                  "track_file",
                                                                  "track_process",
                                                                  "track_bfd",
                                                                  "native_ipv6",
                                                                  "virtual_routes",
                                                                  "virtual_rules",
                                                                  "lvs_sync_daemon_interface",
                                                                  "vmac_xmit_base",
                                                                  "debug",
                                                                  "strict_mode",
                                                                  "garp_lower_prio_delay",
                                                                  "garp_lower_prio_repeat",
                                                                  "lower_prio_no_advert",
                                                                  "higher_prio_send_advert",
                                                                  "kernel_rx_buf_size",
                                                                  "notify_master_rx_lower_pri",
                                                                  "unicast_fault_no_peer",
                                                                  "check_unicast_src",
                                                                  "skip_check_adv_addr",
                                                                  "promote_secondaries",
                                                                  "notify_deleted",
                                                                  "unicast_ttl",
                                                                  "old_unicast_checksum"};

constexpr BlockSpec kVrrpInstance{
    "vrrp_instance", kInstanceKeywords, false, {}, kInstanceUnimplemented};

// ---- vrrp_sync_group -----------------------------------------------------------------

constexpr std::array kSyncGroupKeywords{
    KeywordSpec{"group", 0, 0, "", &kNameList},
    KeywordSpec{"notify_master", 1, U, "a command"},
    KeywordSpec{"notify_backup", 1, U, "a command"},
    KeywordSpec{"notify_fault", 1, U, "a command"},
    KeywordSpec{"notify_stop", 1, U, "a command"},
    KeywordSpec{"notify", 1, U, "a command"},
    KeywordSpec{"smtp_alert", 0, 1, "optionally 'true' or 'false'"},
};
constexpr std::array<std::string_view, 4> kSyncGroupUnimplemented{
    "global_tracking", "sync_group_tracking_weight", "track_script", "track_interface"};
constexpr BlockSpec kSyncGroup{
    "vrrp_sync_group", kSyncGroupKeywords, false, {}, kSyncGroupUnimplemented};

// ---- native: backend, backend_group ------------------------------------------------

constexpr std::array kCheckKeywords{
    KeywordSpec{"interval", 1, 1, "a duration"},
    KeywordSpec{"timeout", 1, 1, "a duration"},
    KeywordSpec{"fast_interval", 1, 1, "a duration"},
    KeywordSpec{"down_interval", 1, 1, "a duration"},
    KeywordSpec{"jitter", 1, 1, "a duration"},
    KeywordSpec{"rise", 1, 1, "a count"},
    KeywordSpec{"fall", 1, 1, "a count"},
    KeywordSpec{"port", 1, 1, "a port 1-65535"},
    KeywordSpec{"path", 1, 1, "an HTTP path starting with '/'"},
    KeywordSpec{"method", 1, 1, "GET or HEAD"},
    KeywordSpec{"host", 1, 1, "a Host header value"},
    KeywordSpec{"header", 1, 1, "a header line \"Name: value\""},
    KeywordSpec{"expect_status", 1, U, "status codes or ranges such as 200-299 301"},
    KeywordSpec{"expect_body", 1, 1, "a substring of the body"},
    KeywordSpec{"expect_body_regex", 1, 1, "a regular expression"},
    KeywordSpec{"send", 1, 1, "a string to send after connecting"},
    KeywordSpec{"expect", 1, 1, "a substring expected in the reply"},
    KeywordSpec{"tls", 0, 0, ""},
    KeywordSpec{"tls_verify", 1, 1, "on or off"},
    KeywordSpec{"sni", 1, 1, "a server name"},
    KeywordSpec{"ca_file", 1, 1, "a file of CA certificates"},
    KeywordSpec{"follow_redirects", 0, 0, ""},
    KeywordSpec{"reuse_connection", 0, 0, ""},
    KeywordSpec{"script", 1, U, "a command"},
    KeywordSpec{"initial_state", 1, 1, "up or down"},
};
constexpr BlockSpec kCheck{"check", kCheckKeywords, false, {}, kNothing, true};

constexpr std::array kBackendKeywords{
    KeywordSpec{"address", 1, 1, "an IPv4 or IPv6 address"},
    KeywordSpec{"check", 1, 1, "icmp, tcp, http or script", &kCheck},
    KeywordSpec{"notify_up", 1, U, "a command"},
    KeywordSpec{"notify_down", 1, U, "a command"},
};
constexpr BlockSpec kBackend{"backend", kBackendKeywords, false, {}, kNothing, true};

constexpr std::array kBackendGroupKeywords{
    KeywordSpec{"backends", 1, U, "backend names"},
    KeywordSpec{"quorum", 1, 1, "a count"},
};
constexpr BlockSpec kBackendGroup{
    "backend_group", kBackendGroupKeywords, false, {}, kNothing, true};

// ---- top level -----------------------------------------------------------------------

constexpr std::array kRootKeywords{
    KeywordSpec{"global_defs", 0, 0, "", &kGlobalDefs},
    KeywordSpec{"vrrp_script", 1, 1, "a script name", &kVrrpScript},
    KeywordSpec{"vrrp_instance", 1, 1, "an instance name", &kVrrpInstance},
    KeywordSpec{"vrrp_sync_group", 1, 1, "a group name", &kSyncGroup},
    KeywordSpec{"backend", 1, 1, "a backend name", &kBackend},
    KeywordSpec{"backend_group", 1, 1, "a group name", &kBackendGroup},
};
constexpr std::array<std::string_view, 14> kRootUnimplemented{"virtual_server",
                                                              "virtual_server_group",
                                                              "static_ipaddress",
                                                              "static_routes",
                                                              "static_rules",
                                                              "linkbeat_interfaces",
                                                              "vrrp_track_file",
                                                              "vrrp_track_process",
                                                              "garp_group",
                                                              "bfd_instance",
                                                              "track_file",
                                                              "real_server",
                                                              "SSL",
                                                              "net_namespace_ipvs"};

constexpr BlockSpec kRoot{"the top level", kRootKeywords, false, {}, kRootUnimplemented};

}  // namespace

const BlockSpec& rootSpec() {
  return kRoot;
}

}  // namespace holdfast::config
