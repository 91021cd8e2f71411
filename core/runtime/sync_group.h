#pragma once
// vrrp_sync_group: members that move together. A member's move to MASTER, or from
// MASTER down to BACKUP, is followed by the others (following never cascades); the
// group is in FAULT while any member is, for a reason of its own; the group's own
// state (what all members agree on) drives its notify scripts.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config/model.h"
#include "core/runtime/kernel.h"
#include "vrrp/state_machine.h"

namespace holdfast::runtime {

class InstanceSlot;

class SyncGroup {
 public:
  explicit SyncGroup(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  const std::vector<InstanceSlot*>& members() const { return members_; }
  void add(InstanceSlot* member) { members_.push_back(member); }
  vrrp::State state() const { return state_; }
  void setState(vrrp::State s) { state_ = s; }  // carried across a reload

  config::NotifyCommands notify;  // vetted
  std::unique_ptr<NotifyQueue> notifier;

  // Why `member` must be in FAULT because another member is, or nothing.
  std::optional<std::string> faultFromOthers(const InstanceSlot& member) const;
  // The other members follow `member`'s transition `t` (at `now`).
  void follow(InstanceSlot& member, const vrrp::Transition& t, TimePoint now);
  // The group's state after a member moved: FAULT while any member is; otherwise
  // what all agree on. Returns the new state when it changed (and notifies), else
  // nothing (still moving, or the same).
  std::optional<vrrp::State> settle();

 private:
  std::string name_;
  std::vector<InstanceSlot*> members_;
  vrrp::State state_ = vrrp::State::kInitialize;
  bool following_ = false;
};

}  // namespace holdfast::runtime
