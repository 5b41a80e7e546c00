#pragma once
// The store as JSON, for GET /__emulator/state and --state (saved on exit, loaded at start):
//   {"format": "kintone-emulator-state/1", "next_row_id": N,
//    "apps": {"<app id>": {"next_id": N, "records": [{"id", "revision", "created", "updated",
//             "creator", "modifier", "values": {"<code>": value}}]}}}
// Values are in the read form (NUMBER strings, [{code, name}] users, ...).

#include <boost/json/object.hpp>
#include <string>

#include "common/result.hpp"
#include "store.hpp"

namespace kintone_emulator {

boost::json::object dump_state(const store& s);
ks::result<void, std::string> restore_state(store& s, const boost::json::value& state);

// false: no file yet (a first run). Errors name the file and the problem.
ks::result<bool, std::string> load_state_file(store& s, const std::string& path);
// Written to path.tmp, then renamed.
ks::result<void, std::string> save_state_file(const store& s, const std::string& path);

}  // namespace kintone_emulator
