#include "core/config/schema.h"

#include <algorithm>
#include <array>
#include <string>

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

const UnimplementedSpec* BlockSpec::findUnimplemented(std::string_view name) const {
  auto it = std::find_if(unimplemented.begin(), unimplemented.end(),
                         [&](const UnimplementedSpec& u) { return u.name == name; });
  return it == unimplemented.end() ? nullptr : &*it;
}

std::string noEffectMessage(std::string_view keyword, NoEffect why) {
  std::string k = "'" + std::string(keyword) + "'";
  switch (why) {
    case NoEffect::kLvs:
      return k + " is a keepalived LVS keyword; holdfast does not do load balancing (IPVS): " +
             "no effect";
    case NoEffect::kSnmp:
      return k + " is a keepalived SNMP keyword; holdfast has no SNMP agent (it serves " +
             "Prometheus metrics, see metrics_listen): no effect";
    case NoEffect::kDbus:
      return k + " is a keepalived DBus keyword; holdfast has no DBus interface (holdfastctl " +
             "talks to its control socket): no effect";
    case NoEffect::kBfd:
      return k + " is a keepalived BFD keyword; holdfast does not do BFD: no effect";
    case NoEffect::kDaemon:
      return k + " tunes keepalived's own processes or files; holdfastd is one process with " +
             "options of its own: no effect";
    case NoEffect::kDefault:
      return k + " asks for what holdfast does anyway: no effect";
    case NoEffect::kInert:
      return k + " does nothing in keepalived either: no effect";
    case NoEffect::kFifo:
      return k + " is for keepalived's notify FIFOs, which holdfast does not have (it has " +
             "notify scripts, `holdfastctl events` and metrics, where priority changes " +
             "show): no effect";
    case NoEffect::kNotYet:
      break;
  }
  return k + " is not implemented in holdfast yet: no effect";
}

namespace {

constexpr int U = kUnbounded;
using enum NoEffect;

// ---- lists -------------------------------------------------------------------------

constexpr std::array<KeywordSpec, 0> kNoModifiers{};
constexpr std::array<UnimplementedSpec, 0> kNothing{};

constexpr BlockSpec kNameList{"list", {}, true, kNoModifiers, kNothing};

// A VIP's (virtual_ipaddress, virtual_ipaddress_excluded) modifiers; use_vmac, last,
// gives it a VMAC of its own when it is on another interface or of the other family
// than its instance. static_ipaddress takes the others.
constexpr std::array kVirtualAddressModifiers{
    KeywordSpec{"dev", 1, 1, "an interface name"},
    KeywordSpec{"label", 1, 1, "an address label such as eth0:0"},
    KeywordSpec{"brd", 1, 1, "a broadcast address"},
    KeywordSpec{"broadcast", 1, 1, "a broadcast address"},
    KeywordSpec{"scope", 1, 1, "global, site, link, host or nowhere"},
    KeywordSpec{"no_track", 0, 0, ""},
    KeywordSpec{"use_vmac", 0, 0, ""},
};
constexpr auto kAddressModifiers =
    std::span(kVirtualAddressModifiers).first(kVirtualAddressModifiers.size() - 1);
// ip-address options of keepalived's (vrrp_ipaddress.c) that holdfast does not apply.
constexpr auto kAddressUnimplemented = std::to_array<UnimplementedSpec>({
    {"preferred_lft", kNotYet, 1},
    {"peer", kNotYet, 1},
    {"home", kNotYet},
    {"-nodad", kNotYet},
    {"mngtmpaddr", kNotYet},
    {"noprefixroute", kNotYet},
    {"autojoin", kNotYet},
});
constexpr BlockSpec kAddressList{
    "virtual_ipaddress", {}, true, kVirtualAddressModifiers, kAddressUnimplemented};

// static_ipaddress: the options of virtual_ipaddress, and track_group.
constexpr auto kStaticAddressUnimplemented = std::to_array<UnimplementedSpec>({
    {"preferred_lft", kNotYet, 1},
    {"peer", kNotYet, 1},
    {"home", kNotYet},
    {"-nodad", kNotYet},
    {"mngtmpaddr", kNotYet},
    {"noprefixroute", kNotYet},
    {"autojoin", kNotYet},
    {"track_group", kNotYet, 1},
});
constexpr BlockSpec kStaticAddressList{
    "static_ipaddress", {}, true, kAddressModifiers, kStaticAddressUnimplemented};

// Routes and rules: one per line, in `ip route` / `ip rule` syntax (build_routes.cc).
constexpr BlockSpec kStaticRoutes{"static_routes", {}, true, {}, kNothing, false, true};
constexpr BlockSpec kStaticRules{"static_rules", {}, true, {}, kNothing, false, true};
constexpr BlockSpec kVirtualRoutes{"virtual_routes", {}, true, {}, kNothing, false, true};
constexpr BlockSpec kVirtualRules{"virtual_rules", {}, true, {}, kNothing, false, true};

constexpr std::array kTrackModifiers{
    KeywordSpec{"weight", 1, 1, "a weight -253..253"},
    KeywordSpec{"reverse", 0, 0, ""},
};
// Not reversed is the default. keepalived accepts "noreverse"; its man page shows
// "no_reverse" in vrrp_instance's track_script, which keepalived 2.2.7 reports and ignores.
constexpr auto kTrackUnimplemented = std::to_array<UnimplementedSpec>({
    {"noreverse", kDefault},
    {"no_reverse", kDefault},
});
constexpr BlockSpec kTrackList{"track list", {}, true, kTrackModifiers, kTrackUnimplemented};
// holdfast's own track list: several backends may share a line.
constexpr BlockSpec kBackendTrackList{"track_backend", {}, true, kTrackModifiers, {}, true};

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
    KeywordSpec{"nftables", 0, 1, "an optional nftables table name"},
    KeywordSpec{"nftables_priority", 1, 1, "a hook priority (an integer)"},
    KeywordSpec{"nftables_counters", 0, 0, ""},
    KeywordSpec{"vrrp_iptables", 0, 2, "optional chain names"},
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
    KeywordSpec{"vrrp_cpu_affinity", 0, U, "CPU numbers"},
    KeywordSpec{"checker_cpu_affinity", 0, U, "CPU numbers"},
    KeywordSpec{"metrics_listen", 1, 1, "ADDR:PORT for Prometheus metrics"},
    KeywordSpec{"lock_memory", 1, 1, "on or off"},
    KeywordSpec{"vrrp_lower_prio_no_advert", 0, 1, "optionally 'true' or 'false'"},
    KeywordSpec{"vrrp_higher_prio_send_advert", 0, 1, "optionally 'true' or 'false'"},
    KeywordSpec{"vrrp_min_garp", 0, 1, "optionally 'true' or 'false'"},
    KeywordSpec{"vrrp_garp_lower_prio_delay", 1, 1, "a duration"},
    KeywordSpec{"vrrp_garp_lower_prio_repeat", 1, 1, "a count"},
    KeywordSpec{"vrrp_down_timer_adverts", 1, 1, "a count 1-100"},
    KeywordSpec{"vrrp_startup_delay", 1, 1, "a duration"},
    KeywordSpec{"vrrp_check_unicast_src", 0, 0, ""},
    KeywordSpec{"vmac_prefix", 1, 1, "a prefix for VMAC interface names"},
    KeywordSpec{"vmac_addr_prefix", 1, 1, "a prefix for use_vmac_addr's VMAC names"},
};
constexpr auto kGlobalUnimplemented = std::to_array<UnimplementedSpec>({
    {"enable_snmp_vrrp", kSnmp},
    {"enable_snmp_checker", kSnmp},
    {"enable_snmp_rfc", kSnmp},
    {"enable_snmp_rfcv2", kSnmp},
    {"enable_snmp_rfcv3", kSnmp},
    {"enable_snmp_keepalived", kSnmp},
    {"enable_traps", kSnmp},
    {"snmp_socket", kSnmp},
    {"enable_dbus", kDbus},
    {"dbus_service_name", kDbus},
    {"lvs_id", kLvs},
    {"lvs_sync_daemon", kLvs},
    {"lvs_timeouts", kLvs},
    {"lvs_flush", kLvs},
    {"lvs_flush_onstop", kLvs},
    {"lvs_flush_on_stop", kLvs},
    {"lvs_notify_fifo", kLvs},
    {"lvs_notify_fifo_script", kLvs},
    {"lvs_netlink_cmd_rcv_bufs", kLvs},
    {"lvs_netlink_cmd_rcv_bufs_force", kLvs},
    {"lvs_netlink_monitor_rcv_bufs", kLvs},
    {"lvs_netlink_monitor_rcv_bufs_force", kLvs},
    {"nftables_ipvs", kLvs},
    {"nftables_ipvs_priority", kLvs},
    {"nftables_ipvs_start_fwmark", kLvs},
    {"smtp_alert_checker", kLvs},
    {"checker_log_all_failures", kLvs},
    {"rs_init_notifies", kLvs},
    {"no_checker_emails", kLvs},
    // keepalived runs a parent and vrrp, checker and bfd children; these name and tune
    // them. holdfastd's VRRP thread has vrrp_rt_priority and vrrp_cpu_affinity, its
    // checker threads checker_cpu_affinity.
    {"process_names", kDaemon},
    {"process_name", kDaemon},
    {"vrrp_process_name", kDaemon},
    {"checker_process_name", kDaemon},
    {"bfd_process_name", kDaemon},
    {"vrrp_priority", kDaemon},
    {"checker_priority", kDaemon},
    {"bfd_priority", kDaemon},
    // holdfastd locks all its memory (lock_memory, on by default).
    {"vrrp_no_swap", kDefault},
    {"checker_no_swap", kDefault},
    {"bfd_no_swap", kDaemon},
    {"bfd_cpu_affinity", kDaemon},
    {"checker_rt_priority", kDaemon},
    {"bfd_rt_priority", kDaemon},
    {"vrrp_rlimit_rttime", kDaemon},
    {"checker_rlimit_rttime", kDaemon},
    {"bfd_rlimit_rttime", kDaemon},
    {"max_auto_priority", kDaemon},
    {"min_auto_priority_delay", kDaemon},
    {"vrrp_netlink_cmd_rcv_bufs", kDaemon},
    {"vrrp_netlink_cmd_rcv_bufs_force", kDaemon},
    {"vrrp_netlink_monitor_rcv_bufs", kDaemon},
    {"vrrp_netlink_monitor_rcv_bufs_force", kDaemon},
    {"process_monitor_rcv_bufs", kDaemon},
    {"process_monitor_rcv_bufs_force", kDaemon},
    {"tmp_config_directory", kDaemon},
    {"config_save_dir", kDaemon},
    {"data_use_instance", kDaemon},
    {"umask", kDaemon},
    // keepalived's top-level keywords; keepalived itself does not take them here.
    {"net_namespace", kNotYet},
    {"instance", kDaemon},
    {"use_pid_dir", kDaemon},
    {"linkbeat_use_polling", kNotYet},
    // holdfast checks a new config before it reloads, always, and keeps the running one.
    {"reload_check_config", kDefault},
    // In unicast mode holdfast only listens to its peers (vrrp/receive_filter.cc).
    {"dynamic_interfaces", kNotYet},
    {"default_interface", kNotYet},
    {"startup_script", kNotYet},
    {"startup_script_timeout", kNotYet},
    {"shutdown_script", kNotYet},
    {"shutdown_script_timeout", kNotYet},
    {"smtp_helo_name", kNotYet},
    {"smtp_alert", kNotYet},
    {"smtp_alert_vrrp", kNotYet},
    {"no_email_faults", kNotYet},
    {"vrrp_ipsets", kNotYet},
    // holdfast always matches link-local IPv6 VIPs with their interface's index.
    {"nftables_ifindex", kDefault},
    {"disable_local_igmp", kNotYet},
    {"vrrp_garp_extra_if", kNotYet},
    {"vrrp_notify_fifo", kNotYet},
    {"vrrp_notify_fifo_script", kNotYet},
    {"vrrp_notify_priority_changes", kFifo},
    {"notify_fifo", kNotYet},
    {"notify_fifo_script", kNotYet},
    {"fifo_write_vrrp_states_on_reload", kNotYet},
    {"script_timeout_fifo", kNotYet},
    {"vrrp_rx_bufs_policy", kNotYet},
    {"vrrp_rx_bufs_multiplier", kNotYet},
    {"log_unknown_vrids", kNotYet},
    {"random_seed", kNotYet},
    {"include_check", kNotYet},
    {"reload_time_file", kNotYet},
    {"reload_repeat", kNotYet},
    {"reload_file", kNotYet},
});

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

// ---- track_file, vrrp_track_process ----------------------------------------------------

constexpr std::array kTrackFileKeywords{
    KeywordSpec{"file", 1, 1, "a file path"},
    KeywordSpec{"weight", 1, 2, "a weight -254..254, optionally followed by 'reverse'"},
    KeywordSpec{"init_file", 0, 2, "an optional value and 'overwrite'"},
};
constexpr BlockSpec kTrackFileBlock{"track_file", kTrackFileKeywords, false, {}, kNothing};

constexpr std::array kTrackProcessKeywords{
    KeywordSpec{"process", 1, U, "a process name or path, and optional parameters"},
    KeywordSpec{"param_match", 0, 1, "'initial' or 'partial' (none: exact)"},
    KeywordSpec{"full_command", 0, 0, ""},
    KeywordSpec{"weight", 1, 2, "a weight -254..254, optionally followed by 'reverse'"},
    KeywordSpec{"quorum", 1, 1, "a count 1-65535"},
    KeywordSpec{"quorum_max", 1, 1, "a count 0-65535"},
    KeywordSpec{"delay", 1, 1, "a duration"},
    KeywordSpec{"fork_delay", 1, 1, "a duration"},
    KeywordSpec{"terminate_delay", 1, 1, "a duration"},
};
constexpr BlockSpec kTrackProcessBlock{
    "vrrp_track_process", kTrackProcessKeywords, false, {}, kNothing};

constexpr std::array kWideTrackModifiers{
    KeywordSpec{"weight", 1, 1, "a weight -254..254"},
    KeywordSpec{"reverse", 0, 0, ""},
};
// track_file and track_process in vrrp_instance take weights -254..254 (keepalived).
constexpr BlockSpec kWideTrackList{
    "track list", {}, true, kWideTrackModifiers, kTrackUnimplemented};

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
    KeywordSpec{"virtual_routes", 0, 0, "", &kVirtualRoutes},
    KeywordSpec{"virtual_rules", 0, 0, "", &kVirtualRules},
    KeywordSpec{"track_script", 0, 0, "", &kTrackList},
    KeywordSpec{"track_interface", 0, 0, "", &kTrackList},
    KeywordSpec{"track_backend", 0, 0, "", &kBackendTrackList},
    KeywordSpec{"track_file", 0, 0, "", &kWideTrackList},
    KeywordSpec{"track_process", 0, 0, "", &kWideTrackList},
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
    KeywordSpec{"use_vmac", 0, 2, "an optional interface name and MAC address"},
    KeywordSpec{"vmac_xmit_base", 0, 0, ""},
    KeywordSpec{"use_vmac_addr", 0, 0, ""},
    KeywordSpec{"checksum", 1, 1, "pseudo-header or message (IPv4 VRRPv3)"},
    KeywordSpec{"conflict_action", 1, 1, "none, announce or off"},
    KeywordSpec{"strict_preempt", 0, 0, ""},
    KeywordSpec{"dont_track_primary", 0, 0, ""},
    KeywordSpec{"unicast_ttl", 1, 1, "a TTL 0-255"},
    KeywordSpec{"check_unicast_src", 0, 0, ""},
    KeywordSpec{"unicast_fault_no_peer", 0, 0, ""},
    KeywordSpec{"garp_lower_prio_delay", 1, 1, "a duration"},
    KeywordSpec{"garp_lower_prio_repeat", 1, 1, "a count"},
    KeywordSpec{"down_timer_adverts", 1, 1, "a count 1-100"},
    KeywordSpec{"lower_prio_no_advert", 0, 1, "optionally 'true' or 'false'"},
    KeywordSpec{"higher_prio_send_advert", 0, 1, "optionally 'true' or 'false'"},
};
constexpr auto kInstanceUnimplemented = std::to_array<UnimplementedSpec>({
    {"track_bfd", kBfd},
    {"lvs_sync_daemon_interface", kLvs},
    {"debug", kInert},
    // The advert source leaving the interface is a fault (InstanceSet::linkEvent).
    {"track_src_ip", kDefault},
    {"native_ipv6", kNotYet},
    {"use_ipvlan", kNotYet},
    {"vrf", kNotYet},
    {"mcast_dst_ip", kNotYet},
    {"strict_mode", kNotYet},
    {"garp_extra_if", kNotYet},
    {"kernel_rx_buf_size", kNotYet},
    {"notify_master_rx_lower_pri", kNotYet},
    {"notify_priority_changes", kFifo},
    {"notify_deleted", kNotYet},
    {"skip_check_adv_addr", kNotYet},
    {"promote_secondaries", kNotYet},
    {"old_unicast_checksum", kNotYet},
    {"linkbeat_use_polling", kNotYet},
});

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
    KeywordSpec{"sync_group_tracking_weight", 0, 0, ""},
    KeywordSpec{"global_tracking", 0, 0, ""},
    KeywordSpec{"track_script", 0, 0, "", &kTrackList},
    KeywordSpec{"track_interface", 0, 0, "", &kTrackList},
    KeywordSpec{"track_file", 0, 0, "", &kWideTrackList},
    KeywordSpec{"track_process", 0, 0, "", &kWideTrackList},
};
constexpr auto kSyncGroupUnimplemented = std::to_array<UnimplementedSpec>({
    {"track_bfd", kBfd},
    {"notify_deleted", kNotYet},
    {"notify_priority_changes", kFifo},
});
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

constexpr std::array kGarpGroupKeywords{
    KeywordSpec{"garp_interval", 1, 1, "a duration"},
    KeywordSpec{"gna_interval", 1, 1, "a duration"},
    KeywordSpec{"interface", 1, 1, "an interface name"},
    KeywordSpec{"interfaces", 0, 0, "", &kNameList},
};
constexpr BlockSpec kGarpGroup{"garp_group", kGarpGroupKeywords, false, {}, kNothing};

constexpr std::array kRootKeywords{
    KeywordSpec{"global_defs", 0, 0, "", &kGlobalDefs},
    KeywordSpec{"vrrp_script", 1, 1, "a script name", &kVrrpScript},
    KeywordSpec{"vrrp_instance", 1, 1, "an instance name", &kVrrpInstance},
    KeywordSpec{"vrrp_sync_group", 1, 1, "a group name", &kSyncGroup},
    KeywordSpec{"backend", 1, 1, "a backend name", &kBackend},
    KeywordSpec{"backend_group", 1, 1, "a group name", &kBackendGroup},
    KeywordSpec{"garp_group", 0, 0, "", &kGarpGroup},
    KeywordSpec{"static_ipaddress", 0, 0, "", &kStaticAddressList},
    KeywordSpec{"static_routes", 0, 0, "", &kStaticRoutes},
    KeywordSpec{"static_rules", 0, 0, "", &kStaticRules},
    KeywordSpec{"track_file", 1, 1, "a track file name", &kTrackFileBlock},
    KeywordSpec{"vrrp_track_file", 1, 1, "a track file name", &kTrackFileBlock},
    KeywordSpec{"vrrp_track_process", 1, 1, "a track process name", &kTrackProcessBlock},
};
constexpr auto kRootUnimplemented = std::to_array<UnimplementedSpec>({
    {"virtual_server", kLvs},
    {"virtual_server_group", kLvs},
    {"real_server", kLvs},  // belongs in virtual_server; kept from before the census
    {"SSL", kLvs},          // the SSL context of the SSL_GET checker
    {"net_namespace_ipvs", kLvs},
    {"bfd_instance", kBfd},
    {"instance", kDaemon},
    {"use_pid_dir", kDaemon},
    {"child_wait_time", kDaemon},
    {"net_namespace", kNotYet},
    {"namespace_with_ipsets", kNotYet},
    {"linkbeat_use_polling", kNotYet},
    {"linkbeat_interfaces", kNotYet},
    {"interface_up_down_delays", kNotYet},
    {"track_group", kNotYet},
});

constexpr BlockSpec kRoot{"the top level", kRootKeywords, false, {}, kRootUnimplemented};

}  // namespace

const BlockSpec& rootSpec() {
  return kRoot;
}

}  // namespace holdfast::config
