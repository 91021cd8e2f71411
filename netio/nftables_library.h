#pragma once

#include <expected>
#include <string>

namespace holdfast::netio {

// libnftables is loaded with dlopen (shared_library.h) when holdfastd first programs
// a table (no_accept, VMAC firewall), not linked: with libnftnl, libxtables, libgmp
// and libjansson it is about 1.2 MiB resident, and most pairs accept on their VIPs
// and never program one. nftables_library.cc defines the nft_* functions holdfast
// calls; each forwards to the loaded library, so the callers keep libnftables.h's
// API.
//
// Loads libnftables.so.1, once per process (thread-safe). Error: why it cannot be
// used (dlopen's or dlsym's message); nft_ctx_new then returns nullptr.
std::expected<void, std::string> loadNftables();

}  // namespace holdfast::netio
