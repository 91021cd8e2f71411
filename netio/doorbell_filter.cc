#include "netio/doorbell_filter.h"

namespace holdfast::netio {
namespace {

// What the doorbell keeps of an accepted packet: nobody reads it.
constexpr uint32_t kKeep = 64;

sock_filter statement(uint16_t code, uint32_t k) {
  return sock_filter{code, 0, 0, k};
}
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return sock_filter{code, jt, jf, k};
}

// VRRP header (RFC 5798 5.1): version/type, VRID, priority.
constexpr uint32_t kVridOffset = 1;
constexpr uint32_t kPriorityOffset = 2;

}  // namespace

std::vector<sock_filter> doorbellProgram(Family family, std::span<const RoutineAdvert> routine,
                                         unsigned oneIn) {
  std::vector<sock_filter> p;
  p.reserve(6 + routine.size() * 5);
  if (oneIn > 1) {
    p.push_back(statement(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_RANDOM));
    p.push_back(statement(BPF_ALU | BPF_AND | BPF_K, oneIn - 1));
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1));
    p.push_back(statement(BPF_RET | BPF_K, kKeep));
  }
  // X = where the VRRP header starts: after the IPv4 header, or at 0 for IPv6.
  if (family == Family::kIPv4) {
    p.push_back(statement(BPF_LDX | BPF_B | BPF_MSH, 0));
  } else {
    p.push_back(statement(BPF_LDX | BPF_W | BPF_IMM, 0));
  }
  p.push_back(statement(BPF_LD | BPF_B | BPF_IND, kVridOffset));
  // Per routine VRID: not this VRID -> the next one; this VRID -> its priority
  // decides. A is reloaded only on the matching branch, which returns.
  for (const RoutineAdvert& r : routine) {
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, r.vrid, 0, 4));
    p.push_back(statement(BPF_LD | BPF_B | BPF_IND, kPriorityOffset));
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, r.priority, 0, 1));
    p.push_back(statement(BPF_RET | BPF_K, 0));
    p.push_back(statement(BPF_RET | BPF_K, kKeep));
  }
  p.push_back(statement(BPF_RET | BPF_K, kKeep));
  return p;
}

std::vector<sock_filter> dropAllProgram() {
  return {statement(BPF_RET | BPF_K, 0)};
}

}  // namespace holdfast::netio
