#pragma once
// Records as Kintone returns them: {"<code>": {"type": "...", "value": ...}} for every field of
// the app (or those named by fields[]), system fields included ($id is "__ID__", $revision
// "__REVISION__"; ids, revisions and record numbers are strings).

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "schema.hpp"
#include "store.hpp"

namespace kintone_emulator {

// The `value` part of one field.
boost::json::value read_value(const field_def& f, const stored_record& r);

// selection: field codes to include, empty = all.
boost::json::object render_record(const app_def& app, const stored_record& r,
                                  const std::vector<std::string>& selection = {});

}  // namespace kintone_emulator
