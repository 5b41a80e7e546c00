#include "auth.hpp"

#include <algorithm>

namespace kintone_emulator {

namespace {

constexpr std::size_t max_tokens = 9;

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool allowed(const permissions& p, action what) {
  switch (what) {
    case action::view: return p.view;
    case action::add: return p.add;
    case action::edit: return p.edit;
    case action::remove: return p.remove;
    case action::upsert: return p.add && p.edit;
  }
  return false;
}

}  // namespace

const token_def* principal::token_for(std::int64_t app) const {
  for (std::size_t i = 0; i < tokens.size(); ++i)
    if (token_apps[i]->id == app) return tokens[i];
  return nullptr;
}

ks::result<principal, api_error> authenticate(const request& req, const schema& s) {
  principal p;
  if (const auto basic = req.header("x-cybozu-authorization")) {
    bool ok = false;
    const std::string decoded = base64_decode(trim(*basic), ok);
    const auto colon = decoded.find(':');
    if (!ok || colon == std::string::npos) return ks::fail(errors::password_failed());
    const auto* u = s.user(decoded.substr(0, colon));
    if (!u || u->password.empty() || u->password != decoded.substr(colon + 1))
      return ks::fail(errors::password_failed());
    p.user = u;
    return p;
  }
  if (const auto header = req.header("x-cybozu-api-token")) {
    std::string rest = *header;
    std::vector<std::string> values;
    for (;;) {
      const auto comma = rest.find(',');
      values.push_back(trim(rest.substr(0, comma)));
      if (comma == std::string::npos) break;
      rest = rest.substr(comma + 1);
    }
    if (values.size() > max_tokens) return ks::fail(errors::bad_token());
    for (const auto& v : values) {
      const auto* app = s.app_of_token(v);
      if (!app) return ks::fail(errors::bad_token());
      if (std::find(p.token_apps.begin(), p.token_apps.end(), app) != p.token_apps.end())
        return ks::fail(errors::duplicate_token());
      p.tokens.push_back(app->token(v));
      p.token_apps.push_back(app);
    }
    return p;
  }
  return ks::fail(errors::not_logged_in());
}

std::optional<api_error> authorize(const principal& who, const app_def& app, action what) {
  if (who.user) {
    if (allowed(who.user->on(app.id), what)) return std::nullopt;
    return errors::no_privilege();
  }
  const auto* t = who.token_for(app.id);
  if (!t || !allowed(t->perms, what)) return errors::token_cannot();
  return std::nullopt;
}

writer_identity identity_for(const principal& who, const app_def& app) {
  writer_identity id;
  if (who.user) {
    id.user = {who.user->login, who.user->name};
    id.may_set_system = who.user->on(app.id).manage;
    id.denied = errors::no_privilege();
  } else {
    id.user = {"Administrator", "Administrator"};
    const auto* t = who.token_for(app.id);
    id.may_set_system = t && t->perms.manage;
    id.denied = errors::token_cannot();
  }
  return id;
}

}  // namespace kintone_emulator
