#include "core/runtime/routine_counter.h"

#include <utility>

namespace holdfast::runtime {

namespace {
// VRRP header (RFC 5798 5.1): version/type, VRID, priority.
constexpr size_t kVrid = 1;
constexpr size_t kPriority = 2;
}  // namespace

std::expected<std::unique_ptr<RoutineCounter>, std::string> RoutineCounter::open(
    netio::Family family) {
  auto filter = netio::RoutineFilter::open(family);
  if (!filter) return std::unexpected(filter.error());
  return std::unique_ptr<RoutineCounter>(new RoutineCounter(family, std::move(*filter)));
}

RoutineCounter::RoutineCounter(netio::Family family, netio::RoutineFilter filter)
    : family_(family), filter_(std::move(filter)), slots_(netio::RoutineFilter::kEntries) {}

void RoutineCounter::honoured(const netio::ReceivedPacket& p) {
  if (p.payload.size() <= kPriority) return;
  Slot& s = slots_[p.payload[kVrid]];
  s.honoured.message.assign(p.payload.begin(), p.payload.end());
  s.honoured.source = p.source;
  s.honoured.destination = p.destination;
  s.honoured.ttl = p.ttl;
  s.hasHonoured = true;
  s.dirty = true;
}

bool RoutineCounter::forget(uint8_t vrid) {
  Slot& s = slots_[vrid];
  if (!s.hasHonoured) return false;
  s.hasHonoured = false;
  s.dirty = true;
  return true;
}

void RoutineCounter::apply(const std::array<int16_t, 256>& routine) {
  for (size_t v = 0; v < slots_.size(); ++v) {
    Slot& s = slots_[v];
    if (!s.dirty && s.routine == routine[v]) continue;
    s.dirty = false;
    s.routine = routine[v];
    const auto vrid = static_cast<uint8_t>(v);
    std::optional<netio::RoutineImage> image;
    if (s.routine >= 0 && s.hasHonoured && s.honoured.message[kPriority] == s.routine) {
      image = netio::routineImage(family_, s.honoured.source, s.honoured.destination,
                                  s.honoured.ttl, s.honoured.message);
    }
    if (!image) {
      stopCounting(vrid, s);
      continue;
    }
    if (s.counting && s.image == *image) continue;
    stopCounting(vrid, s);
    filter_.set(vrid, *image);
    s.image = *image;
    s.counted = s.honoured;
    s.counting = true;
    s.seen = filter_.tally(vrid).count;
  }
}

void RoutineCounter::stopCounting(uint8_t vrid, Slot& s) {
  if (!s.counting) return;
  filter_.clear(vrid);
  s.counting = false;
  const auto t = filter_.tally(vrid);
  if (t.count == s.seen) return;
  // Kept to be handed on: the adverts re-arm Master_Down_Timer from their arrival
  // (a reload's backup would otherwise time out on the last one handed on).
  s.retiredCopies = (s.hasRetired ? s.retiredCopies : 0) + (t.count - s.seen);
  s.retiredNewest = t.newest;
  std::swap(s.retired, s.counted);
  s.hasRetired = true;
}

void RoutineCounter::deliverSample(const Sample& s, TimePoint at, uint64_t copies,
                                   const Deliver& deliver) {
  netio::ReceivedPacket p;
  p.source = s.source;
  p.destination = s.destination;
  p.ttl = s.ttl;
  p.payload = s.message;
  deliver(p, at, copies);
}

bool RoutineCounter::flush(uint8_t vrid, TimePoint notAfter, const Deliver& deliver) {
  Slot& s = slots_[vrid];
  bool any = false;
  if (s.hasRetired && s.retiredNewest <= notAfter) {
    s.hasRetired = false;
    deliverSample(s.retired, s.retiredNewest, s.retiredCopies, deliver);
    any = true;
  }
  if (!s.counting) return any;
  const auto t = filter_.tally(vrid);
  if (t.count == s.seen || t.newest > notAfter) return any;
  const uint64_t copies = t.count - s.seen;
  s.seen = t.count;
  deliverSample(s.counted, t.newest, copies, deliver);
  return true;
}

bool RoutineCounter::flushAll(const Deliver& deliver) {
  bool any = false;
  for (size_t v = 0; v < slots_.size(); ++v) {
    if (slots_[v].counting || slots_[v].hasRetired) {
      any |= flush(static_cast<uint8_t>(v), TimePoint::max(), deliver);
    }
  }
  return any;
}

}  // namespace holdfast::runtime
