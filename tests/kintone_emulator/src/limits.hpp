#pragma once
// The domain's concurrency limit (requests in flight, 100 by default) and each app's daily
// request counter (10,000 by default). The counter resets at 00:00 UTC (09:00 JST, when Kintone
// resets it) on the emulator clock. Going past the daily limit changes nothing for the caller:
// Kintone mails the administrator the next day and may suspend API use only after review, so
// the emulator reports the excess (over_limit) and keeps serving.

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>

namespace kintone_emulator {

class request_limits {
 public:
  request_limits(std::size_t concurrency_limit, std::int64_t daily_limit)
      : concurrency_limit_(concurrency_limit), daily_limit_(daily_limit) {}

  // A request arrives: false when `concurrency_limit` are running already (then it does not run).
  bool enter();
  void leave();
  std::size_t running() const { return running_; }
  std::size_t concurrency_limit() const { return concurrency_limit_; }
  void set_concurrency_limit(std::size_t n) { concurrency_limit_ = n; }

  void count(std::int64_t app, std::int64_t now_ms);
  std::int64_t today(std::int64_t app, std::int64_t now_ms) const;
  std::int64_t daily_limit() const { return daily_limit_; }
  void set_daily_limit(std::int64_t n) { daily_limit_ = n; }

  boost::json::object to_json(std::int64_t now_ms) const;
  void reset_counts() {
    days_.clear();
    peak_ = running_;
    refused_ = 0;
  }

 private:
  struct day_count {
    std::int64_t day = 0;
    std::int64_t count = 0;
  };
  std::size_t concurrency_limit_;
  std::int64_t daily_limit_;
  std::size_t running_ = 0;
  std::size_t peak_ = 0;
  std::uint64_t refused_ = 0;
  std::map<std::int64_t, day_count> days_;
};

}  // namespace kintone_emulator
