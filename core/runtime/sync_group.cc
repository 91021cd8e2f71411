#include "core/runtime/sync_group.h"

#include "core/log/logger.h"
#include "core/runtime/instance_slot.h"
#include "core/runtime/transition_effects.h"

namespace holdfast::runtime {

std::optional<std::string> SyncGroup::faultFromOthers(const InstanceSlot& member) const {
  for (const InstanceSlot* m : members_) {
    if (m != &member && m->ownFault()) {
      return "sync group " + name_ + ": " + m->name() + " is in FAULT";
    }
  }
  return std::nullopt;
}

void SyncGroup::follow(InstanceSlot& member, const vrrp::Transition& t, TimePoint now) {
  // Following does not cascade: a member that follows does not drag the others again.
  if (following_) return;
  const bool toMaster = t.to == vrrp::State::kMaster;
  const bool toBackup = t.from == vrrp::State::kMaster && t.to == vrrp::State::kBackup;
  if (!toMaster && !toBackup) return;
  following_ = true;
  const std::string why =
      "sync group " + name_ + ": " + member.name() + " became " + vrrp::toString(t.to);
  for (InstanceSlot* m : members_) {
    if (m == &member) continue;
    if (toMaster) m->followToMaster(why, now);
    if (toBackup) m->followToBackup(why, now);
  }
  following_ = false;
}

std::optional<vrrp::State> SyncGroup::settle() {
  std::optional<vrrp::State> now;
  bool agree = true;
  for (const InstanceSlot* m : members_) {
    const vrrp::State s = m->state();
    if (s == vrrp::State::kFault) {
      now = vrrp::State::kFault;
      agree = true;
      break;
    }
    if (now && *now != s) agree = false;
    now = s;
  }
  if (!now || !agree || *now == state_ || *now == vrrp::State::kInitialize) return std::nullopt;
  state_ = *now;
  log::info("vrrp_sync_group " + name_ + ": now " + vrrp::toString(state_));
  if (notifier) {
    queueNotify(*notifier, notify, state_, "GROUP " + name_ + " " + vrrp::toString(state_));
  }
  return state_;
}

}  // namespace holdfast::runtime
