#pragma once
// Health policy apart from probe I/O: a state changes only after `rise` consecutive
// successes (down -> up) or `fall` consecutive failures (up -> down). Pure; fed one
// result at a time.

namespace holdfast::checkers {

class RiseFall {
 public:
  RiseFall(int rise, int fall, bool initiallyUp) : rise_(rise), fall_(fall), up_(initiallyUp) {}

  // Feeds one result; returns true when the state changed.
  bool feed(bool success) {
    if (success == up_) {
      streak_ = 0;
      return false;
    }
    if (++streak_ < (success ? rise_ : fall_)) return false;
    up_ = success;
    streak_ = 0;
    return true;
  }

  bool up() const { return up_; }
  // Consecutive results against the current state so far.
  int streak() const { return streak_; }

 private:
  int rise_;
  int fall_;
  bool up_;
  int streak_ = 0;
};

}  // namespace holdfast::checkers
