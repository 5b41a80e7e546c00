#pragma once
// Runs a checked query over an app's records: filter, then order by the given keys with `$id
// desc` as the last key (also the whole order when there is no `order by`). Limit and offset
// are left to the caller, which also needs the total count.

#include <vector>

#include "query.hpp"
#include "store.hpp"

namespace kintone_emulator {

bool matches(const query_condition& c, const app_def& app, const stored_record& r);

std::vector<const stored_record*> select_records(const parsed_query& q, const app_def& app, const record_map& records);

}  // namespace kintone_emulator
