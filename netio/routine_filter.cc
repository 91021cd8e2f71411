#include "netio/routine_filter.h"

#include <bpf/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace holdfast::netio {

// One VRID's entry in the map. User space writes seq, length, mask and value; the
// program writes newestNs and count.
struct RoutineFilter::Entry {
  uint32_t seq;
  uint32_t length;
  uint64_t newestNs;
  uint64_t count;
  uint8_t mask[kRoutineImageBytes];
  uint8_t value[kRoutineImageBytes];
};

namespace {

constexpr uint8_t kVrrpProtocol = 112;
constexpr int kIPv4Header = 20;
constexpr int kIPv6Header = 40;

constexpr int16_t kSeq = offsetof(RoutineFilter::Entry, seq);
constexpr int16_t kLength = offsetof(RoutineFilter::Entry, length);
constexpr int16_t kNewest = offsetof(RoutineFilter::Entry, newestNs);
constexpr int16_t kCount = offsetof(RoutineFilter::Entry, count);
constexpr int16_t kMask = offsetof(RoutineFilter::Entry, mask);
constexpr int16_t kValue = offsetof(RoutineFilter::Entry, value);

// The program's stack: the key, the VRID byte, the packet's first bytes.
constexpr int16_t kKey = -4;
constexpr int16_t kVridByte = -8;
constexpr int16_t kPacket = -8 - static_cast<int16_t>(kRoutineImageBytes);
static_assert(kRoutineImageBytes % 8 == 0);

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  return bpf_insn{code, dst, src, off, imm};
}
bpf_insn movImm(uint8_t dst, int32_t imm) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
bpf_insn movReg(uint8_t dst, uint8_t src) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn addImm(uint8_t dst, int32_t imm) {
  return insn(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
}
bpf_insn load(uint8_t size, uint8_t dst, uint8_t src, int16_t off) {
  return insn(BPF_LDX | BPF_MEM | size, dst, src, off, 0);
}
bpf_insn call(int32_t helper) {
  return insn(BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}
bpf_insn exit() {
  return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

// A program under construction whose jumps to "accept" are patched at the end.
struct Builder {
  std::vector<bpf_insn> p;
  std::vector<size_t> toAccept;
  void add(bpf_insn i) { p.push_back(i); }
  void acceptIf(uint8_t op, uint8_t dst, int32_t imm) {
    toAccept.push_back(p.size());
    add(insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm));
  }
  void acceptIfReg(uint8_t op, uint8_t dst, uint8_t src) {
    toAccept.push_back(p.size());
    add(insn(BPF_JMP | op | BPF_X, dst, src, 0, 0));
  }
  // r1 = skb, r2 = offset, r3 = fp + to, r4 = length (set by the caller).
  void loadBytes(int32_t offset, int16_t to) {
    add(movReg(BPF_REG_1, BPF_REG_6));
    add(movImm(BPF_REG_2, offset));
    add(movReg(BPF_REG_3, BPF_REG_10));
    add(addImm(BPF_REG_3, to));
    add(movImm(BPF_REG_5, BPF_HDR_START_NET));
    add(call(BPF_FUNC_skb_load_bytes_relative));
    acceptIf(BPF_JNE, BPF_REG_0, 0);  // shorter than asked: not ours to judge
  }
};

void put16(RoutineImage& im, size_t at, uint16_t v) {
  im.value[at] = static_cast<uint8_t>(v >> 8);
  im.value[at + 1] = static_cast<uint8_t>(v);
  im.mask[at] = im.mask[at + 1] = 0xff;
}
void putBytes(RoutineImage& im, size_t at, std::span<const uint8_t> bytes) {
  std::memcpy(im.value.data() + at, bytes.data(), bytes.size());
  std::memset(im.mask.data() + at, 0xff, bytes.size());
}

std::string errnoText(const char* what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

size_t mappedBytes() {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t bytes = sizeof(RoutineFilter::Entry) * RoutineFilter::kEntries;
  return (bytes + page - 1) / page * page;
}

}  // namespace

std::optional<RoutineImage> routineImage(Family family, const IpAddress& source,
                                         const IpAddress& destination, int ttl,
                                         std::span<const uint8_t> message) {
  const bool v4 = family == Family::kIPv4;
  const size_t header = v4 ? kIPv4Header : kIPv6Header;
  if (ttl < 0 || ttl > 255 || message.size() < 2) return std::nullopt;
  if (header + message.size() > kRoutineImageBytes) return std::nullopt;
  if (source.family != family || destination.family != family) return std::nullopt;
  RoutineImage im;
  im.length = static_cast<uint32_t>(header + message.size());
  if (v4) {
    // Version and header length (no options), total length, TTL, protocol and the
    // addresses; not the TOS, ID, fragment field or checksum.
    im.value[0] = 0x45;
    im.mask[0] = 0xff;
    put16(im, 2, static_cast<uint16_t>(im.length));
    putBytes(im, 8, std::array<uint8_t, 2>{static_cast<uint8_t>(ttl), kVrrpProtocol});
    putBytes(im, 12, std::span<const uint8_t>(source.bytes.data(), 4));
    putBytes(im, 16, std::span<const uint8_t>(destination.bytes.data(), 4));
  } else {
    // The version, payload length, next header (no extension header), hop limit and
    // the addresses; not the traffic class or flow label.
    im.value[0] = 0x60;
    im.mask[0] = 0xf0;
    put16(im, 4, static_cast<uint16_t>(message.size()));
    putBytes(im, 6, std::array<uint8_t, 2>{kVrrpProtocol, static_cast<uint8_t>(ttl)});
    putBytes(im, 8, std::span<const uint8_t>(source.bytes.data(), 16));
    putBytes(im, 24, std::span<const uint8_t>(destination.bytes.data(), 16));
  }
  putBytes(im, header, message);
  return im;
}

std::vector<bpf_insn> routineProgram(Family family, int mapFd) {
  const int32_t vridOffset = (family == Family::kIPv4 ? kIPv4Header : kIPv6Header) + 1;
  Builder b;
  b.add(movReg(BPF_REG_6, BPF_REG_1));
  // key = the VRID
  b.add(insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, kKey, 0));
  b.add(movImm(BPF_REG_4, 1));
  b.loadBytes(vridOffset, kVridByte);
  b.add(load(BPF_B, BPF_REG_1, BPF_REG_10, kVridByte));
  b.add(insn(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_REG_1, kKey, 0));
  // r7 = its entry
  b.add(insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, mapFd));
  b.add(insn(0, 0, 0, 0, 0));
  b.add(movReg(BPF_REG_2, BPF_REG_10));
  b.add(addImm(BPF_REG_2, kKey));
  b.add(call(BPF_FUNC_map_lookup_elem));
  b.acceptIf(BPF_JEQ, BPF_REG_0, 0);
  b.add(movReg(BPF_REG_7, BPF_REG_0));
  // r8 = seq, even (no image being written); r9 = length, 1..kRoutineImageBytes
  b.add(load(BPF_W, BPF_REG_8, BPF_REG_7, kSeq));
  b.add(movReg(BPF_REG_1, BPF_REG_8));
  b.add(insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, 1));
  b.acceptIf(BPF_JNE, BPF_REG_1, 0);
  b.add(load(BPF_W, BPF_REG_9, BPF_REG_7, kLength));
  b.acceptIf(BPF_JLT, BPF_REG_9, 1);
  b.acceptIf(BPF_JGT, BPF_REG_9, kRoutineImageBytes);
  // The packet's first `length` bytes, zeros after them.
  for (int16_t i = 0; i < static_cast<int16_t>(kRoutineImageBytes); i += 8) {
    b.add(insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, static_cast<int16_t>(kPacket + i), 0));
  }
  b.add(movReg(BPF_REG_4, BPF_REG_9));
  b.loadBytes(0, kPacket);
  // packet & mask == value, eight bytes at a time (the mask is zero past `length`)
  for (int16_t i = 0; i < static_cast<int16_t>(kRoutineImageBytes); i += 8) {
    b.add(load(BPF_DW, BPF_REG_1, BPF_REG_10, static_cast<int16_t>(kPacket + i)));
    b.add(load(BPF_DW, BPF_REG_2, BPF_REG_7, static_cast<int16_t>(kMask + i)));
    b.add(insn(BPF_ALU64 | BPF_AND | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0));
    b.add(load(BPF_DW, BPF_REG_2, BPF_REG_7, static_cast<int16_t>(kValue + i)));
    b.acceptIfReg(BPF_JNE, BPF_REG_1, BPF_REG_2);
  }
  // The image did not change while it was compared.
  b.add(load(BPF_W, BPF_REG_1, BPF_REG_7, kSeq));
  b.acceptIfReg(BPF_JNE, BPF_REG_1, BPF_REG_8);
  // Routine: note when, count it, drop it.
  b.add(call(BPF_FUNC_ktime_get_ns));
  b.add(insn(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_7, BPF_REG_0, kNewest, 0));
  b.add(movImm(BPF_REG_1, 1));
  b.add(insn(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_7, BPF_REG_1, kCount, BPF_ADD));
  b.add(movImm(BPF_REG_0, 0));
  b.add(exit());
  const size_t accept = b.p.size();
  b.add(insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, -1));  // keep all of it
  b.add(exit());
  for (size_t at : b.toAccept) b.p[at].off = static_cast<int16_t>(accept - at - 1);
  return b.p;
}

std::expected<RoutineFilter, std::string> RoutineFilter::open(Family family) {
  bpf_map_create_opts mapOpts{};
  mapOpts.sz = sizeof mapOpts;
  mapOpts.map_flags = BPF_F_MMAPABLE;
  const int map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "hf_routine", sizeof(uint32_t), sizeof(Entry),
                                 kEntries, &mapOpts);
  if (map < 0) return std::unexpected(errnoText("cannot create the eBPF map", -map));
  void* memory = ::mmap(nullptr, mappedBytes(), PROT_READ | PROT_WRITE, MAP_SHARED, map, 0);
  if (memory == MAP_FAILED) {
    const int error = errno;
    ::close(map);
    return std::unexpected(errnoText("cannot map the eBPF map", error));
  }
  const auto program = routineProgram(family, map);
  std::string log(16384, '\0');
  bpf_prog_load_opts progOpts{};
  progOpts.sz = sizeof progOpts;
  int prog = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "hf_routine", "MIT", program.data(),
                           program.size(), &progOpts);
  if (prog < 0) {
    // Once more with the verifier's log, for the message.
    bpf_prog_load_opts logOpts = progOpts;
    logOpts.log_level = 1;
    logOpts.log_size = static_cast<uint32_t>(log.size());
    logOpts.log_buf = log.data();
    const int error = -prog;
    prog = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "hf_routine", "MIT", program.data(),
                         program.size(), &logOpts);
    if (prog < 0) {
      ::munmap(memory, mappedBytes());
      ::close(map);
      log.resize(std::strlen(log.c_str()));
      const auto last = log.find_last_of('\n', log.size() > 1 ? log.size() - 2 : 0);
      return std::unexpected(errnoText("cannot load the eBPF program", error) +
                             (log.empty() ? "" : " (" + log.substr(last + 1) + ")"));
    }
  }
  return RoutineFilter(map, prog, memory);
}

RoutineFilter::RoutineFilter(int mapFd, int programFd, void* memory)
    : mapFd_(mapFd), programFd_(programFd), memory_(memory) {}

RoutineFilter::RoutineFilter(RoutineFilter&& o) noexcept
    : mapFd_(std::exchange(o.mapFd_, -1)),
      programFd_(std::exchange(o.programFd_, -1)),
      memory_(std::exchange(o.memory_, nullptr)) {}

RoutineFilter::~RoutineFilter() {
  if (memory_) ::munmap(memory_, mappedBytes());
  if (programFd_ >= 0) ::close(programFd_);
  if (mapFd_ >= 0) ::close(mapFd_);
}

RoutineFilter::Entry& RoutineFilter::entry(uint8_t vrid) const {
  return static_cast<Entry*>(memory_)[vrid];
}

// A seqlock's writer: the program, which may run on another CPU meanwhile, sees an
// odd sequence (and accepts the packet) or compares a whole image.
void RoutineFilter::set(uint8_t vrid, const RoutineImage& image) {
  Entry& e = entry(vrid);
  std::atomic_ref<uint32_t> seq(e.seq);
  const uint32_t s = seq.load(std::memory_order_relaxed);
  seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  std::atomic_ref<uint32_t>(e.length).store(image.length, std::memory_order_relaxed);
  std::memcpy(e.mask, image.mask.data(), kRoutineImageBytes);
  std::memcpy(e.value, image.value.data(), kRoutineImageBytes);
  seq.store(s + 2, std::memory_order_release);
}

void RoutineFilter::clear(uint8_t vrid) {
  Entry& e = entry(vrid);
  std::atomic_ref<uint32_t> seq(e.seq);
  const uint32_t s = seq.load(std::memory_order_relaxed);
  seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  std::atomic_ref<uint32_t>(e.length).store(0, std::memory_order_relaxed);
  seq.store(s + 2, std::memory_order_release);
}

RoutineFilter::Tally RoutineFilter::tally(uint8_t vrid) const {
  Entry& e = entry(vrid);
  // The program stores the time before it counts: a count read first comes with a
  // time at least that new.
  Tally t;
  t.count = std::atomic_ref<uint64_t>(e.count).load(std::memory_order_acquire);
  const auto ns = std::atomic_ref<uint64_t>(e.newestNs).load(std::memory_order_relaxed);
  t.newest = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
  return t;
}

std::expected<uint32_t, std::string> RoutineFilter::run(std::span<const uint8_t> frame) const {
  bpf_test_run_opts opts{};
  opts.sz = sizeof opts;
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<uint32_t>(frame.size());
  opts.repeat = 1;
  if (int rc = bpf_prog_test_run_opts(programFd_, &opts); rc < 0) {
    return std::unexpected(errnoText("BPF_PROG_TEST_RUN", -rc));
  }
  return opts.retval;
}

}  // namespace holdfast::netio
