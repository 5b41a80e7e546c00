#pragma once
// The /api/ endpoints: authentication, the nine record operations of the contract, unarchive, and
// the two field-metadata endpoints. Pure request -> response over the store.

#include <string>

#include "emulator_clock.hpp"
#include "http_message.hpp"
#include "route.hpp"
#include "store.hpp"

namespace kizen_emulator {

struct credentials {
  std::string api_key;
  std::string business_id;
  std::string user_id;
};

class records_api {
 public:
  records_api(store& s, emulator_clock& clock, credentials creds, std::string scheme);

  // target must be the parsed form of req.target, rt its route.
  response handle(const request& req, const parsed_target& target, const route& rt);
  void set_search_lag(std::uint32_t ms) { search_lag_ms_ = ms; }

 private:
  response get_record(const object_def& o, const std::string& entity, const parsed_target& t);
  response write_record(const object_def& o, const std::string& entity, const request& req, const parsed_target& t,
                        bool replace);
  response delete_record(const object_def& o, const std::string& entity);
  response unarchive(const object_def& o, const std::string& entity);
  response add(const object_def& o, const request& req);
  response upsert(const object_def& o, const request& req, const parsed_target& t);
  response lookup(const object_def& o, const parsed_target& t);
  response search(const object_def& o, const request& req, const parsed_target& t);
  response field_values(const route& rt, const parsed_target& t);
  response objects(const parsed_target& t);
  response object_fields(const route& rt, const parsed_target& t);

  std::string base_url(const request& req) const;

  store& store_;
  emulator_clock& clock_;
  std::int64_t search_lag_ms_ = 0;
  credentials creds_;
  std::string scheme_;
  std::string current_host_;
};

}  // namespace kizen_emulator
