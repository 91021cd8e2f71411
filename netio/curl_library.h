#pragma once

#include <expected>
#include <string>

namespace holdfast::netio {

// libcurl is loaded with dlopen when the first check or alert that needs it is built,
// not linked: its tree (OpenSSL, GnuTLS, Kerberos, LDAP, libssh2, ...) is about 7 MiB
// of resident memory, and most pairs run plain HTTP checks (Beast) or none.
// curl_library.cc defines the libcurl functions holdfast calls (curl_easy_*,
// curl_multi_*, curl_slist_*, curl_global_init); each forwards to the loaded
// library, so the callers keep curl.h's API and its compile-time type checks.
//
// Loads libcurl.so.4 and runs curl_global_init, once per process (thread-safe).
// Error: why it cannot be used (dlopen's or dlsym's message, or the init's code);
// every forwarded call then fails as libcurl's would for an unusable handle.
std::expected<void, std::string> loadCurl();

}  // namespace holdfast::netio
