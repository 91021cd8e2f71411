// vrrp::Instance with a recording fake IO: what goes on the wire and into the
// kernel on each transition; receive filter and announcement frames.

#include <catch2/catch.hpp>

#include "vrrp/announce.h"
#include "vrrp/instance.h"

using namespace holdfast::vrrp;
using namespace std::chrono_literals;

namespace {

IpAddress ip(const char* s) {
  return IpAddress::parse(s).value();
}

struct RecordingIo : InstanceIo {
  std::vector<std::string> log;
  std::vector<std::pair<std::vector<uint8_t>, IpAddress>> sent;
  void sendAdvert(const InstanceSettings&, std::span<const uint8_t> m,
                  const IpAddress& d) override {
    sent.emplace_back(std::vector<uint8_t>(m.begin(), m.end()), d);
    log.push_back("advert " + std::to_string(m[2]) + " to " + d.str());
  }
  void addVips(const InstanceSettings&) override { log.push_back("add vips"); }
  void removeVips(const InstanceSettings&) override { log.push_back("remove vips"); }
  void announce(const InstanceSettings&) override { log.push_back("announce"); }
  void transitioned(const InstanceSettings&, const Transition& t, int) override {
    log.push_back(std::string(toString(t.from)) + "->" + toString(t.to));
  }
  void discarded(const InstanceSettings&, DiscardReason r, const IpAddress&) override {
    log.push_back(std::string("discard ") + toString(r));
  }
  void vipListMismatch(const InstanceSettings&, const Advert& a, const IpAddress& from) override {
    log.push_back("vip list mismatch from " + from.str() + " (" +
                  std::to_string(a.addresses.size()) + ")");
  }
};

InstanceSettings settings(int priority) {
  InstanceSettings s;
  s.name = "VI_1";
  s.interface = "eth0";
  s.vrid = 51;
  s.machine.version = 3;
  s.machine.priority = priority;
  s.machine.primaryAddress = ip("192.0.2.11");
  s.receive.version = 3;
  s.receive.addresses = {ip("192.0.2.100")};
  s.receive.ownAddresses = {ip("192.0.2.11")};
  s.source = ip("192.0.2.11");
  s.destinations = {ip("224.0.0.18")};
  s.vips = {{ip("192.0.2.100"), 24, "", "eth0"}};
  s.announce.repeat = 3;
  s.announce.interval = 0us;
  s.announce.masterDelay = 5s;
  return s;
}

const TimePoint t0{};

}  // namespace

TEST_CASE("becoming master adds the VIPs, then announces them in two bursts") {
  RecordingIo io;
  Instance inst(settings(255), io);
  inst.start(t0);
  CHECK(io.log == std::vector<std::string>{"advert 255 to 224.0.0.18", "INIT->MASTER", "add vips",
                                           "announce", "announce", "announce"});
  io.log.clear();
  inst.onTimer(t0 + 1s);  // the advert timer
  CHECK(io.log == std::vector<std::string>{"advert 255 to 224.0.0.18"});
  io.log.clear();
  CHECK(*inst.nextDeadline() == t0 + 2s);
  for (int s = 2; s <= 5; ++s) inst.onTimer(t0 + std::chrono::seconds(s));
  CHECK(std::count(io.log.begin(), io.log.end(), "announce") == 3);  // garp_master_delay burst
}

TEST_CASE("stopping a master sends priority 0 and removes the VIPs") {
  RecordingIo io;
  Instance inst(settings(255), io);
  inst.start(t0);
  io.log.clear();
  inst.stop(t0 + 1500ms);
  CHECK(io.log ==
        std::vector<std::string>{"advert 0 to 224.0.0.18", "MASTER->STOP", "remove vips"});
}

TEST_CASE("unicast adverts go to each peer, checksummed for that peer") {
  RecordingIo io;
  InstanceSettings s = settings(255);
  s.destinations = {ip("192.0.2.12"), ip("192.0.2.13")};
  Instance inst(s, io);
  inst.start(t0);
  REQUIRE(io.sent.size() == 2);
  for (auto& [msg, dst] : io.sent) {
    auto a = decode(msg, {s.source, dst, 255});
    REQUIRE(a.has_value());
    CHECK(a->priority == 255);
  }
  CHECK(io.sent[0].first != io.sent[1].first);
}

TEST_CASE("the receive filter drops what RFC 3768/5798 7.1 say to drop, and counts it") {
  ReceiveSettings s;
  s.version = 2;
  s.advertInterval = Centiseconds(100);
  s.authType = AuthType::kSimplePassword;
  s.authData = {'1', '1', '1', '1', 0, 0, 0, 0};
  s.addresses = {ip("192.0.2.100")};
  s.ownAddresses = {ip("192.0.2.11")};
  Advert a;
  a.version = 2;
  a.vrid = 51;
  a.priority = 100;
  a.interval = Centiseconds(100);
  a.authType = AuthType::kSimplePassword;
  a.authData = s.authData;
  a.addresses = s.addresses;
  PacketInfo from{ip("192.0.2.12"), ip("224.0.0.18"), 255};
  CHECK_FALSE(checkAdvert(a, from, s).has_value());

  auto with = [&](auto change) {
    Advert b = a;
    ReceiveSettings t = s;
    PacketInfo i = from;
    change(b, t, i);
    auto r = checkAdvert(b, i, t);
    return r ? std::string(toString(*r)) : std::string("accepted");
  };
  CHECK(with([](Advert& b, auto&, auto&) { b.authData[0] = '2'; }) == "auth_mismatch");
  CHECK(with([](Advert& b, auto&, auto&) { b.authType = AuthType::kNone; }) == "auth_mismatch");
  CHECK(with([](Advert& b, auto&, auto&) { b.interval = Centiseconds(200); }) ==
        "interval_mismatch");
  CHECK(with([](Advert& b, auto&, auto&) { b.version = 3; }) == "bad_version");
  CHECK(with([](auto&, auto&, PacketInfo& i) { i.source = ip("192.0.2.11"); }) == "own_advert");
  // A differing VIP list is not a discard (holdfast honours it on purpose); see below.
  CHECK(with([](Advert& b, auto&, auto&) { b.addresses = {ip("192.0.2.99")}; }) == "accepted");
  CHECK(with([](auto&, ReceiveSettings& t, auto&) { t.unicastPeers = {ip("192.0.2.13")}; }) ==
        "not_from_peer");
  CHECK(with([](auto&, ReceiveSettings& t, auto&) { t.unicastPeers = {ip("192.0.2.12")}; }) ==
        "accepted");
}

TEST_CASE("the VIP list check: a different list differs, unless skipped or priority 0") {
  ReceiveSettings s;
  s.addresses = {ip("192.0.2.100"), ip("192.0.2.101")};
  Advert a;
  a.priority = 100;
  a.addresses = {ip("192.0.2.101"), ip("192.0.2.100")};
  CHECK_FALSE(vipListDiffers(a, s));  // order does not matter
  a.addresses = {ip("192.0.2.100")};
  CHECK(vipListDiffers(a, s));
  a.addresses = {ip("192.0.2.100"), ip("192.0.2.99")};
  CHECK(vipListDiffers(a, s));
  a.priority = 0;
  CHECK_FALSE(vipListDiffers(a, s));  // a leaving master's list is not checked
  a.priority = 100;
  s.skipAddressCheck = true;
  CHECK_FALSE(vipListDiffers(a, s));
}

TEST_CASE("an advert with another VIP list is honoured, counted and reported") {
  RecordingIo io;
  Instance inst(settings(100), io);
  inst.start(t0);
  Advert a;
  a.version = 3;
  a.vrid = 51;
  a.priority = 200;
  a.interval = Centiseconds(100);
  a.addresses = {ip("192.0.2.100"), ip("192.0.2.101")};
  inst.receive(a, {ip("192.0.2.12"), ip("224.0.0.18"), 255}, t0 + 1s);
  CHECK(inst.counters().vipListMismatch == 1);
  CHECK(io.log.back() == "vip list mismatch from 192.0.2.12 (2)");
  // Honoured: it reset Master_Down_Timer, so no takeover at the first deadline.
  inst.onTimer(t0 + 3700ms);
  CHECK(inst.state() == State::kBackup);
  CHECK(inst.machine().masterPriority() == 200);
}

TEST_CASE("a discarded advert is counted by reason and does not move the state machine") {
  RecordingIo io;
  Instance inst(settings(100), io);
  inst.start(t0);
  Advert a;
  a.version = 2;
  a.vrid = 51;
  a.priority = 200;
  a.addresses = {ip("192.0.2.100")};
  inst.receive(a, {ip("192.0.2.12"), ip("224.0.0.18"), 255}, t0 + 1s);
  CHECK(inst.counters().discardedBy(DiscardReason::kBadVersion) == 1);
  CHECK(io.log.back() == "discard bad_version");
  inst.onTimer(t0 + 4s);
  CHECK(inst.state() == State::kMaster);  // the bad advert did not reset Master_Down_Timer
}

TEST_CASE("gratuitous ARP and unsolicited NA frames") {
  MacAddress mac{0x02, 0x00, 0x5e, 0x00, 0x01, 0x33};
  auto arp = gratuitousArp(mac, ip("192.0.2.100"));
  CHECK(arp == std::vector<uint8_t>{0,   1, 8, 0,   6, 4, 0, 1, 0x02, 0x00, 0x5e, 0x00, 0x01, 0x33,
                                    192, 0, 2, 100, 0, 0, 0, 0, 0,    0,    192,  0,    2,    100});
  auto na = unsolicitedNeighbourAdvert(mac, ip("2001:db8::100"));
  REQUIRE(na.size() == 32);
  CHECK(na[0] == 136);
  CHECK(na[4] == 0x20);
  CHECK(na[8] == 0x20);  // 2001:...
  CHECK(na[23] == 0x00);
  CHECK(na[24] == 2);
  CHECK(na[25] == 1);
  CHECK(na[26] == 0x02);
}

TEST_CASE("reconfigure in place: a master's new VIPs and interval go out at once, no transition") {
  RecordingIo io;
  Instance inst(settings(100), io);
  inst.start(t0);
  inst.onTimer(t0 + 4s);
  REQUIRE(inst.state() == State::kMaster);
  io.log.clear();
  io.sent.clear();
  InstanceSettings next = settings(100);
  next.machine.advertInterval = Centiseconds(50);
  next.receive.advertInterval = Centiseconds(50);
  next.vips.push_back({ip("192.0.2.101"), 24, "", "eth0"});
  next.receive.addresses.push_back(ip("192.0.2.101"));
  inst.reconfigure(next, t0 + 4100ms);
  CHECK(inst.state() == State::kMaster);
  // One advert at once, with the new interval (50 cs) and both VIPs; no VIP work:
  // the difference is the caller's (InstanceSlot) to apply.
  REQUIRE(io.sent.size() == 1);
  CHECK(io.log == std::vector<std::string>{"advert 100 to 224.0.0.18"});
  const auto& m = io.sent[0].first;
  CHECK(m[3] == 2);                          // count of addresses
  CHECK(((m[4] & 0x0f) << 8 | m[5]) == 50);  // max advert interval, centiseconds
  CHECK(inst.nextDeadline() == t0 + 4600ms);
  CHECK(inst.machine().timers().advertInterval == Centiseconds(50));
}

TEST_CASE("reconfigure in place: nopreempt cancels a pending preemption") {
  RecordingIo io;
  InstanceSettings s = settings(150);
  s.machine.preemptDelay = 2s;
  Instance inst(s, io);
  inst.start(t0);
  Advert a;
  a.version = 3;
  a.vrid = 51;
  a.priority = 100;
  a.interval = Centiseconds(100);
  a.addresses = {ip("192.0.2.100")};
  inst.receive(a, {ip("192.0.2.12"), ip("224.0.0.18"), 255}, t0 + 1s);
  REQUIRE(inst.nextDeadline() == t0 + 3s);  // preempt_delay running
  InstanceSettings next = s;
  next.machine.preempt = false;
  inst.reconfigure(next, t0 + 1500ms);
  inst.receive(a, {ip("192.0.2.12"), ip("224.0.0.18"), 255}, t0 + 2s);
  inst.onTimer(t0 + 3s);
  CHECK(inst.state() == State::kBackup);
}

TEST_CASE("unicast adverts may arrive with any TTL unless the peer's min_ttl/max_ttl say not") {
  ReceiveSettings s;
  s.version = 3;
  s.addresses = {ip("192.0.2.100")};
  s.ownAddresses = {ip("192.0.2.11")};
  Advert a;
  a.version = 3;
  a.vrid = 51;
  a.priority = 100;
  a.interval = Centiseconds(100);
  a.addresses = s.addresses;
  auto verdict = [&](const char* dst, int ttl, const ReceiveSettings& rs) {
    PacketInfo i{ip("192.0.2.12"), ip(dst), ttl};
    auto r = checkAdvert(a, i, rs);
    return r ? std::string(toString(*r)) : std::string("accepted");
  };
  // Multicast mode: a unicast-addressed advert must still carry 255 (the codec
  // checks multicast ones).
  CHECK(verdict("192.0.2.11", 64, s) == "bad_ttl");
  CHECK(verdict("192.0.2.11", 255, s) == "accepted");
  ReceiveSettings u = s;
  u.unicastPeers = {ip("192.0.2.12")};
  CHECK(verdict("192.0.2.11", 64, u) == "accepted");  // keepalived: unicast may be routed
  u.peerTtls = {{ip("192.0.2.12"), 250, 255}};
  CHECK(verdict("192.0.2.11", 64, u) == "bad_ttl");
  CHECK(verdict("192.0.2.11", 251, u) == "accepted");
  // The codec drops a multicast advert whose TTL is not 255, and lets unicast through.
  std::vector<uint8_t> wire =
      encode(a, ip("192.0.2.12"), ip("224.0.0.18"), ChecksumForm::kPseudoHeader);
  CHECK(decode(wire, PacketInfo{ip("192.0.2.12"), ip("224.0.0.18"), 64}).error() ==
        DiscardReason::kBadTtl);
  std::vector<uint8_t> uni =
      encode(a, ip("192.0.2.12"), ip("192.0.2.11"), ChecksumForm::kPseudoHeader);
  CHECK(decode(uni, PacketInfo{ip("192.0.2.12"), ip("192.0.2.11"), 64}).has_value());
}

TEST_CASE("a master hearing a lower priority re-announces its VIPs (garp_lower_prio_repeat)") {
  RecordingIo io;
  InstanceSettings s = settings(200);
  s.announce.lowerPrioRepeat = 2;
  s.announce.lowerPrioDelay = 3s;
  s.announce.masterDelay = 0s;
  Instance inst(s, io);
  inst.start(t0);
  inst.onTimer(t0 + 4s);  // Master_Down_Interval: master, first burst of 3
  REQUIRE(inst.state() == State::kMaster);
  io.log.clear();
  Advert lower;
  lower.version = 3;
  lower.vrid = 51;
  lower.priority = 100;
  lower.interval = Centiseconds(100);
  lower.addresses = {ip("192.0.2.100")};
  const TimePoint heard = t0 + 4500ms;
  inst.receive(lower, PacketInfo{ip("192.0.2.12"), ip("224.0.0.18"), 255}, heard);
  CHECK(io.log == std::vector<std::string>{"advert 200 to 224.0.0.18", "announce", "announce"});
  io.log.clear();
  // Heard again while the second burst is pending: no extra burst.
  inst.receive(lower, PacketInfo{ip("192.0.2.12"), ip("224.0.0.18"), 255}, heard + 100ms);
  CHECK(std::count(io.log.begin(), io.log.end(), "announce") == 0);
  io.log.clear();
  for (int ms = 500; ms <= 4000; ms += 500) inst.onTimer(heard + std::chrono::milliseconds(ms));
  CHECK(std::count(io.log.begin(), io.log.end(), "announce") == 2);  // after 3 s

  s.announce.lowerPrioRepeat = 0;  // garp_lower_prio_repeat 0: none
  RecordingIo quiet;
  Instance q(s, quiet);
  q.start(t0);
  q.onTimer(t0 + 4s);
  quiet.log.clear();
  q.receive(lower, PacketInfo{ip("192.0.2.12"), ip("224.0.0.18"), 255}, heard);
  CHECK(quiet.log == std::vector<std::string>{"advert 200 to 224.0.0.18"});
}
