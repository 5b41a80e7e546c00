// Checks a parsed query against an app: fields exist, operators suit their types, literals parse.
#include <boost/json.hpp>

#include "decimal.hpp"
#include "query.hpp"
#include "time_format.hpp"

namespace kintone_emulator {

namespace {

using F = ks::failure<api_error>;

bool one_of(field_type t, std::initializer_list<field_type> types) {
  for (auto x : types)
    if (x == t) return true;
  return false;
}

using ft = field_type;

bool operator_allowed(ft t, query_op op) {
  switch (op) {
    case query_op::eq:
    case query_op::ne:
      return one_of(t, {ft::record_number, ft::id, ft::single_line_text, ft::link, ft::number, ft::date, ft::datetime,
                        ft::created_time, ft::updated_time});
    case query_op::gt:
    case query_op::lt:
    case query_op::ge:
    case query_op::le:
      return one_of(
          t, {ft::record_number, ft::id, ft::number, ft::date, ft::datetime, ft::created_time, ft::updated_time});
    case query_op::in:
    case query_op::not_in:
      return one_of(t, {ft::record_number, ft::id, ft::single_line_text, ft::link, ft::number, ft::check_box,
                        ft::radio_button, ft::drop_down, ft::multi_select, ft::user_select, ft::creator, ft::modifier});
    case query_op::like:
    case query_op::not_like: return one_of(t, {ft::single_line_text, ft::link, ft::multi_line_text});
    case query_op::is_empty:
    case query_op::is_not_empty:
      return one_of(t, {ft::single_line_text, ft::link, ft::multi_line_text, ft::number, ft::date, ft::datetime,
                        ft::check_box, ft::multi_select, ft::user_select, ft::file});
  }
  return false;
}

bool sortable(ft t) {
  return one_of(t,
                {ft::record_number, ft::id, ft::single_line_text, ft::link, ft::number, ft::radio_button, ft::drop_down,
                 ft::date, ft::datetime, ft::creator, ft::created_time, ft::modifier, ft::updated_time});
}

bool numeric(ft t) { return t == ft::number || t == ft::id || t == ft::record_number; }

// $revision and SUBTABLE columns cannot be searched in the emulator: they are "not found".
const field_def* queryable(const app_def& app, const std::string& code) {
  const auto* f = app.field(code);
  if (!f || f->type == ft::revision || f->type == ft::subtable) return nullptr;
  return f;
}

ks::result<void, api_error> check_literal(const field_def& f, query_op op, const query_literal& v, const schema& dir) {
  if (numeric(f.type)) {
    if (!normalise_number(v.text)) return F{errors::query_syntax()};
    return ks::ok;
  }
  if (!v.quoted) return F{errors::query_syntax()};
  if (f.type == ft::date && !is_valid_date(v.text)) return F{errors::query_syntax()};
  if ((f.type == ft::datetime || f.type == ft::created_time || f.type == ft::updated_time) && !parse_datetime(v.text))
    return F{errors::query_syntax()};
  if (op == query_op::in || op == query_op::not_in) {
    const bool single_choice = f.type == ft::radio_button || f.type == ft::drop_down;
    if ((single_choice || f.type == ft::check_box || f.type == ft::multi_select) && !f.has_option(v.text) &&
        !(single_choice && v.text.empty()))
      return F{errors::query_option(f.code, v.text)};
    if ((f.type == ft::user_select || f.type == ft::creator || f.type == ft::modifier) && !dir.user(v.text))
      return F{errors::query_user()};
  }
  return ks::ok;
}

ks::result<void, api_error> check_condition(const query_condition& c, const app_def& app, const schema& dir) {
  if (c.kind != query_condition::compare) {
    for (const auto& child : c.children)
      if (auto r = check_condition(child, app, dir); !r) return r;
    return ks::ok;
  }
  const auto* f = queryable(app, c.field);
  if (!f) return F{errors::query_field_not_found(c.field)};
  if (!operator_allowed(f->type, c.op)) return F{errors::query_operator(c.field, std::string(op_text(c.op)))};
  for (const auto& v : c.values)
    if (auto r = check_literal(*f, c.op, v, dir); !r) return r;
  return ks::ok;
}

}  // namespace

ks::result<void, api_error> check_query(const parsed_query& q, const app_def& app, const schema& directory) {
  if (q.where)
    if (auto r = check_condition(*q.where, app, directory); !r) return r;
  for (const auto& k : q.order) {
    const auto* f = queryable(app, k.field);
    if (!f) return F{errors::query_field_not_found(k.field)};
    if (!sortable(f->type)) return F{errors::query_operator(k.field, "order by")};
  }
  if (q.limit && *q.limit > max_limit) return F{errors::limit_too_large()};
  if (q.offset && *q.offset > max_offset) return F{errors::offset_too_large()};
  return ks::ok;
}

}  // namespace kintone_emulator
