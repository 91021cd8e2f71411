#pragma once
// The clean file pages start-up left mapped, given back to the page cache.
//
// Start-up and each reload touch code and read-only data the steady state never
// runs again: ld.so's symbol tables (.dynsym/.dynstr), the configuration parser,
// option parsing. With lock_memory (MCL_ONFAULT) every page touched stays locked,
// and the kernel's fault-around maps whole large folios around each touch, so the
// daemon held about 9.5 MiB resident (and locked) to run adverts from 2 MiB.
// Unmapping the private read-only file mappings that hold no page of the process's
// own (no copy-on-write page: such a page would be lost) costs nothing to
// correctness: the pages stay in the page cache and the next use maps (and locks)
// them again, as a minor fault.
#include <cstdint>
#include <string_view>
#include <vector>

namespace holdfast::daemon {

struct PageRange {
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
  std::uint64_t residentKib = 0;  // Rss: when the list was read
};

// The mappings of /proc/self/smaps text that may be unmapped: backed by a file,
// private, not writable, with no anonymous (copy-on-write) page.
std::vector<PageRange> cleanFileMappings(std::string_view smaps);

struct PagesReleased {
  std::uint64_t mappings = 0;
  std::uint64_t residentKib = 0;  // what those mappings held resident before
  std::uint64_t failures = 0;     // madvise refused (a locked mapping, say)
};

// Reads /proc/self/smaps and unmaps (MADV_DONTNEED) each clean file mapping. Call
// it with memory unlocked: the kernel refuses MADV_DONTNEED on locked pages.
PagesReleased releaseStartupPages();

}  // namespace holdfast::daemon
