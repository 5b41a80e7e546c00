#pragma once
// The whole store as JSON: what GET /__emulator/state shows and what --state saves and loads.
// {"format": "kizen-emulator-state/1",
//  "objects": {"<api name>": [{"id","archived","created","updated","name","fields":{...}}]},
//  "tags": {"<object>.<field>": [{"id","name"}]}}

#include <boost/json/object.hpp>
#include <string>

#include "common/result.hpp"
#include "store.hpp"

namespace kizen_emulator {

boost::json::object dump_state(const store& s);
// Replaces the store's content; on error the store is left empty and the message names the place.
ks::result<void, std::string> restore_state(store& s, const boost::json::value& state);

ks::result<void, std::string> save_state_file(const store& s, const std::string& path);
// A missing file is not an error (first run); returns whether a file was loaded.
ks::result<bool, std::string> load_state_file(store& s, const std::string& path);

}  // namespace kizen_emulator
