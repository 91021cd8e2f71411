#include <catch2/catch.hpp>

#include "core/daemon/startup_pages.h"

using holdfast::daemon::cleanFileMappings;

namespace {

// Shaped like /proc/self/smaps on Linux 6.x (fields trimmed to the ones that vary).
constexpr const char* kSmaps =
    "55d0c0000000-55d0c0010000 r--p 00000000 fd:00 1234   /usr/sbin/holdfastd\n"
    "Size:                 64 kB\n"
    "Rss:                  64 kB\n"
    "Anonymous:             0 kB\n"
    "VmFlags: rd mr mw me dw sd\n"
    "55d0c0010000-55d0c0200000 r-xp 00010000 fd:00 1234   /usr/sbin/holdfastd\n"
    "Size:               1984 kB\n"
    "Rss:                1800 kB\n"
    "Anonymous:             0 kB\n"
    "VmFlags: rd ex mr mw me dw sd\n"
    "55d0c0200000-55d0c0210000 r--p 00200000 fd:00 1234   /usr/sbin/holdfastd\n"
    "Size:                 64 kB\n"
    "Rss:                  64 kB\n"
    "Anonymous:            64 kB\n"
    "VmFlags: rd mr mw me ac sd\n"
    "55d0c0210000-55d0c0214000 rw-p 00210000 fd:00 1234   /usr/sbin/holdfastd\n"
    "Size:                 16 kB\n"
    "Rss:                  16 kB\n"
    "Anonymous:            16 kB\n"
    "VmFlags: rd wr mr mw me ac sd\n"
    "55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0      [heap]\n"
    "Size:               1024 kB\n"
    "Rss:                 124 kB\n"
    "Anonymous:           124 kB\n"
    "VmFlags: rd wr mr mw me ac sd\n"
    "7f0000000000-7f0000040000 rw-s 00000000 00:09 27504  socket:[27504]\n"
    "Size:                256 kB\n"
    "Rss:                 256 kB\n"
    "Anonymous:             0 kB\n"
    "VmFlags: rd wr sh mr mw me ms sd\n"
    "7f0000100000-7f0000200000 r--s 00000000 fd:00 99     /usr/share/shared.db\n"
    "Size:               1024 kB\n"
    "Rss:                  40 kB\n"
    "Anonymous:             0 kB\n"
    "VmFlags: rd sh mr me ms sd\n"
    "7f0000300000-7f0000400000 r-xp 00000000 fd:00 77     /usr/lib/libunused.so (deleted)\n"
    "Size:               1024 kB\n"
    "Rss:                   0 kB\n"
    "Anonymous:             0 kB\n"
    "VmFlags: rd ex mr mw me sd\n"
    "7f0000500000-7f0000600000 r--p 00000000 fd:00 78     /usr/lib/libstdc++.so.6\n"
    "Size:               1024 kB\n"
    "Rss:                 612 kB\n"
    "Anonymous:             0 kB\n"
    "VmFlags: rd mr mw me sd\n"
    "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0      [vdso]\n"
    "Size:                  8 kB\n"
    "Rss:                   8 kB\n"
    "Anonymous:             0 kB\n"
    "VmFlags: rd ex mr mw me de sd\n";

}  // namespace

TEST_CASE("clean file mappings are the private read-only ones with no copy-on-write page",
          "[startup_pages]") {
  auto ranges = cleanFileMappings(kSmaps);
  REQUIRE(ranges.size() == 3);
  CHECK(ranges[0].begin == 0x55d0c0000000);
  CHECK(ranges[0].end == 0x55d0c0010000);
  CHECK(ranges[0].residentKib == 64);
  CHECK(ranges[1].begin == 0x55d0c0010000);
  CHECK(ranges[1].residentKib == 1800);
  CHECK(ranges[2].begin == 0x7f0000500000);
  CHECK(ranges[2].residentKib == 612);
}

TEST_CASE("a mapping with relocated (copy-on-write) pages is never a clean mapping",
          "[startup_pages]") {
  // RELRO is r--p after ld.so wrote it: unmapping it would lose the relocations.
  for (const auto& r : cleanFileMappings(kSmaps)) CHECK(r.begin != 0x55d0c0200000);
}

TEST_CASE("writable, shared, anonymous and kernel mappings are never clean mappings",
          "[startup_pages]") {
  for (const auto& r : cleanFileMappings(kSmaps)) {
    CHECK(r.begin != 0x55d0c0210000);  // rw-p data
    CHECK(r.begin != 0x55d0c1000000);  // heap
    CHECK(r.begin != 0x7f0000000000);  // shared socket ring
    CHECK(r.begin != 0x7f0000100000);  // shared file
    CHECK(r.begin != 0x7ffd00000000);  // vdso
  }
}

TEST_CASE("a mapping with nothing resident is not listed", "[startup_pages]") {
  for (const auto& r : cleanFileMappings(kSmaps)) CHECK(r.begin != 0x7f0000300000);
}

TEST_CASE("smaps text without the Anonymous field lists nothing", "[startup_pages]") {
  // Without it the copy-on-write pages cannot be ruled out.
  CHECK(cleanFileMappings("7f0000500000-7f0000600000 r--p 00000000 fd:00 78 /usr/lib/x.so\n"
                          "Rss:                 612 kB\n")
            .empty());
  CHECK(cleanFileMappings("").empty());
  CHECK(cleanFileMappings("garbage\n\n: :\n-\n").empty());
}
