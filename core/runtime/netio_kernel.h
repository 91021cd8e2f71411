#pragma once
// kernel.h over the real kernel: VRRP sockets (advert_receiver.h), VIPs through
// rtnetlink (netio/address_manager.h), GARP/NA through packet sockets, timers on one
// asio timer of the VRRP loop (timer_driver.h), notify and vrrp_script processes, SMTP
// alerts.

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "core/runtime/advert_receiver.h"
#include "core/runtime/kernel.h"
#include "core/runtime/timer_driver.h"
#include "netio/address_manager.h"
#include "netio/announcer.h"

namespace holdfast::runtime {

class NetioKernel final : public Kernel {
 public:
  // `stateDir`: where the no_accept table's record is kept (empty: none).
  static std::expected<std::unique_ptr<NetioKernel>, std::string> open(boost::asio::io_context& io,
                                                                       const std::string& stateDir);
  ~NetioKernel() override;

  // Packets from every channel, opened now or later, go to `handler` from now on.
  void startReading(AdvertChannel::Handler handler, std::function<void()> batchDone = {});
  // Every channel hands on what waits in its queue (before a report).
  void catchUp();
  void stopReading();

  TimePoint now() override { return Clock::now(); }
  std::expected<netio::InterfaceInfo, std::string> lookupInterface(
      const std::string& name) override;
  std::optional<std::string> interfaceName(int ifindex) override;
  std::expected<AdvertPort*, std::string> advertPort(const std::string& interface,
                                                     netio::Family family, int ifindex,
                                                     const netio::IpAddress& group,
                                                     bool join) override;
  std::expected<AnnouncePort*, std::string> announcePort(const std::string& interface,
                                                         int ifindex) override;
  AddressTable& addresses() override { return *addresses_; }
  VipFilter& vipFilter() override;
  Routing& routing() override { return *routing_; }
  std::unique_ptr<Timer> timer() override;
  std::expected<netio::ScriptIdentity, std::string> scriptUser(const std::string& user,
                                                               const std::string& group) override;
  std::unique_ptr<NotifyQueue> notifier(const std::string& owner,
                                        const netio::ScriptIdentity& who) override;
  std::unique_ptr<TrackedScript> script(const config::VrrpScript& script,
                                        const netio::ScriptIdentity& who,
                                        std::function<void()> onChange) override;
  std::unique_ptr<MailPort> mailer(const config::GlobalDefs& g) override;
  VmacTable& vmacs() override { return *vmacs_; }
  std::expected<std::unique_ptr<WatchedFile>, std::string> watchFile(
      const std::string& path, std::function<void()> changed) override;
  std::expected<std::unique_ptr<ClaimSource>, std::string> watchClaims(
      const std::string& interface,
      std::function<void(const vrrp::AddressClaim&)> onClaim) override;
  std::unique_ptr<ProcessEvents> processEvents(bool cmdline,
                                               std::function<void(const ProcessInfo&)> seen,
                                               std::function<void(int pid)> exited) override;

 private:
  explicit NetioKernel(boost::asio::io_context& io) : io_(io) {}

  boost::asio::io_context& io_;
  std::unique_ptr<AddressTable> addresses_;
  std::unique_ptr<VipFilter> vipFilter_;  // made on first use
  std::string filterRecord_;              // its record (netio::NftVipFilter)
  std::unique_ptr<Routing> routing_;
  std::unique_ptr<VmacTable> vmacs_;
  std::map<std::pair<std::string, netio::Family>, std::unique_ptr<AdvertChannel>> channels_;
  std::map<std::pair<std::string, netio::Family>, int> channelIndex_;
  std::map<std::string, std::unique_ptr<AnnouncePort>> announcers_;
  std::map<std::string, int> announcerIndex_;
  AdvertChannel::Handler handler_;  // set while reading
  std::function<void()> batchDone_;
  // Every timer() on one asio timer; its turns hold the channels' routine adverts.
  std::shared_ptr<TimerDriver> timers_;
};

}  // namespace holdfast::runtime
