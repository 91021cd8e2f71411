// What lets a backup sleep through its master's adverts (vrrp::StateMachine::
// routinePriority, netio::doorbellProgram) and lets masters share a wake-up
// (StateMachineConfig::alignAdverts).

#include <pcap/pcap.h>

#include <catch2/catch.hpp>
#include <vector>

#include "netio/doorbell_filter.h"
#include "tests/unit/fake_vrrp_network.h"

using namespace holdfast::vrrp;
using holdfast::test::FakeVrrpNetwork;
using namespace std::chrono_literals;
namespace netio = holdfast::netio;

namespace {
using Net = FakeVrrpNetwork;

// Runs the doorbell program over `packet` with libpcap's interpreter (classic BPF,
// the kernel's semantics for the instructions used without the random ring).
unsigned run(const std::vector<sock_filter>& program, const std::vector<uint8_t>& packet) {
  std::vector<bpf_insn> insns;
  for (const auto& f : program) insns.push_back(bpf_insn{f.code, f.jt, f.jf, f.k});
  return bpf_filter(insns.data(), packet.data(), static_cast<unsigned>(packet.size()),
                    static_cast<unsigned>(packet.size()));
}

// What an IPv4 raw socket reads: an IP header of `ihlWords` words, then VRRP.
std::vector<uint8_t> v4(uint8_t vrid, uint8_t priority, int ihlWords = 5) {
  std::vector<uint8_t> p(static_cast<size_t>(ihlWords) * 4, 0);
  p[0] = static_cast<uint8_t>(0x40 | ihlWords);
  p[9] = 112;
  for (uint8_t b : {uint8_t{0x31}, vrid, priority, uint8_t{1}, uint8_t{0}, uint8_t{10}, uint8_t{0},
                    uint8_t{0}, uint8_t{192}, uint8_t{0}, uint8_t{2}, uint8_t{100}}) {
    p.push_back(b);
  }
  return p;
}
// What an IPv6 raw socket reads: the VRRP message.
std::vector<uint8_t> v6(uint8_t vrid, uint8_t priority) {
  return {0x31, vrid, priority, 1, 0, 10, 0, 0};
}
}  // namespace

TEST_CASE("doorbell: a routine advert (its VRID at exactly the master's priority) rings nothing") {
  const std::vector<netio::RoutineAdvert> routine{{7, 150}, {9, 200}};
  auto p4 = netio::doorbellProgram(netio::Family::kIPv4, routine, 0);
  CHECK(run(p4, v4(7, 150)) == 0);
  CHECK(run(p4, v4(9, 200)) == 0);
  CHECK(run(p4, v4(7, 150, 6)) == 0);  // IPv4 options: the header length is read
  auto p6 = netio::doorbellProgram(netio::Family::kIPv6, routine, 0);
  CHECK(run(p6, v6(7, 150)) == 0);
  CHECK(run(p6, v6(9, 200)) == 0);
}

TEST_CASE("doorbell: another priority, priority 0 or another VRID wakes the reader") {
  const std::vector<netio::RoutineAdvert> routine{{7, 150}};
  auto p4 = netio::doorbellProgram(netio::Family::kIPv4, routine, 0);
  CHECK(run(p4, v4(7, 140)) > 0);  // the master's priority dropped: maybe preempt now
  CHECK(run(p4, v4(7, 0)) > 0);    // the master leaves: Skew_Time starts now
  CHECK(run(p4, v4(8, 150)) > 0);  // no routine for this VRID
  auto p6 = netio::doorbellProgram(netio::Family::kIPv6, routine, 0);
  CHECK(run(p6, v6(7, 151)) > 0);
  CHECK(run(p6, v6(3, 150)) > 0);
  auto none = netio::doorbellProgram(netio::Family::kIPv4, {}, 0);
  CHECK(run(none, v4(7, 150)) > 0);
  CHECK(run(netio::dropAllProgram(), v4(8, 1)) == 0);
}

TEST_CASE("doorbell: one packet in N rings at random before anything else is looked at") {
  auto p = netio::doorbellProgram(netio::Family::kIPv4, std::vector<netio::RoutineAdvert>{{7, 150}},
                                  128);
  REQUIRE(p.size() > 4);
  CHECK(p[0].code == (BPF_LD | BPF_W | BPF_ABS));
  CHECK(p[0].k == static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_RANDOM));
  CHECK(p[1].k == 127);
  // 255 routine VRIDs fit the kernel's limit of 4096 instructions.
  std::vector<netio::RoutineAdvert> all;
  for (int v = 1; v <= 255; ++v) all.push_back({static_cast<uint8_t>(v), 100});
  CHECK(netio::doorbellProgram(netio::Family::kIPv6, all, 128).size() < 4096);
}

TEST_CASE("routine priority: a backup's master at or above its priority, until it could preempt") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11", 3, Centiseconds(10)));
  auto b = net.add(Net::config(100, "192.0.2.12", 3, Centiseconds(10)));
  net.start(a);
  net.runFor(1s);
  net.start(b);
  CHECK_FALSE(net[b].sm.routinePriority());  // nothing heard yet
  net.runFor(1s);
  REQUIRE(net[b].sm.state() == State::kBackup);
  CHECK(net[b].sm.routinePriority() == 150);
  CHECK_FALSE(net[a].sm.routinePriority());  // a master hears nothing routine
  // b's own priority rises above the master's: the next advert preempts.
  net.setPriority(b, 200);
  CHECK_FALSE(net[b].sm.routinePriority());
}

TEST_CASE("routine priority: without preemption a lower master stays routine") {
  Net net;
  auto cfg = Net::config(200, "192.0.2.12", 3, Centiseconds(10));
  cfg.preempt = false;
  auto a = net.add(Net::config(150, "192.0.2.11", 3, Centiseconds(10)));
  auto b = net.add(cfg);
  net.start(a);
  net.runFor(1s);
  net.start(b);
  net.runFor(1s);
  REQUIRE(net[b].sm.state() == State::kBackup);
  CHECK(net[b].sm.routinePriority() == 150);
  net.shutdown(a);  // priority 0: Skew_Time
  CHECK_FALSE(net[b].sm.routinePriority());
}

TEST_CASE("aligned adverts: masters send at multiples of the interval, never later than it") {
  Net net;
  auto cfg = Net::config(200, "192.0.2.11", 3, Centiseconds(10));
  cfg.alignAdverts = true;
  auto a = net.add(cfg);
  net.runFor(1234567us);  // start off the grid
  net.start(a);
  net.runFor(2s);
  std::vector<TimePoint> times;
  for (auto& s : net.sent()) times.push_back(s.at);
  REQUIRE(times.size() > 10);
  // The first advert as master, then one on the grid at most an interval later,
  // then the cadence.
  CHECK(times[2] - times[1] <= 100ms);
  CHECK(times[2] - times[1] > 0ms);
  for (size_t i = 2; i < times.size(); ++i) {
    CHECK((times[i] - TimePoint{}) % 100ms == 0ms);
    if (i > 2) CHECK(times[i] - times[i - 1] == 100ms);
  }
  CHECK(net[a].sm.nextAdvertAfter(TimePoint{} + 250ms) == TimePoint{} + 300ms);
  CHECK(net[a].sm.nextAdvertAfter(TimePoint{} + 300ms) == TimePoint{} + 400ms);
}
