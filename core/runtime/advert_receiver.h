#pragma once
// The VRRP sockets, one per (interface, address family), read on the VRRP loop:
// every wake-up drains what is queued, bounded so that a flood cannot starve the
// timers, and hands each packet on with the time the kernel received it.
//
// While some instance on the socket is a backup whose master repeats itself, the
// channel does not wake for those routine adverts. Where the process may load eBPF,
// the kernel counts and drops them (RoutineCounter, netio/routine_filter.h), and
// the channel hands them on when a backup's timer falls due (catchUp) and before a
// report, as one advert with the count and the newest arrival. Elsewhere they wait
// in the queue (netio/doorbell_filter.h), which is read when anything else arrives,
// when a backup's timer falls due, before a report, at a random one packet in
// kRingOneIn, and when kSweep has passed since it was last read. Either way an
// advert is processed with the time it arrived, so Master_Down_Timer runs exactly
// as if it had been read at once.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/runtime/kernel.h"
#include "core/runtime/routine_counter.h"
#include "netio/vrrp_socket.h"

namespace holdfast::runtime {

class AdvertChannel final : public AdvertPort {
 public:
  // A packet, its arrival, and how many equal ones it stands for (the newest at
  // that arrival). True when an instance honoured it (it passed the checks).
  using Handler =
      std::function<bool(AdvertChannel&, const netio::ReceivedPacket&, TimePoint, uint64_t copies)>;
  // At most this many packets per wake-up; the rest wait for the next turn.
  static constexpr int kDrainBound = 256;
  // Before a deadline is acted on, up to this many; a read this recent will do.
  static constexpr int kCatchUpBound = 4096;
  static constexpr std::chrono::microseconds kCatchUpFresh{100};
  // Routine adverts wait at most about this long (arrivalTime trusts stamps up to
  // 2 s old).
  static constexpr std::chrono::milliseconds kSweep{1000};
  // One packet in this many rings the doorbell whatever it is: at a flood's rate the
  // queue (kDeferredQueueBytes, ~4,500 small packets) is read every ~2,048 packets
  // and never overflows. Between floods a ring is a wake-up for nothing (a backup's
  // deadlines read the queue anyway): at 512, a backup of 10 instances at 0.1 s woke
  // 0.2 times a second for it, 5% of its wake-ups; at 128, 1.5 times.
  static constexpr unsigned kRingOneIn = 2048;
  // Packets wake the loop at most once per this: under a flood each wake-up reads
  // many (an advert then waits at most this long, with its arrival time).
  static constexpr std::chrono::microseconds kCoalesce{1000};
  // The queue while routine adverts wait in it (the kernel's default holds ~200).
  static constexpr int kDeferredQueueBytes = 4 << 20;

  ~AdvertChannel() override;

  // `sweep`: a timer of the loop (Kernel::timer()) for the sweep.
  static std::expected<std::unique_ptr<AdvertChannel>, std::string> open(
      boost::asio::io_context& io, std::unique_ptr<Timer> sweep, const std::string& interface,
      netio::Family family, int ifindex, const netio::IpAddress& group, bool join);

  std::optional<std::string> send(std::span<const uint8_t> message, const netio::IpAddress& source,
                                  const netio::IpAddress& destination, int ttl) override;
  std::optional<std::string> sendRoutine(std::span<const uint8_t> message,
                                         const netio::IpAddress& source,
                                         const netio::IpAddress& destination, int ttl,
                                         const std::string& sender) override;
  vrrp::Counters& counters() override { return counters_; }
  void setRoutine(uint8_t vrid, std::optional<int> priority) override;
  void catchUp() override;

  // Joins multicast `group` unless joined already: instances that share the socket
  // may come and go (a reload turning unicast into multicast, a new group).
  std::optional<std::string> join(const netio::IpAddress& group);

  // From holdRoutine() to releaseRoutine() (a wake-up's timers firing) routine
  // adverts wait; releaseRoutine() sends them, kBatch per system call: masters on one
  // grid cost one sendmmsg a wake-up where each advert was a sendmsg.
  void holdRoutine() { holding_ = true; }
  void releaseRoutine();

  // `batchDone` after each read of the queue, once its packets are handed on.
  void startReading(Handler handler, std::function<void()> batchDone = {});
  void stopReading();

 private:
  AdvertChannel(boost::asio::io_context& io, std::unique_ptr<Timer> sweep, netio::VrrpSocket socket,
                std::string interface, int ifindex, netio::Family family, netio::IpAddress group);
  void wait();
  void woken();
  void readQueue();
  // Reads up to `bound` packets; true when more are queued.
  bool drain(int bound);
  void applyRoutine();
  // Counting in the kernel from now on, or false (and why, logged once).
  bool openCounter();
  // Hands on what the kernel counted; true when there was anything.
  bool flushCounted();
  void clearDoorbell();
  void giveUpDoorbell(const std::string& why);
  std::optional<std::string> openDoorbell();
  void sweepLater(std::chrono::milliseconds delay);
  void leaveDeferred();

  // A routine advert held (sendRoutine); its bytes are in heldBytes_.
  struct Held {
    size_t offset = 0;
    size_t size = 0;
    netio::IpAddress source;
    netio::IpAddress destination;
    int ttl = 0;
    std::string sender;
  };

  boost::asio::io_context& io_;
  netio::VrrpSocket socket_;
  std::string interface_;
  int ifindex_;
  netio::Family family_;
  netio::IpAddress group_;
  // Not there while deferring: asio's epoll registration would wake the loop for
  // every packet queued, waited for or not.
  std::optional<boost::asio::posix::stream_descriptor> readable_;
  vrrp::Counters counters_;
  Handler handler_;
  std::function<void()> batchDone_;
  std::vector<netio::IpAddress> joined_;

  // Per VRID the routine priority, -1 for none.
  std::array<int16_t, 256> routine_;
  int routineCount_ = 0;
  bool routineChanged_ = false;
  bool draining_ = false;
  bool deferring_ = false;
  bool broken_ = false;      // the doorbell failed once: read every packet at once from then on
  uint64_t generation_ = 0;  // a wait of an older generation is stale
  TimePoint lastDrain_{};    // backups sharing a deadline catch up once
  std::unique_ptr<RoutineCounter> counter_;
  bool counterFailed_ = false;
  RoutineCounter::Deliver deliver_;
  std::optional<netio::VrrpSocket> doorbell_;
  std::optional<boost::asio::posix::stream_descriptor> doorbellReadable_;
  std::unique_ptr<Timer> sweep_;
  boost::asio::steady_timer pause_;
  bool pausing_ = false;
  TimePoint lastWake_{};
  // Held routine adverts: the first heldCount_ of held_ (kept, with their storage,
  // so that holding allocates nothing once warm).
  bool holding_ = false;
  std::vector<Held> held_;
  size_t heldCount_ = 0;
  std::vector<uint8_t> heldBytes_;
  std::vector<netio::OutgoingAdvert> outgoing_;
};

// The steady-clock time at which the kernel received `p` (its SO_TIMESTAMPNS), or
// now when the stamp is missing or not to be trusted (from the future, or older than
// two seconds: a clock step).
TimePoint arrivalTime(const netio::ReceivedPacket& p);

}  // namespace holdfast::runtime
