#include "netio/shared_library.h"

namespace holdfast::netio {

std::expected<void*, std::string> openLibrary(const char* soname) {
  // RTLD_NODELETE: nothing unloads it; the process keeps it to the end.
  void* lib = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (lib) return lib;
  const char* why = ::dlerror();
  return std::unexpected(std::string("cannot load ") + soname + ": " +
                         (why ? why : "dlopen failed"));
}

}  // namespace holdfast::netio
