#include "netio/nftables_library.h"

#include <nftables/libnftables.h>

#include "netio/shared_library.h"

namespace holdfast::netio {
namespace {

constexpr const char* kSoname = "libnftables.so.1";

// libnftables' entry points that holdfast calls, from the loaded library.
struct Api {
  std::string error;  // empty: loaded
  nft_ctx* (*ctx_new)(uint32_t);
  void (*ctx_free)(nft_ctx*);
  int (*ctx_buffer_output)(nft_ctx*);
  int (*ctx_buffer_error)(nft_ctx*);
  const char* (*ctx_get_output_buffer)(nft_ctx*);
  const char* (*ctx_get_error_buffer)(nft_ctx*);
  int (*run_cmd_from_buffer)(nft_ctx*, const char*);
};

Api load() {
  Api a{};
  SymbolResolver resolve(kSoname, a.error);
  resolve("nft_ctx_new", a.ctx_new);
  resolve("nft_ctx_free", a.ctx_free);
  resolve("nft_ctx_buffer_output", a.ctx_buffer_output);
  resolve("nft_ctx_buffer_error", a.ctx_buffer_error);
  resolve("nft_ctx_get_output_buffer", a.ctx_get_output_buffer);
  resolve("nft_ctx_get_error_buffer", a.ctx_get_error_buffer);
  resolve("nft_run_cmd_from_buffer", a.run_cmd_from_buffer);
  return a;
}

// The loaded library; nullptr when libnftables cannot be used.
const Api* api() {
  return LoadedApi<Api, load>::usable();
}

}  // namespace

std::expected<void, std::string> loadNftables() {
  return LoadedApi<Api, load>::status();
}

}  // namespace holdfast::netio

using holdfast::netio::api;

// A context exists only when the library could be loaded: the calls on one need no
// check.
extern "C" {

nft_ctx* nft_ctx_new(uint32_t flags) {
  return api() ? api()->ctx_new(flags) : nullptr;
}

void nft_ctx_free(nft_ctx* ctx) {
  if (ctx) api()->ctx_free(ctx);
}

int nft_ctx_buffer_output(nft_ctx* ctx) {
  return api()->ctx_buffer_output(ctx);
}

int nft_ctx_buffer_error(nft_ctx* ctx) {
  return api()->ctx_buffer_error(ctx);
}

const char* nft_ctx_get_output_buffer(nft_ctx* ctx) {
  return api()->ctx_get_output_buffer(ctx);
}

const char* nft_ctx_get_error_buffer(nft_ctx* ctx) {
  return api()->ctx_get_error_buffer(ctx);
}

int nft_run_cmd_from_buffer(nft_ctx* ctx, const char* buf) {
  return api()->run_cmd_from_buffer(ctx, buf);
}

}  // extern "C"
