// The type-checking macros of curl.h would rename the definitions below.
#define CURL_DISABLE_TYPECHECK 1
#include "netio/curl_library.h"

#include <curl/curl.h>

#include <cstdarg>

#include "netio/shared_library.h"

namespace holdfast::netio {
namespace {

constexpr const char* kSoname = "libcurl.so.4";

// libcurl's entry points, from the loaded library.
struct Api {
  std::string error;  // empty: loaded and initialised
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  CURLM* (*multi_init)();
  CURLMcode (*multi_cleanup)(CURLM*);
  CURLMcode (*multi_add_handle)(CURLM*, CURL*);
  CURLMcode (*multi_remove_handle)(CURLM*, CURL*);
  CURLMcode (*multi_setopt)(CURLM*, CURLMoption, ...);
  CURLMcode (*multi_socket_action)(CURLM*, curl_socket_t, int, int*);
  CURLMsg* (*multi_info_read)(CURLM*, int*);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

Api load() {
  Api a{};
  SymbolResolver resolve(kSoname, a.error);
  std::string& e = a.error;
  resolve("curl_global_init", a.global_init);
  resolve("curl_easy_init", a.easy_init);
  resolve("curl_easy_cleanup", a.easy_cleanup);
  resolve("curl_easy_reset", a.easy_reset);
  resolve("curl_easy_perform", a.easy_perform);
  resolve("curl_easy_setopt", a.easy_setopt);
  resolve("curl_easy_getinfo", a.easy_getinfo);
  resolve("curl_easy_strerror", a.easy_strerror);
  resolve("curl_multi_init", a.multi_init);
  resolve("curl_multi_cleanup", a.multi_cleanup);
  resolve("curl_multi_add_handle", a.multi_add_handle);
  resolve("curl_multi_remove_handle", a.multi_remove_handle);
  resolve("curl_multi_setopt", a.multi_setopt);
  resolve("curl_multi_socket_action", a.multi_socket_action);
  resolve("curl_multi_info_read", a.multi_info_read);
  resolve("curl_slist_append", a.slist_append);
  resolve("curl_slist_free_all", a.slist_free_all);
  if (!e.empty()) return a;
  if (const CURLcode rc = a.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    e = "curl_global_init failed (code " + std::to_string(rc) + ")";
  }
  return a;
}

// The loaded library; nullptr when libcurl cannot be used.
const Api* api() {
  return LoadedApi<Api, load>::usable();
}

// curl_easy_setopt and curl_multi_setopt take one argument whose type the option's
// number range gives (curl.h's CURLOPTTYPE_*): long, pointer (object, string,
// blob), function pointer or curl_off_t.
template <class R, class H, class O>
R forwardOption(R (*set)(H, O, ...), H h, O option, va_list ap) {
  const long kind = static_cast<long>(option) / 10000 * 10000;
  switch (kind) {
    case CURLOPTTYPE_LONG:
      return set(h, option, va_arg(ap, long));
    case CURLOPTTYPE_FUNCTIONPOINT:
      return set(h, option, va_arg(ap, void (*)()));
    case CURLOPTTYPE_OFF_T:
      return set(h, option, va_arg(ap, curl_off_t));
    default:  // CURLOPTTYPE_OBJECTPOINT, CURLOPTTYPE_BLOB
      return set(h, option, va_arg(ap, void*));
  }
}

}  // namespace

std::expected<void, std::string> loadCurl() {
  return LoadedApi<Api, load>::status();
}

}  // namespace holdfast::netio

using holdfast::netio::api;

extern "C" {

CURLcode curl_global_init(long) {
  return api() ? CURLE_OK : CURLE_FAILED_INIT;  // load() ran it
}

CURL* curl_easy_init() {
  return api() ? api()->easy_init() : nullptr;
}

void curl_easy_cleanup(CURL* h) {
  if (api() && h) api()->easy_cleanup(h);
}

void curl_easy_reset(CURL* h) {
  if (api() && h) api()->easy_reset(h);
}

CURLcode curl_easy_perform(CURL* h) {
  return api() && h ? api()->easy_perform(h) : CURLE_FAILED_INIT;
}

CURLcode curl_easy_setopt(CURL* h, CURLoption option, ...) {
  if (!api() || !h) return CURLE_FAILED_INIT;
  va_list ap;
  va_start(ap, option);
  const CURLcode rc = holdfast::netio::forwardOption(api()->easy_setopt, h, option, ap);
  va_end(ap);
  return rc;
}

CURLcode curl_easy_getinfo(CURL* h, CURLINFO info, ...) {
  if (!api() || !h) return CURLE_FAILED_INIT;
  va_list ap;
  va_start(ap, info);
  void* out = va_arg(ap, void*);  // every CURLINFO takes a pointer to where it writes
  va_end(ap);
  return api()->easy_getinfo(h, info, out);
}

const char* curl_easy_strerror(CURLcode rc) {
  return api() ? api()->easy_strerror(rc) : "libcurl is not loaded";
}

CURLM* curl_multi_init() {
  return api() ? api()->multi_init() : nullptr;
}

CURLMcode curl_multi_cleanup(CURLM* m) {
  return api() && m ? api()->multi_cleanup(m) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_add_handle(CURLM* m, CURL* h) {
  return api() && m ? api()->multi_add_handle(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_remove_handle(CURLM* m, CURL* h) {
  return api() && m ? api()->multi_remove_handle(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_setopt(CURLM* m, CURLMoption option, ...) {
  if (!api() || !m) return CURLM_BAD_HANDLE;
  va_list ap;
  va_start(ap, option);
  const CURLMcode rc = holdfast::netio::forwardOption(api()->multi_setopt, m, option, ap);
  va_end(ap);
  return rc;
}

CURLMcode curl_multi_socket_action(CURLM* m, curl_socket_t s, int events, int* running) {
  return api() && m ? api()->multi_socket_action(m, s, events, running) : CURLM_BAD_HANDLE;
}

CURLMsg* curl_multi_info_read(CURLM* m, int* left) {
  if (left) *left = 0;
  return api() && m ? api()->multi_info_read(m, left) : nullptr;
}

curl_slist* curl_slist_append(curl_slist* list, const char* s) {
  return api() ? api()->slist_append(list, s) : nullptr;
}

void curl_slist_free_all(curl_slist* list) {
  if (api() && list) api()->slist_free_all(list);
}

}  // extern "C"
