#pragma once
// Libraries holdfastd loads with dlopen when a feature first needs them instead of
// linking them: most configurations never use them, and a linked library's tree is
// resident in every daemon (curl_library.h, nftables_library.h).

#include <dlfcn.h>

#include <expected>
#include <string>

namespace holdfast::netio {

// dlopen(soname) with every symbol bound now, kept to the end of the process.
// Error: "cannot load SONAME: " and dlerror's reason.
std::expected<void*, std::string> openLibrary(const char* soname);

// Fills a struct of entry points from `soname`, opened now: `error` gets why it
// cannot be opened, or the first symbol missing ("SONAME: no symbol NAME"); after
// an error the library is not usable and nothing more is resolved.
class SymbolResolver {
 public:
  SymbolResolver(const char* soname, std::string& error) : soname_(soname), error_(error) {
    auto lib = openLibrary(soname);
    if (lib) {
      lib_ = *lib;
    } else {
      error_ = lib.error();
    }
  }
  template <class F>
  void operator()(const char* name, F& out) {
    if (!error_.empty()) return;
    out = reinterpret_cast<F>(::dlsym(lib_, name));
    if (!out) error_ = std::string(soname_) + ": no symbol " + name;
  }

 private:
  const char* soname_;
  std::string& error_;
  void* lib_ = nullptr;
};

// The process's one `Api` (a struct of a library's entry points and a `std::string
// error`, empty once the library is usable), made by `load` when first asked for
// (thread-safe, once).
template <class Api, Api (*load)()>
struct LoadedApi {
  static const Api& get() {
    static const Api a = load();
    return a;
  }
  // nullptr when the library cannot be used.
  static const Api* usable() { return get().error.empty() ? &get() : nullptr; }
  // Why the library cannot be used.
  static std::expected<void, std::string> status() {
    if (!get().error.empty()) return std::unexpected(get().error);
    return {};
  }
};

}  // namespace holdfast::netio
